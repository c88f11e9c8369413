import { App, Button, Form, Input, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { CreateModal } from '../../admin/shared/CreateModal.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';

const StatusesQuery = graphql(`
  query AdminStatuses {
    ticketStatuses(includeInactive: true) { id name category position isActive }
  }
`);

const CreateStatus = graphql(
  `
  mutation CreateTicketStatus($name: String!, $category: StatusCategory!) {
    createTicketStatus(name: $name, category: $category) {
      __typename
      ... on TicketStatus { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const UpdateStatus = graphql(
  `
  mutation UpdateTicketStatus($id: ID!, $position: Int, $isActive: Boolean) {
    updateTicketStatus(id: $id, position: $position, isActive: $isActive) {
      __typename
      ... on TicketStatus { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Status = NonNullable<ResultOf<typeof StatusesQuery>['ticketStatuses']>[number];
type Category = NonNullable<Status['category']>;
const CATEGORIES: Category[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];

/** /admin/statuses: named statuses, their order and whether they are offered. */
export default function StatusesPage() {
  const { t } = useTranslation(['statuses', 'admin']);
  const { message } = App.useApp();
  const { data, error, refetch } = useQuery(StatusesQuery, {});
  const [isCreating, setCreating] = useState(false);
  const [form] = Form.useForm<{ name: string; category: Category }>();
  const statuses = data?.ticketStatuses ?? [];

  const update = async (vars: { id: string; position?: number; isActive?: boolean }) => {
    const r = await mutate(UpdateStatus, vars);
    if (!r.ok) return void message.error(r.problem);
    refetch();
  };
  /** Swaps the positions of two neighbours. */
  const swap = async (a: Status, b: Status) => {
    await update({ id: a.id ?? '', position: b.position ?? 0 });
    await update({ id: b.id ?? '', position: a.position ?? 0 });
  };
  const create = async (v: { name: string; category: Category }) => {
    const r = await mutate(CreateStatus, v);
    if (!r.ok) return void message.error(r.problem);
    setCreating(false);
    refetch();
  };

  return (
    <>
      <PageHeading
        title={t('title')}
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('create')}
          </Button>
        }
      />
      <Text as="p">{t('help')}</Text>
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
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
      <CreateModal
        open={isCreating}
        title={t('create')}
        form={form}
        initialValues={{ category: 'on_hold' }}
        onCreate={create}
        onClose={() => setCreating(false)}
      >
        <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="category" label={t('category')}>
          <Select options={CATEGORIES.map((c) => ({ value: c, label: t(`categories.${c}`) }))} />
        </Form.Item>
      </CreateModal>
    </>
  );
}
