import { App, Button, Form, Input, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { CreateModal } from '../../admin/shared/CreateModal.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { tokenColumns } from '../../admin/shared/token-columns.tsx';
import { OnceSecret } from '../../people/OnceSecret.tsx';

const WallTokensQuery = graphql(`
  query AdminWallTokens {
    wallTokens { id name prefix createdAt lastUsedAt revokedAt orgUnit { id name } }
    orgUnits { id name path }
  }
`);

const CreateWallToken = graphql(
  `
  mutation CreateWallToken($name: String!, $orgUnitId: Int!) {
    createWallToken(name: $name, orgUnitId: $orgUnitId) {
      __typename
      ... on CreatedWallToken { token }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const RevokeWallToken = graphql(
  `
  mutation RevokeWallToken($id: Int!) {
    revokeWallToken(id: $id) {
      __typename
      ... on WallToken { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Row = NonNullable<ResultOf<typeof WallTokensQuery>['wallTokens']>[number];
type FormValues = { name: string; orgUnitId: number };

/** The org tree as indented options (paths are /1/2/7/: the depth is the number of ids). */
const depthOf = (path: string | null | undefined) => (path ?? '').split('/').filter(Boolean).length - 1;

/** /admin/wall-tokens: tokens that open the live wall of an org subtree on a screen (the link is shown once), revoke. */
export default function WallTokensPage() {
  const { t } = useTranslation(['wall', 'admin']);
  const { message } = App.useApp();
  const { data, error, refetch } = useQuery(WallTokensQuery, {});
  const [isCreating, setCreating] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [form] = Form.useForm<FormValues>();

  const create = async (v: FormValues) => {
    const r = await mutate(CreateWallToken, { name: v.name, orgUnitId: v.orgUnitId });
    if (!r.ok) return void message.error(r.problem);
    setCreating(false);
    const made = r.data.createWallToken;
    if (made && 'token' in made && made.token)
      setLink(`${window.location.origin}/wall?token=${encodeURIComponent(made.token)}`);
    refetch();
  };
  const revoke = async (id: string) => {
    const r = await mutate(RevokeWallToken, { id: Number(id) });
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
      <Typography.Paragraph>{t('tokens.intro')}</Typography.Paragraph>
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      <Table
        rowKey={(x) => x.id ?? ''}
        loading={!data && !error}
        dataSource={data?.wallTokens ?? []}
        pagination={{ defaultPageSize: 50, hideOnSinglePage: true }}
        columns={tokenColumns<Row>(t, revoke, {
          afterName: [
            { key: 'orgUnit', title: t('tokens.columns.orgUnit'), render: (_, x) => x.orgUnit?.name ?? '' },
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
          rules={[{ required: true, whitespace: true, message: t('tokens.required') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="orgUnitId"
          label={t('tokens.fields.orgUnit')}
          rules={[{ required: true, message: t('tokens.required') }]}
        >
          <Select
            showSearch
            optionFilterProp="label"
            options={(data?.orgUnits ?? []).map((u) => ({
              value: Number(u.id),
              label: `${'\u00a0\u00a0'.repeat(Math.max(0, depthOf(u.path)))}${u.name ?? ''}`,
            }))}
          />
        </Form.Item>
      </CreateModal>
      <OnceSecret title={t('tokens.link')} secret={link} onClose={() => setLink(null)} />
    </>
  );
}
