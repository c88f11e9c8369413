/**
 * A clock a test moves by hand (services.clock): SLA clocks and urges read it. It starts at the
 * given instant and moves only when told.
 */
export class ManualClock {
  private ms: number;

  constructor(start: number | string | Date = Date.now()) {
    this.ms = typeof start === 'number' ? start : new Date(start).getTime();
  }

  now(): number {
    return this.ms;
  }

  set(at: number | string | Date): void {
    this.ms = typeof at === 'number' ? at : new Date(at).getTime();
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000);
  }
}
