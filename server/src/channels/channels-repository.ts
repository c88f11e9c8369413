import { type EntityManager, query } from '@docket/db';
import type { SqlCondition } from '../access/policy.ts';

/** The channels domain's reads for the desk and for admins. */

export type OpenTicket = { id: string; number: string; title: string; status: string; created_at: Date };

/** A customer's open tickets within the caller's sight (the scope condition on alias t). */
export async function openTicketsOf(
  em: EntityManager,
  customerId: string,
  scope: SqlCondition,
): Promise<OpenTicket[]> {
  return query<OpenTicket>(
    em,
    `select t.id::text, t.number, t.title, t.status, t.created_at from ticket t
      where t.requester_id = ? and t.status not in ('solved', 'closed') and ${scope.sql}
      order by t.created_at desc limit 20`,
    [customerId, ...scope.params],
  );
}

export async function emailOfUser(em: EntityManager, userId: number): Promise<string | null> {
  const [row] = await query<{ email: string }>(em, 'select email from app_user where id = ?', [userId]);
  return row?.email.toLowerCase() ?? null;
}

/** Inbound messages for admins: the newest, or those of one status. */
export async function listInbound(
  em: EntityManager,
  input: { status: string | null; first: number },
): Promise<
  {
    id: string;
    transport: string;
    status: string;
    attempts: number;
    last_error: string | null;
    channel: string | null;
    ticket_id: string | null;
    outcome: Record<string, unknown> | null;
    envelope: Record<string, unknown>;
    received_at: Date;
    size: number;
  }[]
> {
  return query(
    em,
    `select id::text, transport, status, attempts, last_error, channel, ticket_id::text, outcome, envelope,
            received_at, octet_length(raw) as size
       from inbound_message ${input.status ? 'where status = ?' : ''} order by inbound_message.id desc limit ?`,
    input.status ? [input.status, input.first] : [input.first],
  );
}
