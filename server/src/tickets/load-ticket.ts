import type { Principal } from '@docket/core';
import { type EntityManager, queryOne } from '@docket/db';
import { requireSignedIn, ticketScope } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { type TicketRow, ticketColumns } from './ticket-row.ts';

/**
 * A ticket the principal may see, or NotFoundError: a ticket outside one's scope looks exactly
 * like one that does not exist. With forUpdate the row stays locked until the transaction ends.
 */
export async function loadVisibleTicket(
  em: EntityManager,
  principal: Principal | null,
  ref: { id?: number | string | null; number?: string | null },
  options: { forUpdate?: boolean } = {},
): Promise<TicketRow> {
  const p = requireSignedIn(principal);
  const scope = ticketScope(p, 't');
  const byId = ref.id != null;
  if (byId && !/^\d{1,15}$/.test(String(ref.id))) throw new NotFoundError(`Ticket ${ref.id}`, '/id');
  const row = await queryOne<TicketRow>(
    em,
    `select ${ticketColumns('t')} from ticket t where ${byId ? 't.id = ?' : 't.number = ?'} and ${scope.sql}
     ${options.forUpdate ? 'for update' : ''}`,
    [byId ? Number(ref.id) : ref.number, ...scope.params],
  );
  if (!row) throw new NotFoundError(`Ticket ${ref.id ?? ref.number}`, byId ? '/id' : '/number');
  return row;
}
