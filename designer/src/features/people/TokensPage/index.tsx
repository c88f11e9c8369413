import { App, Button, DatePicker, Form, Input, Select, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { useReadySession } from '../../../session/session.tsx';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { CreateModal } from '../../admin/shared/CreateModal.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { tokenColumns } from '../../admin/shared/token-columns.tsx';
import { OnceSecret } from '../OnceSecret.tsx';

const TokensQuery = graphql(`
  query AdminTokens {
    apiTokens { id name prefix createdAt lastUsedAt expiresAt revokedAt user { id name } }
    users { id name }
  }
`);

const CreateToken = graphql(
  `
  mutation CreateApiToken($name: String!, $userId: Int, $expiresAt: DateTime) {
    createApiToken(name: $name, userId: $userId, expiresAt: $expiresAt) {
      __typename
      ... on CreatedApiToken { token }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const RevokeToken = graphql(
  `
  mutation RevokeApiToken($id: Int!) {
    revokeApiToken(id: $id) {
      __typename
      ... on ApiToken { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Row = NonNullable<ResultOf<typeof TokensQuery>['apiTokens']>[number];
type FormValues = { name: string; userId?: number; expiresAt?: Dayjs };

/** /admin/tokens: API tokens for integrations (the token itself is shown once), revoke. */
export default function TokensPage() {
  const { t } = useTranslation(['people', 'admin']);
  const { message } = App.useApp();
  const { access } = useReadySession();
  const { data, error, refetch } = useQuery(TokensQuery, {});
  const [isCreating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<FormValues>();

  const create = async (v: FormValues) => {
    const r = await mutate(CreateToken, {
      name: v.name,
      userId: v.userId ?? null,
      expiresAt: v.expiresAt ? v.expiresAt.toISOString() : null,
    });
    if (!r.ok) return void message.error(r.problem);
    setCreating(false);
    if (r.data.createApiToken && 'token' in r.data.createApiToken)
      setSecret(r.data.createApiToken.token ?? '');
    refetch();
  };
  const revoke = async (id: string) => {
    const r = await mutate(RevokeToken, { id: Number(id) });
    if (!r.ok) return void message.error(r.problem);
    refetch();
  };

  return (
    <>
      <PageHeading
        title={t('tokens.title')}
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('tokens.create')}
          </Button>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      <Table
        rowKey={(x) => x.id ?? ''}
        loading={!data && !error}
        dataSource={data?.apiTokens ?? []}
        pagination={{ defaultPageSize: 50, hideOnSinglePage: true }}
        columns={tokenColumns<Row>(t, revoke, {
          afterPrefix: [
            { key: 'user', title: t('tokens.columns.user'), render: (_, x) => x.user?.name ?? '' },
          ],
          beforeStatus: [
            {
              key: 'expires',
              title: t('tokens.columns.expires'),
              render: (_, x) => <DateTime value={x.expiresAt} />,
            },
          ],
        })}
      />
      <CreateModal
        open={isCreating}
        title={t('tokens.create')}
        form={form}
        onCreate={create}
        onClose={() => setCreating(false)}
      >
        <Form.Item
          name="name"
          label={t('tokens.fields.name')}
          rules={[{ required: true, whitespace: true, message: t('users.required') }]}
        >
          <Input />
        </Form.Item>
        {access.can('TOKEN_MANAGE') ? (
          <Form.Item name="userId" label={t('tokens.fields.user')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              options={(data?.users ?? []).map((u) => ({ value: Number(u.id), label: u.name ?? '' }))}
            />
          </Form.Item>
        ) : null}
        <Form.Item name="expiresAt" label={t('tokens.fields.expiresAt')}>
          <DatePicker showTime />
        </Form.Item>
      </CreateModal>
      <OnceSecret title={t('tokens.token')} secret={secret} onClose={() => setSecret(null)} />
    </>
  );
}
