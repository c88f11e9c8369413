import type { Principal } from '@docket/core';
import { AdminChange, type EntityManager } from '@docket/db';

/**
 * The admin audit trail, as admin services write it: a change is recorded on the entity manager
 * that makes it, so it is written by the same flush or transaction (both or neither).
 */

export type AdminEntityType =
  | 'user'
  | 'role'
  | 'org_unit'
  | 'team'
  | 'api_token'
  | 'calendar'
  | 'sla_policy'
  | 'ticket_status'
  | 'template'
  | 'urge_rules'
  | 'wall_token';

export type AdminChangeInput = {
  action: 'create' | 'update' | 'delete';
  entityType: AdminEntityType;
  entityId: string | number;
  entityName: string;
  diff?: Record<string, unknown> | null;
};

/** Fields that differ between two snapshots, as { field: { from, to } }; null when none do. */
export function diffOf(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, { from: unknown; to: unknown }> | null {
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[key] ?? null;
    const to = after[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) diff[key] = { from, to };
  }
  return Object.keys(diff).length ? diff : null;
}

/** Adds the change to the entity manager's unit of work (written by its next flush or commit). */
export function recordAdminChange(
  em: EntityManager,
  actor: Principal | null,
  change: AdminChangeInput,
): void {
  em.create(AdminChange, {
    actorUserId: actor?.kind === 'user' ? actor.userId : null,
    action: change.action,
    entityType: change.entityType,
    entityId: String(change.entityId),
    entityName: change.entityName,
    diff: change.diff ?? null,
  });
}

/**
 * Flushes the entity manager's changes and the admin change they make in one transaction; the
 * change is described after the first flush, when new rows have their ids.
 */
export async function flushAudited(
  em: EntityManager,
  actor: Principal | null,
  changeOf: () => AdminChangeInput,
): Promise<void> {
  if (em.isInTransaction()) {
    // The caller's transaction holds both (and commits or rolls back both).
    await em.flush();
    recordAdminChange(em, actor, changeOf());
    await em.flush();
    return;
  }
  await em.begin();
  try {
    await em.flush();
    recordAdminChange(em, actor, changeOf());
    await em.commit();
  } catch (e) {
    await em.rollback();
    throw e;
  }
}
