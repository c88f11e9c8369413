import { Button, Form, Input, Select, Space, Switch, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { Text } from '../../../ui/Text/index.tsx';
import { ListAndEditPage, useAdminMutation } from '../../admin/shared/ListAndEdit.tsx';
import { RefusalFragment } from '../../admin/shared/refusal.ts';

const StatusesQuery = graphql(`
  query AdminStatuses {
    ticketStatuses(includeInactive: true) { id name category position isActive }
  }
`);

const CreateStatus = graphql(
  `mutation CreateTicketStatus($name: String!, $category: StatusCategory!) {
    createTicketStatus(name: $name, category: $category) { __typename ... on TicketStatus { id } ...Refusal }
  }`,
  [RefusalFragment],
);

const UpdateStatus = graphql(
  `mutation UpdateTicketStatus($id: ID!, $position: Int, $isActive: Boolean) {
    updateTicketStatus(id: $id, position: $position, isActive: $isActive) { __typename ... on TicketStatus { id } ...Refusal }
  }`,
  [RefusalFragment],
);

type Status = NonNullable<ResultOf<typeof StatusesQuery>['ticketStatuses']>[number];
type Category = NonNullable<Status['category']>;
const CATEGORIES: Category[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];

/** /admin/statuses: named statuses, their order and whether they are offered. */
export default function StatusesPage() {
  const { t } = useTranslation(['statuses', 'admin']);
  const run = useAdminMutation();
  const { data, error, refetch } = useQuery(StatusesQuery, {});
  const statuses = data?.ticketStatuses ?? [];

  const update = async (vars: { id: string; position?: number; isActive?: boolean }) => {
    if (await run(UpdateStatus, vars)) refetch();
  };
  /** Swaps the positions of two neighbours. */
  const swap = async (a: Status, b: Status) => {
    await update({ id: a.id ?? '', position: b.position ?? 0 });
    await update({ id: b.id ?? '', position: a.position ?? 0 });
  };
  const create = async (v: { name: string; category: Category }) => {
    if (!(await run(CreateStatus, v))) return false;
    refetch();
    return true;
  };

  return (
    <ListAndEditPage<{ name: string; category: Category }>
      title={t('title')}
      createLabel={t('create')}
      error={error}
      onRetry={refetch}
      initialValues={{ category: 'on_hold' }}
      onCreate={create}
      createFields={
        <>
          <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="category" label={t('category')}>
            <Select options={CATEGORIES.map((c) => ({ value: c, label: t(`categories.${c}`) }))} />
          </Form.Item>
        </>
      }
    >
      <Text as="p">{t('help')}</Text>
      <Table
        rowKey={(s) => s.id ?? ''}
        loading={!data && !error}
        dataSource={statuses}
        pagination={false}
        columns={[
          { key: 'name', title: t('name'), dataIndex: 'name' },
          {
            key: 'category',
            title: t('category'),
            render: (_, s) => <Tag>{t(`categories.${s.category ?? 'open'}`)}</Tag>,
          },
          {
            key: 'active',
            title: t('active'),
            render: (_, s) => (
              <Switch
                aria-label={`${t('active')} ${s.name}`}
                checked={Boolean(s.isActive)}
                onChange={(isActive) => update({ id: s.id ?? '', isActive })}
              />
            ),
          },
          {
            key: 'order',
            title: t('order'),
            render: (_, s, i) => (
              <Space>
                <Button
                  size="small"
                  aria-label={`${t('admin:actions.moveUp')} ${s.name}`}
                  disabled={i === 0}
                  onClick={() => swap(s, statuses[i - 1]!)}
                >
                  ↑
                </Button>
                <Button
                  size="small"
                  aria-label={`${t('admin:actions.moveDown')} ${s.name}`}
                  disabled={i === statuses.length - 1}
                  onClick={() => swap(s, statuses[i + 1]!)}
                >
                  ↓
                </Button>
              </Space>
            ),
          },
        ]}
      />
    </ListAndEditPage>
  );
}
