import '../sla.css';
import { App, Button, Card, Col, Form, Input, InputNumber, Row, Select, Space, Switch, Table } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { graphql } from '../../../graphql/graphql.ts';
import { Text } from '../../../ui/Text/index.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { ConditionEditor } from '../../workflows/conditions/ConditionEditor.tsx';
import type { RuleField } from '../../workflows/conditions/rule-cel.ts';
import { type Policy, PRIORITIES, type SlaData } from '../sla-query.ts';

const CreatePolicy = graphql(
  `
  mutation CreateSlaPolicy($input: SlaPolicyInput!) {
    createSlaPolicy(input: $input) {
      __typename
      ... on SlaPolicy { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

const UpdatePolicy = graphql(
  `
  mutation UpdateSlaPolicy($id: ID!, $input: SlaPolicyInput!) {
    updateSlaPolicy(id: $id, input: $input) {
      __typename
      ... on SlaPolicy { id }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;
const UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
const ACTION_KINDS = ['notify', 'escalate', 'raise_priority', 'reassign'] as const;
const RECIPIENTS = ['cc', 'assignee', 'assignee_manager', 'customer'] as const;

type Metric = (typeof METRICS)[number];
type Priority = (typeof PRIORITIES)[number];
type Target = { amount: number; unit: (typeof UNITS)[number]; time: 'business' | 'calendar' };
type Targets = Partial<Record<Metric, Partial<Record<Priority, Target>>>>;
type Action = {
  offsetMinutes: number;
  kind: string;
  recipients?: { kind: string; id?: string }[];
  levels?: number;
  to?: unknown;
  [key: string]: unknown;
};
type Actions = Partial<Record<Metric, Action[]>>;

/** A policy's form: name, state, calendar, condition (rule builder), targets table, actions, pause statuses. */
export function PolicyEditor({
  policy,
  nextPosition,
  data,
  onSaved,
}: {
  policy: Policy | null;
  nextPosition: number;
  data: SlaData;
  onSaved: (id: string) => void;
}) {
  const { t } = useTranslation(['sla', 'admin']);
  const { message } = App.useApp();
  const [name, setName] = useState(policy?.name ?? '');
  const [isActive, setActive] = useState(policy?.isActive ?? true);
  const [calendarKey, setCalendarKey] = useState<string | null>(policy?.calendarKey ?? null);
  const [condition, setCondition] = useState(policy?.condition ?? '');
  const [pauseStatuses, setPauseStatuses] = useState<string[]>([...(policy?.pauseStatuses ?? [])]);
  const [targets, setTargets] = useState<Targets>((policy?.targets ?? {}) as Targets);
  const [actions, setActions] = useState<Actions>((policy?.actions ?? {}) as Actions);
  const [isSaving, setSaving] = useState(false);

  const ruleFields: RuleField[] = useMemo(
    () => [
      {
        name: 'ticket.template',
        label: t('condition.ticketTemplate'),
        type: 'string',
        values: (data.templates ?? []).map((x) => x.key ?? ''),
      },
      { name: 'ticket.category', label: t('condition.ticketCategory'), type: 'string' },
      {
        name: 'ticket.priority',
        label: t('condition.ticketPriority'),
        type: 'string',
        values: [...PRIORITIES],
      },
      { name: 'ticket.customerTier', label: t('condition.ticketTier'), type: 'string' },
      {
        name: 'ticket.channel',
        label: t('condition.ticketChannel'),
        type: 'string',
        values: (data.channels ?? []).map((c) => c.key ?? ''),
      },
      { name: 'ticket.orgUnitPath', label: t('condition.ticketOrg'), type: 'string' },
    ],
    [data, t],
  );

  const setTarget = (metric: Metric, priority: Priority, target: Target | null) =>
    setTargets((all) => {
      const row = { ...(all[metric] ?? {}) };
      if (target) row[priority] = target;
      else delete row[priority];
      return { ...all, [metric]: row };
    });
  const setMetricActions = (metric: Metric, list: Action[]) =>
    setActions((all) => ({ ...all, [metric]: list }));

  const save = async () => {
    setSaving(true);
    const input = {
      name,
      position: policy?.position ?? nextPosition,
      condition,
      calendarKey,
      pauseStatuses,
      targets,
      actions: Object.fromEntries(Object.entries(actions).filter(([, list]) => list && list.length > 0)),
      isActive,
    };
    const r = policy
      ? await mutate(UpdatePolicy, { id: policy.id ?? '', input })
      : await mutate(CreatePolicy, { input });
    setSaving(false);
    if (!r.ok) return void message.error(r.problem);
    void message.success(t('admin:actions.saved'));
    const saved =
      'createSlaPolicy' in r.data
        ? r.data.createSlaPolicy
        : (r.data as { updateSlaPolicy: unknown }).updateSlaPolicy;
    onSaved(String((saved as { id?: string }).id ?? policy?.id ?? ''));
  };

  return (
    <Card
      size="small"
      title={policy ? policy.name : t('create')}
      extra={
        <Button type="primary" loading={isSaving} onClick={save}>
          {t('admin:actions.save')}
        </Button>
      }
    >
      <Form layout="vertical">
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item label={t('fields.name')} required>
              <Input aria-label={t('fields.name')} value={name} onChange={(e) => setName(e.target.value)} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t('fields.isActive')}>
              <Switch aria-label={t('fields.isActive')} checked={isActive} onChange={setActive} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item label={t('fields.calendar')}>
              <Select
                aria-label={t('fields.calendar')}
                value={calendarKey ?? ''}
                onChange={(v: string) => setCalendarKey(v || null)}
                options={[
                  { value: '', label: t('fields.noCalendar') },
                  ...(data.businessCalendars ?? []).map((c) => ({ value: c.key ?? '', label: c.name ?? '' })),
                ]}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('fields.condition')}>
          <div className="sla-condition">
            <ConditionEditor
              id="sla-condition"
              value={condition}
              onChange={setCondition}
              fields={ruleFields}
            />
          </div>
        </Form.Item>
      </Form>
      <h3>{t('targets.title')}</h3>
      <Table
        size="small"
        pagination={false}
        rowKey="metric"
        scroll={{ x: true }}
        dataSource={METRICS.map((metric) => ({ metric }))}
        columns={[
          { key: 'metric', title: t('targets.metric'), render: (_, r) => t(`metrics.${r.metric}`) },
          ...PRIORITIES.map((priority) => ({
            key: priority,
            title: t(`priorities.${priority}`),
            render: (_: unknown, r: { metric: Metric }) => (
              <TargetCell
                label={`${t(`metrics.${r.metric}`)} ${t(`priorities.${priority}`)}`}
                target={targets[r.metric]?.[priority] ?? null}
                onChange={(v) => setTarget(r.metric, priority, v)}
              />
            ),
          })),
        ]}
      />
      <h3 style={{ marginTop: 16 }}>{t('actions.title')}</h3>
      {METRICS.map((metric) => (
        <MetricActions
          key={metric}
          metric={metric}
          actions={actions[metric] ?? []}
          teams={data.teams ?? []}
          onChange={(list) => setMetricActions(metric, list)}
        />
      ))}
      <Form layout="vertical" style={{ marginTop: 16 }}>
        <Form.Item label={t('fields.pauseStatuses')}>
          <Select
            mode="multiple"
            aria-label={t('fields.pauseStatuses')}
            value={pauseStatuses}
            onChange={setPauseStatuses}
            options={(data.ticketStatuses ?? []).map((s) => ({ value: s.name ?? '', label: s.name ?? '' }))}
          />
        </Form.Item>
      </Form>
    </Card>
  );
}

function TargetCell({
  label,
  target,
  onChange,
}: {
  label: string;
  target: Target | null;
  onChange: (t: Target | null) => void;
}) {
  const { t } = useTranslation('sla');
  return (
    <Space.Compact size="small">
      <InputNumber
        aria-label={label}
        size="small"
        min={0}
        style={{ width: 64 }}
        placeholder={t('targets.none')}
        value={target?.amount ?? null}
        onChange={(v) =>
          onChange(
            v ? { amount: Number(v), unit: target?.unit ?? 'hours', time: target?.time ?? 'business' } : null,
          )
        }
      />
      <Select
        size="small"
        style={{ width: 72 }}
        disabled={!target}
        value={target?.unit ?? 'hours'}
        onChange={(unit: Target['unit']) => target && onChange({ ...target, unit })}
        options={UNITS.map((u) => ({ value: u, label: t(`units.${u}`) }))}
      />
      <Select
        size="small"
        style={{ width: 96 }}
        disabled={!target}
        value={target?.time ?? 'business'}
        onChange={(time: Target['time']) => target && onChange({ ...target, time })}
        options={(['business', 'calendar'] as const).map((x) => ({ value: x, label: t(`time.${x}`) }))}
      />
    </Space.Compact>
  );
}

function MetricActions({
  metric,
  actions,
  teams,
  onChange,
}: {
  metric: Metric;
  actions: Action[];
  teams: NonNullable<SlaData['teams']>;
  onChange: (list: Action[]) => void;
}) {
  const { t } = useTranslation(['sla', 'admin']);
  const set = (i: number, action: Action) => onChange(actions.map((a, j) => (j === i ? action : a)));
  const when = (m: number) =>
    m < 0
      ? t('actions.before', { minutes: -m })
      : m > 0
        ? t('actions.after', { minutes: m })
        : t('actions.atDue');
  return (
    <Card
      size="small"
      type="inner"
      title={t(`metrics.${metric}`)}
      style={{ marginBottom: 8 }}
      extra={
        <Button
          size="small"
          onClick={() =>
            onChange([...actions, { offsetMinutes: -30, kind: 'notify', recipients: [{ kind: 'assignee' }] }])
          }
        >
          {t('actions.add')}
        </Button>
      }
    >
      {actions.length === 0 ? <Text>{t('actions.none')}</Text> : null}
      {actions.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: actions have no identity but their place in the list
        <Space key={i} wrap style={{ marginBottom: 6 }}>
          <InputNumber
            aria-label={t('actions.offset')}
            title={t('actions.offset')}
            size="small"
            value={a.offsetMinutes}
            onChange={(v) => set(i, { ...a, offsetMinutes: Number(v ?? 0) })}
          />
          <Text>{when(a.offsetMinutes)}</Text>
          {a.kind === 'plugin' ? (
            <Text>{t('actions.kinds.plugin')}</Text>
          ) : (
            <Select
              size="small"
              style={{ width: 200 }}
              aria-label={t('actions.kind')}
              value={a.kind}
              onChange={(kind: string) => set(i, kindDefaults(a.offsetMinutes, kind))}
              options={ACTION_KINDS.map((k) => ({ value: k, label: t(`actions.kinds.${k}`) }))}
            />
          )}
          {a.kind === 'notify' ? (
            <Select
              size="small"
              mode="multiple"
              style={{ minWidth: 220 }}
              aria-label={t('actions.recipients')}
              value={(a.recipients ?? []).filter((r) => r.kind !== 'user').map((r) => r.kind)}
              onChange={(kinds: string[]) =>
                set(i, {
                  ...a,
                  recipients: [
                    ...kinds.map((kind) => ({ kind })),
                    ...(a.recipients ?? []).filter((r) => r.kind === 'user'),
                  ],
                })
              }
              options={RECIPIENTS.map((r) => ({ value: r, label: t(`actions.recipientKinds.${r}`) }))}
            />
          ) : null}
          {a.kind === 'escalate' ? (
            <InputNumber
              size="small"
              min={1}
              max={5}
              aria-label={t('actions.levels')}
              addonBefore={t('actions.levels')}
              value={a.levels ?? 1}
              onChange={(v) => set(i, { ...a, levels: Number(v ?? 1) })}
            />
          ) : null}
          {a.kind === 'raise_priority' ? (
            <Select
              size="small"
              style={{ width: 120 }}
              aria-label={t('actions.to')}
              value={(a.to as string | undefined) ?? 'urgent'}
              onChange={(to: string) => set(i, { ...a, to })}
              options={PRIORITIES.map((p) => ({ value: p, label: t(`priorities.${p}`) }))}
            />
          ) : null}
          {a.kind === 'reassign' ? (
            <Select
              size="small"
              style={{ width: 180 }}
              aria-label={t('actions.team')}
              value={(a.to as { teamId?: string } | undefined)?.teamId ?? null}
              onChange={(teamId: string) => set(i, { ...a, to: { kind: 'team', teamId } })}
              options={teams.map((x) => ({ value: x.id ?? '', label: x.name ?? '' }))}
            />
          ) : null}
          <Button size="small" danger onClick={() => onChange(actions.filter((_, j) => j !== i))}>
            {t('admin:actions.remove')}
          </Button>
        </Space>
      ))}
    </Card>
  );
}

function kindDefaults(offsetMinutes: number, kind: string): Action {
  switch (kind) {
    case 'notify':
      return { offsetMinutes, kind, recipients: [{ kind: 'assignee' }] };
    case 'escalate':
      return { offsetMinutes, kind, levels: 1 };
    case 'raise_priority':
      return { offsetMinutes, kind, to: 'urgent' };
    default:
      return { offsetMinutes, kind, to: { kind: 'team', teamId: '' } };
  }
}
