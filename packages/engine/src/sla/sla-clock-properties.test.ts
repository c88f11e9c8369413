import {
  addBusinessSeconds,
  businessSecondsBetween,
  createCalendar,
  PRIORITIES,
  SLA_METRICS,
  type SlaPolicy,
  type SlaTarget,
  STATUS_CATEGORIES,
} from '@docket/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSlaEngine } from './sla-clock.ts';
import type { SlaClock, SlaEvent, SlaResult, SlaScheduledFiring, SlaState } from './sla-state.ts';
import { after, HOUR, MINUTE, SlaTicket } from './testing/sla-ticket.ts';

const shanghai = createCalendar({
  timeZone: 'Asia/Shanghai',
  weeklyHours: [
    [],
    ...Array.from({ length: 5 }, () => [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ]),
    [],
  ],
  holidays: [{ date: '2026-10-01', until: '2026-10-07' }],
});
const sla = createSlaEngine({ calendars: new Map([['shanghai', shanghai]]) });
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');

/** Targets counted in the given time: counted(time)(2, 'hours'). */
const counted =
  (time: SlaTarget['time']) =>
  (amount: number, unit: SlaTarget['unit']): SlaTarget => ({ amount, unit, time });
const calendar = counted('calendar');
const business = counted('business');

/** Two policies with every metric, several priorities, both kinds of time and actions on both sides of the due time. */
function policy(id: string, time: SlaTarget['time']): SlaPolicy {
  const calendarId = time === 'business' ? { calendarId: 'shanghai' } : {};
  const target = counted(time);
  return {
    id,
    name: id,
    position: 0,
    condition: '',
    ...calendarId,
    pauseStatuses: ['Waiting for parts'],
    targets: {
      first_response: { urgent: target(15, 'minutes'), normal: target(1, 'hours') },
      next_response: { urgent: target(30, 'minutes'), high: calendar(2, 'hours') },
      periodic_update: { normal: target(3, 'hours') },
      resolution: { urgent: target(2, 'hours'), normal: target(1, 'days'), low: target(1, 'weeks') },
    },
    actions: {
      first_response: [
        { offsetMinutes: -10, kind: 'notify', recipients: [{ kind: 'assignee' }] },
        { offsetMinutes: 0, kind: 'escalate' },
        { offsetMinutes: 45, kind: 'raise_priority' },
      ],
      resolution: [
        { offsetMinutes: -60, kind: 'notify', recipients: [{ kind: 'cc' }] },
        { offsetMinutes: 30, kind: 'plugin', plugin: 'pager', action: 'page' },
      ],
    },
  };
}
const POLICIES = [policy('calendar-time', 'calendar'), policy('office', 'business'), null] as const;

type Step = {
  gap: number;
  event:
    | Exclude<SlaEvent, { type: 'ticket_created' | 'policy_changed' }>
    | { type: 'policy'; which: 0 | 1 | 2 };
};

const stepArb: fc.Arbitrary<Step> = fc.record({
  gap: fc.oneof(fc.integer({ min: 0, max: 10 * MINUTE }), fc.integer({ min: 0, max: 3 * 24 * HOUR })),
  event: fc.oneof(
    fc.constant({ type: 'agent_public_reply' as const, at: '' }),
    fc.constant({ type: 'customer_message' as const, at: '' }),
    fc.record({
      type: fc.constant('status_changed' as const),
      at: fc.constant(''),
      category: fc.constantFrom(...STATUS_CATEGORIES),
      status: fc.constantFrom(null, 'Waiting for parts', 'Escalated'),
    }),
    fc.record({
      type: fc.constant('priority_changed' as const),
      at: fc.constant(''),
      priority: fc.constantFrom(...PRIORITIES),
    }),
    fc.record({
      type: fc.constant('policy' as const),
      which: fc.constantFrom(0 as const, 1 as const, 2 as const),
    }),
  ),
});

const scenarioArb = fc.record({
  start: fc.integer({ min: 0, max: 360 * 24 * HOUR }),
  priority: fc.constantFrom(...PRIORITIES),
  policy: fc.constantFrom(0, 1, 2),
  steps: fc.array(stepArb, { maxLength: 25 }),
});

type Scenario = { start: number; priority: (typeof PRIORITIES)[number]; policy: number; steps: Step[] };

function eventsOf(s: Scenario): {
  created: Extract<SlaEvent, { type: 'ticket_created' }>;
  events: SlaEvent[];
} {
  const createdAt = new Date(YEAR_START + s.start * 1000).toISOString();
  let at = createdAt;
  const events: SlaEvent[] = s.steps.map(({ gap, event }) => {
    at = after(at, gap);
    return event.type === 'policy'
      ? { type: 'policy_changed', at, policy: POLICIES[event.which] ?? null }
      : { ...event, at };
  });
  return {
    created: {
      type: 'ticket_created',
      at: createdAt,
      priority: s.priority,
      policy: POLICIES[s.policy] ?? null,
    },
    events,
  };
}

function checkClock(
  clock: SlaClock,
  { before, state }: { before: SlaClock | undefined; state: SlaState },
): void {
  // versions only grow, and every change of status or due time comes with a new version
  if (before) {
    expect(clock.version).toBeGreaterThanOrEqual(before.version);
    if (clock.status !== before.status || clock.dueAt !== before.dueAt || clock.cycle !== before.cycle)
      expect(clock.version).toBeGreaterThan(before.version);
  }
  const versions = clock.history.map((h) => h.version);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(new Set(versions).size).toBe(versions.length);
  expect(versions.at(-1)).toBe(clock.version);
  // a breach happens at the due time and is never undone
  if (clock.breachedAt !== null) expect(clock.breachedAt).toBe(clock.dueAt);
  if (before?.breachedAt && before.cycle === clock.cycle) expect(clock.breachedAt).toBe(before.breachedAt);

  const open = clock.endedAt === null;
  const counting = clock.segments.at(-1)?.to === null;
  expect(clock.runningSince !== null).toBe(open && counting);
  if (!open) expect(['met', 'breached', 'stopped']).toContain(clock.status);
  else if (!counting) expect(clock.status).toBe('paused');
  else expect(clock.status).toBe(clock.breachedAt === null ? 'running' : 'breached');
  if (clock.status === 'met') expect(clock.targetSeconds).not.toBeNull();

  // the clock is brought up to date: nothing open is past its due time without being breached
  if (open && clock.targetSeconds !== null && clock.breachedAt === null) {
    if (counting) {
      expect(clock.dueAt).not.toBeNull();
      expect(Date.parse(clock.dueAt!)).toBeGreaterThan(Date.parse(state.updatedAt));
      // at the due time exactly nothing is left
      expect(sla.businessSecondsLeft(clock, new Date(clock.dueAt!))).toBe(0);
    } else expect(clock.dueAt).toBeNull();
  }
}

function checkStep(result: SlaResult, before: SlaState | null): void {
  const { state } = result;
  for (const metric of SLA_METRICS) {
    const clock = state.clocks[metric];
    if (clock) checkClock(clock, { before: before?.clocks[metric], state });
  }
  for (const job of result.scheduled) {
    expect(result.changed).toContain(job.metric);
    expect(job.clockVersion).toBe(state.clocks[job.metric]?.version);
    expect(Date.parse(job.fireAt)).toBeGreaterThan(Date.parse(state.updatedAt));
  }
  for (const firing of result.fired)
    expect(Date.parse(firing.fireAt)).toBeLessThanOrEqual(Date.parse(state.updatedAt));
}

describe('SLA clock properties', () => {
  it('pausing for d business seconds moves the due time by exactly d business seconds', () => {
    fc.assert(
      fc.property(
        fc.record({
          startMs: fc.integer({ min: 0, max: 360 * 24 * HOUR * 1000 }),
          targetMinutes: fc.integer({ min: 1, max: 60 * 40 }),
          share: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          pauseMs: fc.integer({ min: 0, max: 12 * 24 * HOUR * 1000 }),
        }),
        ({ startMs, targetMinutes, share, pauseMs }) => {
          const resolutionOnly: SlaPolicy = {
            ...policy('office', 'business'),
            targets: { resolution: { normal: business(targetMinutes, 'minutes') } },
            actions: {},
          };
          const created = new Date(YEAR_START + startMs).toISOString();
          const t = new SlaTicket(sla, { at: created, priority: 'normal', policy: resolutionOnly });
          const dueBefore = t.clock('resolution').dueAt!;
          const pauseAt = addBusinessSeconds(
            shanghai,
            new Date(created),
            Math.floor(share * targetMinutes * 60),
          );
          const resumeAt = new Date(pauseAt.getTime() + pauseMs);
          t.send({ type: 'status_changed', at: pauseAt.toISOString(), category: 'pending' });
          t.send({ type: 'status_changed', at: resumeAt.toISOString(), category: 'open' });
          const dueAfter = t.clock('resolution').dueAt!;
          const paused = businessSecondsBetween(shanghai, pauseAt, resumeAt);
          expect(businessSecondsBetween(shanghai, new Date(dueBefore), new Date(dueAfter))).toBe(paused);
          expect(t.clock('resolution').status).toBe('running');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps its invariants over any sequence of events', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { created, events } = eventsOf(scenario);
        let result = sla.applySlaEvent(null, created);
        checkStep(result, null);
        for (const event of events) {
          const before = result.state;
          result = sla.applySlaEvent(before, event);
          checkStep(result, before);
          for (const metric of SLA_METRICS) {
            const clock = result.state.clocks[metric];
            if (!clock) continue;
            // a job for an older version does nothing
            const stale = sla.onTimer(result.state, {
              metric,
              version: clock.version - 1,
              actionIndex: null,
              now: new Date(Date.parse(result.state.updatedAt) + 365 * 24 * HOUR * 1000),
            });
            expect(stale.stale).toBe(true);
            expect(stale.state).toBe(result.state);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result when the same events are replayed', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { created, events } = eventsOf(scenario);
        const run = (): SlaResult[] => {
          const out = [sla.applySlaEvent(null, created)];
          for (const e of events) out.push(sla.applySlaEvent(out.at(-1)!.state, e));
          return out;
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 100 },
    );
  });

  it('with a job queue run on time, each action runs at most once per cycle and never early', () => {
    const noPolicyChange = scenarioArb.map((s) => ({
      ...s,
      policy: s.policy === 2 ? 0 : s.policy,
      steps: s.steps.filter((step) => step.event.type !== 'policy'),
    }));
    fc.assert(
      fc.property(noPolicyChange, (scenario) => {
        const { created, events } = eventsOf(scenario);
        let result = sla.applySlaEvent(null, created);
        let state = result.state;
        let queue: SlaScheduledFiring[] = [...result.scheduled];
        const fired: string[] = result.fired.map((f) => f.key);
        const runJobsUntil = (until: number): void => {
          for (;;) {
            queue.sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt));
            const job = queue[0];
            if (!job || Date.parse(job.fireAt) > until) return;
            queue = queue.slice(1);
            const now = new Date(job.fireAt);
            const r = sla.onTimer(state, {
              metric: job.metric,
              version: job.clockVersion,
              actionIndex: job.actionIndex,
              now,
            });
            if (r.stale) continue;
            for (const f of r.fired) {
              expect(Date.parse(f.fireAt)).toBeLessThanOrEqual(now.getTime());
              fired.push(f.key);
            }
            state = r.state;
            queue.push(...r.scheduled);
          }
        };
        for (const event of events) {
          runJobsUntil(Date.parse(event.at));
          result = sla.applySlaEvent(state, event);
          state = result.state;
          fired.push(...result.fired.map((f) => f.key));
          queue.push(...result.scheduled);
        }
        runJobsUntil(Date.parse(state.updatedAt) + 120 * 24 * HOUR * 1000);
        expect(fired.length).toBe(new Set(fired).size);
        // every open clock with a target is breached or still ahead of its due time
        for (const clock of Object.values(state.clocks))
          if (clock.endedAt === null && clock.status === 'running') expect(clock.targetSeconds).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
