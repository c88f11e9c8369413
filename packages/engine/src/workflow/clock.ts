/** A duration as node configs write it. */
export type Duration = { amount: number; unit: 'minutes' | 'hours' | 'days' | 'weeks' };

/**
 * The time the engine runs at. `now` is read once per event; business time needs a calendar, which
 * the caller owns, so business-time timers only work with a clock that can add business time.
 */
export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  /** The instant `duration` of business time after `from`, in the given (or default) calendar. */
  addBusinessTime?(from: number, duration: Duration, calendarId?: string): number;
};

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 } as const;

export const durationMs = (d: Duration): number => Math.round(d.amount * UNIT_MS[d.unit]);

export type DueAfterInput = {
  clock: Clock;
  now: number;
  duration: Duration;
  time?: 'business' | 'calendar';
  calendarId?: string;
};

/** When a duration from `now` ends in business or calendar time, or why it cannot be known. */
export function dueAfter({ clock, now, duration, time, calendarId }: DueAfterInput): number | string {
  if (time !== 'business') return now + durationMs(duration);
  if (!clock.addBusinessTime)
    return 'Business time needs a business calendar, and none was given to the engine.';
  return clock.addBusinessTime(now, { amount: duration.amount, unit: duration.unit }, calendarId);
}

/** A clock stopped at one instant, for tests and for replaying a stored event. */
export const fixedClock = (at: number | string | Date): Clock => {
  const ms = typeof at === 'number' ? at : new Date(at).getTime();
  return { now: () => ms };
};

/** The real time, with business time unavailable (pass a calendar-aware clock for that). */
export const systemClock: Clock = { now: () => Date.now() };

export type VirtualClock = Clock & {
  set(ms: number): void;
  advance(ms: number): void;
};

/**
 * A clock a simulation moves by hand. Business time goes through `addBusinessTime` when given;
 * otherwise it is counted as calendar time (say so when showing results).
 */
export function virtualClock(
  start: number,
  addBusinessTime?: (from: number, duration: Duration, calendarId?: string) => number,
): VirtualClock {
  let now = start;
  return {
    now: () => now,
    set(ms) {
      now = Math.max(now, ms);
    },
    advance(ms) {
      now += Math.max(0, ms);
    },
    addBusinessTime: addBusinessTime ?? ((from, d) => from + durationMs(d)),
  };
}
