import type { SlaState } from './sla-state.ts';

/**
 * The two instants the desk's SLA views read from a ticket's clocks row (ticket_sla.next_due_at
 * and breach_at), written with the state in the same statement:
 * - nextDueAt: the earliest due time of a clock that runs (not ended, paused or breached);
 * - breachAt: the earliest instant a clock that has not ended breached, or will breach while it
 *   runs (the ticket counts as breached once it is past).
 */
export function slaInstants(state: SlaState | null | undefined): {
  nextDueAt: string | null;
  breachAt: string | null;
} {
  let nextDue: number | null = null;
  let breach: number | null = null;
  let nextDueAt: string | null = null;
  let breachAt: string | null = null;
  for (const clock of Object.values(state?.clocks ?? {})) {
    if (!clock || clock.endedAt) continue;
    const due = clock.dueAt ? Date.parse(clock.dueAt) : Number.NaN;
    if (
      !clock.pausedAt &&
      !clock.breachedAt &&
      clock.dueAt &&
      !Number.isNaN(due) &&
      (nextDue === null || due < nextDue)
    ) {
      nextDue = due;
      nextDueAt = clock.dueAt;
    }
    const at = clock.breachedAt ?? (clock.pausedAt ? null : clock.dueAt);
    const atMs = at ? Date.parse(at) : Number.NaN;
    if (at && !Number.isNaN(atMs) && (breach === null || atMs < breach)) {
      breach = atMs;
      breachAt = at;
    }
  }
  return { nextDueAt, breachAt };
}
