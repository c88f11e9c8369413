import type { Principal } from '@docket/core';
import { escapeLike } from '@docket/db';

/**
 * The SQL form of canSeeTicket (packages/core): a condition on the ticket table (alias `t`) with
 * its `?` bindings. Every ticket read and write goes through it or through canSeeTicket.
 */
export function ticketScopeSql(p: Principal, alias = 't'): { sql: string; params: unknown[] } {
  if (p.kind === 'customer') return { sql: `${alias}.requester_id = ?`, params: [p.customerId] };
  if (!p.permissions.has('ticket.read')) return { sql: 'false', params: [] };
  if (p.scope === 'all') return { sql: 'true', params: [] };
  const parts = [
    `${alias}.creator_user_id = ?`,
    `${alias}.assignee_id = ?`,
    `${alias}.participant_ids @> array[?::int]`,
  ];
  const params: unknown[] = [p.userId, p.userId, p.userId];
  if ((p.scope === 'team' || p.scope === 'org_subtree') && p.teamIds.length > 0) {
    parts.push(`${alias}.team_id in (${p.teamIds.map(() => '?').join(', ')})`);
    params.push(...p.teamIds);
  }
  if (p.scope === 'org_subtree' && p.orgPath) {
    parts.push(`${alias}.org_path like ?`);
    params.push(`${escapeLike(p.orgPath)}%`);
  }
  return { sql: `(${parts.join(' or ')})`, params };
}
