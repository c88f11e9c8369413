import type { Priority, StatusCategory } from '@docket/core';
import { type EntityManager, pgJson, query, queryOne, together, type WritePart } from '@docket/db';
import { type SlaState, slaInstants } from '@docket/engine';

/**
 * The SLA domain's SQL: each ticket's clock state (ticket_sla, one JSON document per ticket), the
 * facts policy conditions read, and urges. Timer batches and ticket changes are hot paths: the
 * statements are hand-written and set-based.
 */

/** What a policy condition reads about a ticket. */
export type FactsRow = {
  priority: Priority;
  status: StatusCategory;
  channel: string;
  org_path: string;
  form_data: Record<string, unknown>;
  template_key: string;
  category_path: string[] | null;
  tier: string | null;
};

export async function readFacts(tx: EntityManager, ticketId: string | number): Promise<FactsRow> {
  const row = await queryOne<FactsRow>(
    tx,
    `select t.priority, t.status, t.channel, t.org_path, t.form_data, tt.key as template_key,
            v.content->'categoryPath' as category_path, c.tier
       from ticket t
       join ticket_template tt on tt.id = t.template_id
       join ticket_template_version v on v.id = t.template_version_id
       left join customer c on c.id = t.requester_id
      where t.id = ?`,
    [ticketId],
  );
  if (!row) throw new Error(`Ticket ${ticketId} vanished inside its own transaction.`);
  return row;
}

/**
 * Locks the tickets (in id order), then their clocks: always in this order, as every ticket
 * change does. Gives each ticket's clock state by id; a ticket without clocks is left out.
 */
export async function lockClockStates(
  tx: EntityManager,
  ticketIds: readonly string[],
): Promise<{ ticket_id: string; state: SlaState }[]> {
  await query(tx, 'select id from ticket where id = any(?::bigint[]) order by id for no key update', [
    ticketIds,
  ]);
  return query<{ ticket_id: string; state: SlaState }>(
    tx,
    'select ticket_id::text as ticket_id, state from ticket_sla where ticket_id = any(?::bigint[]) for update',
    [ticketIds],
  );
}

/**
 * A ticket's clocks locked, with the facts its policy reads, in one round trip. The ticket is
 * locked first unless the caller holds its lock already (the order every ticket change takes).
 * Inside a group transaction the members that read their clocks at the same moment share the
 * statement.
 */
export async function lockClocksWithFacts(
  tx: EntityManager,
  ticketId: string | number,
  options: { isTicketLocked: boolean },
): Promise<{ state: SlaState; facts: FactsRow } | undefined> {
  if (!options.isTicketLocked)
    await query(tx, 'select id from ticket where id = ? for no key update', [ticketId]);
  return together(tx, 'lockClocksWithFacts', String(ticketId), async (ids) => {
    const rows = await query<FactsRow & { state: SlaState; ticket_id: string }>(
      tx,
      `select s.ticket_id::text as ticket_id, s.state, t.priority, t.status, t.channel, t.org_path, t.form_data,
              tt.key as template_key, v.content->'categoryPath' as category_path, c.tier
         from ticket_sla s
         join ticket t on t.id = s.ticket_id
         join ticket_template tt on tt.id = t.template_id
         join ticket_template_version v on v.id = t.template_version_id
         left join customer c on c.id = t.requester_id
        where s.ticket_id = any(?::bigint[]) order by s.ticket_id for update of s`,
      [ids],
    );
    const byId = new Map(rows.map(({ ticket_id, state, ...facts }) => [ticket_id, { state, facts }]));
    return ids.map((id) => byId.get(id));
  });
}

/** A clock state row with the instants the desk's SLA views read (ticket_sla.next_due_at, breach_at). */
const withInstants = <R extends { state: SlaState }>(row: R) => {
  const { nextDueAt, breachAt } = slaInstants(row.state);
  return { ...row, next_due_at: nextDueAt, breach_at: breachAt };
};

/** Clock states as one part of a statement (writeTogether). */
export const clockStatesPart = (
  rows: { ticket_id: string; policy_id: number | null; state: SlaState }[],
): WritePart => ({
  input: rows.map(withInstants),
  isRows: true,
  sql: (input) =>
    `update ticket_sla s set state = v.state, policy_id = v.policy_id, updated_at = now(),
            next_due_at = v.next_due_at, breach_at = v.breach_at
       from jsonb_to_recordset(${input})
         as v(ticket_id bigint, policy_id int, state jsonb, next_due_at timestamptz, breach_at timestamptz)
      where s.ticket_id = v.ticket_id`,
});

/** Stores clock states (one ticket or a timer batch's) with one statement. */
export async function saveClockStates(
  tx: EntityManager,
  rows: { ticket_id: string; policy_id: number | null; state: SlaState }[],
): Promise<void> {
  if (rows.length === 0) return;
  await query(
    tx,
    `update ticket_sla s set state = v.state, policy_id = v.policy_id, updated_at = now(),
            next_due_at = v.next_due_at, breach_at = v.breach_at
       from jsonb_to_recordset(?::jsonb)
         as v(ticket_id bigint, policy_id int, state jsonb, next_due_at timestamptz, breach_at timestamptz)
      where s.ticket_id = v.ticket_id`,
    [pgJson(rows.map(withInstants))],
  );
}

/** Clock states of many tickets (the GraphQL loaders batch them). */
export async function clockStatesOf(
  em: EntityManager,
  ticketIds: readonly string[],
): Promise<Map<string, { state: SlaState }>> {
  const rows = await query<{ ticket_id: string; state: SlaState }>(
    em,
    'select ticket_id::text, state from ticket_sla where ticket_id = any(?::bigint[])',
    [ticketIds],
  );
  return new Map(rows.map((r) => [r.ticket_id, { state: r.state }]));
}

export const readClockState = async (
  em: EntityManager,
  ticketId: string | number,
): Promise<SlaState | undefined> =>
  (await queryOne<{ state: SlaState }>(em, 'select state from ticket_sla where ticket_id = ?', [ticketId]))
    ?.state;

export const readCustomerTier = async (em: EntityManager, customerId: number): Promise<string | null> =>
  (await queryOne<{ tier: string | null }>(em, 'select tier from customer where id = ?', [customerId]))
    ?.tier ?? null;

/** The open workflow steps of a ticket, the soonest due first. */
export const openStepsOf = (
  tx: EntityManager,
  ticketId: string | number,
): Promise<
  {
    id: string;
    title: string;
    assignee_user_id: number | null;
    team_id: number | null;
    role_id: number | null;
    org_unit_id: number | null;
    due_at: Date | null;
  }[]
> =>
  query(
    tx,
    `select id, title, assignee_user_id, team_id, role_id, org_unit_id, due_at from workflow_task
      where ticket_id = ? and status = 'open' order by due_at nulls last, created_at`,
    [ticketId],
  );

export const urgesOf = (
  tx: EntityManager,
  ticketId: string | number,
): Promise<{ urged_by: string; urged_at: Date; step_id: string }[]> =>
  query(tx, 'select urged_by, urged_at, step_id from ticket_urge where ticket_id = ? order by id', [
    ticketId,
  ]);

export async function insertUrge(
  tx: EntityManager,
  urge: {
    ticketId: string | number;
    by: string;
    stepId: string;
    note: string | null;
    at: string;
    notified: number[];
  },
): Promise<string> {
  const row = await queryOne<{ id: string }>(
    tx,
    `insert into ticket_urge (ticket_id, urged_by, step_id, note, urged_at, notified)
     values (?, ?, ?, ?, ?, ?) returning id`,
    [urge.ticketId, urge.by, urge.stepId, urge.note, urge.at, urge.notified],
  );
  return row!.id;
}
