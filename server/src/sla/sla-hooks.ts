import type { Priority, StatusCategory } from '@docket/core';
import type { EntityManager } from '@docket/db';
import type { SlaService, SlaTicketEvent } from './sla-service.ts';

/** A workflow changed ticket fields ({field: {from, to}}): the clocks hear status and priority, and the policy is selected again. */
export async function slaAfterTicketPatch(
  sla: SlaService,
  tx: EntityManager,
  ticketId: string | number,
  diff: Record<string, { from: unknown; to: unknown }>,
): Promise<void> {
  if (!(diff.status || diff.priority || diff.orgUnitId)) return;
  const events: SlaTicketEvent[] = [];
  if (diff.status) events.push({ type: 'status_changed', category: diff.status.to as StatusCategory });
  if (diff.priority) events.push({ type: 'priority_changed', priority: diff.priority.to as Priority });
  await sla.ticketChanged(tx, ticketId, events);
}
