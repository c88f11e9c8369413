import { Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../app/guards.tsx';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';

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
            <Typography.Text type="secondary">
              {t('tickets.count', { count: data.tickets?.totalCount ?? tickets.length })}
            </Typography.Text>
          ) : null
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? (
        <Table
          rowKey={(x) => x.id ?? ''}
          dataSource={tickets}
          pagination={false}
          locale={{ emptyText: t('tickets.empty') }}
          columns={[
            {
              key: 'number',
              title: t('tickets.columns.number'),
              render: (_, x) => <Typography.Text code>{x.number}</Typography.Text>,
            },
            { key: 'title', title: t('tickets.columns.title'), dataIndex: 'title' },
            {
              key: 'status',
              title: t('tickets.columns.status'),
              render: (_, x) =>
                x.status ? <Tag>{x.statusName ?? t(`shell:status.${x.status}`)}</Tag> : null,
            },
            {
              key: 'createdAt',
              title: t('tickets.columns.createdAt'),
              render: (_, x) => <DateTime value={x.createdAt} />,
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
