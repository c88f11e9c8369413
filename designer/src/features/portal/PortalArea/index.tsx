import { Button, Result, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useParams } from 'react-router';
import { NotFound } from '../../../app/refusal-pages.tsx';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { currentLanguage } from '../../../i18n/i18n.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { SimpleTable } from '../../../ui/SimpleTable/index.tsx';
import { Code, Text } from '../../../ui/Text/index.tsx';
import { PortalTicketFragment, PortalTicketView } from '../PortalTicket/index.tsx';

// Portal queries answer only what a customer may see of their own tickets (PortalTicket).
const MyTicketsQuery = graphql(`
  query PortalTickets {
    portalTickets(first: 100) {
      number
      title
      status
      statusName
      createdAt
    }
  }
`);

const PortalTicketQuery = graphql(
  `
    query PortalTicket($number: String!, $locale: String!) {
      portalTicket(number: $number) {
        ...PortalTicketView
      }
    }
  `,
  [PortalTicketFragment],
);

function MyTicketsPage() {
  const { t } = useTranslation(['portal', 'shell']);
  const { data, error, isLoading, refetch } = useQuery(MyTicketsQuery, {});
  const tickets = data?.portalTickets ?? [];
  return (
    <>
      <PageHeading
        title={t('tickets.title')}
        extra={
          data ? (
            <>
              <Text>{t('tickets.count', { count: tickets.length })}</Text>
              <Link to="/portal/forms">
                <Button type="primary">{t('tickets.newRequest')}</Button>
              </Link>
            </>
          ) : null
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? (
        <div style={{ overflowX: 'auto' }}>
          <SimpleTable
            label={t('tickets.title')}
            rows={tickets}
            rowKey={(x) => x.number ?? ''}
            empty={t('tickets.empty')}
            columns={[
              {
                key: 'number',
                title: t('tickets.columns.number'),
                render: (x) => (
                  <Link to={`/portal/tickets/${encodeURIComponent(x.number ?? '')}`}>
                    <Code>{x.number}</Code>
                  </Link>
                ),
              },
              { key: 'title', title: t('tickets.columns.title'), render: (x) => x.title },
              {
                key: 'status',
                title: t('tickets.columns.status'),
                render: (x) => (x.status ? <Tag>{x.statusName ?? t(`shell:status.${x.status}`)}</Tag> : null),
              },
              {
                key: 'createdAt',
                title: t('tickets.columns.createdAt'),
                render: (x) => <DateTime value={x.createdAt} />,
              },
            ]}
          />
        </div>
      ) : null}
    </>
  );
}

function TicketPage() {
  const { t } = useTranslation('portal');
  const { number = '' } = useParams();
  const { data, isLoading, refetch } = useQuery(PortalTicketQuery, { number, locale: currentLanguage() });
  if (isLoading && !data) return <PageLoading />;
  if (!data?.portalTicket)
    return (
      <Result
        status="404"
        title={<h1 style={{ fontSize: 22 }}>{t('ticket.notFound')}</h1>}
        extra={<Link to="/portal">{t('ticket.back')}</Link>}
      />
    );
  return (
    <>
      <Link to="/portal">← {t('ticket.back')}</Link>
      <PortalTicketView ticket={data.portalTicket} onChanged={refetch} />
    </>
  );
}

/** /portal: the signed-in customer's own tickets and each one's page. */
export default function PortalArea() {
  return (
    <Routes>
      <Route index element={<MyTicketsPage />} />
      <Route path="tickets/:number" element={<TicketPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
