import { HUMAN_ACTIONS } from '@docket/core';
import type { TicketTemplateVersion } from '@docket/db';
import type { InstanceState, SimulationResult } from '@docket/engine';
import { maySeeInternals, requireStaff } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { OrgUnitRef, TeamRef } from '../org/org-refs.ts';
import { TemplateVersionRef } from '../templates/templates.schema.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { TicketRef } from '../tickets/tickets.schema.ts';
import { UserRef } from '../users/users.schema.ts';
import { actOnTask, myTasks, teamQueue } from './task-actions.ts';
import { NodeTypeRef, WorkflowGraphRef } from './workflow-graph.schema.ts';
import { listWorkflows, readInstance, type TaskRow, type WorkflowVersionRow } from './workflow-repository.ts';
import { secretStates, setWorkflowSecret, type WorkflowSecretState } from './workflow-secrets.ts';
import {
  createWorkflow,
  loadWorkflow,
  migrateInstances,
  publishCheckOf,
  publishProblems,
  publishWorkflow,
  retryInstance,
  simulateWorkflow,
  updateWorkflowDraft,
  type WorkflowRow,
} from './workflow-service.ts';
import type { InstanceRow } from './workflow-types.ts';

const WorkflowProblemRef = builder
  .objectRef<{ path: string; code: string; message: string; nodeId?: string }>('WorkflowProblem')
  .implement({
    description: 'One reason a workflow cannot be published: the node and field it concerns, and what to do.',
    fields: (t) => ({
      path: t.exposeString('path', {
        description: 'JSON pointer into the graph, e.g. /nodes/3/config/expression.',
      }),
      code: t.exposeString('code'),
      message: t.exposeString('message'),
      nodeId: t.string({ nullable: true, resolve: (p) => p.nodeId ?? null }),
    }),
  });

export const WorkflowVersionRef = builder
  .objectRef<WorkflowVersionRow & { workflow_key: string }>('WorkflowVersion')
  .implement({
    description:
      'An immutable published version of a workflow. Instances stay on the version they started on.',
    fields: (t) => ({
      id: t.exposeID('id'),
      version: t.exposeInt('version'),
      graph: t.field({
        type: WorkflowGraphRef,
        description: 'Only for those who may manage workflows. Secrets appear as {{secret.<name>}}.',
        resolve: (v, _a, ctx) => {
          requireStaff(ctx.principal, 'workflow.manage');
          return v.graph;
        },
      }),
      publishedAt: t.field({ type: 'DateTime', resolve: (v) => v.published_at }),
      publishedBy: t.field({
        type: UserRef,
        nullable: true,
        resolve: (v, _a, ctx) => (v.published_by ? ctx.loaders.user.load(v.published_by) : null),
      }),
      workflowKey: t.string({ resolve: (v) => v.workflow_key }),
    }),
  });

const WorkflowSecretRef = builder.objectRef<WorkflowSecretState>('WorkflowSecret').implement({
  description: 'A secret of a workflow (a token its HTTP requests send), shown as set or not set.',
  fields: (t) => ({
    name: t.exposeString('name'),
    isSet: t.exposeBoolean('isSet'),
    isUsed: t.exposeBoolean('isUsed', { description: 'The draft names it.' }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.updatedAt }),
  }),
});

const WorkflowRef = builder.objectRef<WorkflowRow>('Workflow').implement({
  description: 'A workflow as the designer draws it: a draft, and its published versions.',
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    draft: t.field({
      type: WorkflowGraphRef,
      description: 'The graph being edited: nodes, edges, positions.',
      resolve: (w) => w.draft,
    }),
    draftProblems: t.field({
      type: [WorkflowProblemRef],
      description: 'What stops the draft from being published; empty when it can be.',
      resolve: (w, _a, ctx) =>
        publishProblems(ctx.em, publishCheckOf(ctx.services), w.draft, ctx.loaders.storedNames()),
    }),
    latestVersion: t.int({ description: '0 while nothing is published.', resolve: (w) => w.latest_version }),
    versions: t.field({
      type: [WorkflowVersionRef],
      description: 'Every published version, newest first.',
      resolve: async (w, _a, ctx) => (await ctx.loaders.versionsOfWorkflow.load(w.id)) ?? [],
    }),
    secrets: t.field({
      type: [WorkflowSecretRef],
      description:
        'The secrets its HTTP-request nodes name ({{secret.<name>}} in a header) or that are stored: set or not, never the value.',
      resolve: (w, _a, ctx) => secretStates(ctx.em, w.id, w.draft),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (w) => w.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (w) => w.updated_at }),
  }),
});

builder.objectField(TemplateVersionRef, 'workflowVersion', (t) =>
  t.field({
    type: WorkflowVersionRef,
    nullable: true,
    description: 'The workflow version tickets of this template version run (null for customers).',
    resolve: (v: TicketTemplateVersion, _a, ctx) =>
      v.workflowVersion && maySeeInternals(ctx.principal)
        ? ctx.loaders.workflowVersion.load(v.workflowVersion.id)
        : null,
  }),
);

const TaskStatusEnum = builder.enumType('TaskStatus', {
  values: ['open', 'completed', 'returned', 'rejected', 'cancelled'] as const,
});
const TaskActionEnum = builder.enumType('TaskAction', { values: HUMAN_ACTIONS });

const TaskRef = builder.objectRef<TaskRow>('Task').implement({
  description: "A human step's work item: who holds it, what its form asks, and what may be done with it.",
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    nodeId: t.exposeString('node_id', { description: 'The workflow node this task belongs to.' }),
    status: t.field({ type: TaskStatusEnum, resolve: (r) => r.status }),
    ticket: t.field({
      type: TicketRef,
      nullable: true,
      resolve: (r, _a, ctx) =>
        r.ticket_id
          ? findVisibleTicket(ctx.em, ctx.principal, { id: r.ticket_id }).catch(
              () => null as unknown as TicketRow,
            )
          : null,
    }),
    assignee: t.field({
      type: UserRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.assignee_user_id ? ctx.loaders.user.load(r.assignee_user_id) : null),
    }),
    team: t.field({
      type: TeamRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.team_id ? ctx.loaders.team.load(r.team_id) : null),
    }),
    orgUnit: t.field({
      type: OrgUnitRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.org_unit_id ? ctx.loaders.orgUnit.load(r.org_unit_id) : null),
    }),
    cc: t.field({ type: 'JSON', resolve: (r) => r.cc }),
    formSchema: t.field({
      type: 'JSON',
      description: 'What the step must record (JSON Schema).',
      resolve: (r) => r.form_schema,
    }),
    uiSchema: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.ui_schema }),
    actions: t.field({
      type: [TaskActionEnum],
      resolve: (r) => r.actions as (typeof HUMAN_ACTIONS)[number][],
    }),
    origin: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Set when the task came back by a return or reject: from which step, by whom, why.',
      resolve: (r) => r.origin,
    }),
    dueAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.due_at }),
    isOverdue: t.exposeBoolean('is_overdue'),
    output: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.output }),
    closedBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.closed_by ? ctx.loaders.user.load(r.closed_by) : null),
    }),
    closeReason: t.exposeString('close_reason', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.closed_at }),
  }),
});

const WorkflowInstanceRef = builder.objectRef<InstanceRow>('WorkflowInstance').implement({
  description: "A ticket's run of a workflow version, with its execution history.",
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.string({ description: 'waiting, failed, completed or cancelled.', resolve: (i) => i.status }),
    workflowVersion: t.field({
      type: WorkflowVersionRef,
      resolve: async (i, _a, ctx) => (await ctx.loaders.workflowVersion.load(i.workflow_version_id))!,
    }),
    trace: t.field({
      type: 'JSON',
      description: 'Every step: node, inputs, outputs, errors, start and end (open while it waits).',
      resolve: (i) => i.state.trace,
    }),
    currentNodes: t.stringList({
      description: 'Where the instance waits or failed now.',
      resolve: (i) =>
        Object.values((i.state as InstanceState).tokens)
          .filter((k) => k.status === 'waiting' || k.status === 'failed')
          .map((k) => k.nodeId),
    }),
    failures: t.field({
      type: 'JSON',
      description: 'Failed steps with their node and error; retryWorkflowInstance runs them again.',
      resolve: (i) =>
        Object.values((i.state as InstanceState).tokens)
          .filter((k) => k.status === 'failed')
          .map((k) => ({ tokenId: k.id, nodeId: k.nodeId, error: k.error ?? null })),
    }),
    tasks: t.field({
      type: [TaskRef],
      resolve: async (i, _a, ctx) => (await ctx.loaders.tasksOfInstance.load(i.id)) ?? [],
    }),
  }),
});

builder.objectFields(TicketRef, (t) => ({
  tasks: t.field({
    type: [TaskRef],
    description: "Every human step's task of this ticket, oldest first.",
    resolve: async (r: TicketRow, _a, ctx) =>
      maySeeInternals(ctx.principal) ? ((await ctx.loaders.tasksOfTicket.load(String(r.id))) ?? []) : [],
  }),
  workflowInstances: t.field({
    type: [WorkflowInstanceRef],
    description: 'Workflow runs of this ticket (sub-workflows included). Staff only.',
    resolve: async (r: TicketRow, _a, ctx) =>
      maySeeInternals(ctx.principal) ? ((await ctx.loaders.instancesOfTicket.load(String(r.id))) ?? []) : [],
  }),
}));

const SimulationRef = builder.objectRef<SimulationResult>('WorkflowSimulation').implement({
  description: 'What a workflow would do with sample data on a virtual clock. Nothing real is touched.',
  fields: (t) => ({
    status: t.string({ resolve: (s) => s.status }),
    endStatus: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.endStatus ?? null }),
    path: t.stringList({ description: 'Node ids in the order they were entered.', resolve: (s) => s.path }),
    trace: t.field({ type: 'JSON', resolve: (s) => s.trace }),
    timersFired: t.field({ type: 'JSON', resolve: (s) => s.timersFired }),
    timersPending: t.field({ type: 'JSON', resolve: (s) => s.timersPending }),
    effects: t.field({ type: 'JSON', resolve: (s) => s.effects }),
  }),
});

const WorkflowMigrationRef = builder
  .objectRef<{ instanceIds: string[]; isDryRun: boolean }>('WorkflowMigration')
  .implement({
    fields: (t) => ({
      instanceIds: t.exposeIDList('instanceIds', {
        description: 'The instances moved (or that would move, on a dry run).',
      }),
      isDryRun: t.exposeBoolean('isDryRun'),
    }),
  });

const TransferTargetInput = builder.inputType('TransferTarget', {
  description: 'Exactly one of the three.',
  fields: (t) => ({ userId: t.int(), teamId: t.int(), orgUnitId: t.int() }),
});

builder.queryFields((t) => ({
  workflows: t.field({
    type: [WorkflowRef],
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal, 'workflow.manage');
      return listWorkflows(ctx.em);
    },
  }),
  workflow: t.field({
    type: WorkflowRef,
    nullable: true,
    args: { id: t.arg.id(), key: t.arg.string() },
    resolve: (_r, a, ctx) => {
      requireStaff(ctx.principal, 'workflow.manage');
      return loadWorkflow(ctx.em, { id: a.id, key: a.key }).catch(() => null);
    },
  }),
  workflowNodeTypes: t.field({
    type: [NodeTypeRef],
    description:
      'Every node type the designer can place (the core ones and those plugins add): type, version, title, category, config schema, ports.',
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal);
      return ctx.services.registries.nodeTypes.list();
    },
  }),
  myTasks: t.field({
    type: [TaskRef],
    description:
      'Open tasks assigned to me; with includeQueues, also those waiting in my teams, roles and org unit.',
    args: { includeQueues: t.arg.boolean({ defaultValue: true }), first: t.arg.int({ defaultValue: 50 }) },
    resolve: (_r, a, ctx) =>
      myTasks(ctx.em, ctx.principal, {
        includeQueues: a.includeQueues ?? true,
        first: Math.min(a.first ?? 50, 200),
      }),
  }),
  teamQueue: t.field({
    type: [TaskRef],
    args: { teamId: t.arg.int({ required: true }), first: t.arg.int({ defaultValue: 50 }) },
    resolve: (_r, a, ctx) =>
      teamQueue(ctx.em, ctx.principal, { teamId: a.teamId, first: Math.min(a.first ?? 50, 200) }),
  }),
}));

builder.mutationFields((t) => ({
  createWorkflow: t.field({
    type: WorkflowRef,
    errors: mutationErrors,
    args: {
      key: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      graph: t.arg({ type: 'JSON', description: 'Starts with a lone start node when absent.' }),
    },
    resolve: (_r, a, ctx) => createWorkflow(ctx.em, ctx.principal, a, ctx.services.secrets),
  }),
  updateWorkflowDraft: t.field({
    type: WorkflowRef,
    errors: mutationErrors,
    description:
      'Saves the draft as the designer has it; a draft may be incomplete. With expectedUpdatedAt, a draft changed since (by another admin) is not overwritten: the answer is a ValidationError with code draft_changed.',
    args: {
      id: t.arg.id({ required: true }),
      name: t.arg.string(),
      graph: t.arg({ type: 'JSON' }),
      expectedUpdatedAt: t.arg({
        type: 'DateTime',
        description: "The draft's updatedAt as the caller last read it.",
      }),
    },
    resolve: (_r, a, ctx) => updateWorkflowDraft(ctx.em, ctx.principal, a, ctx.services.secrets),
  }),
  setWorkflowSecret: t.field({
    type: WorkflowRef,
    errors: mutationErrors,
    description:
      'Sets a secret its HTTP-request nodes send as {{secret.<name>}} (kept encrypted, never shown again); a null value removes it.',
    args: {
      workflowId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      value: t.arg.string(),
    },
    resolve: async (_r, a, ctx) => {
      requireStaff(ctx.principal, 'workflow.manage');
      const workflow = await loadWorkflow(ctx.em, { id: a.workflowId });
      await setWorkflowSecret(ctx.em, ctx.services.secrets, ctx.principal, {
        workflowId: workflow.id,
        name: a.name,
        value: a.value ?? null,
      });
      return workflow;
    },
  }),
  publishWorkflow: t.field({
    type: WorkflowVersionRef,
    errors: mutationErrors,
    description:
      'Validates the draft (every problem names its node and field) and freezes it as the next version.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => publishWorkflow(ctx.em, publishCheckOf(ctx.services), ctx.principal, a.id),
  }),
  simulateWorkflow: t.field({
    type: SimulationRef,
    errors: mutationErrors,
    description:
      "Runs a workflow's draft (or a given graph) against sample data on a virtual clock. actions maps a node id to the actions its tasks get, in order: [{action: 'return', reason: '…', after: {amount: 2, unit: 'hours'}}].",
    args: {
      workflowId: t.arg.id(),
      graph: t.arg({ type: 'JSON' }),
      ticket: t.arg({ type: 'JSON' }),
      formData: t.arg({ type: 'JSON' }),
      actions: t.arg({ type: 'JSON' }),
      startAt: t.arg({ type: 'DateTime' }),
    },
    resolve: (_r, a, ctx) =>
      simulateWorkflow(ctx.services, ctx.em, ctx.principal, {
        workflowId: a.workflowId,
        graph: a.graph,
        ticket: a.ticket as Record<string, unknown> | null,
        formData: a.formData as Record<string, unknown> | null,
        actions: a.actions as Record<string, unknown> | null,
        startAt: a.startAt,
      }),
  }),
  migrateWorkflowInstances: t.field({
    type: WorkflowMigrationRef,
    errors: mutationErrors,
    description:
      'Moves running instances to another version of their workflow. nodeMap maps each node where they wait to its counterpart ({"b": "b2"}); nodes with the same id map by themselves. Checked first: nothing moves when any instance cannot be placed.',
    args: {
      fromVersionId: t.arg.id({ required: true }),
      toVersionId: t.arg.id({ required: true }),
      instanceIds: t.arg.idList({
        description: 'Every waiting or failed instance of the version when absent.',
      }),
      nodeMap: t.arg({ type: 'JSON' }),
      isDryRun: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_r, a, ctx) =>
      migrateInstances(ctx.services, ctx.em, ctx.principal, {
        fromVersionId: a.fromVersionId,
        toVersionId: a.toVersionId,
        instanceIds: a.instanceIds ?? null,
        nodeMap: a.nodeMap as Record<string, string> | null,
        isDryRun: a.isDryRun,
      }),
  }),
  retryWorkflowInstance: t.field({
    type: WorkflowInstanceRef,
    errors: mutationErrors,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await retryInstance(ctx.services, ctx.em, ctx.principal, String(a.id));
      return (await readInstance(ctx.em, String(a.id)))!;
    },
  }),
  actOnTask: t.field({
    type: TaskRef,
    errors: mutationErrors,
    description:
      'Complete (output checked against the step form), transfer (to one user, team or org unit, with a reason), return to the previous human step or reject to the dispatcher (both with a reason).',
    args: {
      taskId: t.arg.id({ required: true }),
      action: t.arg({ type: TaskActionEnum, required: true }),
      output: t.arg({ type: 'JSON' }),
      to: t.arg({ type: TransferTargetInput }),
      reason: t.arg.string(),
    },
    resolve: (_r, a, ctx) =>
      actOnTask(ctx.services, ctx.em, ctx.principal, ctx.channel, {
        taskId: String(a.taskId),
        action: a.action,
        output: a.output as Record<string, unknown> | null,
        to: a.to ?? null,
        reason: a.reason ?? null,
      }),
  }),
}));
