import type { SlaPolicy } from '@docket/core';
import { createSlaEngine } from '@docket/engine';
import { describe, expect, it } from 'vitest';
import { clockChangeRows, durationText } from './sla-audit.ts';
import { canonical } from './sla-catalog.ts';

const policy: SlaPolicy = {
  id: '1',
  name: 'Tiers',
  position: 0,
  condition: '',
  pauseStatuses: [],
  targets: {
    first_response: { normal: { amount: 30, unit: 'minutes', time: 'calendar' } },
    resolution: { normal: { amount: 4, unit: 'hours', time: 'calendar' } },
  },
  actions: {},
};
const sla = createSlaEngine();
const T0 = '2026-06-01T01:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

describe('the SLA audit trail', () => {
  it('records each change of a clock with a target once, in order, as sla.<change>', () => {
    const created = sla.applySlaEvent(null, { type: 'ticket_created', at: T0, priority: 'normal', policy });
    expect(clockChangeRows(null, created.state).map((r) => r.kind)).toEqual(['sla.started', 'sla.started']);
    const paused = sla.applySlaEvent(created.state, {
      type: 'status_changed',
      at: at(10),
      category: 'pending',
    });
    const rows = clockChangeRows(created.state, paused.state);
    expect(rows).toEqual([
      {
        kind: 'sla.paused',
        body: 'Resolution clock paused (status changed) after 10 min.',
        diff: { resolution: { from: { status: 'running' }, to: { status: 'paused', consumedSeconds: 600 } } },
      },
    ]);
    const late = sla.dueActions(paused.state, new Date(at(31)));
    expect(clockChangeRows(paused.state, late.state).map((r) => [r.kind, r.body])).toEqual([
      ['sla.breached', `First response breached: it was due ${at(30)}.`],
    ]);
  });

  it('leaves clocks that only measure (no target) off the trail', () => {
    const created = sla.applySlaEvent(null, { type: 'ticket_created', at: T0, priority: 'low', policy });
    const replied = sla.applySlaEvent(created.state, { type: 'agent_public_reply', at: at(5) });
    expect(clockChangeRows(null, replied.state)).toEqual([]);
  });

  it('writes durations as people read them', () => {
    expect([45, 600, 3600, 5400, 7260].map(durationText)).toEqual([
      '45 s',
      '10 min',
      '1 h',
      '1 h 30 min',
      '2 h 1 min',
    ]);
  });
});

describe('canonical', () => {
  it('sorts keys at every depth, so a policy read back from jsonb compares equal', () => {
    const stored = JSON.parse(
      '{"targets":{"resolution":{"normal":{"unit":"hours","time":"calendar","amount":4}}},"id":"1"}',
    );
    const written = {
      id: '1',
      targets: { resolution: { normal: { amount: 4, unit: 'hours', time: 'calendar' } } },
    };
    expect(JSON.stringify(canonical(stored))).toBe(JSON.stringify(canonical(written)));
    expect(canonical([{ b: 1, a: [{ d: 1, c: 2 }] }])).toEqual([{ a: [{ c: 2, d: 1 }], b: 1 }]);
  });
});
