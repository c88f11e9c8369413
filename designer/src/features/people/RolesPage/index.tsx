import { App, Button, Checkbox, Drawer, Form, Input, Radio, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';

const RolesQuery = graphql(`
  query AdminRoles {
    roles { id key name names { locale text } dataScope permissions }
  }
`);

const CreateRole = graphql(
  `
  mutation CreateRole(
    $key: String!
    $name: String!
    $names: [LocalizedNameInput!]
    $permissions: [Permission!]!
    $dataScope: DataScope!
  ) {
    createRole(key: $key, name: $name, names: $names, permissions: $permissions, dataScope: $dataScope) {
      __typename
      ... on Role { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const UpdateRole = graphql(
  `
  mutation UpdateRole(
    $id: Int!
    $name: String
    $names: [LocalizedNameInput!]
    $permissions: [Permission!]
    $dataScope: DataScope
  ) {
    updateRole(id: $id, name: $name, names: $names, permissions: $permissions, dataScope: $dataScope) {
      __typename
      ... on Role { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Role = NonNullable<ResultOf<typeof RolesQuery>['roles']>[number];
type Permission = NonNullable<Role['permissions']>[number];
type DataScope = NonNullable<Role['dataScope']>;

const PERMISSIONS: Permission[] = [
  'TICKET_READ',
  'TICKET_CREATE',
  'TICKET_UPDATE',
  'TICKET_ASSIGN',
  'TICKET_REPLY',
  'TICKET_NOTE',
  'TEMPLATE_MANAGE',
  'WORKFLOW_MANAGE',
  'SLA_MANAGE',
  'USER_MANAGE',
  'ROLE_MANAGE',
  'ORG_MANAGE',
  'TEAM_MANAGE',
  'TOKEN_MANAGE',
  'PLUGIN_MANAGE',
  'AUDIT_READ',
  'CUSTOMER_MANAGE',
  'REPORT_READ',
];
const SCOPES: DataScope[] = ['own', 'team', 'org_subtree', 'all'];

type FormValues = {
  key: string;
  name: string;
  /** The name in each language the web app speaks; empty: the plain name shows. */
  nameEn?: string;
  nameZh?: string;
  dataScope: DataScope;
  permissions: Permission[];
};

/** The form's per-language names as the API takes them (empty ones left out). */
const namesOf = (v: FormValues) =>
  [
    { locale: 'en', text: v.nameEn?.trim() ?? '' },
    { locale: 'zh-CN', text: v.nameZh?.trim() ?? '' },
  ].filter((n) => n.text);

/** /admin/roles (?role=<key> opens one): permission sets and their data scope. */
export default function RolesPage() {
  const { t } = useTranslation(['people', 'admin']);
  const displayName = useDisplayName();
  const { message } = App.useApp();
  const { data, error, refetch } = useQuery(RolesQuery, {});
  const [params, setParams] = useSearchParams();
  const openKey = params.get('role');
  const [isCreating, setCreating] = useState(false);
  const [form] = Form.useForm<FormValues>();
  const roles = data?.roles ?? [];
  const editing = openKey ? roles.find((r) => r.key === openKey) : undefined;
  const isOpen = isCreating || Boolean(editing);

  const openRole = (role: Role | null) => {
    if (role) setParams({ role: role.key ?? '' });
    else setCreating(true);
  };
  const initialValues: Partial<FormValues> = editing
    ? {
        key: editing.key ?? '',
        name: editing.name ?? '',
        nameEn: editing.names?.find((n) => n.locale === 'en')?.text ?? '',
        nameZh: editing.names?.find((n) => n.locale === 'zh-CN')?.text ?? '',
        dataScope: editing.dataScope ?? 'own',
        permissions: [...(editing.permissions ?? [])],
      }
    : { dataScope: 'own', permissions: [] };
  const close = () => {
    setCreating(false);
    setParams({});
  };

  const save = async (v: FormValues) => {
    const r = editing
      ? await mutate(UpdateRole, {
          id: Number(editing.id),
          name: v.name,
          names: namesOf(v),
          permissions: v.permissions,
          dataScope: v.dataScope,
        })
      : await mutate(CreateRole, {
          key: v.key,
          name: v.name,
          names: namesOf(v),
          permissions: v.permissions ?? [],
          dataScope: v.dataScope,
        });
    if (!r.ok) return void message.error(r.problem);
    void message.success(t('admin:actions.saved'));
    close();
    refetch();
  };

  return (
    <>
      <PageHeading
        title={t('roles.title')}
        extra={
          <Button type="primary" onClick={() => openRole(null)}>
            {t('roles.create')}
          </Button>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      <Table
        rowKey={(r) => r.id ?? ''}
        loading={!data && !error}
        dataSource={roles}
        pagination={false}
        columns={[
          {
            key: 'name',
            title: t('roles.columns.name'),
            render: (_, r) => (
              <Link to={`?role=${encodeURIComponent(r.key ?? '')}`}>{displayName(r.name, r.names)}</Link>
            ),
          },
          { key: 'key', title: t('roles.columns.key'), dataIndex: 'key' },
          {
            key: 'scope',
            title: t('roles.columns.scope'),
            render: (_, r) => (r.dataScope ? <Tag>{t(`roles.scopeShort.${r.dataScope}`)}</Tag> : null),
          },
          {
            key: 'permissions',
            title: t('roles.columns.permissions'),
            render: (_, r) => t('roles.permissionCount', { count: r.permissions?.length ?? 0 }),
          },
        ]}
      />
      <Drawer
        open={isOpen}
        width={520}
        title={editing ? displayName(editing.name, editing.names) : t('roles.create')}
        onClose={close}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={close}>{t('admin:actions.cancel')}</Button>
            <Button type="primary" onClick={() => form.submit()}>
              {t('admin:actions.save')}
            </Button>
          </Space>
        }
      >
        <Form
          key={editing?.key ?? 'new'}
          form={form}
          layout="vertical"
          onFinish={save}
          initialValues={initialValues}
        >
          <Form.Item
            name="key"
            label={t('roles.fields.key')}
            extra={t('roles.keyHelp')}
            rules={[{ required: true, pattern: /^[a-z][a-z0-9_-]{1,39}$/, message: t('roles.keyHelp') }]}
          >
            <Input disabled={Boolean(editing)} />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('roles.fields.name')}
            rules={[{ required: true, whitespace: true, message: t('users.required') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="nameEn" label={t('roles.fields.nameEn')} extra={t('roles.namesHelp')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="nameZh" label={t('roles.fields.nameZh')} extra={t('roles.namesHelp')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="dataScope" label={t('roles.fields.scope')}>
            <Radio.Group>
              <Space direction="vertical">
                {SCOPES.map((s) => (
                  <Radio key={s} value={s}>
                    {t(`roles.scopes.${s}`)}
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="permissions" label={t('roles.fields.permissions')}>
            <Checkbox.Group style={{ display: 'grid', gap: 6 }}>
              {PERMISSIONS.map((p) => (
                <Checkbox key={p} value={p}>
                  {t(`roles.permissions.${p}`)}
                </Checkbox>
              ))}
            </Checkbox.Group>
          </Form.Item>
        </Form>
      </Drawer>
    </>
  );
}
