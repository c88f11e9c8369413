import type { Priority, StatusCategory } from '@docket/core';
import type { EntityManager } from '@docket/db';
import type { SlaService, SlaTicketEvent } from './sla-service.ts';

type Diff = Record<string, { from: unknown; to: unknown }>;

/** The clock events a change of ticket fields ({field: {from, to}}) means: status and priority. */
export function slaEventsOf(diff: Diff): SlaTicketEvent[] {
  const events: SlaTicketEvent[] = [];
  if (diff.status)
    events.push({
      type: 'status_changed',
      category: diff.status.to as StatusCategory,
      status: (diff.statusName?.to as string | null | undefined) ?? null,
    });
  if (diff.priority) events.push({ type: 'priority_changed', priority: diff.priority.to as Priority });
  return events;
}

/** A workflow changed ticket fields: the clocks hear status and priority, and the policy is selected again. */
export async function slaAfterTicketPatch(
  sla: SlaService,
  tx: EntityManager,
  ticketId: string | number,
  diff: Diff,
): Promise<void> {
  if (!(diff.status || diff.priority || diff.orgUnitId)) return;
  await sla.ticketChanged(tx, ticketId, slaEventsOf(diff));
}
