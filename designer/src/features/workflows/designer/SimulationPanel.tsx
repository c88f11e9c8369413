import type { NodeTypeRegistry, WorkflowGraph } from '@docket/core';
import { Alert, Button, Descriptions, Input, InputNumber, Select, Space, Steps, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { shortDuration } from './decorations.ts';
import { SimulateMutation } from './operations.ts';
import { type Overlay, pathOverlay, type TraceStep, traceSteps } from './overlays.ts';

type Action = {
  action: 'complete' | 'return' | 'reject';
  output: string;
  reason: string;
  afterAmount: number | null;
  afterUnit: 'minutes' | 'hours' | 'days';
};

/** Sample data from a JSON Schema: the first choice, true, 0, an empty text. */
export function sampleOf(schema: unknown): unknown {
  const s = schema as {
    type?: string;
    properties?: Record<string, unknown>;
    enum?: unknown[];
    format?: string;
  } | null;
  if (!s || typeof s !== 'object') return null;
  if (Array.isArray(s.enum)) return s.enum[0] ?? null;
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sampleOf(v)]));
    case 'boolean':
      return true;
    case 'number':
    case 'integer':
      return 0;
    case 'array':
      return [];
    case 'string':
      return s.format === 'date' ? '2026-01-05' : s.format === 'date-time' ? '2026-01-05T09:00:00Z' : '';
    default:
      return null;
  }
}

/**
 * Runs the draft on sample form data with scripted actions for its human steps (simulateWorkflow,
 * on a virtual clock; nothing real is touched), then plays the path on the canvas. Each step's
 * inputs, outputs and virtual times are listed and can be opened.
 */
export function SimulationPanel({
  graph,
  nodeTypes,
  formSchemas,
  onOverlay,
}: {
  graph: WorkflowGraph;
  nodeTypes: NodeTypeRegistry;
  formSchemas: readonly unknown[];
  onOverlay: (o: Overlay | undefined) => void;
}) {
  const { t } = useTranslation('workflows');
  const [formText, setFormText] = useState(() =>
    JSON.stringify(Object.assign({}, ...formSchemas.map((s) => sampleOf(s) ?? {})), null, 2),
  );
  const humans = graph.nodes.filter((n) => nodeTypes.get(n.type)?.category === 'human');
  const [actions, setActions] = useState<Record<string, Action[]>>({});
  const actionsOf = (id: string, schema: unknown): Action[] =>
    actions[id] ?? [
      {
        action: 'complete',
        output: JSON.stringify(sampleOf(schema) ?? {}),
        reason: '',
        afterAmount: null,
        afterUnit: 'hours',
      },
    ];
  const [result, setResult] = useState<
    { status: string; endStatus: unknown; steps: TraceStep[]; timersFired: unknown } | undefined
  >();
  const [error, setError] = useState<string[] | undefined>();
  const [isRunning, setRunning] = useState(false);
  const [shownStep, setShownStep] = useState(0);
  const [selected, setSelected] = useState<number | undefined>();
  const timer = useRef<ReturnType<typeof setInterval>>(undefined);

  const units = useMemo(
    () => ({ s: t('units.s'), min: t('units.min'), h: t('units.h'), d: t('units.d') }),
    [t],
  );
  const timeOf = (iso?: string) => (iso ? new Date(iso).toISOString().slice(5, 16).replace('T', ' ') : '…');

  const play = (steps: TraceStep[], upTo: number) => {
    onOverlay({
      key: 'simulation',
      title: t('simulate.showing', { step: upTo + 1, count: steps.length }),
      graph,
      decorations: pathOverlay({
        graph,
        steps,
        upTo,
        badgesOf: (_id, list) =>
          list.map((s) => {
            const secs =
              s.startedAt && s.endedAt ? (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000 : undefined;
            return `${timeOf(s.startedAt)} → ${s.endedAt ? timeOf(s.endedAt) : t('simulate.waits')}${secs ? ` (${shortDuration(secs, units)})` : ''}`;
          }),
      }),
    });
  };

  useEffect(() => () => clearInterval(timer.current), []);

  const runSimulation = async () => {
    setError(undefined);
    let formData: unknown;
    try {
      formData = JSON.parse(formText || '{}');
    } catch (e) {
      setError([t('inspector.invalidJson', { message: (e as Error).message })]);
      return;
    }
    const script: Record<string, unknown[]> = {};
    for (const n of humans) {
      const list = actionsOf(n.id, (n.config as { formSchema?: unknown })?.formSchema);
      script[n.id] = [];
      for (const a of list) {
        let output: unknown = {};
        if (a.action === 'complete')
          try {
            output = JSON.parse(a.output || '{}');
          } catch (e) {
            setError([t('simulate.badOutput', { step: n.label || n.id, message: (e as Error).message })]);
            return;
          }
        script[n.id]?.push({
          action: a.action,
          ...(a.action === 'complete' ? { output } : { reason: a.reason || t('simulate.defaultReason') }),
          ...(a.afterAmount ? { after: { amount: a.afterAmount, unit: a.afterUnit } } : {}),
        });
      }
    }
    setRunning(true);
    try {
      const r = (await request(SimulateMutation, { graph, formData, actions: script })).simulateWorkflow;
      if (r?.__typename === 'WorkflowSimulation') {
        const steps = traceSteps(r.trace);
        setResult({ status: r.status ?? '', endStatus: r.endStatus, steps, timersFired: r.timersFired });
        setSelected(undefined);
        clearInterval(timer.current);
        let i = 0;
        setShownStep(0);
        play(steps, 0);
        timer.current = setInterval(() => {
          i++;
          if (i >= steps.length) {
            clearInterval(timer.current);
            return;
          }
          setShownStep(i);
          play(steps, i);
        }, 450);
      } else if (r?.__typename === 'ValidationError') setError((r.fields ?? []).map((f) => f.message ?? ''));
      else if (r && 'message' in r) setError([String(r.message)]);
    } catch (e) {
      setError([t('save.offlineShort', { message: (e as Error).message })]);
    } finally {
      setRunning(false);
    }
  };

  const step = selected !== undefined ? result?.steps[selected] : undefined;
  return (
    <div className="wf-panel" data-testid="simulation-panel">
      <Typography.Paragraph type="secondary">{t('simulate.intro')}</Typography.Paragraph>
      <label htmlFor="wf-sim-form">{t('simulate.formData')}</label>
      <Input.TextArea
        id="wf-sim-form"
        className="wf-mono"
        autoSize={{ minRows: 3, maxRows: 10 }}
        value={formText}
        onChange={(e) => setFormText(e.target.value)}
      />
      <Typography.Title level={5}>{t('simulate.actions')}</Typography.Title>
      {humans.length === 0 ? (
        <Typography.Text type="secondary">{t('simulate.noHumans')}</Typography.Text>
      ) : null}
      {humans.map((n) => {
        const list = actionsOf(n.id, (n.config as { formSchema?: unknown })?.formSchema);
        const update = (i: number, change: Partial<Action>) =>
          setActions((all) => ({ ...all, [n.id]: list.map((a, j) => (j === i ? { ...a, ...change } : a)) }));
        return (
          <div key={n.id} className="wf-sim-step" data-testid={`sim-step-${n.id}`}>
            <Typography.Text strong>
              {n.label || (n.config as { title?: string })?.title || n.id}
            </Typography.Text>
            {list.map((a, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a step's actions are a list edited in place; their position is their identity
              <Space key={i} orientation="vertical" style={{ width: '100%', marginBottom: 8 }}>
                <Space wrap>
                  <Select
                    aria-label={t('simulate.action')}
                    value={a.action}
                    style={{ width: 130 }}
                    onChange={(v) => update(i, { action: v })}
                    options={(['complete', 'return', 'reject'] as const).map((v) => ({
                      value: v,
                      label: t(`simulate.kinds.${v}`),
                    }))}
                  />
                  <InputNumber
                    aria-label={t('simulate.after')}
                    placeholder={t('simulate.after')}
                    min={0}
                    value={a.afterAmount}
                    onChange={(v) => update(i, { afterAmount: v })}
                    style={{ width: 110 }}
                  />
                  <Select
                    aria-label={t('simulate.unit')}
                    value={a.afterUnit}
                    style={{ width: 100 }}
                    onChange={(v) => update(i, { afterUnit: v })}
                    options={(['minutes', 'hours', 'days'] as const).map((v) => ({
                      value: v,
                      label: t(`nodes.units.${v}`, { count: 2 }),
                    }))}
                  />
                </Space>
                {a.action === 'complete' ? (
                  <Input.TextArea
                    aria-label={t('simulate.output')}
                    className="wf-mono"
                    autoSize={{ minRows: 1, maxRows: 6 }}
                    value={a.output}
                    onChange={(e) => update(i, { output: e.target.value })}
                  />
                ) : (
                  <Input
                    aria-label={t('simulate.reason')}
                    placeholder={t('simulate.reason')}
                    value={a.reason}
                    onChange={(e) => update(i, { reason: e.target.value })}
                  />
                )}
              </Space>
            ))}
            <Button
              size="small"
              type="link"
              onClick={() =>
                setActions((all) => ({
                  ...all,
                  [n.id]: [
                    ...list,
                    {
                      action: 'complete',
                      output: list[0]?.output ?? '{}',
                      reason: '',
                      afterAmount: null,
                      afterUnit: 'hours',
                    },
                  ],
                }))
              }
            >
              {t('simulate.addAction')}
            </Button>
          </div>
        );
      })}
      <Button
        type="primary"
        onClick={() => void runSimulation()}
        loading={isRunning}
        data-testid="run-simulation"
      >
        {t('simulate.run')}
      </Button>
      {error ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          title={t('simulate.failed')}
          description={
            <ul className="wf-problem-list">
              {error.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          }
        />
      ) : null}
      {result ? (
        <div style={{ marginTop: 12 }} data-testid="simulation-result">
          <Descriptions
            size="small"
            column={1}
            items={[
              {
                key: 'status',
                label: t('simulate.status'),
                children: t(`simulate.statuses.${result.status}` as 'simulate.statuses.completed', {
                  defaultValue: result.status,
                }),
              },
              {
                key: 'end',
                label: t('simulate.end'),
                children: result.endStatus ? JSON.stringify(result.endStatus) : '—',
              },
            ]}
          />
          <Steps
            orientation="vertical"
            size="small"
            current={shownStep}
            items={result.steps.map((s, i) => ({
              title: (
                <button type="button" className="wf-link" onClick={() => setSelected(i)}>
                  {graph.nodes.find((n) => n.id === s.nodeId)?.label || s.nodeId}
                </button>
              ),
              description: `${timeOf(s.startedAt)} → ${s.endedAt ? timeOf(s.endedAt) : t('simulate.waits')}`,
            }))}
          />
          {step ? (
            <div className="wf-step-detail" data-testid="simulation-step">
              <Typography.Text strong>{step.nodeId}</Typography.Text>
              <div>{t('simulate.started', { at: step.startedAt ?? '' })}</div>
              <div>{t('simulate.ended', { at: step.endedAt ?? t('simulate.waits') })}</div>
              <div>{t('simulate.input')}</div>
              <pre className="wf-mono wf-pre">{JSON.stringify(step.input ?? null, null, 2)}</pre>
              <div>{t('simulate.outputLabel')}</div>
              <pre className="wf-mono wf-pre">{JSON.stringify(step.output ?? null, null, 2)}</pre>
              {step.event ? (
                <pre className="wf-mono wf-pre">{JSON.stringify(step.event, null, 2)}</pre>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
