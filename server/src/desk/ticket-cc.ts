import { type Channel, type FieldError, fieldError, type Principal, ValidationFailed } from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { canHandToPerson } from '../org/assignees.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { actorOf, type TicketStore } from '../tickets/ticket-store.ts';

export type SetTicketCcInput = { id: string | number; userIds: readonly number[] };

/** At most this many people on a ticket's own CC list. */
export const MAX_CC = 50;

/**
 * Sets a ticket's own CC list (staff the desk adds; the open step's CC list comes from its
 * workflow and stays as it is). Whoever may change the ticket may change the list; a person added
 * must be active staff the caller may hand work to. Those added take part in the ticket (they keep
 * seeing it). One `cc.changed` entry says who was added and who removed.
 */
export async function setTicketCc(
  deps: { tickets: TicketStore },
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: SetTicketCcInput,
): Promise<TicketRow> {
  const staff = requireStaff(principal, 'ticket.update');
  const wanted = [...new Set(input.userIds)];
  if (wanted.length > MAX_CC)
    throw new ValidationFailed(
      [fieldError('/userIds', 'too_many', `A CC list may hold at most ${MAX_CC} people.`)],
      'The CC list was not changed: fix the fields listed.',
    );
  return em.transactional(async (tx) => {
    const t = await findVisibleTicket(tx, staff, { id: input.id }, { forUpdate: true });
    const current = await queryOne<{ cc_user_ids: number[] }>(
      tx,
      'select cc_user_ids from ticket where id = ?',
      [t.id],
    );
    const before = current?.cc_user_ids ?? [];
    const added = wanted.filter((id) => !before.includes(id));
    const errors: FieldError[] = [];
    if (added.length > 0) {
      const active = new Set(
        (
          await query<{ id: number }>(tx, 'select id from app_user where id = any(?::int[]) and is_active', [
            added,
          ])
        ).map((r) => r.id),
      );
      // Named by their place in the list the caller sent (a repeat is checked once, at its first place).
      const seen = new Set<number>();
      for (const [i, id] of input.userIds.entries()) {
        if (seen.has(id) || !added.includes(id)) continue;
        seen.add(id);
        if (!active.has(id))
          errors.push(
            fieldError(`/userIds/${i}`, 'not_found', `User ${id} does not exist or is deactivated.`),
          );
        else if (!(await canHandToPerson(tx, staff, id)))
          errors.push(
            fieldError(
              `/userIds/${i}`,
              'forbidden',
              `User ${id} is outside your org units and teams: you may not put them on this ticket's CC list.`,
            ),
          );
      }
    }
    if (errors.length)
      throw new ValidationFailed(errors, 'The CC list was not changed: fix the fields listed.');
    const row: TicketRow & { cc_user_ids: number[] } = { ...t, cc_user_ids: before };
    const { row: changed } = await deps.tickets.change(tx, t.id, {
      fields: { ccUserIds: wanted },
      participants: added,
      entry: { kind: 'cc.changed', isPublic: false },
      actor: actorOf(staff, channel),
      origin: 'ticket',
      before: row,
    });
    return changed;
  });
}
