import type { TreeProps } from 'antd';
import { App, Button, Card, Col, Form, Input, Row, Select, Space, Tree, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { mutate, refusalText } from '../../admin/shared/mutate.ts';
import { orgTreeOptions } from '../../admin/shared/org-options.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';

const OrgQuery = graphql(`
  query AdminOrg {
    orgUnits { id name kind path parent { id } manager { id name } }
    users { id name email }
  }
`);

const MoveImpact = graphql(
  `
  query OrgMoveImpact($id: Int!, $parentId: Int) {
    orgUnitMoveImpact(id: $id, parentId: $parentId) {
      __typename
      ... on OrgUnitMoveImpact { orgUnitCount userCount ticketCount openTicketCount fromParent { name } toParent { name } }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const UpdateOrgUnit = graphql(
  `
  mutation UpdateOrgUnit($id: Int!, $name: String, $parentId: Int) {
    updateOrgUnit(id: $id, name: $name, parentId: $parentId) {
      __typename
      ... on OrgUnit { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const UpdateOrgUnitManager = graphql(
  `
  mutation UpdateOrgUnitManager($id: Int!, $managerId: Int) {
    updateOrgUnit(id: $id, managerId: $managerId) {
      __typename
      ... on OrgUnit { id manager { id name } }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const CreateOrgUnit = graphql(
  `
  mutation CreateOrgUnit($name: String!, $kind: OrgUnitKind!, $parentId: Int) {
    createOrgUnit(name: $name, kind: $kind, parentId: $parentId) {
      __typename
      ... on OrgUnit { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Unit = NonNullable<ResultOf<typeof OrgQuery>['orgUnits']>[number];
type Kind = NonNullable<Unit['kind']>;
const KINDS: Kind[] = ['hq', 'region', 'store', 'department'];
const ROOT = 0;

/** /admin/org (?unit=<id> selects one): the org tree; add, rename, and move with the impact said first. */
export default function OrgPage() {
  const { t } = useTranslation(['org', 'admin']);
  const { message, modal } = App.useApp();
  const { data, error, refetch } = useQuery(OrgQuery, {});
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('unit');
  const units = data?.orgUnits ?? [];
  const selected = units.find((u) => u.id === selectedId);
  const tree = useMemo(() => orgTreeOptions(units), [units]);
  const nameOf = (id: number | null) =>
    id === null ? t('root') : (units.find((u) => Number(u.id) === id)?.name ?? '');
  const [moveTo, setMoveTo] = useState<number | undefined>(undefined);

  /** Asks the server what the move would do, says it, and moves only once confirmed. */
  const proposeMove = async (unit: Unit, parentId: number | null) => {
    if ((unit.parent?.id ?? null) === (parentId === null ? null : String(parentId))) return;
    const hide = message.loading(t('impact.loading'));
    let answer: ResultOf<typeof MoveImpact>;
    try {
      answer = await request(MoveImpact, { id: Number(unit.id), parentId });
    } catch (e) {
      hide();
      return void message.error(String((e as Error).message));
    }
    hide();
    const impact = answer.orgUnitMoveImpact;
    if (impact?.__typename !== 'OrgUnitMoveImpact')
      return void message.error(impact ? refusalText(impact as Parameters<typeof refusalText>[0]) : '');
    const from = impact.fromParent?.name ?? t('root');
    const to = impact.toParent?.name ?? t('root');
    modal.confirm({
      title: t('impact.title', { name: unit.name ?? '', to }),
      okText: t('impact.confirm'),
      cancelText: t('admin:actions.cancel'),
      content: (
        <div data-testid="move-impact">
          <p>{t('impact.units', { count: impact.orgUnitCount ?? 0 })}</p>
          <p>{t('impact.users', { count: impact.userCount ?? 0 })}</p>
          <p>
            <strong>
              {t('impact.tickets', { count: impact.ticketCount ?? 0, open: impact.openTicketCount ?? 0 })}
            </strong>
          </p>
          <p>{t('impact.explain', { from, to })}</p>
        </div>
      ),
      onOk: async () => {
        const r = await mutate(UpdateOrgUnit, { id: Number(unit.id), parentId });
        if (!r.ok) return void message.error(r.problem);
        void message.success(t('impact.moved', { name: unit.name ?? '' }));
        refetch();
      },
    });
  };

  const onDrop: TreeProps['onDrop'] = (info) => {
    const dragged = units.find((u) => u.id === String(info.dragNode.key));
    const target = units.find((u) => u.id === String(info.node.key));
    if (!dragged || !target) return;
    // Dropped onto a unit: under it; dropped between units: beside it (under its parent).
    const parentId = info.dropToGap
      ? target.parent?.id
        ? Number(target.parent.id)
        : null
      : Number(target.id);
    void proposeMove(dragged, parentId);
  };

  const rename = async (name: string) => {
    if (!selected) return;
    const r = await mutate(UpdateOrgUnit, { id: Number(selected.id), name });
    if (!r.ok) return void message.error(r.problem);
    void message.success(t('admin:actions.saved'));
    refetch();
  };

  const setManager = async (managerId: number | null) => {
    if (!selected) return;
    const r = await mutate(UpdateOrgUnitManager, { id: Number(selected.id), managerId });
    if (!r.ok) return void message.error(r.problem);
    void message.success(t('admin:actions.saved'));
    refetch();
  };

  const userOptions = useMemo(
    () =>
      (data?.users ?? []).map((u) => ({
        value: Number(u.id),
        label: `${u.name ?? ''} <${u.email ?? ''}>`,
      })),
    [data],
  );

  const add = async (v: { name: string; kind: Kind }, parentId: number | null) => {
    const r = await mutate(CreateOrgUnit, { name: v.name, kind: v.kind, parentId });
    if (!r.ok) return void message.error(r.problem);
    refetch();
    if (r.data.createOrgUnit && 'id' in r.data.createOrgUnit)
      setParams({ unit: String(r.data.createOrgUnit.id) });
  };

  const kindOptions = KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }));

  return (
    <>
      <PageHeading title={t('title')} />
      <Text as="p">{t('help')}</Text>
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Card size="small">
            {data ? (
              <Tree
                draggable={{ icon: false }}
                blockNode
                defaultExpandAll
                treeData={tree}
                selectedKeys={selectedId ? [selectedId] : []}
                titleRender={(n) => {
                  const unit = units.find((u) => u.id === n.key);
                  return (
                    <span data-testid={`org-${n.key}`}>
                      {n.title} <Text>· {unit?.kind ? t(`kinds.${unit.kind}`) : ''}</Text>
                    </span>
                  );
                }}
                onSelect={(keys) => setParams(keys[0] ? { unit: String(keys[0]) } : {})}
                onDrop={onDrop}
              />
            ) : null}
          </Card>
          <Card size="small" title={t('addRoot')} style={{ marginTop: 16 }}>
            <AddUnitForm kindOptions={kindOptions} onAdd={(v) => add(v, null)} />
          </Card>
        </Col>
        <Col xs={24} md={12}>
          {selected ? (
            <Card size="small" title={`${t('selected')}: ${selected.name}`}>
              <Form
                key={selected.id}
                layout="vertical"
                initialValues={{ name: selected.name }}
                onFinish={(v: { name: string }) => rename(v.name)}
              >
                <Form.Item label={t('rename')}>
                  <Space.Compact style={{ width: '100%' }}>
                    <Form.Item name="name" noStyle rules={[{ required: true, whitespace: true }]}>
                      <Input aria-label={t('rename')} />
                    </Form.Item>
                    <Button htmlType="submit">{t('admin:actions.save')}</Button>
                  </Space.Compact>
                </Form.Item>
              </Form>
              <Form
                key={`manager-${selected.id}-${selected.manager?.id ?? ''}`}
                layout="vertical"
                initialValues={{ managerId: selected.manager?.id ? Number(selected.manager.id) : undefined }}
                onFinish={(v: { managerId?: number | null }) => setManager(v.managerId ?? null)}
              >
                <Form.Item label={t('manager')} extra={t('managerHelp')}>
                  <Space.Compact style={{ width: '100%' }}>
                    <Form.Item name="managerId" noStyle>
                      <Select
                        aria-label={t('manager')}
                        data-testid="org-manager"
                        style={{ width: '100%' }}
                        allowClear
                        showSearch
                        optionFilterProp="label"
                        placeholder={t('noManager')}
                        notFoundContent={t('noSuchUser')}
                        options={userOptions}
                      />
                    </Form.Item>
                    <Button htmlType="submit">{t('admin:actions.save')}</Button>
                  </Space.Compact>
                </Form.Item>
              </Form>
              <Form layout="vertical">
                <Form.Item label={t('moveTo')}>
                  <Space.Compact style={{ width: '100%' }}>
                    <TreeSelect
                      aria-label={t('moveTo')}
                      style={{ width: '100%' }}
                      treeDefaultExpandAll
                      value={moveTo}
                      onChange={(v: number) => setMoveTo(v)}
                      treeData={[{ value: ROOT, key: 'root', title: t('moveToRoot'), children: [] }, ...tree]}
                    />
                    <Button
                      disabled={moveTo === undefined}
                      onClick={() =>
                        moveTo !== undefined && proposeMove(selected, moveTo === ROOT ? null : moveTo)
                      }
                    >
                      {t('move')}
                    </Button>
                  </Space.Compact>
                </Form.Item>
              </Form>
              <Card size="small" type="inner" title={t('addChild')}>
                <AddUnitForm kindOptions={kindOptions} onAdd={(v) => add(v, Number(selected.id))} />
              </Card>
              <Text as="p" style={{ marginTop: 12 }}>
                {nameOf(selected.parent?.id ? Number(selected.parent.id) : null)} › {selected.name}
              </Text>
            </Card>
          ) : (
            <Text as="p">{t('pick')}</Text>
          )}
        </Col>
      </Row>
    </>
  );
}

function AddUnitForm({
  kindOptions,
  onAdd,
}: {
  kindOptions: { value: Kind; label: string }[];
  onAdd: (v: { name: string; kind: Kind }) => Promise<void>;
}) {
  const { t } = useTranslation(['org', 'admin']);
  const [form] = Form.useForm<{ name: string; kind: Kind }>();
  return (
    <Form
      form={form}
      layout="inline"
      initialValues={{ kind: 'store' }}
      onFinish={async (v) => {
        await onAdd(v);
        form.resetFields();
      }}
    >
      <Form.Item name="name" rules={[{ required: true, whitespace: true }]}>
        <Input aria-label={t('childName')} placeholder={t('childName')} />
      </Form.Item>
      <Form.Item name="kind">
        <Select aria-label={t('kind')} options={kindOptions} style={{ width: 140 }} />
      </Form.Item>
      <Button htmlType="submit">{t('admin:actions.add')}</Button>
    </Form>
  );
}
