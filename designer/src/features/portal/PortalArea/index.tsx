import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../app/guards.tsx';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { SimpleTable } from '../../../ui/SimpleTable/index.tsx';
import { Code, Text } from '../../../ui/Text/index.tsx';

// A customer sees only their own tickets: the server scopes `tickets` to the requester.
const MyTicketsQuery = graphql(`
  query PortalTickets {
    tickets(first: 50) {
      totalCount
      edges {
        node {
          id
          number
          title
          status
          statusName
          createdAt
        }
      }
    }
  }
`);

function MyTicketsPage() {
  const { t } = useTranslation(['portal', 'shell']);
  const { data, error, isLoading, refetch } = useQuery(MyTicketsQuery, {});
  const tickets = (data?.tickets?.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  return (
    <>
      <PageHeading
        title={t('tickets.title')}
        extra={
          data ? (
            <Text>{t('tickets.count', { count: data.tickets?.totalCount ?? tickets.length })}</Text>
          ) : null
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? (
        <SimpleTable
          label={t('tickets.title')}
          rows={tickets}
          rowKey={(x) => x.id ?? ''}
          empty={t('tickets.empty')}
          columns={[
            { key: 'number', title: t('tickets.columns.number'), render: (x) => <Code>{x.number}</Code> },
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
      ) : null}
    </>
  );
}

/** /portal: the customer's own tickets; the public forms and ticket pages come with the portal issue. */
export default function PortalArea() {
  return (
    <Routes>
      <Route index element={<MyTicketsPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
