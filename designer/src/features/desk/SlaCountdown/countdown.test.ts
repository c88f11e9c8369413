import { describe, expect, it } from 'vitest';
import { formatSeconds, secondsLeft, toneOf } from './countdown.ts';

const now = Date.parse('2026-06-01T10:00:00Z');
const due = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

describe('an SLA countdown', () => {
  it('formats time left and time over', () => {
    expect(formatSeconds(20 * 60)).toBe('00:20:00');
    expect(formatSeconds(-5 * 60)).toBe('-00:05:00');
    expect(formatSeconds(3 * 3600 + 61)).toBe('03:01:01');
  });

  it('counts down from the due time, and holds still while paused', () => {
    expect(
      secondsLeft({ status: 'running', dueAt: due(20), targetSeconds: 1800, secondsLeftAtRead: 0 }, now),
    ).toBe(1200);
    expect(
      secondsLeft(
        { status: 'paused', dueAt: null, targetSeconds: 1800, secondsLeftAtRead: 600 },
        now + 60_000,
      ),
    ).toBe(600);
  });

  it('turns amber in the last quarter of a target, red once past it', () => {
    const clock = { status: 'running', dueAt: due(20), targetSeconds: 3600 * 4, secondsLeftAtRead: null };
    expect(toneOf({ ...clock, dueAt: due(60) }, now)).toBe('ok');
    expect(toneOf(clock, now)).toBe('warning');
    expect(toneOf({ ...clock, targetSeconds: 1800, dueAt: due(10) }, now)).toBe('ok');
    expect(toneOf({ ...clock, targetSeconds: 1800, dueAt: due(7) }, now)).toBe('warning');
    expect(toneOf({ ...clock, dueAt: due(-1) }, now)).toBe('breached');
    expect(toneOf({ ...clock, status: 'breached' }, now)).toBe('breached');
    expect(toneOf({ ...clock, status: 'paused' }, now)).toBe('paused');
    expect(toneOf({ ...clock, status: 'met' }, now)).toBe('done');
  });
});
