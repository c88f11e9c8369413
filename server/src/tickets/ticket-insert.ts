import { type EntityManager, pgJson, queryPrepared } from '@docket/db';
import type { InstanceRow } from '../workflows/workflow-runtime.ts';
import { TICKET_COLUMNS, type TicketRow } from './ticket-row.ts';

/** One audit entry of a new ticket, as the insert statement reads it. */
export type NewTicketEvent = {
  kind: string;
  actor_kind: string;
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
  events: NewTicketEvent[];
  policy_id: number | null;
  sla_state: unknown;
  /** A workflow run folded into the ticket: its completed instance. */
  instance?: Pick<InstanceRow, 'id' | 'workflow_version_id' | 'status' | 'seq' | 'state'>;
};

/**
 * Inserts tickets in one statement, each with its number (drawn here unless given), its audit
 * trail, its SLA clocks and, with a folded workflow run, its instance. Returns the rows in the
 * order given. Inside the entity manager's transaction when it has one.
 */
export async function insertTickets(
  em: EntityManager,
  tickets: NewTicket[],
  isShared: boolean,
): Promise<TicketRow[]> {
  return queryPrepared<TicketRow>(em, { name: 'docket_insert_tickets', sql: INSERT_TICKETS, isShared }, [
    pgJson(tickets),
  ]);
}

// `r` is materialised (it calls nextval), so each ticket draws its id and counter exactly once.
const INSERT_TICKETS = `with r as (
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
         insert into ticket_sla (ticket_id, policy_id, state)
         select r.id, (r.v->>'policy_id')::int, r.v->'sla_state' from r
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
       )
       select t.* from t join r on r.id = t.id order by r.n`;
