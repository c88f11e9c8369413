import type { Channel, Principal } from '@docket/core';
import { type EntityManager, query } from '@docket/db';

export type Diff = Record<string, { from: unknown; to: unknown }>;

export const actorOf = (
  p: Principal,
): { kind: 'user' | 'customer'; id: number; viaTokenId: number | null } =>
  p.kind === 'user'
    ? { kind: 'user', id: p.userId, viaTokenId: p.viaTokenId }
    : { kind: 'customer', id: p.customerId, viaTokenId: null };

/** Appends to a ticket's audit trail (ticket_event is append-only: nothing updates or deletes it). */
export async function appendEvent(
  tx: EntityManager,
  e: {
    ticketId: number | string;
    kind: string;
    actor: Principal;
    channel: Channel;
    isPublic?: boolean;
    body?: string | null;
    diff?: Diff | null;
  },
): Promise<void> {
  const a = actorOf(e.actor);
  await query(
    tx,
    `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, via_token_id, channel, is_public, body, diff)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
    [
      e.ticketId,
      e.kind,
      a.kind,
      a.id,
      a.viaTokenId,
      e.channel,
      e.isPublic ?? true,
      e.body ?? null,
      e.diff ? JSON.stringify(e.diff) : null,
    ],
  );
}

/** The fields that differ between two snapshots, as {from, to}. */
export function diffOf(before: Record<string, unknown>, after: Record<string, unknown>): Diff {
  const diff: Diff = {};
  for (const [k, to] of Object.entries(after)) {
    if (to === undefined) continue;
    const from = before[k];
    if (JSON.stringify(from) !== JSON.stringify(to)) diff[k] = { from: from ?? null, to };
  }
  return diff;
}
