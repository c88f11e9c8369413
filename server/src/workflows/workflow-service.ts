import {
  checkTemplateKey,
  type FieldError,
  fieldError,
  type NodeTypeRegistry,
  type Principal,
  ValidationFailed,
  validateWorkflow,
  type WorkflowGraph,
  type WorkflowProblem,
  workflowContextOf,
} from '@docket/core';
import { type EntityManager, query, queryOne, type SecretBox } from '@docket/db';
import { migrateInstance, type SimulationScript, simulate } from '@docket/engine';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import { actorOf } from '../tickets/ticket-store.ts';
import type { WorkflowVersionRow } from './workflow-repository.ts';
import { moveSecretsOut, storeMovedSecrets } from './workflow-secrets.ts';
import { type InstanceRow, SYSTEM_CAUSE, taskKey } from './workflow-types.ts';

export type WorkflowRow = {
  id: number;
  key: string;
  name: string;
  draft: WorkflowGraph;
  latest_version: number;
  created_at: Date;
  updated_at: Date;
};

const WORKFLOW_COLUMNS = 'id, key, name, draft, latest_version, created_at, updated_at';
// The designer opens a workflow of 1,000 nodes within its budget (tests/bench/designer-canvas.bench.ts).
const MAX_NODES = 2_000;

export const emptyWorkflowGraph = (): WorkflowGraph => ({
  nodes: [
    {
      id: 'start',
      type: 'start',
      typeVersion: 1,
      config: { trigger: 'ticket_created' },
      position: { x: 0, y: 0 },
    },
  ],
  edges: [],
});

/** A draft may be incomplete, but it must be a graph of bounded size. */
function checkDraftShape(graph: unknown): WorkflowGraph {
  const g = graph as WorkflowGraph;
  if (!g || typeof g !== 'object' || !Array.isArray(g.nodes) || !Array.isArray(g.edges))
    throw new ValidationFailed([
      fieldError(
        '/graph',
        'invalid_graph',
        'A workflow graph is an object with a list of nodes and a list of edges.',
      ),
    ]);
  if (g.nodes.length > MAX_NODES)
    throw new ValidationFailed([
      fieldError(
        '/graph/nodes',
        'too_many',
        `A workflow may have at most ${MAX_NODES} nodes; this one has ${g.nodes.length}.`,
      ),
    ]);
  return g;
}

export async function createWorkflow(
  em: EntityManager,
  actor: Principal | null,
  input: { key: string; name: string; graph?: unknown },
  /** Seals credentials written into the graph's HTTP headers (they are moved out of it). */
  secrets: SecretBox,
): Promise<WorkflowRow> {
  const staff = requireStaff(actor, 'workflow.manage');
  const errors = checkTemplateKey(input.key, '/key', 'workflow');
  if (!input.name?.trim()) errors.push(fieldError('/name', 'required', 'A workflow needs a name.'));
  if (errors.length)
    throw new ValidationFailed(errors, 'The workflow was not created: fix the fields listed.');
  const { graph, moved } = moveSecretsOut(
    input.graph == null ? emptyWorkflowGraph() : checkDraftShape(input.graph),
  );
  if (await queryOne(em, 'select 1 from workflow where key = ?', [input.key]))
    throw new ValidationFailed([
      fieldError('/key', 'taken', `A workflow with key "${input.key}" already exists.`),
    ]);
  const row = (await queryOne<WorkflowRow>(
    em,
    `insert into workflow (key, name, draft, created_by) values (?, ?, ?::jsonb, ?) returning ${WORKFLOW_COLUMNS}`,
    [input.key, input.name.trim(), JSON.stringify(graph), staff.userId],
  ))!;
  await storeMovedSecrets(em, secrets, row.id, moved);
  return row;
}

export async function loadWorkflow(
  em: EntityManager,
  ref: { id?: number | string | null; key?: string | null },
) {
  const row = await queryOne<WorkflowRow>(
    em,
    `select ${WORKFLOW_COLUMNS} from workflow where ${ref.id != null ? 'id = ?::int' : 'key = ?'}`,
    [ref.id ?? ref.key],
  );
  if (!row) throw new NotFoundError(`Workflow ${ref.id ?? ref.key}`, ref.id != null ? '/id' : '/key');
  return row;
}

export async function updateWorkflowDraft(
  em: EntityManager,
  actor: Principal | null,
  input: {
    id: string | number;
    name?: string | null;
    graph?: unknown;
    /** The draft's updatedAt as the caller last read it: the save is refused when it changed since. */
    expectedUpdatedAt?: Date | null;
  },
  /** Seals credentials written into the graph's HTTP headers (they are moved out of it). */
  secrets: SecretBox,
): Promise<WorkflowRow> {
  requireStaff(actor, 'workflow.manage');
  const shaped =
    input.graph === undefined || input.graph === null ? null : moveSecretsOut(checkDraftShape(input.graph));
  const graph = shaped?.graph ?? null;
  if (input.name != null && !input.name.trim())
    throw new ValidationFailed([fieldError('/name', 'required', 'A workflow needs a name.')]);
  const expected = input.expectedUpdatedAt ?? null;
  // updated_at keeps microseconds; the caller saw it to the millisecond (as JavaScript dates are).
  const row = await queryOne<WorkflowRow>(
    em,
    `update workflow set draft = coalesce(?::jsonb, draft), name = coalesce(?, name), updated_at = now()
      where id = ?::int and (?::timestamptz is null or date_trunc('milliseconds', updated_at) = ?::timestamptz)
      returning ${WORKFLOW_COLUMNS}`,
    [graph ? JSON.stringify(graph) : null, input.name?.trim() ?? null, input.id, expected, expected],
  );
  if (row) {
    if (shaped) await storeMovedSecrets(em, secrets, row.id, shaped.moved);
    return row;
  }
  const current = await queryOne<{ updated_at: Date | string }>(
    em,
    'select updated_at from workflow where id = ?::int',
    [input.id],
  );
  if (!current) throw new NotFoundError(`Workflow ${input.id}`, '/id');
  throw new ValidationFailed(
    [
      fieldError(
        '/expectedUpdatedAt',
        'draft_changed',
        `The draft was changed at ${new Date(current.updated_at).toISOString()} (by another admin, or in another window) after you last loaded it, so nothing was saved. Load that version, or save yours over it.`,
      ),
    ],
    'The draft was changed meanwhile; nothing was saved.',
  );
}

/**
 * Problems of a graph, each naming its node and field. Ticket fields are typed here; form fields
 * are checked against each template's form when a template that runs the workflow is published.
 */
export function workflowProblems(graph: WorkflowGraph, nodeTypes: NodeTypeRegistry): WorkflowProblem[] {
  return validateWorkflow(graph, workflowContextOf(null, nodeTypes));
}

/** What publishing checks a graph against: the node types in use and the notification targets installed. */
export type PublishCheck = { nodeTypes: NodeTypeRegistry; knowsTarget: (key: string) => boolean };

export const publishCheckOf = (services: Pick<Services, 'registries' | 'notifier'>): PublishCheck => ({
  nodeTypes: services.registries.nodeTypes.definitions,
  knowsTarget: (key) => services.notifier.knows(key),
});

/** Config fields naming a notification target (`"x-ref": "notification_target"`) that is not installed. */
export function targetProblems(graph: WorkflowGraph, check: PublishCheck): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  graph.nodes.forEach((node, i) => {
    const properties = (
      check.nodeTypes.get(node.type)?.configSchema as { properties?: Record<string, { 'x-ref'?: string }> }
    )?.properties;
    for (const [field, schema] of Object.entries(properties ?? {})) {
      const value = (node.config as Record<string, unknown> | null)?.[field];
      if (schema['x-ref'] !== 'notification_target' || typeof value !== 'string' || check.knowsTarget(value))
        continue;
      problems.push({
        ...fieldError(
          `/nodes/${i}/config/${field}`,
          'not_found',
          `${node.label || 'Node'} "${node.id}": there is no notification target "${value}"; use in_app or install the plugin that adds it.`,
        ),
        nodeId: node.id,
      });
    }
  });
  return problems;
}

/**
 * Business calendars a graph's durations name (a step's time limit, a timer) that are not stored:
 * each a problem at its node's config.
 */
export function calendarProblems(graph: WorkflowGraph, calendarKeys: ReadonlySet<string>): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const walk = (value: unknown, path: string, nodeId: string, label: string) => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) {
      const at = `${path}/${key}`;
      if (key === 'calendarId' && typeof v === 'string' && !calendarKeys.has(v))
        problems.push({
          ...fieldError(
            at,
            'not_found',
            `${label} "${nodeId}": there is no business calendar with key "${v}"; pick a stored calendar, or leave it out to count in the first one.`,
          ),
          nodeId,
        });
      else walk(v, at, nodeId, label);
    }
  };
  graph.nodes.forEach((node, i) => {
    walk(node.config, `/nodes/${i}/config`, node.id, node.label || 'Node');
  });
  return problems;
}

/**
 * End nodes' named statuses that are not stored, or belong to another category than the status
 * the node gives: each a problem at the node's statusName.
 */
export function statusProblems(
  graph: WorkflowGraph,
  statuses: ReadonlyMap<string, string>,
): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  graph.nodes.forEach((node, i) => {
    if (node.type !== 'end') return;
    const { status, statusName } = (node.config ?? {}) as { status?: string; statusName?: string };
    if (statusName === undefined) return;
    const category = statuses.get(statusName);
    const label = `${node.label || 'End'} "${node.id}"`;
    const message =
      category === undefined
        ? `${label}: there is no status named "${statusName}"; create it first (createTicketStatus) in category "${status}", or leave statusName out.`
        : category !== status
          ? `${label}: status "${statusName}" belongs to category "${category}", but this end leaves the ticket "${status}"; pick a status of "${status}".`
          : null;
    if (message)
      problems.push({
        ...fieldError(
          `/nodes/${i}/config/statusName`,
          category === undefined ? 'not_found' : 'invalid',
          message,
        ),
        nodeId: node.id,
      });
  });
  return problems;
}

/**
 * Everything that stops a graph from being published: its own problems, then what it names that
 * is not stored (business calendars, named statuses).
 */
export async function publishProblems(
  em: EntityManager,
  check: PublishCheck,
  graph: WorkflowGraph,
  /** What is stored, when the caller has read it already (a list of workflows reads it once). */
  stored?: Promise<StoredNames>,
): Promise<WorkflowProblem[]> {
  const problems = workflowProblems(graph, check.nodeTypes);
  if (problems.length > 0) return problems;
  const { calendarKeys, statuses } = await (stored ?? storedNames(em));
  return [
    ...calendarProblems(graph, calendarKeys),
    ...statusProblems(graph, statuses),
    ...targetProblems(graph, check),
  ];
}

/** The names a workflow may refer to: business calendars' keys, active statuses with their categories. */
export type StoredNames = { calendarKeys: ReadonlySet<string>; statuses: ReadonlyMap<string, string> };

export async function storedNames(em: EntityManager): Promise<StoredNames> {
  const calendars = await query<{ key: string }>(em, 'select key from business_calendar');
  const statuses = await query<{ name: string; category: string }>(
    em,
    'select name, category from ticket_status where is_active',
  );
  return {
    calendarKeys: new Set(calendars.map((c) => c.key)),
    statuses: new Map(statuses.map((s) => [s.name, s.category])),
  };
}

/**
 * Validates the draft and freezes it as the next numbered version. Running instances keep the
 * version they started on; templates pick the new one up when they are published again.
 */
export async function publishWorkflow(
  em: EntityManager,
  check: PublishCheck,
  actor: Principal | null,
  id: string | number,
): Promise<WorkflowVersionRow & { workflow_key: string }> {
  const staff = requireStaff(actor, 'workflow.manage');
  return em.transactional(async (tx) => {
    const wf = await queryOne<WorkflowRow>(
      tx,
      `select ${WORKFLOW_COLUMNS} from workflow where id = ?::int for update`,
      [id],
    );
    if (!wf) throw new NotFoundError(`Workflow ${id}`, '/id');
    const problems = await publishProblems(tx, check, wf.draft);
    if (problems.length)
      throw new ValidationFailed(
        problems.map((p) => ({ ...p, path: `/graph${p.path}` })),
        `The workflow was not published: ${problems.length} problem${problems.length === 1 ? '' : 's'}, the first: ${problems[0]!.message}`,
      );
    const version = wf.latest_version + 1;
    const row = await queryOne<WorkflowVersionRow>(
      tx,
      `insert into workflow_version (workflow_id, version, graph, published_by) values (?, ?, ?::jsonb, ?)
       returning id, workflow_id, version, graph, published_by, published_at`,
      [wf.id, version, JSON.stringify(wf.draft), staff.userId],
    );
    await query(tx, 'update workflow set latest_version = ?, updated_at = now() where id = ?', [
      version,
      wf.id,
    ]);
    return { ...row!, workflow_key: wf.key };
  });
}

/**
 * Runs failed steps of an instance again, once their cause was fixed (a host allowed, a user
 * reactivated). Needs workflow.manage.
 */
export async function retryInstance(
  services: Pick<Services, 'workflows'>,
  em: EntityManager,
  actor: Principal | null,
  id: string,
) {
  const staff = requireStaff(actor, 'workflow.manage');
  const outcome = await services.workflows.dispatch(
    em,
    id,
    { type: 'retry' },
    { ...SYSTEM_CAUSE, userId: staff.userId },
  );
  if (outcome.outcome !== 'applied')
    throw new ValidationFailed([
      fieldError('/id', 'nothing_to_retry', 'This instance has no failed step to retry.'),
    ]);
  return id;
}

export type SimulationInput = {
  workflowId?: string | number | null;
  graph?: unknown;
  ticket?: Record<string, unknown> | null;
  formData?: Record<string, unknown> | null;
  /** Per node id: the actions its tasks get, in order (complete when it runs out). */
  actions?: Record<string, unknown> | null;
  startAt?: Date | null;
};

/** Runs a draft or a published graph against sample data on a virtual clock. Touches nothing. */
export async function simulateWorkflow(
  services: Pick<Services, 'workflows' | 'registries'>,
  em: EntityManager,
  actor: Principal | null,
  input: SimulationInput,
) {
  requireStaff(actor, 'workflow.manage');
  const graph =
    input.graph != null
      ? checkDraftShape(input.graph)
      : input.workflowId != null
        ? (await loadWorkflow(em, { id: input.workflowId })).draft
        : null;
  if (!graph)
    throw new ValidationFailed([
      fieldError('/workflowId', 'required', 'Give a workflowId or a graph to simulate.'),
    ]);
  const nodeTypes = services.registries.nodeTypes;
  const problems = workflowProblems(graph, nodeTypes.definitions);
  if (problems.length)
    throw new ValidationFailed(
      problems.map((p) => ({ ...p, path: `/graph${p.path}` })),
      'The workflow cannot run until these problems are fixed.',
    );
  const { addBusinessTime } = await services.workflows.clockFor(em);
  return simulate(
    graph,
    { ticket: input.ticket ?? {}, form: input.formData ?? {} },
    (input.actions ?? {}) as SimulationScript,
    {
      ...(input.startAt ? { startAt: input.startAt.toISOString() } : {}),
      addBusinessTime,
      maxEvents: 1_000,
      context: { nodeTypes: nodeTypes.definitions },
      executors: nodeTypes.executors,
    },
  );
}

export type MigrationInput = {
  fromVersionId: string | number;
  toVersionId: string | number;
  /** The instances to move; every waiting or failed instance on the version when absent. */
  instanceIds?: readonly (string | number)[] | null;
  nodeMap?: Record<string, string> | null;
  isDryRun?: boolean | null;
};

/**
 * Moves chosen running instances from one published version of a workflow to another, mapping the
 * nodes where they wait. Every instance is checked first; when any cannot be placed nothing moves,
 * and each problem names the instance and the node. Open tasks keep their ids; timers keep firing.
 */
export async function migrateInstances(
  services: Pick<Services, 'tickets' | 'log'>,
  em: EntityManager,
  actor: Principal | null,
  input: MigrationInput,
): Promise<{ instanceIds: string[]; isDryRun: boolean }> {
  const staff = requireStaff(actor, 'workflow.manage');
  const nodeMap = input.nodeMap ?? {};
  if (
    typeof nodeMap !== 'object' ||
    Array.isArray(nodeMap) ||
    Object.values(nodeMap).some((v) => typeof v !== 'string')
  )
    throw new ValidationFailed([
      fieldError(
        '/nodeMap',
        'invalid',
        'nodeMap maps node ids of the running version to node ids of the target version.',
      ),
    ]);
  return em.transactional(async (tx) => {
    const versions = await query<WorkflowVersionRow>(
      tx,
      'select * from workflow_version where id in (?::int, ?::int)',
      [input.fromVersionId, input.toVersionId],
    );
    const from = versions.find((v) => String(v.id) === String(input.fromVersionId));
    const to = versions.find((v) => String(v.id) === String(input.toVersionId));
    if (!from) throw new NotFoundError(`Workflow version ${input.fromVersionId}`, '/fromVersionId');
    if (!to) throw new NotFoundError(`Workflow version ${input.toVersionId}`, '/toVersionId');
    if (from.workflow_id !== to.workflow_id)
      throw new ValidationFailed([
        fieldError(
          '/toVersionId',
          'other_workflow',
          'Instances can only move between versions of the same workflow.',
        ),
      ]);
    const rows = await query<InstanceRow>(
      tx,
      `select * from workflow_instance where workflow_version_id = ? and status in ('waiting', 'failed')
        ${input.instanceIds ? 'and id::text = any(?::text[])' : ''} order by created_at for update`,
      input.instanceIds ? [from.id, input.instanceIds.map(String)] : [from.id],
    );
    if (input.instanceIds) {
      const found = new Set(rows.map((r) => r.id));
      const missing = input.instanceIds.map(String).filter((id) => !found.has(id));
      if (missing.length)
        throw new ValidationFailed(
          missing.map((id) =>
            fieldError(
              `/instanceIds/${input.instanceIds!.map(String).indexOf(id)}`,
              'not_running',
              `Instance ${id} is not running on version ${from.version}.`,
            ),
          ),
        );
    }
    const problems: FieldError[] = [];
    const planned = rows.map((row, i) => {
      const r = migrateInstance({ state: row.state, from: from.graph, to: to.graph, nodeMap });
      if (!r.isValid)
        for (const p of r.problems)
          problems.push({
            ...p,
            path: `/instances/${i}${p.path}`,
            message: `Instance ${row.id}: ${p.message}`,
          });
      return { row, result: r };
    });
    if (problems.length) throw new ValidationFailed(problems, 'No instance was moved: fix the node map.');
    if (input.isDryRun) return { instanceIds: rows.map((r) => r.id), isDryRun: true };
    for (const { row, result } of planned) {
      if (!result.isValid) continue;
      await query(
        tx,
        'update workflow_instance set workflow_version_id = ?, state = ?::jsonb, updated_at = now() where id = ?',
        [to.id, JSON.stringify(result.state), row.id],
      );
      for (const task of Object.values(result.state.tasks))
        await query(tx, 'update workflow_task set node_id = ? where id = ?', [
          task.nodeId,
          taskKey(row.id, task.taskId),
        ]);
      if (row.ticket_id)
        await services.tickets.append(tx, [
          {
            ticketId: row.ticket_id,
            kind: 'workflow.migrated',
            diff: {
              version: { from: from.version, to: to.version },
              nodes: { from: null, to: result.moved },
            },
            actor: { ...actorOf(staff, 'system') },
          },
        ]);
    }
    services.log('info', 'workflow instances migrated', { from: from.id, to: to.id, count: rows.length });
    return { instanceIds: rows.map((r) => r.id), isDryRun: false };
  });
}
