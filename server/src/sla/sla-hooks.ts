import type { Priority, StatusCategory } from '@docket/core';
import type { EntityManager, MikroORM } from '@docket/db';
import type { SlaService, SlaTicketEvent } from './sla-service.ts';

/**
 * The SLA's hook into changes other domains make to tickets inside their own transactions (the
 * workflow runtime setting status, priority or org unit). The service is found through the
 * transaction's ORM, so those domains need not be handed the SLA service.
 */
const byOrm = new WeakMap<object, SlaService>();

export function registerSlaService(orm: MikroORM, sla: SlaService): void {
  byOrm.set(orm.config, sla);
}

export function unregisterSlaService(orm: MikroORM, sla: SlaService): void {
  if (byOrm.get(orm.config) === sla) byOrm.delete(orm.config);
}

/** A workflow changed ticket fields ({field: {from, to}}): the clocks hear status and priority, and the policy is selected again. */
export async function slaAfterTicketPatch(
  tx: EntityManager,
  ticketId: string | number,
  diff: Record<string, { from: unknown; to: unknown }>,
): Promise<void> {
  const sla = byOrm.get(tx.config);
  if (!sla || !(diff.status || diff.priority || diff.orgUnitId)) return;
  const events: SlaTicketEvent[] = [];
  if (diff.status) events.push({ type: 'status_changed', category: diff.status.to as StatusCategory });
  if (diff.priority) events.push({ type: 'priority_changed', priority: diff.priority.to as Priority });
  await sla.ticketChanged(tx, ticketId, events);
}
