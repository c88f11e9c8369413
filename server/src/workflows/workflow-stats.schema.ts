import { builder, mutationErrors } from '../graphql/builder.ts';
import type { NodeStatsRow, RunningInstanceRow, WorkflowVersionRow } from './workflow-repository.ts';
import { runningInstances, type WorkflowStats, workflowStats } from './workflow-stats.ts';
import { WorkflowVersionRef } from './workflows.schema.ts';

/** What the designer's run overlay reads: a workflow's bottlenecks, and the instances a version runs. */

const NodeStatsRef = builder.objectRef<NodeStatsRow>('WorkflowNodeStats').implement({
  description: 'One node of a workflow: open instances there now, and how long its steps took in the period.',
  fields: (t) => ({
    nodeId: t.exposeString('node_id'),
    waiting: t.exposeInt('waiting', { description: 'Open instances waiting here now.' }),
    failed: t.exposeInt('failed', { description: 'Open instances whose step here failed.' }),
    steps: t.exposeInt('steps', { description: 'Steps here that ended in the period.' }),
    p50Seconds: t.exposeFloat('p50_seconds', {
      nullable: true,
      description: 'Median time a step here took (seconds); null without steps in the period.',
    }),
    p90Seconds: t.exposeFloat('p90_seconds', {
      nullable: true,
      description: '90th percentile of the time a step here took (seconds).',
    }),
    oldestWaitingSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the longest wait here now began.',
      resolve: (r) => r.oldest_waiting_since,
    }),
  }),
});

const WorkflowStatsRef = builder.objectRef<WorkflowStats>('WorkflowStats').implement({
  description: "A workflow's run overlay: per node, the instances waiting now and p50/p90 step times.",
  fields: (t) => ({
    workflowKey: t.exposeString('workflowKey'),
    from: t.field({ type: 'DateTime', resolve: (s) => s.from }),
    to: t.field({ type: 'DateTime', resolve: (s) => s.to }),
    nodes: t.field({ type: [NodeStatsRef], resolve: (s) => s.nodes }),
  }),
});

const RunningInstanceRef = builder.objectRef<RunningInstanceRow>('RunningWorkflowInstance').implement({
  description: 'An instance still running on a version: its ticket and the nodes where it waits or failed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.exposeString('status'),
    ticketNumber: t.exposeString('ticket_number', { nullable: true }),
    currentNodes: t.exposeStringList('current_nodes'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
  }),
});

builder.objectField(WorkflowVersionRef, 'runningInstances', (t) =>
  t.field({
    type: [RunningInstanceRef],
    description: 'Instances waiting or failed on this version, oldest first (what a migration would move).',
    args: { first: t.arg.int({ defaultValue: 100 }) },
    resolve: (v: WorkflowVersionRow, a, ctx) =>
      runningInstances(ctx.em, ctx.principal, { versionId: v.id, first: a.first ?? 100 }),
  }),
);

builder.queryField('workflowStats', (t) =>
  t.field({
    type: WorkflowStatsRef,
    errors: mutationErrors,
    description:
      'Per node of the workflow (all versions): open instances waiting there now and the p50/p90 time its steps took over [from, to) (the last 30 days when absent). Needs workflow.manage.',
    args: {
      key: t.arg.string({ required: true }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
    },
    resolve: (_r, a, ctx) => workflowStats(ctx.em, ctx.principal, { key: a.key, from: a.from, to: a.to }),
  }),
);
