import type { WorkflowGraph } from '@docket/core';
import { Alert, Button, DatePicker, Descriptions, Input, Select, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import type { ResultOf } from '../../../graphql/graphql.ts';
import { type NodeDecoration, shortDuration } from './decorations.ts';
import { graphOf } from './model.ts';
import { TicketRunQuery, WorkflowStatsQuery } from './operations.ts';
import type { Overlay } from './overlays.ts';
import { ranEdges, traceSteps } from './overlays.ts';

type Instance = NonNullable<
  NonNullable<ResultOf<typeof TicketRunQuery>['ticket']>['workflowInstances']
>[number];
type Stats = Extract<
  NonNullable<ResultOf<typeof WorkflowStatsQuery>['workflowStats']>,
  { __typename: 'WorkflowStats' }
>;

/**
 * The run overlay: one ticket's instance on its version's drawing (which nodes ran, who acted, how
 * long each took, where it waits now), or the whole workflow over a period (how many open
 * instances wait at each node, p50 and p90 time per step), so the bottleneck shows on the drawing.
 */
export function RunsPanel({
  workflowKey,
  draft,
  onOverlay,
}: {
  workflowKey: string;
  draft: WorkflowGraph;
  onOverlay: (o: Overlay | undefined) => void;
}) {
  const { t } = useTranslation('workflows');
  const units = useMemo(
    () => ({ s: t('units.s'), min: t('units.min'), h: t('units.h'), d: t('units.d') }),
    [t],
  );
  const [number, setNumber] = useState('');
  const [instances, setInstances] = useState<Instance[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [period, setPeriod] = useState<[Dayjs, Dayjs]>(() => [
    dayjs().subtract(30, 'day').startOf('day'),
    dayjs().endOf('day'),
  ]);
  const [stats, setStats] = useState<Stats | undefined>();

  const showInstance = (i: Instance) => {
    const graph = graphOf(i.workflowVersion?.graph?.json);
    const steps = traceSteps(i.trace);
    const current = new Set(i.currentNodes ?? []);
    const failed = new Set(((i.failures as { nodeId?: string }[] | null) ?? []).map((f) => f.nodeId));
    const nodes = new Map<string, NodeDecoration>();
    for (const n of graph.nodes) {
      const mine = steps.filter((s) => s.nodeId === n.id);
      const tasks = (i.tasks ?? []).filter((x) => x.nodeId === n.id);
      if (mine.length === 0) {
        nodes.set(n.id, { tone: 'idle' });
        continue;
      }
      const badges: string[] = mine.map((s) => {
        const end = s.endedAt ? Date.parse(s.endedAt) : Date.now();
        const took = shortDuration((end - Date.parse(s.startedAt ?? '')) / 1000, units);
        return s.endedAt ? t('runs.took', { took }) : t('runs.waitingFor', { took });
      });
      for (const task of tasks)
        badges.push(
          task.closedBy?.name
            ? t('runs.actedBy', {
                who: task.closedBy.name,
                status: t(`runs.taskStatus.${task.status}` as 'runs.taskStatus.completed'),
              })
            : t('runs.heldBy', { who: task.assignee?.name ?? task.team?.name ?? t('runs.queue') }),
        );
      nodes.set(n.id, { tone: failed.has(n.id) ? 'failed' : current.has(n.id) ? 'waiting' : 'ran', badges });
    }
    const edges = new Map([...ranEdges(graph, steps)].map((id) => [id, { tone: 'ran' as const }]));
    onOverlay({
      key: `run:${i.id}`,
      title: t('runs.showingInstance', {
        version: i.workflowVersion?.version ?? 0,
        status: t(`runs.instanceStatus.${i.status}` as 'runs.instanceStatus.waiting', {
          defaultValue: i.status ?? '',
        }),
        at: (i.currentNodes ?? []).join(', ') || '—',
      }),
      graph,
      decorations: { nodes, edges },
    });
  };

  const openTicket = async () => {
    setError(undefined);
    try {
      const r = await request(TicketRunQuery, { number: number.trim() });
      const list = (r.ticket?.workflowInstances ?? []).filter(
        (i) => i.workflowVersion?.workflowKey === workflowKey,
      );
      if (!r.ticket) setError(t('runs.noTicket', { number: number.trim() }));
      else if (list.length === 0) setError(t('runs.noInstance', { number: number.trim() }));
      setInstances(list);
      if (list[0]) showInstance(list[0]);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const showStats = async () => {
    setError(undefined);
    const r = (
      await request(WorkflowStatsQuery, {
        key: workflowKey,
        from: period[0].toISOString(),
        to: period[1].toISOString(),
      })
    ).workflowStats;
    if (r?.__typename !== 'WorkflowStats') {
      setError(
        r && 'fields' in r
          ? (r.fields ?? []).map((f) => f.message).join(' ')
          : r && 'message' in r
            ? String(r.message)
            : '',
      );
      return;
    }
    setStats(r);
    const rows = r.nodes ?? [];
    const worst = rows.reduce<number>((m, x) => Math.max(m, x.p90Seconds ?? 0), 0);
    const nodes = new Map<string, NodeDecoration>();
    for (const n of draft.nodes) {
      const row = rows.find((x) => x.nodeId === n.id);
      if (!row) {
        nodes.set(n.id, { tone: 'idle', badges: [t('runs.noSteps')] });
        continue;
      }
      const badges: string[] = [];
      if ((row.waiting ?? 0) > 0) badges.push(t('runs.waitingNow', { count: row.waiting ?? 0 }));
      if ((row.failed ?? 0) > 0) badges.push(t('runs.failedNow', { count: row.failed ?? 0 }));
      if (row.p50Seconds != null)
        badges.push(
          t('runs.percentiles', {
            p50: shortDuration(row.p50Seconds, units),
            p90: shortDuration(row.p90Seconds ?? 0, units),
            count: row.steps ?? 0,
          }),
        );
      const isHot = worst > 0 && row.p90Seconds === worst;
      nodes.set(n.id, { tone: isHot ? 'hot' : (row.waiting ?? 0) > 0 ? 'waiting' : 'ran', badges });
    }
    onOverlay({
      key: 'stats',
      title: t('runs.showingStats', {
        from: period[0].format('YYYY-MM-DD'),
        to: period[1].format('YYYY-MM-DD'),
      }),
      graph: draft,
      decorations: { nodes, edges: new Map() },
    });
  };

  return (
    <div className="wf-panel" data-testid="runs-panel">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('runs.ticketTitle')}
      </Typography.Title>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          aria-label={t('runs.ticketNumber')}
          placeholder={t('runs.ticketNumber')}
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          onPressEnter={() => void openTicket()}
        />
        <Button onClick={() => void openTicket()} disabled={!number.trim()}>
          {t('runs.open')}
        </Button>
      </Space.Compact>
      {instances && instances.length > 1 ? (
        <Select
          style={{ width: '100%', marginTop: 8 }}
          onChange={(id) => {
            const i = instances.find((x) => x.id === id);
            if (i) showInstance(i);
          }}
          defaultValue={instances[0]?.id}
          options={instances.map((i) => ({
            value: i.id,
            label: `${i.id?.slice(0, 8)} · v${i.workflowVersion?.version} · ${i.status}`,
          }))}
        />
      ) : null}
      <Typography.Title level={5}>{t('runs.statsTitle')}</Typography.Title>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <DatePicker.RangePicker
          value={period}
          onChange={(v) => {
            if (v?.[0] && v[1]) setPeriod([v[0].startOf('day'), v[1].endOf('day')]);
          }}
          allowClear={false}
        />
        <Button onClick={() => void showStats()}>{t('runs.showStats')}</Button>
      </Space>
      {error ? <Alert type="error" showIcon style={{ marginTop: 12 }} title={error} /> : null}
      {stats ? (
        <Table
          style={{ marginTop: 12 }}
          size="small"
          pagination={false}
          rowKey={(r) => r.nodeId ?? ''}
          dataSource={stats.nodes ?? []}
          columns={[
            {
              key: 'node',
              title: t('runs.node'),
              render: (_, r) => draft.nodes.find((n) => n.id === r.nodeId)?.label || r.nodeId,
            },
            { key: 'waiting', title: t('runs.waiting'), dataIndex: 'waiting' },
            {
              key: 'p50',
              title: 'p50',
              render: (_, r) => (r.p50Seconds == null ? '—' : shortDuration(r.p50Seconds, units)),
            },
            {
              key: 'p90',
              title: 'p90',
              render: (_, r) => (r.p90Seconds == null ? '—' : shortDuration(r.p90Seconds, units)),
            },
          ]}
        />
      ) : null}
      <Descriptions
        size="small"
        column={1}
        style={{ marginTop: 12 }}
        items={[{ key: 'legend', label: t('runs.legend'), children: t('runs.legendText') }]}
      />
    </div>
  );
}
