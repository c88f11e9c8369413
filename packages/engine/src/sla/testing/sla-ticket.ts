import type { Priority, SlaMetric, SlaPolicy, StatusCategory } from '@docket/core';
import type { SlaEngine } from '../sla-clock.ts';
import type { SlaClock, SlaEvent, SlaResult, SlaState } from '../sla-state.ts';

/** Test helpers for the SLA clocks: instants as offsets, and a ticket that keeps its state. */

export const MINUTE = 60;
export const HOUR = 3600;

/** The instant `seconds` after `start` (ISO 8601). */
export const after = (start: string, seconds: number): string =>
  new Date(Date.parse(start) + seconds * 1000).toISOString();

/** An ISO instant normalised the way the engine writes it. */
export const instant = (text: string): string => new Date(text).toISOString();

export type TicketStart = {
  at: string;
  priority: Priority;
  policy: SlaPolicy | null;
  category?: StatusCategory;
  status?: string | null;
};

/** A ticket's SLA state driven event by event, as the server would store it between events. */
export class SlaTicket {
  state: SlaState;
  last: SlaResult;
  readonly results: SlaResult[] = [];

  constructor(
    readonly sla: SlaEngine,
    start: TicketStart,
  ) {
    this.last = sla.applySlaEvent(null, { type: 'ticket_created', ...start });
    this.state = this.last.state;
    this.results.push(this.last);
  }

  send(event: Exclude<SlaEvent, { type: 'ticket_created' }>): SlaResult {
    this.last = this.sla.applySlaEvent(this.state, event);
    this.state = this.last.state;
    this.results.push(this.last);
    return this.last;
  }

  /** Runs the clocks up to `now` as a sweep would. */
  tick(now: string): SlaResult {
    this.last = this.sla.dueActions(this.state, new Date(now));
    this.state = this.last.state;
    this.results.push(this.last);
    return this.last;
  }

  clock(metric: SlaMetric): SlaClock {
    const clock = this.state.clocks[metric];
    if (!clock) throw new Error(`No ${metric} clock.`);
    return clock;
  }

  left(metric: SlaMetric, now: string): number | null {
    return this.sla.businessSecondsLeft(this.clock(metric), new Date(now));
  }
}
