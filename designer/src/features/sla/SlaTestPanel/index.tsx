import { Alert, Button, Card, Form, Input, List, Segmented, Select, Table, Tag, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GraphQLRequestError, request } from '../../../graphql/client.ts';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { refusalText } from '../../admin/shared/mutate.ts';
import { orgTreeOptions } from '../../admin/shared/org-options.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { PRIORITIES, type SlaData } from '../sla-query.ts';

const TestQuery = graphql(
  `
  query TestSlaPolicies($ticketNumber: String, $ticket: SlaTestTicketInput) {
    testSlaPolicies(ticketNumber: $ticketNumber, ticket: $ticket) {
      __typename
      ... on SlaPolicyTest {
        policyName
        checked { policyId policyName applies }
        clocks { metric priority dueAt calendarKey target { amount unit time } }
      }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Answer = Extract<
  NonNullable<ResultOf<typeof TestQuery>['testSlaPolicies']>,
  { __typename: 'SlaPolicyTest' }
>;
type Described = {
  templateKey?: string;
  category?: string;
  priority?: (typeof PRIORITIES)[number];
  channel?: string;
  customerTier?: string;
  orgUnitId?: number;
};

type TestClock = NonNullable<Answer['clocks']>[number];

/**
 * The clocks that start with the ticket (with a target), then those the policy times that start
 * later (next response, periodic update): their target at the ticket's priority, no due time yet.
 */
function withLaterClocks(answer: Answer, policies: NonNullable<SlaData['slaPolicies']>): TestClock[] {
  const started = (answer.clocks ?? []).filter((c) => c.target);
  const priority = answer.clocks?.[0]?.priority;
  const policy = policies.find((p) => p.id === answer.checked?.find((c) => c.applies)?.policyId);
  const targets = (policy?.targets ?? {}) as Record<string, Record<string, TestClock['target']>>;
  const later = Object.entries(targets)
    .filter(
      ([metric, byPriority]) => priority && byPriority[priority] && !started.some((c) => c.metric === metric),
    )
    .map(([metric, byPriority]) => ({
      metric: metric as TestClock['metric'],
      priority: priority ?? null,
      dueAt: null,
      calendarKey: null,
      target: byPriority[priority!] ?? null,
    }));
  return [...started, ...later];
}

/** Pick a ticket by number or describe one: which policy applies, why, and when its targets fall due. */
export function SlaTestPanel({ data }: { data: SlaData }) {
  const { t } = useTranslation(['sla', 'admin']);
  const displayName = useDisplayName();
  const [mode, setMode] = useState<'describe' | 'number'>('describe');
  const [number, setNumber] = useState('');
  const [form] = Form.useForm<Described>();
  const [answer, setAnswer] = useState<Answer | { problem: string } | null>(null);
  const orgOptions = useMemo(() => orgTreeOptions(data.orgUnits ?? []), [data]);

  const run = async () => {
    const v = form.getFieldsValue();
    const ticket =
      mode === 'describe'
        ? {
            templateKey: v.templateKey ?? null,
            categoryPath: (v.category ?? '')
              .split('/')
              .map((s) => s.trim())
              .filter(Boolean),
            priority: v.priority ?? null,
            channel: v.channel ?? null,
            customerTier: v.customerTier ?? null,
            orgUnitId: v.orgUnitId ?? null,
          }
        : null;
    try {
      const r = (await request(TestQuery, { ticketNumber: mode === 'number' ? number : null, ticket }))
        .testSlaPolicies;
      if (r?.__typename === 'SlaPolicyTest') setAnswer(r);
      else if (r) setAnswer({ problem: refusalText(r as Parameters<typeof refusalText>[0]) });
    } catch (e) {
      setAnswer({ problem: e instanceof GraphQLRequestError ? e.message : String(e) });
    }
  };

  return (
    <Card size="small" title={t('test.title')} style={{ marginTop: 16 }} data-testid="sla-test">
      <Segmented
        value={mode}
        onChange={(v) => setMode(v as 'describe' | 'number')}
        options={[
          { value: 'describe', label: t('test.describe') },
          { value: 'number', label: t('test.byNumber') },
        ]}
        style={{ marginBottom: 12 }}
      />
      {mode === 'number' ? (
        <Form layout="vertical">
          <Form.Item label={t('test.number')}>
            <Input
              aria-label={t('test.number')}
              value={number}
              onChange={(e) => setNumber(e.target.value)}
              onPressEnter={run}
            />
          </Form.Item>
        </Form>
      ) : (
        <Form form={form} layout="vertical" initialValues={{ priority: 'normal' }}>
          <Form.Item name="templateKey" label={t('test.template')}>
            <Select
              allowClear
              aria-label={t('test.template')}
              options={(data.templates ?? []).map((x) => ({ value: x.key ?? '', label: x.name ?? '' }))}
            />
          </Form.Item>
          <Form.Item name="category" label={t('test.category')}>
            <Input aria-label={t('test.category')} placeholder="Product B/Noise" />
          </Form.Item>
          <Form.Item name="priority" label={t('test.priority')}>
            <Select
              aria-label={t('test.priority')}
              options={PRIORITIES.map((p) => ({ value: p, label: t(`priorities.${p}`) }))}
            />
          </Form.Item>
          <Form.Item name="channel" label={t('test.channel')}>
            <Select
              allowClear
              aria-label={t('test.channel')}
              options={(data.channels ?? []).map((c) => ({
                value: c.key ?? '',
                label: displayName(c.title, c.titles),
              }))}
            />
          </Form.Item>
          <Form.Item name="customerTier" label={t('test.tier')}>
            <Input aria-label={t('test.tier')} />
          </Form.Item>
          <Form.Item name="orgUnitId" label={t('test.orgUnit')}>
            <TreeSelect allowClear treeDefaultExpandAll treeData={orgOptions} />
          </Form.Item>
        </Form>
      )}
      <Button type="primary" onClick={run}>
        {t('test.run')}
      </Button>
      {answer && 'problem' in answer ? (
        <Alert style={{ marginTop: 12 }} type="error" showIcon title={answer.problem} />
      ) : null}
      {answer && 'checked' in answer ? (
        <div style={{ marginTop: 12 }} data-testid="sla-test-result">
          {answer.policyName ? (
            <Alert type="success" showIcon title={t('test.applies', { name: answer.policyName })} />
          ) : (
            <Alert type="warning" showIcon title={t('test.noPolicy')} />
          )}
          <List
            size="small"
            dataSource={answer.checked ?? []}
            renderItem={(c) => (
              <List.Item>
                {c.policyName}{' '}
                <Tag color={c.applies ? 'success' : 'default'}>
                  {c.applies ? t('test.holds') : t('test.doesNot')}
                </Tag>
              </List.Item>
            )}
          />
          {answer.policyName ? (
            <Table
              size="small"
              pagination={false}
              rowKey={(c) => c.metric ?? ''}
              title={() => t('test.due')}
              dataSource={withLaterClocks(answer, data.slaPolicies ?? [])}
              columns={[
                {
                  key: 'metric',
                  title: t('targets.metric'),
                  render: (_, c) => (c.metric ? t(`metrics.${c.metric}`) : ''),
                },
                {
                  key: 'target',
                  title: t('test.targetColumn'),
                  render: (_, c) =>
                    c.target
                      ? `${c.target.amount} ${t(`units.${c.target.unit ?? 'hours'}`)} (${t(`time.${c.target.time ?? 'business'}`)})`
                      : '',
                },
                {
                  key: 'due',
                  title: t('test.dueColumn'),
                  render: (_, c) => (c.dueAt ? <DateTime value={c.dueAt} /> : t('test.startsLater')),
                },
              ]}
            />
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
