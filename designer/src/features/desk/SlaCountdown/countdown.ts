/**
 * An SLA clock as the desk shows it, at an instant: the time left (or over) as "01:02:03" /
 * "-00:05:00", and its tone: ok, warning (amber: within the last quarter of its target, or 30
 * minutes), breached (red) or paused. Pure, so a second's tick only recomputes text.
 */

export type ClockTone = 'ok' | 'warning' | 'breached' | 'paused' | 'done';

export type ClockFacts = {
  status: string | null | undefined;
  dueAt: string | null | undefined;
  targetSeconds: number | null | undefined;
  /** Seconds left when the clock was read (businessSecondsLeft), for a paused clock. */
  secondsLeftAtRead: number | null | undefined;
};

const WARNING_WINDOW_SECONDS = 30 * 60;

export function formatSeconds(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(Math.trunc(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${sign}${pad(h)}:${pad(m)}:${pad(sec)}`;
}

/** Seconds left at `nowMs`: counting down from the due time while running, frozen while paused. */
export function secondsLeft(clock: ClockFacts, nowMs: number): number | null {
  if (clock.status === 'paused') return clock.secondsLeftAtRead ?? null;
  if (!clock.dueAt) return clock.secondsLeftAtRead ?? null;
  return Math.floor((Date.parse(clock.dueAt) - nowMs) / 1000);
}

export function toneOf(clock: ClockFacts, nowMs: number): ClockTone {
  if (clock.status === 'met' || clock.status === 'stopped') return 'done';
  if (clock.status === 'paused') return 'paused';
  const left = secondsLeft(clock, nowMs);
  if (clock.status === 'breached' || (left !== null && left < 0)) return 'breached';
  if (left === null) return 'ok';
  const window = Math.min(WARNING_WINDOW_SECONDS, Math.max(60, (clock.targetSeconds ?? 0) / 4));
  return left <= window ? 'warning' : 'ok';
}
