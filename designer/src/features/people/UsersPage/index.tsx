import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { useReadySession } from '../../../session/session.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { mutate, temporaryPassword } from '../../admin/shared/mutate.ts';
import { orgTreeOptions } from '../../admin/shared/org-options.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { OnceSecret } from '../OnceSecret.tsx';

const UsersQuery = graphql(`
  query AdminUsers {
    users(includeInactive: true) {
      id
      name
      email
      isActive
      orgUnit { id name }
      manager { id }
      roles { id name names { locale text } }
      teams { id name }
    }
    roles { id name names { locale text } }
    orgUnits { id name parent { id } }
    teams { id name members { skills user { id } } }
    pendingInvitations { user { id } expiresAt }
  }
`);

const CreateUser = graphql(
  `
  mutation InviteUser($email: String!, $name: String!, $orgUnitId: Int, $managerId: Int, $roleIds: [Int!]) {
    createUser(email: $email, name: $name, orgUnitId: $orgUnitId, managerId: $managerId, roleIds: $roleIds) {
      __typename
      ... on User { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const SendInvitation = graphql(
  `
  mutation SendInvitation($userId: Int!) {
    sendInvitation(userId: $userId) {
      __typename
      ... on SentInvitation { isMailed link expiresAt }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const UpdateUser = graphql(
  `
  mutation UpdateUser($id: Int!, $name: String, $password: String, $orgUnitId: Int, $managerId: Int, $isActive: Boolean, $roleIds: [Int!]) {
    updateUser(id: $id, name: $name, password: $password, orgUnitId: $orgUnitId, managerId: $managerId, isActive: $isActive, roleIds: $roleIds) {
      __typename
      ... on User { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const SetTeamMembers = graphql(
  `
  mutation SetTeamMembers($teamId: Int!, $members: [TeamMemberInput!]!) {
    setTeamMembers(teamId: $teamId, members: $members) {
      __typename
      ... on Team { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Data = ResultOf<typeof UsersQuery>;
type UserRow = NonNullable<Data['users']>[number];
type FormValues = {
  name: string;
  email: string;
  orgUnitId?: number;
  managerId?: number;
  roleIds: number[];
  teamIds: number[];
};

/** Puts a user in exactly the teams listed (keeping everyone else, and their skills, as they are). */
async function placeInTeams(
  teams: NonNullable<Data['teams']>,
  userId: number,
  teamIds: number[],
): Promise<string | null> {
  for (const team of teams) {
    const members = (team.members ?? []).map((m) => ({
      userId: Number(m.user?.id),
      skills: [...(m.skills ?? [])],
    }));
    const isMember = members.some((m) => m.userId === userId);
    const shouldBe = teamIds.includes(Number(team.id));
    if (isMember === shouldBe) continue;
    const next = shouldBe ? [...members, { userId, skills: [] }] : members.filter((m) => m.userId !== userId);
    const r = await mutate(SetTeamMembers, { teamId: Number(team.id), members: next });
    if (!r.ok) return r.problem;
  }
  return null;
}

/** /admin/users: the staff directory, invite, edit (roles, org unit, teams), reset password, deactivate. */
export default function UsersPage() {
  const { t, i18n } = useTranslation(['people', 'admin']);
  const displayName = useDisplayName();
  const { message } = App.useApp();
  const session = useReadySession();
  const myId = session.me?.user?.id;
  // Team membership is the team admins' to change: offered only to those who may.
  const canSetTeams = session.access.can('TEAM_MANAGE');
  const { data, error, refetch } = useQuery(UsersQuery, {});
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [editing, setEditing] = useState<UserRow | 'new' | null>(null);
  // A temporary password or an invitation link, shown once.
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [form] = Form.useForm<FormValues>();
  const [isSaving, setSaving] = useState(false);

  const users = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = data?.users ?? [];
    if (!needle) return all;
    return all.filter((u) =>
      [
        u.name,
        u.email,
        u.orgUnit?.name,
        ...(u.roles ?? []).flatMap((r) => [r.name, displayName(r.name, r.names)]),
        ...(u.teams ?? []).map((x) => x.name),
      ]
        .filter(Boolean)
        .some((s) => s!.toLowerCase().includes(needle)),
    );
  }, [data, q, displayName]);
  const orgOptions = useMemo(() => orgTreeOptions(data?.orgUnits ?? []), [data]);
  const invitationOf = useMemo(
    () => new Map((data?.pendingInvitations ?? []).map((i) => [i.user?.id ?? '', i.expiresAt ?? ''])),
    [data],
  );

  /** Sends a user an invitation link: mailed when mail is set up, else shown once to copy. */
  const invite = async (id: number, name: string, email: string): Promise<boolean> => {
    const r = await mutate(SendInvitation, { userId: id });
    if (!r.ok) {
      void message.error(r.problem);
      return false;
    }
    const sent = r.data.sendInvitation;
    if (sent && 'link' in sent && sent.link) {
      setSecret({ title: t('users.invitationLink', { email }), value: sent.link });
      void message.success(t('users.invited', { name }));
    } else void message.success(t('users.invitationMailed', { email }));
    return true;
  };

  const open = (row: UserRow | 'new') => setEditing(row);
  const initialValues: Partial<FormValues> =
    editing && editing !== 'new'
      ? {
          name: editing.name ?? '',
          email: editing.email ?? '',
          ...(editing.orgUnit?.id ? { orgUnitId: Number(editing.orgUnit.id) } : {}),
          ...(editing.manager?.id ? { managerId: Number(editing.manager.id) } : {}),
          roleIds: (editing.roles ?? []).map((r) => Number(r.id)),
          teamIds: (editing.teams ?? []).map((x) => Number(x.id)),
        }
      : { roleIds: [], teamIds: [] };

  const save = async (values: FormValues) => {
    if (!data || editing === null) return;
    setSaving(true);
    try {
      if (editing === 'new') {
        const r = await mutate(CreateUser, {
          email: values.email,
          name: values.name,
          orgUnitId: values.orgUnitId ?? null,
          managerId: values.managerId ?? null,
          roleIds: values.roleIds ?? [],
        });
        if (!r.ok) return void message.error(r.problem);
        const id = r.data.createUser && 'id' in r.data.createUser ? Number(r.data.createUser.id) : 0;
        const teamProblem = canSetTeams
          ? await placeInTeams(data.teams ?? [], id, values.teamIds ?? [])
          : null;
        if (teamProblem) void message.error(teamProblem);
        await invite(id, values.name, values.email);
      } else {
        const id = Number(editing.id);
        const r = await mutate(UpdateUser, {
          id,
          name: values.name,
          orgUnitId: values.orgUnitId ?? null,
          managerId: values.managerId ?? null,
          roleIds: values.roleIds ?? [],
        });
        if (!r.ok) return void message.error(r.problem);
        const teamProblem = canSetTeams
          ? await placeInTeams(data.teams ?? [], id, values.teamIds ?? [])
          : null;
        if (teamProblem) return void message.error(teamProblem);
        void message.success(t('admin:actions.saved'));
      }
      setEditing(null);
      refetch();
    } finally {
      setSaving(false);
    }
  };

  const resetPassword = async (row: UserRow) => {
    const password = temporaryPassword();
    const r = await mutate(UpdateUser, { id: Number(row.id), password });
    if (!r.ok) return void message.error(r.problem);
    setSecret({ title: t('users.temporaryPassword', { email: row.email ?? '' }), value: password });
  };

  const setActive = async (row: UserRow, isActive: boolean) => {
    const r = await mutate(UpdateUser, { id: Number(row.id), isActive });
    if (!r.ok) return void message.error(r.problem);
    refetch();
  };

  return (
    <>
      <PageHeading
        title={t('users.title')}
        extra={
          <Space wrap>
            {data ? <Text>{t('users.count', { count: users.length })}</Text> : null}
            <Input.Search
              aria-label={t('users.search')}
              placeholder={t('users.search')}
              defaultValue={q}
              allowClear
              style={{ width: 320 }}
              onSearch={(v) => setParams(v ? { q: v } : {}, { replace: true })}
            />
            <Button type="primary" onClick={() => open('new')}>
              {t('users.invite')}
            </Button>
          </Space>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      <Table
        rowKey={(u) => u.id ?? ''}
        loading={!data && !error}
        dataSource={users}
        pagination={{ defaultPageSize: 50, hideOnSinglePage: true }}
        columns={[
          { key: 'name', title: t('users.columns.name'), dataIndex: 'name' },
          { key: 'email', title: t('users.columns.email'), dataIndex: 'email' },
          { key: 'org', title: t('users.columns.orgUnit'), render: (_, u) => u.orgUnit?.name ?? '' },
          {
            key: 'roles',
            title: t('users.columns.roles'),
            render: (_, u) =>
              (u.roles ?? []).map((r) => <Tag key={r.id}>{displayName(r.name, r.names)}</Tag>),
          },
          {
            key: 'teams',
            title: t('users.columns.teams'),
            render: (_, u) => (u.teams ?? []).map((x) => <Tag key={x.id}>{x.name}</Tag>),
          },
          {
            key: 'status',
            title: t('users.columns.status'),
            render: (_, u) => {
              const until = invitationOf.get(u.id ?? '');
              if (u.isActive && until)
                return new Date(until).getTime() > Date.now() ? (
                  <Tag color="processing">
                    {t('users.invitationPending', { until: new Date(until).toLocaleString(i18n.language) })}
                  </Tag>
                ) : (
                  <Tag color="warning">{t('users.invitationExpired')}</Tag>
                );
              return u.isActive ? (
                <Tag color="success">{t('users.active')}</Tag>
              ) : (
                <Tag>{t('users.inactive')}</Tag>
              );
            },
          },
          {
            key: 'actions',
            title: t('users.columns.actions'),
            render: (_, u) => (
              <Space size="small" wrap>
                <Button size="small" onClick={() => open(u)}>
                  {t('admin:actions.edit')}
                </Button>
                {u.isActive && invitationOf.has(u.id ?? '') ? (
                  <Popconfirm
                    title={t('users.resendConfirm', { name: u.name ?? '' })}
                    onConfirm={async () => {
                      if (await invite(Number(u.id), u.name ?? '', u.email ?? '')) refetch();
                    }}
                  >
                    <Button size="small">{t('users.resendInvitation')}</Button>
                  </Popconfirm>
                ) : null}
                <Popconfirm
                  title={t('users.resetConfirm', { name: u.name ?? '' })}
                  onConfirm={() => resetPassword(u)}
                >
                  <Button size="small">{t('users.resetPassword')}</Button>
                </Popconfirm>
                {u.id === myId ? null : u.isActive ? (
                  <Popconfirm
                    title={t('users.deactivateConfirm', { name: u.name ?? '' })}
                    onConfirm={() => setActive(u, false)}
                  >
                    <Button size="small" danger>
                      {t('users.deactivate')}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button size="small" onClick={() => setActive(u, true)}>
                    {t('users.reactivate')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('users.invite') : t('users.editTitle', { name: editing?.name ?? '' })}
        okText={editing === 'new' ? t('users.invite') : t('admin:actions.save')}
        cancelText={t('admin:actions.cancel')}
        confirmLoading={isSaving}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        destroyOnHidden
      >
        {editing === 'new' ? <Text as="p">{t('users.inviteHelp')}</Text> : null}
        <Form
          key={editing === 'new' ? 'new' : (editing?.id ?? 'none')}
          form={form}
          layout="vertical"
          onFinish={save}
          initialValues={initialValues}
        >
          <Form.Item
            name="name"
            label={t('users.fields.name')}
            rules={[{ required: true, whitespace: true, message: t('users.required') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="email"
            label={t('users.fields.email')}
            rules={[{ required: true, type: 'email', message: t('users.invalidEmail') }]}
          >
            <Input disabled={editing !== 'new'} />
          </Form.Item>
          <Form.Item name="orgUnitId" label={t('users.fields.orgUnit')}>
            <TreeSelect
              treeData={orgOptions}
              allowClear
              treeDefaultExpandAll
              showSearch
              treeNodeFilterProp="title"
            />
          </Form.Item>
          <Form.Item name="managerId" label={t('users.fields.manager')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              options={(data?.users ?? [])
                .filter((u) => u.isActive)
                .map((u) => ({ value: Number(u.id), label: u.name ?? '' }))}
            />
          </Form.Item>
          <Form.Item name="roleIds" label={t('users.fields.roles')}>
            <Select
              mode="multiple"
              optionFilterProp="label"
              options={(data?.roles ?? []).map((r) => ({
                value: Number(r.id),
                label: displayName(r.name, r.names),
              }))}
            />
          </Form.Item>
          <Form.Item name="teamIds" label={t('users.fields.teams')} hidden={!canSetTeams}>
            <Select
              mode="multiple"
              optionFilterProp="label"
              options={(data?.teams ?? []).map((x) => ({ value: Number(x.id), label: x.name ?? '' }))}
            />
          </Form.Item>
        </Form>
      </Modal>
      <OnceSecret
        title={secret?.title ?? ''}
        secret={secret?.value ?? null}
        onClose={() => {
          setSecret(null);
          refetch();
        }}
      />
    </>
  );
}
