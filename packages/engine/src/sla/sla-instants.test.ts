import { describe, expect, it } from 'vitest';
import { slaInstants } from './sla-instants.ts';
import type { SlaState } from './sla-state.ts';

const clock = (c: {
  dueAt?: string | null;
  pausedAt?: string | null;
  breachedAt?: string | null;
  endedAt?: string | null;
}) => ({ dueAt: null, pausedAt: null, breachedAt: null, endedAt: null, ...c }) as never;
const state = (clocks: Record<string, unknown>) => ({ clocks }) as unknown as SlaState;

describe('slaInstants', () => {
  it('gives the earliest due time of a running clock, and the earliest breach', () => {
    expect(
      slaInstants(
        state({
          first_response: clock({ dueAt: '2026-11-30T10:15:00.000Z' }),
          resolution: clock({ dueAt: '2026-11-30T12:00:00.000Z' }),
        }),
      ),
    ).toEqual({ nextDueAt: '2026-11-30T10:15:00.000Z', breachAt: '2026-11-30T10:15:00.000Z' });
  });

  it('leaves out ended and paused clocks; a breached clock counts for the breach only', () => {
    expect(
      slaInstants(
        state({
          first_response: clock({
            dueAt: '2026-11-30T10:15:00.000Z',
            breachedAt: '2026-11-30T10:15:00.000Z',
          }),
          next_response: clock({ pausedAt: '2026-11-30T09:00:00.000Z' }),
          periodic_update: clock({ dueAt: '2026-11-30T08:00:00.000Z', endedAt: '2026-11-30T08:30:00.000Z' }),
          resolution: clock({ dueAt: '2026-11-30T12:00:00.000Z' }),
        }),
      ),
    ).toEqual({ nextDueAt: '2026-11-30T12:00:00.000Z', breachAt: '2026-11-30T10:15:00.000Z' });
    expect(slaInstants(state({ resolution: clock({ pausedAt: '2026-11-30T09:00:00.000Z' }) }))).toEqual({
      nextDueAt: null,
      breachAt: null,
    });
    expect(slaInstants(null)).toEqual({ nextDueAt: null, breachAt: null });
  });
});
