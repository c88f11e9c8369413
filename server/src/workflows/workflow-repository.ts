import type { TemplateContent, WorkflowGraph } from '@docket/core';
import {
  type EntityManager,
  pgJson,
  query,
  queryOne,
  queryPrepared,
  together,
  type WritePart,
} from '@docket/db';
import type { InstanceRow } from './workflow-types.ts';

/**
 * The workflows domain's SQL: instances, tasks, outbound calls, and the published graphs the
 * runtime reads. Step transactions are hot paths: each statement here is hand-written.
 */

export type TaskRow = {
  id: string;
  instance_id: string;
  ticket_id: string | null;
  node_id: string;
  title: string;
  status: 'open' | 'completed' | 'returned' | 'rejected' | 'cancelled';
  assignee_user_id: number | null;
  team_id: number | null;
  role_id: number | null;
  org_unit_id: number | null;
  cc: unknown[];
  form_schema: Record<string, unknown>;
  ui_schema: Record<string, unknown> | null;
  actions: string[];
  origin: { action: string; fromNodeId: string; reason: string; actor?: string } | null;
  due_at: Date | null;
  is_overdue: boolean;
  output: unknown;
  closed_by: number | null;
  close_reason: string | null;
  created_at: Date;
  closed_at: Date | null;
};

export const TASK_COLUMNS = `w.id, w.instance_id, w.ticket_id, w.node_id, w.title, w.status, w.assignee_user_id, w.team_id,
  w.role_id, w.org_unit_id, w.cc, w.form_schema, w.ui_schema, w.actions, w.origin, w.due_at, w.is_overdue, w.output,
  w.closed_by, w.close_reason, w.created_at, w.closed_at`;

const INSTANCE_COLUMNS =
  'id, ticket_id, parent_instance_id, parent_reply, workflow_version_id, status, state, seq';

/** The published graph of a workflow version, and the form of a template version (for typed CEL). */
export async function readRunnable(
  em: EntityManager,
  workflowVersionId: number,
  templateVersionId: number | null,
): Promise<{ graph: WorkflowGraph; content: TemplateContent | null } | undefined> {
  const row = await queryOne<{ graph: WorkflowGraph; content: TemplateContent | null }>(
    em,
    `select w.graph, (select content from ticket_template_version where id = ?::int) as content
       from workflow_version w where w.id = ?`,
    [templateVersionId, workflowVersionId],
  );
  return row;
}

/** An instance with its ticket's template version, locked for the transaction. */
export function lockInstance(
  tx: EntityManager,
  instanceId: string,
): Promise<(InstanceRow & { template_version_id: number | null }) | undefined> {
  return queryOne(
    tx,
    `select i.id, i.ticket_id, i.parent_instance_id, i.parent_reply, i.workflow_version_id, i.status, i.state, i.seq,
            t.template_version_id
       from workflow_instance i left join ticket t on t.id = i.ticket_id
      where i.id = ? for update of i`,
    [instanceId],
  );
}

export async function insertInstance(tx: EntityManager, row: InstanceRow): Promise<void> {
  await query(
    tx,
    `insert into workflow_instance (id, ticket_id, parent_instance_id, parent_reply, workflow_version_id, status, state, seq)
     values (?, ?, ?, ?::jsonb, ?, ?, ?::jsonb, ?) on conflict (id) do nothing`,
    [
      row.id,
      row.ticket_id,
      row.parent_instance_id,
      row.parent_reply ? JSON.stringify(row.parent_reply) : null,
      row.workflow_version_id,
      row.status,
      pgJson(row.state),
      row.seq,
    ],
  );
}

export async function saveInstanceState(tx: EntityManager, row: InstanceRow): Promise<void> {
  await query(
    tx,
    'update workflow_instance set state = ?::jsonb, status = ?, seq = ?, updated_at = now() where id = ?',
    [pgJson(row.state), row.status, row.seq, row.id],
  );
}

/** The newest (or the named) published version of a workflow named by id or key. */
export async function findPublishedVersion(
  tx: EntityManager,
  ref: string,
  version: number | undefined,
): Promise<{ id: number } | undefined> {
  return queryOne<{ id: number }>(
    tx,
    `select v.id from workflow w join workflow_version v on v.workflow_id = w.id
      where ${/^[0-9]+$/.test(ref) ? 'w.id = ?::int' : 'w.key = ?'} and v.version = coalesce(?::int, w.latest_version)`,
    [ref, version ?? null],
  );
}

/** A task a step creates (its ticket is the instance's). */
export type NewTask = {
  id: string;
  instance_id: string;
  node_id: string;
  title: string;
  assignee_user_id: number | null;
  team_id: number | null;
  role_id: number | null;
  org_unit_id: number | null;
  cc: unknown[];
  form_schema: unknown;
  ui_schema: unknown;
  actions: string[];
  origin: unknown;
  due_at: string | null;
};

/** A change of an open task a step makes. */
export type TaskUpdate =
  | {
      kind: 'close';
      id: string;
      outcome: string;
      closedBy: number | null;
      reason: string | null;
      output: unknown;
    }
  | {
      kind: 'reassign';
      id: string;
      userId: number | null;
      teamId: number | null;
      roleId: number | null;
      orgUnitId: number | null;
    }
  | { kind: 'overdue'; id: string };

/** An outbound call a step makes (its job makes the call). */
export type NewCall = {
  id: string;
  idempotency_key: string;
  instance_id: string;
  request: unknown;
  reply: unknown;
};

/** The task row columns a new task writes, in insert order (see TASK_INSERT_SELECT). */
export const TASK_INSERT_COLUMNS =
  'id, instance_id, ticket_id, node_id, title, status, assignee_user_id, team_id, role_id, org_unit_id, cc, form_schema, ui_schema, actions, origin, due_at';

/** The select list inserting tasks from JSON rows `x` (NewTask) of the ticket `ticketExpr`. */
export const taskInsertSelect = (ticketExpr: string): string =>
  `x->>'id', (x->>'instance_id')::uuid, ${ticketExpr}, x->>'node_id', x->>'title', 'open',
   (x->>'assignee_user_id')::int, (x->>'team_id')::int, (x->>'role_id')::int, (x->>'org_unit_id')::int,
   x->'cc', x->'form_schema', nullif(x->'ui_schema', 'null'::jsonb),
   array(select jsonb_array_elements_text(x->'actions')), nullif(x->'origin', 'null'::jsonb), (x->>'due_at')::timestamptz`;

/** The select list inserting outbound calls from JSON rows `x` (NewCall). */
export const CALL_INSERT_SELECT = `x->>'id', x->>'idempotency_key', (x->>'instance_id')::uuid, x->'request', x->'reply'`;

/**
 * A step's rows as parts of the statement that writes the step (writeTogether): the instance's new
 * state, new tasks of the ticket, closed, reassigned and overdue tasks (the acted-on tasks
 * returned), and new outbound calls. Only the parts with something to write.
 */
export function stepParts(
  instance: InstanceRow | null,
  ticketId: string | null,
  rows: { tasks: NewTask[]; taskUpdates: TaskUpdate[]; calls: NewCall[] },
): WritePart[] {
  const parts: WritePart[] = [];
  if (instance)
    parts.push({
      input: [{ id: instance.id, state: instance.state, status: instance.status, seq: instance.seq }],
      isRows: true,
      sql: (input) =>
        `update workflow_instance w set state = i.x->'state', status = i.x->>'status', seq = (i.x->>'seq')::int, updated_at = now()
           from jsonb_array_elements(${input}) as i(x)
          where w.id = any(array(select (r->>'id')::uuid from jsonb_array_elements(${input}) as r)) and w.id = (i.x->>'id')::uuid`,
    });
  if (rows.tasks.length)
    parts.push({
      input: rows.tasks.map((t) => ({ ...t, ticket_id: ticketId })),
      isRows: true,
      sql: (input) =>
        `insert into workflow_task (${TASK_INSERT_COLUMNS})
         select ${taskInsertSelect("(x->>'ticket_id')::bigint")}
           from jsonb_array_elements(${input}) with ordinality as t(x, n)
          order by t.n
         on conflict (id) do nothing`,
    });
  // The tasks a step changes are found by their ids (`byId`): joined with the JSON rows alone, the
  // planner may read every open task (it cannot tell how few rows the JSON holds).
  const closes = rows.taskUpdates.filter((u) => u.kind === 'close');
  if (closes.length)
    parts.push({
      input: closes,
      isReturning: true,
      isRows: true,
      sql: (input) =>
        `update workflow_task w set status = x->>'outcome', closed_by = (x->>'closedBy')::int, close_reason = x->>'reason',
                closed_at = now(), output = case when x->>'outcome' = 'completed' then x->'output' else w.output end
           from jsonb_array_elements(${input}) as u(x)
          where ${byId(input)} and w.id = x->>'id' and ${IS_STILL_OPEN}
          returning ${TASK_COLUMNS}`,
    });
  const reassigns = rows.taskUpdates.filter((u) => u.kind === 'reassign');
  if (reassigns.length)
    parts.push({
      input: reassigns,
      isReturning: true,
      isRows: true,
      sql: (input) =>
        `update workflow_task w set assignee_user_id = (x->>'userId')::int, team_id = coalesce((x->>'teamId')::int, w.team_id),
                role_id = (x->>'roleId')::int, org_unit_id = (x->>'orgUnitId')::int
           from jsonb_array_elements(${input}) as u(x)
          where ${byId(input)} and w.id = x->>'id' and ${IS_STILL_OPEN}
          returning ${TASK_COLUMNS}`,
    });
  const overdue = rows.taskUpdates.filter((u) => u.kind === 'overdue');
  if (overdue.length)
    parts.push({
      input: overdue.map((u) => ({ id: u.id })),
      isRows: true,
      sql: (input) => `update workflow_task w set is_overdue = true where ${byId(input)}`,
    });
  if (rows.calls.length)
    parts.push({
      input: rows.calls,
      isRows: true,
      sql: (input) =>
        `insert into outbound_call (id, idempotency_key, instance_id, request, reply)
         select ${CALL_INSERT_SELECT} from jsonb_array_elements(${input}) as c(x)
         on conflict (id) do nothing`,
    });
  return parts;
}

/** Tasks `w` whose ids the JSON rows `input` name (an index lookup of each id). */
const byId = (input: string): string =>
  `w.id = any(array(select r->>'id' from jsonb_array_elements(${input}) as r))`;

/**
 * A task found by id is still open. Not written `w.status = 'open'`: that would let the planner
 * use the partial indexes of open tasks (each is `where status = 'open'`), and once their
 * statistics lag behind a busy table it ANDs the ids with a whole such index, reading an entry
 * for every open task at each step. Compared with a value the planner cannot see, the status is
 * checked on the rows the ids found.
 */
const IS_STILL_OPEN = `w.status = (select 'open')`;

/** The keys of the rows a new ticket's planned first steps write with it (see registerCreationWriters). */
export const TASK_ROWS = 'workflow_tasks';
export const CALL_ROWS = 'outbound_calls';

/** The task and call rows of a new ticket's planned first steps, written by the statement that writes the ticket. */
export function registerCreationWriters(tickets: {
  addRowWriter(w: { key: string; insert: (from: string) => string }): void;
}): void {
  tickets.addRowWriter({
    key: TASK_ROWS,
    insert: (from) =>
      `insert into workflow_task (${TASK_INSERT_COLUMNS}) select ${taskInsertSelect('r.id')} from ${from}`,
  });
  tickets.addRowWriter({
    key: CALL_ROWS,
    insert: (from) =>
      `insert into outbound_call (id, idempotency_key, instance_id, request, reply) select ${CALL_INSERT_SELECT} from ${from}`,
  });
}

/** A ticket's requester and assignee, for recipients a step names by role. */
export const readTicketPeople = (
  tx: EntityManager,
  ticketId: string,
): Promise<{ requester_id: number | null; assignee_id: number | null } | undefined> =>
  queryOne(tx, 'select requester_id, assignee_id from ticket where id = ?', [ticketId]);

/** What telling people a task is overdue needs: its title, CC list, holder and the holder's manager. */
export const readTaskForNotice = (
  tx: EntityManager,
  id: string,
): Promise<
  { title: string; assignee_user_id: number | null; manager_id: number | null; cc: unknown[] } | undefined
> =>
  queryOne(
    tx,
    `select w.title, w.assignee_user_id, w.cc, (select manager_id from app_user where id = w.assignee_user_id) as manager_id
       from workflow_task w where w.id = ?`,
    [id],
  );

/** Who holds work, with names for the trail: a person and/or the queue it waits in. */
export type Holder = {
  userId?: number;
  userName?: string;
  teamId?: number;
  teamName?: string;
  roleId?: number;
  roleName?: string;
  orgUnitId?: number;
  orgUnitName?: string;
};

/** The ids of a holder: a person and/or the queue work waits in (null where there is none). */
export type HolderIds = {
  userId: number | null;
  teamId: number | null;
  roleId: number | null;
  orgUnitId: number | null;
};

type HolderNames = { u: string | null; t: string | null; r: string | null; o: string | null };

/** A holder with names, from its ids and the names read for them (absent ids stay absent). */
function named(ids: HolderIds, names: HolderNames | undefined): Holder {
  const h: Holder = {};
  if (ids.userId !== null) Object.assign(h, { userId: ids.userId, userName: names?.u ?? '' });
  if (ids.teamId !== null) Object.assign(h, { teamId: ids.teamId, teamName: names?.t ?? '' });
  if (ids.roleId !== null) Object.assign(h, { roleId: ids.roleId, roleName: names?.r ?? '' });
  if (ids.orgUnitId !== null) Object.assign(h, { orgUnitId: ids.orgUnitId, orgUnitName: names?.o ?? '' });
  return h;
}

/** What a transfer records: the task's step and title, and its holder before and after, with names. */
export type TransferRecord = {
  task: { node_id: string; title: string } | undefined;
  from: Holder;
  to: Holder;
};

/**
 * What a transfer of a task to `to` records, in one round trip: the task's step, title and holder
 * as they are before it, and the names of both holders. Inside a group transaction the transfers
 * of the same moment read theirs with one statement.
 */
export function readTransfer(tx: EntityManager, taskId: string, to: HolderIds): Promise<TransferRecord> {
  return together(tx, 'readTransfer', { taskId, to }, async (asks) => {
    const rows = await query<{
      node_id: string | null;
      title: string | null;
      assignee_user_id: number | null;
      team_id: number | null;
      role_id: number | null;
      org_unit_id: number | null;
      from: HolderNames;
      to: HolderNames;
    }>(
      tx,
      `select w.node_id, w.title, w.assignee_user_id, w.team_id, w.role_id, w.org_unit_id,
              json_build_object(
                'u', (select name from app_user where id = w.assignee_user_id),
                't', (select name from team where id = w.team_id),
                'r', (select name from role where id = w.role_id),
                'o', (select name from org_unit where id = w.org_unit_id)) as "from",
              json_build_object(
                'u', (select name from app_user where id = (x.v->'to'->>'userId')::int),
                't', (select name from team where id = (x.v->'to'->>'teamId')::int),
                'r', (select name from role where id = (x.v->'to'->>'roleId')::int),
                'o', (select name from org_unit where id = (x.v->'to'->>'orgUnitId')::int)) as "to"
         from jsonb_array_elements(?::jsonb) with ordinality as x(v, n)
         left join workflow_task w on w.id = x.v->>'taskId'
        order by x.n`,
      [pgJson(asks)],
    );
    return asks.map((ask, i): TransferRecord => {
      const row = rows[i];
      if (!row?.node_id) return { task: undefined, from: {}, to: named(ask.to, row?.to) };
      const before: HolderIds = {
        userId: row.assignee_user_id,
        teamId: row.team_id,
        roleId: row.role_id,
        orgUnitId: row.org_unit_id,
      };
      return {
        task: { node_id: row.node_id, title: row.title ?? '' },
        from: named(before, row.from),
        to: named(ask.to, row.to),
      };
    });
  });
}

export type OutboundCall = {
  id: string;
  idempotency_key: string;
  instance_id: string;
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: unknown;
    timeoutMs: number;
  };
  reply: { name: string; key: string };
  status: 'pending' | 'done';
  response: unknown;
};

export const readOutboundCall = (em: EntityManager, id: string): Promise<OutboundCall | undefined> =>
  queryOne<OutboundCall>(em, 'select * from outbound_call where id = ?', [id]);

export async function recordCallAnswer(tx: EntityManager, id: string, payload: unknown): Promise<void> {
  await query(
    tx,
    "update outbound_call set status = 'done', response = ?::jsonb, done_at = coalesce(done_at, now()) where id = ?",
    [JSON.stringify(payload), id],
  );
}

/** An open or closed task with the facts of its ticket that decide who may see it. */
export type TaskWithTicket = TaskRow & {
  t_creator: number | null;
  t_assignee: number | null;
  t_team: number | null;
  t_org_path: string;
  t_requester: number | null;
  t_participants: number[];
};

export const readTaskWithTicket = (tx: EntityManager, taskId: string): Promise<TaskWithTicket | undefined> =>
  queryOne<TaskWithTicket>(
    tx,
    `select ${TASK_COLUMNS}, t.creator_user_id as t_creator, t.assignee_id as t_assignee, t.team_id as t_team,
            t.org_path as t_org_path, t.requester_id as t_requester, t.participant_ids as t_participants
       from workflow_task w left join ticket t on t.id = w.ticket_id
      where w.id = ?`,
    [taskId],
  );

export const readTask = async (em: EntityManager, id: string): Promise<TaskRow> =>
  (await queryOne<TaskRow>(em, `select ${TASK_COLUMNS} from workflow_task w where w.id = ?`, [id]))!;

/** Open tasks of a staff member, and (with queues) of their teams', roles' and org unit's queues. */
export function openTasksOf(
  em: EntityManager,
  who: { userId: number; teamIds: number[]; roleIds: number[]; orgUnitId: number | null },
  options: { includeQueues: boolean; first: number },
): Promise<TaskRow[]> {
  const queue = options.includeQueues
    ? `or (w.assignee_user_id is null and (w.team_id = any(?::int[]) or w.org_unit_id = ? or w.role_id = any(?::int[])))`
    : '';
  return query<TaskRow>(
    em,
    `select ${TASK_COLUMNS} from workflow_task w
      where w.status = 'open' and (w.assignee_user_id = ? ${queue})
      order by w.due_at asc nulls last, w.created_at asc limit ?`,
    options.includeQueues
      ? [who.userId, who.teamIds, who.orgUnitId ?? 0, who.roleIds, options.first]
      : [who.userId, options.first],
  );
}

export const openTasksOfTeam = (em: EntityManager, teamId: number, first: number): Promise<TaskRow[]> =>
  query<TaskRow>(
    em,
    `select ${TASK_COLUMNS} from workflow_task w where w.status = 'open' and w.team_id = ?
      order by w.due_at asc nulls last, w.created_at asc limit ?`,
    [teamId, first],
  );

/** Tasks of many instances or tickets at once (the GraphQL loaders batch them). */
export async function tasksOf(
  em: EntityManager,
  by: 'instance_id' | 'ticket_id',
  ids: readonly string[],
): Promise<Map<string, TaskRow[]>> {
  const rows = await query<TaskRow>(
    em,
    `select ${TASK_COLUMNS} from workflow_task w where w.${by}::text = any(?::text[]) order by w.created_at, w.id`,
    [ids],
  );
  const out = new Map<string, TaskRow[]>();
  for (const r of rows) {
    const key = String(by === 'instance_id' ? r.instance_id : r.ticket_id);
    const list = out.get(key);
    if (list) list.push(r);
    else out.set(key, [r]);
  }
  return out;
}

/** Instances of many tickets at once (the GraphQL loaders batch them). */
export async function instancesOfTickets(
  em: EntityManager,
  ticketIds: readonly string[],
): Promise<Map<string, InstanceRow[]>> {
  const rows = await query<InstanceRow>(
    em,
    `select ${INSTANCE_COLUMNS} from workflow_instance where ticket_id::text = any(?::text[]) order by created_at`,
    [ticketIds],
  );
  const out = new Map<string, InstanceRow[]>();
  for (const r of rows) {
    const key = String(r.ticket_id);
    const list = out.get(key);
    if (list) list.push(r);
    else out.set(key, [r]);
  }
  return out;
}

export const readInstance = async (em: EntityManager, id: string): Promise<InstanceRow | undefined> =>
  queryOne<InstanceRow>(em, `select ${INSTANCE_COLUMNS} from workflow_instance where id::text = ?`, [id]);

export type WorkflowVersionRow = {
  id: number;
  workflow_id: number;
  version: number;
  graph: WorkflowGraph;
  published_by: number | null;
  published_at: Date;
};

const VERSION_COLUMNS = 'v.id, v.workflow_id, v.version, v.graph, v.published_by, v.published_at';

/** Published versions by id, with their workflow's key. */
export async function versionsById(
  em: EntityManager,
  ids: readonly number[],
): Promise<Map<number, WorkflowVersionRow & { workflow_key: string }>> {
  const rows = await query<WorkflowVersionRow & { workflow_key: string }>(
    em,
    `select ${VERSION_COLUMNS}, w.key as workflow_key from workflow_version v join workflow w on w.id = v.workflow_id
      where v.id = any(?::int[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Every published version of many workflows, newest first. */
export async function versionsOfWorkflows(
  em: EntityManager,
  workflowIds: readonly number[],
): Promise<Map<number, (WorkflowVersionRow & { workflow_key: string })[]>> {
  const rows = await query<WorkflowVersionRow & { workflow_key: string }>(
    em,
    `select ${VERSION_COLUMNS}, w.key as workflow_key from workflow_version v join workflow w on w.id = v.workflow_id
      where v.workflow_id = any(?::int[]) order by v.version desc`,
    [workflowIds],
  );
  const out = new Map<number, (WorkflowVersionRow & { workflow_key: string })[]>();
  for (const r of rows) {
    const list = out.get(r.workflow_id);
    if (list) list.push(r);
    else out.set(r.workflow_id, [r]);
  }
  return out;
}

export type WorkflowListRow = {
  id: number;
  key: string;
  name: string;
  draft: WorkflowGraph;
  latest_version: number;
  created_at: Date;
  updated_at: Date;
};

export const listWorkflows = (em: EntityManager): Promise<WorkflowListRow[]> =>
  query<WorkflowListRow>(
    em,
    'select id, key, name, draft, latest_version, created_at, updated_at from workflow order by key',
  );

/** A task to act on, with its ticket's facts, its instance and its ticket's row, all locked (see lockTaskForAction). */
export type LockedTask = {
  task: TaskWithTicket;
  instance: (InstanceRow & { template_version_id: number | null }) | null;
  ticket: (TicketRowLike & { custom_fields: Record<string, unknown> }) | null;
};
type TicketRowLike = Record<string, unknown> & { id: string | number };

/**
 * A task with everything acting on it needs, in one round trip: the task, its ticket's facts that
 * decide who may see it, its instance and its ticket's row, the instance and the ticket locked for
 * the transaction (the instances first, then the tickets, each in id order, as every workflow event
 * locks them). Inside a group transaction the tasks of the members that act at the same moment are
 * locked and read by one statement.
 */
export function lockTaskForAction(
  tx: EntityManager,
  taskId: string,
  options: { isShared: boolean },
): Promise<LockedTask | undefined> {
  return together(tx, 'lockTaskForAction', taskId, async (ids) => {
    const rows = await lockTasksForAction(tx, ids, options);
    return ids.map((id) => rows.get(id));
  });
}

/** Locks and reads the tasks (see lockTaskForAction): a prepared statement, parsed and planned once per connection. */
async function lockTasksForAction(
  tx: EntityManager,
  taskIds: string[],
  options: { isShared: boolean },
): Promise<Map<string, LockedTask>> {
  const rows = await queryPrepared<{
    task: TaskWithTicket;
    instance: LockedTask['instance'];
    ticket: LockedTask['ticket'];
  }>(tx, { name: 'docket_lock_tasks', isShared: options.isShared, sql: LOCK_TASKS_SQL }, [taskIds, taskIds]);
  return new Map(rows.map((r) => [r.task.id, { task: r.task, instance: r.instance, ticket: r.ticket }]));
}

const LOCK_TASKS_SQL = `with tasks as (select instance_id, ticket_id from workflow_task where id = any(?::text[])),
     locked_instance as (
       select i.* from workflow_instance i where i.id in (select instance_id from tasks) order by i.id for update
     ),
     locked_ticket as (
       select t.* from ticket t where t.id in (select ticket_id from tasks) order by t.id for update
     )
     select to_jsonb(w) || jsonb_build_object('t_creator', t.creator_user_id, 't_assignee', t.assignee_id,
              't_team', t.team_id, 't_org_path', t.org_path, 't_requester', t.requester_id,
              't_participants', t.participant_ids) as task,
            case when i.id is null then null else
              jsonb_build_object('id', i.id, 'ticket_id', i.ticket_id::text, 'parent_instance_id', i.parent_instance_id,
                'parent_reply', i.parent_reply, 'workflow_version_id', i.workflow_version_id, 'status', i.status,
                'state', i.state, 'seq', i.seq, 'template_version_id', t.template_version_id) end as instance,
            case when t.id is null then null else
              jsonb_build_object('id', t.id::text, 'number', t.number, 'template_id', t.template_id,
                'template_version_id', t.template_version_id, 'title', t.title, 'description', t.description,
                'status', t.status, 'status_name', t.status_name, 'priority', t.priority, 'form_data', t.form_data,
                'requester_id', t.requester_id, 'creator_user_id', t.creator_user_id, 'assignee_id', t.assignee_id,
                'team_id', t.team_id, 'org_unit_id', t.org_unit_id, 'org_path', t.org_path, 'channel', t.channel,
                'created_at', t.created_at, 'updated_at', t.updated_at, 'solved_at', t.solved_at,
                'closed_at', t.closed_at, 'custom_fields', t.custom_fields) end as ticket
       from workflow_task w
       left join locked_instance i on i.id = w.instance_id
       left join locked_ticket t on t.id = w.ticket_id
      where w.id = any(?::text[])`;

/** How long the steps at one node took over a period, and how many tokens wait or failed there now. */
export type NodeStatsRow = {
  node_id: string;
  waiting: number;
  failed: number;
  /** Steps at the node that ended in the period. */
  steps: number;
  p50_seconds: number | null;
  p90_seconds: number | null;
  /** When the longest wait there now began. */
  oldest_waiting_since: Date | null;
};

/**
 * Per node of a workflow (every version): open instances waiting or failed there now, and the
 * median and 90th percentile of the time steps there took, over the steps that ended in [from, to).
 * An instance last changed before `from` holds no step that ended after it.
 */
export async function workflowNodeStats(
  em: EntityManager,
  input: { workflowId: number; from: Date; to: Date },
): Promise<NodeStatsRow[]> {
  return query<NodeStatsRow>(
    em,
    `with inst as (
       select i.status, i.state, i.updated_at from workflow_instance i
         join workflow_version v on v.id = i.workflow_version_id
        where v.workflow_id = ?
     ),
     steps as (
       select t->>'nodeId' as node_id,
              extract(epoch from ((t->>'endedAt')::timestamptz - (t->>'startedAt')::timestamptz)) as seconds
         from inst, jsonb_array_elements(inst.state->'trace') as tr(t)
        where inst.updated_at >= ?::timestamptz and t->>'kind' = 'step' and t->>'endedAt' is not null
          and (t->>'endedAt')::timestamptz >= ?::timestamptz and (t->>'endedAt')::timestamptz < ?::timestamptz
     ),
     step_stats as (
       select node_id, count(*)::int as steps,
              percentile_cont(0.5) within group (order by seconds) as p50_seconds,
              percentile_cont(0.9) within group (order by seconds) as p90_seconds
         from steps group by node_id
     ),
     waits as (
       select k->>'nodeId' as node_id,
              count(*) filter (where k->>'status' = 'waiting')::int as waiting,
              count(*) filter (where k->>'status' = 'failed')::int as failed,
              min((inst.state->'trace'->((k->>'traceIndex')::int)->>'startedAt')::timestamptz) as oldest_waiting_since
         from inst, jsonb_each(inst.state->'tokens') as tk(id, k)
        where inst.status in ('waiting', 'failed') and k->>'status' in ('waiting', 'failed')
        group by 1
     )
     select coalesce(s.node_id, w.node_id) as node_id, coalesce(w.waiting, 0) as waiting,
            coalesce(w.failed, 0) as failed, coalesce(s.steps, 0) as steps,
            s.p50_seconds::float8 as p50_seconds, s.p90_seconds::float8 as p90_seconds, w.oldest_waiting_since
       from step_stats s full join waits w on w.node_id = s.node_id
      order by 1`,
    [input.workflowId, input.from, input.from, input.to],
  );
}

/** A running instance of a version, for the designer's migration check: its ticket and where it waits. */
export type RunningInstanceRow = {
  id: string;
  status: string;
  ticket_number: string | null;
  current_nodes: string[];
  created_at: Date;
};

/** The waiting or failed instances of a workflow version, oldest first. */
export const runningInstancesOfVersion = (
  em: EntityManager,
  versionId: number,
  first: number,
): Promise<RunningInstanceRow[]> =>
  query<RunningInstanceRow>(
    em,
    `select i.id::text as id, i.status, t.number as ticket_number, i.created_at,
            array(select k->>'nodeId' from jsonb_each(i.state->'tokens') as tk(id, k)
                   where k->>'status' in ('waiting', 'failed') order by 1) as current_nodes
       from workflow_instance i left join ticket t on t.id = i.ticket_id
      where i.workflow_version_id = ? and i.status in ('waiting', 'failed')
      order by i.created_at, i.id limit ?`,
    [versionId, first],
  );
