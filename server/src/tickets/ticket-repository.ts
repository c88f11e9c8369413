import { fieldError, type Principal, ValidationFailed } from '@docket/core';
import {
  type EntityManager,
  escapeLike,
  insertJobsSql,
  type JobRow,
  pgJson,
  query,
  queryOne,
  queryPrepared,
  type WritePart,
} from '@docket/db';
import { requireSignedIn, ticketScope } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { TICKET_COLUMNS, type TicketEventRow, type TicketRow, ticketColumns } from './ticket-row.ts';

/**
 * The tickets domain's SQL. Tickets and their audit trail are the hottest tables: every statement
 * here is hand-written and set-based (one statement for many rows), and only the ticket store
 * (ticket-store.ts) writes through it.
 */

/** One audit entry as the statements write it. */
export type EventRow = {
  ticket_id?: string;
  kind: string;
  actor_kind: 'user' | 'customer' | 'system';
  actor_id: number | null;
  via_token_id: number | null;
  channel: string;
  is_public: boolean;
  body: string | null;
  diff: unknown;
};

/**
 * A ticket to insert, with everything written with it. `id`, `seq` and `at` are given when they
 * were drawn beforehand; otherwise the statement draws them (`sequence` numbers the ticket).
 */
export type NewTicket = {
  id?: string;
  seq?: string;
  at?: string;
  sequence: string;
  /** The number is prefix + the counter padded to width + suffix. */
  prefix: string;
  width: number;
  suffix: string;
  template_id: number;
  template_version_id: number;
  title: string;
  description: string;
  status: string;
  status_name: string | null;
  priority: string;
  form_data: unknown;
  form_text: string;
  custom_fields: Record<string, unknown>;
  participant_ids: number[];
  requester_id: number | null;
  creator_user_id: number | null;
  assignee_id: number | null;
  team_id: number | null;
  org_unit_id: number | null;
  channel: string;
  /** Its audit trail, in order. */
  events: EventRow[];
  /**
   * Written by the same statement for speed: the ticket's SLA clock state (the SLA's planner fills
   * it) and a workflow run folded into the ticket (the workflows' planner fills it).
   */
  policy_id: number | null;
  sla_state: unknown;
  /** The clocks' instants the desk's SLA views read (slaInstants of sla_state). */
  sla_next_due_at: string | null;
  sla_breach_at: string | null;
  instance?: { id: string; workflow_version_id: number; status: string; seq: number; state: unknown };
  /** Rows other domains write with the ticket, by their writer's key (see CreationRowWriter). */
  rows: Record<string, unknown[]>;
  /** Jobs (timers, calls, deliveries); TICKET_ID_PLACEHOLDER in a key or data stands for the ticket's id. */
  jobs: JobRow[];
};

/**
 * Inserts tickets in one statement (insertTicketsSql), each with its number (drawn here unless
 * given), its audit trail, its SLA clocks, a folded workflow run, and the rows other domains
 * write with it. Returns the rows in the order given. Inside the entity manager's transaction when
 * it has one.
 */
export function insertTickets(
  em: EntityManager,
  statement: { sql: string; isShared: boolean; timeoutMs?: number },
  tickets: NewTicket[],
): Promise<TicketRow[]> {
  return queryPrepared<TicketRow>(em, { name: 'docket_insert_tickets', ...statement }, [pgJson(tickets)]);
}

/**
 * Rows another domain writes with a new ticket, in the same statement (a planned workflow's tasks,
 * notices): `insert` is an INSERT … SELECT reading rows `x` (jsonb) of the ticket `r.id` FROM the
 * clause it is given.
 */
export type CreationRowWriter = { key: string; insert: (from: string) => string };

/** A new ticket's id, number counter and creation time, drawn before it is written. */
export async function drawTicketIdentity(
  em: EntityManager,
  sequence: string,
  isShared: boolean,
): Promise<{ id: string; seq: string; now: Date }> {
  const [got] = await queryPrepared<{ id: string; seq: string; now: Date | string }>(
    em,
    {
      name: 'docket_draw_ticket',
      sql: `select nextval('ticket_id_seq'::regclass)::text as id, nextval(?::regclass)::text as seq, now() as now`,
      isShared,
    },
    [sequence],
  );
  if (!got) throw new Error('Drawing a ticket id returned nothing.');
  return { ...got, now: new Date(got.now) };
}

/** Stands for the ticket's id in planned job keys and data (ticket-store's TICKET_ID_PLACEHOLDER). */
const PLACEHOLDER = '{ticketId}';

/**
 * The statement inserting tickets with everything written with them. `r` is materialised (it calls
 * nextval), so each ticket draws its id and counter exactly once.
 */
export const insertTicketsSql = (writers: readonly CreationRowWriter[]): string => `with r as (
         select x.n, x.v,
                coalesce((x.v->>'id')::bigint, nextval('ticket_id_seq'::regclass)) as id,
                coalesce(x.v->>'seq', nextval((x.v->>'sequence')::regclass)::text) as seq,
                coalesce((x.v->>'at')::timestamptz, now()) as at,
                coalesce((x.v->>'org_unit_id')::int,
                         (select org_unit_id from team where id = (x.v->>'team_id')::int)) as org_unit_id
           from jsonb_array_elements(?::jsonb) with ordinality as x(v, n)
       ),
       t as (
         insert into ticket (id, number, template_id, template_version_id, title, description, status, status_name, priority,
                             form_data, form_text, custom_fields, participant_ids, requester_id, creator_user_id,
                             assignee_id, team_id, org_unit_id, org_path, channel, created_at, updated_at, solved_at, closed_at)
         select r.id,
                (r.v->>'prefix') || lpad(r.seq, greatest(length(r.seq), (r.v->>'width')::int), '0') || (r.v->>'suffix'),
                (r.v->>'template_id')::int, (r.v->>'template_version_id')::int, r.v->>'title', r.v->>'description',
                r.v->>'status', r.v->>'status_name', r.v->>'priority', r.v->'form_data', r.v->>'form_text', r.v->'custom_fields',
                array(select jsonb_array_elements_text(r.v->'participant_ids')::int),
                (r.v->>'requester_id')::int, (r.v->>'creator_user_id')::int, (r.v->>'assignee_id')::int,
                (r.v->>'team_id')::int, r.org_unit_id, coalesce(u.path, '/'), r.v->>'channel', r.at, r.at,
                case when r.v->>'status' = 'solved' then r.at end, case when r.v->>'status' = 'closed' then r.at end
           from r left join org_unit u on u.id = r.org_unit_id
          order by r.n
         returning ${TICKET_COLUMNS}
       ),
       e as (
         insert into ticket_event (ticket_id, kind, actor_kind, actor_id, via_token_id, channel, is_public, body, diff, created_at)
         select r.id, a.value->>'kind', a.value->>'actor_kind', (a.value->>'actor_id')::int,
                (a.value->>'via_token_id')::int, a.value->>'channel', (a.value->>'is_public')::boolean,
                a.value->>'body', nullif(a.value->'diff', 'null'::jsonb), r.at
           from r cross join jsonb_array_elements(r.v->'events') with ordinality as a(value, n)
          order by r.n, a.n
       ),
       s as (
         insert into ticket_sla (ticket_id, policy_id, state, next_due_at, breach_at)
         select r.id, (r.v->>'policy_id')::int, r.v->'sla_state',
                (r.v->>'sla_next_due_at')::timestamptz, (r.v->>'sla_breach_at')::timestamptz from r
       ),
       i as (
         insert into workflow_instance (id, ticket_id, workflow_version_id, status, seq, state)
         select (w.v->>'id')::uuid, t.id, (w.v->>'workflow_version_id')::int, w.v->>'status', (w.v->>'seq')::int,
                -- the ticket as the run saw it, with what the database gave it
                jsonb_set(w.v->'state', '{ticket}', (w.v->'state'->'ticket') || jsonb_build_object(
                  'id', t.id, 'number', t.number,
                  'createdAt', to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
           from r cross join lateral (select r.v->'instance' as v) w
           join t on t.id = r.id
          where jsonb_typeof(w.v) = 'object'
       ),
${writers.map((w, i) => `       w${i} as (\n${w.insert(`r cross join jsonb_array_elements(r.v->'rows'->'${w.key}') as e${i}(x)`)}\n       ),\n`).join('')}       j as (
         ${insertJobsSql(`(select replace(x->>'key', '${PLACEHOLDER}', r.id::text) as key, x->>'name' as name,
                                  replace((x->'data')::text, '${PLACEHOLDER}', r.id::text)::jsonb as data,
                                  (x->>'start_after')::timestamptz as start_after, (x->>'retry_limit')::int as retry_limit,
                                  (x->>'expire_seconds')::int as expire_seconds
                             from r cross join jsonb_array_elements(r.v->'jobs') as jb(x)) j`)}
       )
       select t.* from t join r on r.id = t.id order by r.n`;

/** A ticket by id (with its custom fields and participants), locked for the transaction when asked. */
export async function readTicketForChange(
  tx: EntityManager,
  ticketId: string | number,
): Promise<(TicketRow & { custom_fields: Record<string, unknown>; participant_ids: number[] }) | undefined> {
  return queryOne(
    tx,
    `select ${TICKET_COLUMNS}, custom_fields, participant_ids, cc_user_ids from ticket where id = ? for update`,
    [ticketId],
  );
}

/** The columns a change may set, by the name the audit trail uses for them. */
export const CHANGEABLE_COLUMNS = {
  title: 'title',
  description: 'description',
  priority: 'priority',
  status: 'status',
  statusName: 'status_name',
  formData: 'form_data',
  assigneeId: 'assignee_id',
  teamId: 'team_id',
  orgUnitId: 'org_unit_id',
  ccUserIds: 'cc_user_ids',
} as const;
export type ChangeableField = keyof typeof CHANGEABLE_COLUMNS;

/** How each changeable field is read from a change's JSON input `c` (see ticketUpdatePart). */
const FIELD_SQL: Record<ChangeableField, string> = {
  title: "c->>'title'",
  description: "c->>'description'",
  priority: "c->>'priority'",
  status: "c->>'status'",
  statusName: "c->>'statusName'",
  formData: "c->'formData'",
  assigneeId: "(c->>'assigneeId')::int",
  teamId: "(c->>'teamId')::int",
  orgUnitId: "(c->>'orgUnitId')::int",
  ccUserIds: "array(select jsonb_array_elements_text(c->'ccUserIds')::int)",
};

/**
 * A change of a ticket's fields as one part of a statement (writeTogether), returning the row. The
 * org path follows a new org unit; solved_at and closed_at follow the status (set on entering solved
 * or closed, cleared on leaving them); form text follows form data; participants are added; custom
 * fields are merged.
 */
export function ticketUpdatePart(
  ticketId: string | number,
  change: {
    columns: Partial<Record<ChangeableField, unknown>>;
    formText?: string;
    custom?: Record<string, unknown>;
    participants?: number[];
  },
): WritePart {
  const isStatusChanged = 'status' in change.columns;
  const sets = Object.keys(change.columns)
    .filter((field) => !(isStatusChanged && field === 'statusName'))
    .map(
      (field) => `${CHANGEABLE_COLUMNS[field as ChangeableField]} = ${FIELD_SQL[field as ChangeableField]}`,
    );
  if ('orgUnitId' in change.columns)
    sets.push(`org_path = coalesce((select path from org_unit where id = (c->>'orgUnitId')::int), '/')`);
  if (isStatusChanged)
    // SET expressions read the row as it was: the new status is read from the input where they
    // compare it. A ticket that moves to another category keeps no name of the old one: its name
    // is the one the change gives, or none. (Done here, not by a BEFORE UPDATE trigger: such a
    // trigger makes PostgreSQL rebuild the search vector on every update of a ticket.)
    sets.push(
      "solved_at = case when c->>'status' in ('solved', 'closed') then coalesce(t.solved_at, now()) end",
      "closed_at = case when c->>'status' = 'closed' then coalesce(t.closed_at, now()) end",
      `status_name = case when c->>'status' is distinct from t.status
                           and ${'statusName' in change.columns ? "c->>'statusName'" : 't.status_name'} is not distinct from t.status_name
                          then null else ${'statusName' in change.columns ? "c->>'statusName'" : 't.status_name'} end`,
    );
  if (change.formText !== undefined) sets.push("form_text = i.x->>'formText'");
  if (change.participants?.length)
    sets.push(
      `participant_ids = array(select distinct unnest(t.participant_ids || array(select jsonb_array_elements_text(i.x->'participants')::int)) order by 1)`,
    );
  if (change.custom && Object.keys(change.custom).length)
    sets.push("custom_fields = t.custom_fields || (i.x->'custom')");
  sets.push('updated_at = now()');
  return {
    isReturning: true,
    isRows: true,
    input: [
      {
        id: String(ticketId),
        c: change.columns,
        formText: change.formText,
        participants: change.participants ?? [],
        custom: change.custom ?? {},
      },
    ],
    // The tickets are found by their ids (an index lookup of each): joined with the JSON rows
    // alone, the planner cannot tell how few rows the JSON holds.
    sql: (input) =>
      `update ticket t set ${sets.join(', ')}
         from jsonb_array_elements(${input}) as i(x), lateral (select i.x->'c' as c) cc
        where t.id = any(array(select (r->>'id')::bigint from jsonb_array_elements(${input}) as r))
          and t.id = (i.x->>'id')::bigint
        returning ${ticketColumns('t')}`,
  };
}

/** Audit entries (of one ticket or many) as one part of a statement, written in the order given. */
export const eventsPart = (rows: (EventRow & { ticket_id: string })[]): WritePart => ({
  input: rows,
  isRows: true,
  sql: (input) =>
    `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, via_token_id, channel, is_public, body, diff)
     select (r.value->>'ticket_id')::bigint, r.value->>'kind', r.value->>'actor_kind', (r.value->>'actor_id')::int,
            (r.value->>'via_token_id')::int, r.value->>'channel', (r.value->>'is_public')::boolean, r.value->>'body',
            nullif(r.value->'diff', 'null'::jsonb)
       from jsonb_array_elements(${input}) with ordinality as r(value, n)
      order by r.n`,
});

/** Appends audit entries (to one ticket or many) in one statement, in the order given. */
export async function insertEvents(
  tx: EntityManager,
  rows: (EventRow & { ticket_id: string })[],
): Promise<void> {
  if (rows.length === 0) return;
  await query(
    tx,
    `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, via_token_id, channel, is_public, body, diff)
     select (r.value->>'ticket_id')::bigint, r.value->>'kind', r.value->>'actor_kind', (r.value->>'actor_id')::int,
            (r.value->>'via_token_id')::int, r.value->>'channel', (r.value->>'is_public')::boolean, r.value->>'body',
            nullif(r.value->'diff', 'null'::jsonb)
       from jsonb_array_elements(?::jsonb) with ordinality as r(value, n)
      order by r.n`,
    [pgJson(rows)],
  );
}

/** Moves every ticket under one org path to another (an org unit moved with its subtree). */
export async function moveTicketOrgPaths(tx: EntityManager, from: string, to: string): Promise<void> {
  // The move writes no ticket event, so the report facts are told here: they carry the path that
  // scopes and groups the reports.
  await query(
    tx,
    `with moved as (update ticket set org_path = ? || substr(org_path, ?) where org_path like ? returning id)
     insert into report_dirty_ticket (ticket_id) select id from moved`,
    [to, from.length + 1, `${from.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
  );
}

/** How many tickets lie under an org path (an org unit and its subtree), and how many of them are open. */
export async function countTicketsUnderOrgPath(
  em: EntityManager,
  path: string,
): Promise<{ total: number; open: number }> {
  const row = await queryOne<{ total: number; open: number }>(
    em,
    `select count(*)::int as total, count(*) filter (where status not in ('solved', 'closed'))::int as open
       from ticket where org_path like ?`,
    [`${escapeLike(path)}%`],
  );
  return row ?? { total: 0, open: 0 };
}

/**
 * A ticket the principal may see, or NotFoundError: a ticket outside one's scope looks exactly
 * like one that does not exist. With forUpdate the row stays locked until the transaction ends.
 */
export async function findVisibleTicket(
  em: EntityManager,
  principal: Principal | null,
  ref: { id?: number | string | null; number?: string | null },
  options: { forUpdate?: boolean } = {},
): Promise<TicketRow> {
  const scope = ticketScope(requireSignedIn(principal), 't');
  const byId = ref.id != null;
  if (byId && !/^\d{1,15}$/.test(String(ref.id))) throw new NotFoundError(`Ticket ${ref.id}`, '/id');
  const row = await queryOne<TicketRow>(
    em,
    `select ${ticketColumns('t')} from ticket t where ${byId ? 't.id = ?' : 't.number = ?'} and ${scope.sql}
     ${options.forUpdate ? 'for update' : ''}`,
    [byId ? Number(ref.id) : ref.number, ...scope.params],
  );
  if (!row) throw new NotFoundError(`Ticket ${ref.id ?? ref.number}`, byId ? '/id' : '/number');
  if (byId && ref.number != null && row.number !== ref.number)
    throw new ValidationFailed([
      fieldError(
        '/number',
        'mismatch',
        `Ticket ${ref.id} is numbered ${row.number}, not ${ref.number}: give the id or the number, or both of the same ticket.`,
      ),
    ]);
  return row;
}

/** A ticket's row again, inside the transaction that changed it. */
export async function rereadTicket(tx: EntityManager, id: string | number): Promise<TicketRow> {
  return (await queryOne<TicketRow>(tx, `select ${TICKET_COLUMNS} from ticket where id = ?`, [id]))!;
}

/** The audit trail, oldest first; public entries only unless asked otherwise. */
export function ticketTimeline(
  em: EntityManager,
  ticketId: string | number,
  options: { isInternalIncluded: boolean },
): Promise<TicketEventRow[]> {
  return query<TicketEventRow>(
    em,
    `select * from ticket_event where ticket_id = ? ${options.isInternalIncluded ? '' : 'and is_public'} order by id`,
    [ticketId],
  );
}

/** The staff on these tickets' own CC lists (in the order they were added). */
export async function ccOfTickets(em: EntityManager, ticketIds: string[]): Promise<Map<string, number[]>> {
  const rows = await query<{ id: string; cc_user_ids: number[] }>(
    em,
    'select id::text as id, cc_user_ids from ticket where id = any(?::bigint[])',
    [ticketIds],
  );
  return new Map(rows.map((r) => [r.id, r.cc_user_ids ?? []]));
}

/** The custom fields (set by workflow steps and plugins, beyond the form and the ticket's own fields) of these tickets. */
export async function customFieldsOfTickets(
  em: EntityManager,
  ticketIds: string[],
): Promise<Map<string, Record<string, unknown>>> {
  const rows = await query<{ id: string; custom_fields: Record<string, unknown> }>(
    em,
    'select id::text as id, custom_fields from ticket where id = any(?::bigint[])',
    [ticketIds],
  );
  return new Map(rows.map((r) => [r.id, r.custom_fields ?? {}]));
}
