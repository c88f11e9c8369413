import { App, Button, Card, Col, Form, Input, List, Row, Select, Space, Table, TreeSelect } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { CreateModal } from '../../admin/shared/CreateModal.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { orgTreeOptions } from '../../admin/shared/org-options.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { SetTeamMembers } from '../UsersPage/index.tsx';

const TeamsQuery = graphql(`
  query AdminTeams {
    teams { id name orgUnit { id name } members { skills user { id name } } }
    users { id name }
    orgUnits { id name parent { id } }
  }
`);

const CreateTeam = graphql(
  `
  mutation CreateTeam($name: String!, $orgUnitId: Int) {
    createTeam(name: $name, orgUnitId: $orgUnitId) {
      __typename
      ... on Team { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Member = { userId: number; name: string; skills: string[] };

/** /admin/teams (?team=<id> opens one): teams, their members and each member's skills. */
export default function TeamsPage() {
  const { t } = useTranslation(['people', 'admin']);
  const { message } = App.useApp();
  const { data, error, refetch } = useQuery(TeamsQuery, {});
  const [params, setParams] = useSearchParams();
  const teamId = params.get('team');
  const team = data?.teams?.find((x) => x.id === teamId);
  const [members, setMembers] = useState<Member[]>([]);
  const [isCreating, setCreating] = useState(false);
  const [form] = Form.useForm<{ name: string; orgUnitId?: number }>();
  const orgOptions = useMemo(() => orgTreeOptions(data?.orgUnits ?? []), [data]);

  useEffect(() => {
    setMembers(
      (team?.members ?? []).map((m) => ({
        userId: Number(m.user?.id),
        name: m.user?.name ?? '',
        skills: [...(m.skills ?? [])],
      })),
    );
  }, [team]);

  const saveMembers = async () => {
    if (!team) return;
    const r = await mutate(SetTeamMembers, {
      teamId: Number(team.id),
      members: members.map((m) => ({ userId: m.userId, skills: m.skills })),
    });
    if (!r.ok) return void message.error(r.problem);
    void message.success(t('teams.saved', { name: team.name ?? '' }));
    refetch();
  };

  const create = async (v: { name: string; orgUnitId?: number }) => {
    const r = await mutate(CreateTeam, { name: v.name, orgUnitId: v.orgUnitId ?? null });
    if (!r.ok) return void message.error(r.problem);
    setCreating(false);
    refetch();
    if (r.data.createTeam && 'id' in r.data.createTeam) setParams({ team: String(r.data.createTeam.id) });
  };

  const candidates = (data?.users ?? []).filter((u) => !members.some((m) => String(m.userId) === u.id));

  return (
    <>
      <PageHeading
        title={t('teams.title')}
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('teams.create')}
          </Button>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Card size="small" title={t('teams.title')}>
            <List
              loading={!data && !error}
              dataSource={data?.teams ?? []}
              renderItem={(x) => (
                <List.Item
                  style={{ fontWeight: x.id === teamId ? 600 : 400 }}
                  extra={<Text>{t('teams.memberCount', { count: x.members?.length ?? 0 })}</Text>}
                >
                  <Link to={`?team=${x.id}`}>{x.name}</Link>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} md={16}>
          {team ? (
            <Card
              size="small"
              title={`${team.name}${team.orgUnit?.name ? ` · ${team.orgUnit.name}` : ''}`}
              extra={
                <Button type="primary" onClick={saveMembers}>
                  {t('admin:actions.save')}
                </Button>
              }
            >
              <Table
                rowKey="userId"
                size="small"
                pagination={false}
                dataSource={members}
                columns={[
                  { key: 'name', title: t('teams.members'), dataIndex: 'name' },
                  {
                    key: 'skills',
                    title: t('teams.skills'),
                    render: (_, m) => (
                      <Select
                        mode="tags"
                        aria-label={`${t('teams.skills')} ${m.name}`}
                        placeholder={t('teams.skillsPlaceholder')}
                        value={m.skills}
                        style={{ minWidth: 220 }}
                        onChange={(skills: string[]) =>
                          setMembers((all) => all.map((x) => (x.userId === m.userId ? { ...x, skills } : x)))
                        }
                      />
                    ),
                  },
                  {
                    key: 'remove',
                    title: '',
                    render: (_, m) => (
                      <Button
                        size="small"
                        danger
                        onClick={() => setMembers((all) => all.filter((x) => x.userId !== m.userId))}
                      >
                        {t('admin:actions.remove')}
                      </Button>
                    ),
                  },
                ]}
              />
              <Space style={{ marginTop: 12 }}>
                <Select
                  showSearch
                  aria-label={t('teams.addMember')}
                  placeholder={t('teams.addMember')}
                  optionFilterProp="label"
                  style={{ width: 260 }}
                  value={null}
                  options={candidates.map((u) => ({ value: Number(u.id), label: u.name ?? '' }))}
                  onChange={(userId: number) => {
                    const user = candidates.find((u) => Number(u.id) === userId);
                    if (user) setMembers((all) => [...all, { userId, name: user.name ?? '', skills: [] }]);
                  }}
                />
              </Space>
            </Card>
          ) : (
            <Text as="p">{t('teams.pick')}</Text>
          )}
        </Col>
      </Row>
      <CreateModal
        open={isCreating}
        title={t('teams.create')}
        form={form}
        onCreate={create}
        onClose={() => setCreating(false)}
      >
        <Form.Item
          name="name"
          label={t('teams.name')}
          rules={[{ required: true, whitespace: true, message: t('users.required') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('teams.orgUnit')}>
          <TreeSelect treeData={orgOptions} allowClear treeDefaultExpandAll />
        </Form.Item>
      </CreateModal>
    </>
  );
}
