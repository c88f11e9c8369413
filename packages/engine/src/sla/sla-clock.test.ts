import {
  businessSecondsBetween,
  type CalendarDefinition,
  createCalendar,
  type SlaPolicy,
  type SlaTarget,
} from '@docket/core';
import { describe, expect, it } from 'vitest';
import { createSlaEngine, formatSlaCountdown } from './sla-clock.ts';
import { after, HOUR, instant, MINUTE, SlaTicket } from './testing/sla-ticket.ts';

const calendar = (amount: number, unit: SlaTarget['unit']): SlaTarget => ({ amount, unit, time: 'calendar' });
const business = (amount: number, unit: SlaTarget['unit']): SlaTarget => ({ amount, unit, time: 'business' });

/**
 * Scenario 3. The scenario's "a solution within …" is measured as periodic_update: the span from
 * one public agent reply (the first response) to the next (the solution).
 */
const productA: SlaPolicy = {
  id: 'product-a',
  name: 'Product A major faults',
  position: 10,
  condition: 'ticket.categoryPath[0] == "Product A"',
  pauseStatuses: [],
  targets: {
    first_response: { urgent: calendar(15, 'minutes') },
    periodic_update: { urgent: calendar(30, 'minutes') },
    resolution: { urgent: calendar(2, 'hours') },
  },
  actions: {
    first_response: [{ offsetMinutes: -30, kind: 'notify', recipients: [{ kind: 'cc' }] }],
  },
};

const productB: SlaPolicy = {
  id: 'product-b',
  name: 'Product B ordinary problems',
  position: 20,
  condition: 'ticket.categoryPath[0] == "Product B"',
  pauseStatuses: [],
  targets: {
    first_response: { normal: calendar(30, 'minutes') },
    periodic_update: { normal: calendar(1, 'hours') },
    resolution: { normal: calendar(4, 'hours') },
  },
  actions: {
    resolution: [
      // "2 hours with no handling sends a notice to the CC list and the handler's direct manager"
      { offsetMinutes: -120, kind: 'notify', recipients: [{ kind: 'cc' }, { kind: 'assignee_manager' }] },
      // "after a breach the ticket escalates a level"
      { offsetMinutes: 0, kind: 'escalate' },
    ],
  },
};

/** Normal and urgent targets in calendar time, for priority changes. */
const tiers: SlaPolicy = {
  id: 'tiers',
  name: 'By priority',
  position: 0,
  condition: '',
  pauseStatuses: [],
  targets: {
    first_response: { normal: calendar(30, 'minutes'), urgent: calendar(15, 'minutes') },
    resolution: { normal: calendar(4, 'hours'), urgent: calendar(2, 'hours') },
  },
  actions: { first_response: [{ offsetMinutes: 0, kind: 'escalate' }] },
};

/** A Shanghai office: Mon–Fri 09:00–12:00 and 13:30–18:00, 7.5 hours a day. */
const shanghaiOffice: CalendarDefinition = {
  timeZone: 'Asia/Shanghai',
  weeklyHours: [
    [],
    ...Array.from({ length: 5 }, () => [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ]),
    [],
  ],
};
const shanghai = createCalendar(shanghaiOffice);

const office: SlaPolicy = {
  id: 'office',
  name: 'Office hours',
  position: 0,
  condition: '',
  calendarId: 'shanghai',
  pauseStatuses: ['Waiting for parts'],
  targets: {
    first_response: { normal: business(2, 'hours'), urgent: calendar(1, 'hours') },
    resolution: { normal: business(4, 'hours'), urgent: business(2, 'hours') },
  },
  actions: {
    first_response: [
      { offsetMinutes: -30, kind: 'notify', recipients: [{ kind: 'assignee' }] },
      { offsetMinutes: 0, kind: 'escalate' },
      { offsetMinutes: 60, kind: 'notify', recipients: [{ kind: 'assignee_manager' }] },
    ],
  },
};

const sla = createSlaEngine({ calendars: new Map([['shanghai', shanghai]]) });

/** Monday 2026-06-01, 09:00 in Shanghai. */
const T0 = instant('2026-06-01T09:00:00+08:00');
/** Shanghai wall time on 2026-06-0<day>. */
const sh = (day: number, time: string): string => instant(`2026-06-0${day}T${time}:00+08:00`);

describe('scenario 3: SLA by priority', () => {
  it('Product B, ten minutes after creation with no reply: 1200 seconds left, the desk shows 00:20:00', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    const now = after(T0, 10 * MINUTE);
    expect(t.left('first_response', now)).toBe(1200);
    expect(formatSlaCountdown(t.left('first_response', now)!)).toBe('00:20:00');
    expect(sla.clockAt(t.clock('first_response'), new Date(now))).toMatchObject({
      metric: 'first_response',
      status: 'running',
      priority: 'normal',
      targetSeconds: 1800,
      dueAt: after(T0, 30 * MINUTE),
      businessSecondsLeft: 1200,
      consumedSeconds: 600,
      breachedAt: null,
    });
  });

  const cases: [string, SlaPolicy, 'urgent' | 'normal', number, number, number][] = [
    ['Product A, urgent: 15 min / 30 min / 2 h', productA, 'urgent', 15 * MINUTE, 30 * MINUTE, 2 * HOUR],
    ['Product B, normal: 30 min / 1 h / 4 h', productB, 'normal', 30 * MINUTE, HOUR, 4 * HOUR],
  ];
  it.each(cases)('%s', (_label, policy, priority, firstResponse, solution, resolution) => {
    const t = new SlaTicket(sla, { at: T0, priority, policy });
    expect(t.clock('first_response').dueAt).toBe(after(T0, firstResponse));
    expect(t.clock('resolution').dueAt).toBe(after(T0, resolution));
    expect(t.state.clocks.periodic_update).toBeUndefined();

    const reply = after(T0, 5 * MINUTE);
    t.send({ type: 'agent_public_reply', at: reply });
    expect(t.clock('first_response')).toMatchObject({ status: 'met', endedAt: reply, consumedSeconds: 300 });
    expect(t.clock('periodic_update')).toMatchObject({ status: 'running', dueAt: after(reply, solution) });

    const solved = after(T0, resolution - 1);
    t.send({ type: 'agent_public_reply', at: after(T0, 20 * MINUTE) });
    t.send({ type: 'status_changed', at: solved, category: 'solved' });
    expect(t.clock('resolution')).toMatchObject({ status: 'met', endedAt: solved });
  });

  it('schedules the breach and each action of the current version at creation', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    expect(t.last.changed).toEqual(['first_response', 'resolution']);
    expect(t.last.fired).toEqual([]);
    expect(t.last.scheduled).toEqual([
      { metric: 'first_response', clockVersion: 1, fireAt: after(T0, 30 * MINUTE), actionIndex: null },
      { metric: 'resolution', clockVersion: 1, fireAt: after(T0, 2 * HOUR), actionIndex: 0 },
      { metric: 'resolution', clockVersion: 1, fireAt: after(T0, 4 * HOUR), actionIndex: null },
      { metric: 'resolution', clockVersion: 1, fireAt: after(T0, 4 * HOUR), actionIndex: 1 },
    ]);
  });

  it('runs an action whose offset lies before the clock start as soon as the clock starts', () => {
    // Product A warns 30 minutes before a 15-minute target.
    const t = new SlaTicket(sla, { at: T0, priority: 'urgent', policy: productA });
    expect(t.last.fired).toEqual([
      {
        metric: 'first_response',
        cycle: 1,
        clockVersion: 1,
        actionIndex: 0,
        action: productA.actions.first_response![0],
        dueAt: after(T0, 15 * MINUTE),
        fireAt: T0,
        key: 'product-a:first_response:1:0',
      },
    ]);
    expect(t.last.scheduled.filter((s) => s.metric === 'first_response')).toEqual([
      { metric: 'first_response', clockVersion: 1, fireAt: after(T0, 15 * MINUTE), actionIndex: null },
    ]);
  });
});

describe('pause and resume', () => {
  it('pending moves the resolution due time by the paused business time', () => {
    const t = new SlaTicket(sla, { at: sh(1, '10:00'), priority: 'normal', policy: office });
    const dueBefore = t.clock('resolution').dueAt!;
    expect(dueBefore).toBe(sh(1, '15:30')); // 10–12 and 13:30–15:30

    t.send({ type: 'status_changed', at: sh(1, '11:00'), category: 'pending' });
    expect(t.clock('resolution')).toMatchObject({
      status: 'paused',
      pausedAt: sh(1, '11:00'),
      dueAt: null,
      consumedSeconds: HOUR,
      runningSince: null,
      version: 2,
    });
    expect(t.left('resolution', sh(1, '13:45'))).toBe(3 * HOUR);
    expect(t.last.scheduled).toEqual([]);

    t.send({ type: 'status_changed', at: sh(1, '14:00'), category: 'open' });
    const dueAfter = t.clock('resolution').dueAt!;
    expect(dueAfter).toBe(sh(1, '17:00'));
    const paused = businessSecondsBetween(shanghai, new Date(sh(1, '11:00')), new Date(sh(1, '14:00')));
    expect(paused).toBe(1.5 * HOUR);
    expect(businessSecondsBetween(shanghai, new Date(dueBefore), new Date(dueAfter))).toBe(paused);
    expect(t.clock('resolution').history.map((h) => [h.kind, h.version])).toEqual([
      ['start', 1],
      ['pause', 2],
      ['resume', 3],
    ]);
    expect(t.last.scheduled.filter((s) => s.metric === 'resolution')).toEqual([
      { metric: 'resolution', clockVersion: 3, fireAt: sh(1, '17:00'), actionIndex: null },
    ]);
  });

  it('pending does not pause the response clocks', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    t.send({ type: 'status_changed', at: after(T0, 5 * MINUTE), category: 'pending' });
    expect(t.clock('first_response')).toMatchObject({
      status: 'running',
      dueAt: after(T0, 30 * MINUTE),
      version: 1,
    });
    expect(t.last.changed).toEqual(['resolution']);
  });

  it('a named pause status pauses resolution; another status of the same category does not', () => {
    const t = new SlaTicket(sla, { at: sh(1, '09:00'), priority: 'normal', policy: office });
    t.send({ type: 'status_changed', at: sh(1, '10:00'), category: 'on_hold', status: 'Waiting for vendor' });
    expect(t.clock('resolution').status).toBe('running');
    t.send({ type: 'status_changed', at: sh(1, '10:30'), category: 'on_hold', status: 'Waiting for parts' });
    expect(t.clock('resolution')).toMatchObject({ status: 'paused', consumedSeconds: 1.5 * HOUR });
    t.send({ type: 'status_changed', at: sh(1, '15:00'), category: 'open' });
    expect(t.clock('resolution').dueAt).toBe(sh(1, '17:30'));
  });

  it('a ticket created pending starts its resolution clock paused', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB, category: 'pending' });
    expect(t.clock('resolution')).toMatchObject({
      status: 'paused',
      dueAt: null,
      pausedAt: T0,
      segments: [],
    });
    t.send({ type: 'status_changed', at: after(T0, HOUR), category: 'open' });
    expect(t.clock('resolution').dueAt).toBe(after(T0, 5 * HOUR));
  });
});

describe('priority changes', () => {
  it('normal to urgent moves the due times and history keeps both', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: tiers });
    const change = after(T0, 5 * MINUTE);
    t.send({ type: 'priority_changed', at: change, priority: 'urgent' });
    const first = t.clock('first_response');
    expect(first).toMatchObject({
      priority: 'urgent',
      targetSeconds: 900,
      dueAt: after(T0, 15 * MINUTE),
      version: 2,
    });
    expect(t.clock('resolution').dueAt).toBe(after(T0, 2 * HOUR));
    expect(first.history.at(-1)).toEqual({
      kind: 'retarget',
      at: change,
      version: 2,
      cycle: 1,
      reason: 'priority_changed',
      from: {
        priority: 'normal',
        targetSeconds: 1800,
        time: 'calendar',
        calendarId: null,
        dueAt: after(T0, 30 * MINUTE),
      },
      to: {
        priority: 'urgent',
        targetSeconds: 900,
        time: 'calendar',
        calendarId: null,
        dueAt: after(T0, 15 * MINUTE),
      },
    });
    expect(t.last.changed).toEqual(['first_response', 'resolution']);
    expect(t.last.scheduled).toEqual([
      { metric: 'first_response', clockVersion: 2, fireAt: after(T0, 15 * MINUTE), actionIndex: null },
      { metric: 'first_response', clockVersion: 2, fireAt: after(T0, 15 * MINUTE), actionIndex: 0 },
      { metric: 'resolution', clockVersion: 2, fireAt: after(T0, 2 * HOUR), actionIndex: null },
    ]);

    t.send({ type: 'priority_changed', at: after(T0, 10 * MINUTE), priority: 'normal' });
    expect(t.clock('first_response').dueAt).toBe(after(T0, 30 * MINUTE));
    expect(
      t
        .clock('first_response')
        .history.filter((h) => h.kind === 'retarget')
        .map((h) => h.kind === 'retarget' && [h.from.dueAt, h.to.dueAt]),
    ).toEqual([
      [after(T0, 30 * MINUTE), after(T0, 15 * MINUTE)],
      [after(T0, 15 * MINUTE), after(T0, 30 * MINUTE)],
    ]);
  });

  it('a raise past the new target breaches at the new due time and runs its breach actions at once', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: tiers });
    const change = after(T0, 20 * MINUTE);
    const r = t.send({ type: 'priority_changed', at: change, priority: 'urgent' });
    expect(t.clock('first_response')).toMatchObject({
      status: 'breached',
      dueAt: after(T0, 15 * MINUTE),
      breachedAt: after(T0, 15 * MINUTE),
    });
    expect(t.clock('first_response').history.at(-1)).toMatchObject({
      kind: 'breached',
      at: after(T0, 15 * MINUTE),
      noticedAt: change,
    });
    expect(r.fired).toEqual([
      expect.objectContaining({ metric: 'first_response', actionIndex: 0, fireAt: after(T0, 15 * MINUTE) }),
    ]);
  });

  it('recounts the time consumed when the new target counts in another time', () => {
    // Normal: 2 business hours; urgent: 1 calendar hour. Friday 17:00 + 2 business hours = Monday 10:00.
    const t = new SlaTicket(sla, { at: sh(5, '17:00'), priority: 'normal', policy: office });
    expect(t.clock('first_response').dueAt).toBe(instant('2026-06-08T10:00:00+08:00'));
    t.send({ type: 'priority_changed', at: sh(5, '19:00'), priority: 'urgent' });
    // Two calendar hours have passed since 17:00: the 1-hour calendar target was due at 18:00.
    expect(t.clock('first_response')).toMatchObject({
      calendarId: null,
      dueAt: sh(5, '18:00'),
      breachedAt: sh(5, '18:00'),
      status: 'breached',
    });
  });

  it('a breach is final: lowering the priority afterwards changes nothing', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'urgent', policy: tiers });
    t.tick(after(T0, 16 * MINUTE));
    const breached = t.clock('first_response');
    expect(breached.status).toBe('breached');
    t.send({ type: 'priority_changed', at: after(T0, 17 * MINUTE), priority: 'normal' });
    expect(t.clock('first_response')).toEqual({ ...breached, priority: 'urgent' });
    expect(t.last.changed).toEqual(['resolution']);
  });

  it('a metric the old priority had no target for starts counting from its true start', () => {
    const urgentOnly: SlaPolicy = {
      ...tiers,
      targets: { first_response: { urgent: calendar(15, 'minutes') } },
      actions: {},
    };
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: urgentOnly });
    expect(t.clock('first_response')).toMatchObject({ status: 'running', target: null, dueAt: null });
    expect(t.left('first_response', after(T0, MINUTE))).toBeNull();
    expect(t.last.scheduled).toEqual([]);
    t.send({ type: 'priority_changed', at: after(T0, 10 * MINUTE), priority: 'urgent' });
    expect(t.clock('first_response')).toMatchObject({ status: 'running', dueAt: after(T0, 15 * MINUTE) });
    expect(t.left('first_response', after(T0, 10 * MINUTE))).toBe(300);
  });
});

describe('breach', () => {
  it('happens exactly at the due time, not when it is noticed', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    const due = after(T0, 30 * MINUTE);
    const clock = t.clock('first_response');
    expect(sla.statusAt(clock, new Date(after(due, -1)))).toBe('running');
    expect(sla.statusAt(clock, new Date(due))).toBe('breached');
    expect(sla.clockAt(clock, new Date(after(due, 60)))).toMatchObject({
      status: 'breached',
      breachedAt: due,
      businessSecondsLeft: -60,
    });

    const noticed = after(T0, 37 * MINUTE);
    const r = t.tick(noticed);
    expect(t.clock('first_response')).toMatchObject({
      status: 'breached',
      breachedAt: due,
      dueAt: due,
      version: 2,
    });
    expect(t.clock('first_response').history.at(-1)).toEqual({
      kind: 'breached',
      at: due,
      noticedAt: noticed,
      version: 2,
      cycle: 1,
      reason: 'due_time_passed',
    });
    expect(r.changed).toEqual(['first_response']);

    t.send({ type: 'agent_public_reply', at: after(T0, 40 * MINUTE) });
    expect(t.clock('first_response')).toMatchObject({ status: 'breached', endedAt: after(T0, 40 * MINUTE) });
    expect(t.left('first_response', after(T0, 50 * MINUTE))).toBe(-600);
    expect(formatSlaCountdown(-600)).toBe('-00:10:00');
  });

  it.each([
    ['one millisecond before the due time is met', -0.001, 'met'],
    ['exactly at the due time is late', 0, 'breached'],
    ['one second after is late', 1, 'breached'],
  ] as const)('a reply %s', (_label, offset, status) => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    t.send({ type: 'agent_public_reply', at: after(T0, 30 * MINUTE + offset) });
    expect(t.clock('first_response').status).toBe(status);
  });
});

describe('business time across a lunch break and a weekend', () => {
  const cases: [string, string, string][] = [
    ['Mon 11:00 + 2 h skips lunch', sh(1, '11:00'), sh(1, '14:30')],
    ['Mon 12:30, in the lunch break, counts from 13:30', sh(1, '12:30'), sh(1, '15:30')],
    ['Mon 17:00 goes on Tuesday morning', sh(1, '17:00'), sh(2, '10:00')],
    ['Fri 17:00 goes on after the weekend', sh(5, '17:00'), instant('2026-06-08T10:00:00+08:00')],
    ['Sat 10:00 starts on Monday', sh(6, '10:00'), instant('2026-06-08T11:00:00+08:00')],
  ];
  it.each(cases)('first response within 2 business hours: %s', (_label, created, due) => {
    const t = new SlaTicket(sla, { at: created, priority: 'normal', policy: office });
    expect(t.clock('first_response').dueAt).toBe(due);
  });

  it('counts down only in business hours and places offsets in business time', () => {
    const t = new SlaTicket(sla, { at: sh(5, '17:00'), priority: 'normal', policy: office });
    expect(t.left('first_response', sh(5, '17:30'))).toBe(5400);
    expect(t.left('first_response', sh(6, '12:00'))).toBe(3600);
    expect(t.left('first_response', instant('2026-06-08T09:30:00+08:00'))).toBe(1800);
    expect(t.last.scheduled.filter((s) => s.metric === 'first_response')).toEqual([
      // 30 business minutes before Monday 10:00, not Monday 09:30 minus the weekend
      {
        metric: 'first_response',
        clockVersion: 1,
        fireAt: instant('2026-06-08T09:30:00+08:00'),
        actionIndex: 0,
      },
      {
        metric: 'first_response',
        clockVersion: 1,
        fireAt: instant('2026-06-08T10:00:00+08:00'),
        actionIndex: null,
      },
      {
        metric: 'first_response',
        clockVersion: 1,
        fireAt: instant('2026-06-08T10:00:00+08:00'),
        actionIndex: 1,
      },
      {
        metric: 'first_response',
        clockVersion: 1,
        fireAt: instant('2026-06-08T11:00:00+08:00'),
        actionIndex: 2,
      },
    ]);
  });

  it('a resolution paused over the weekend loses no business time', () => {
    const t = new SlaTicket(sla, { at: sh(5, '16:00'), priority: 'normal', policy: office });
    t.send({ type: 'status_changed', at: sh(5, '17:00'), category: 'pending' });
    t.send({ type: 'status_changed', at: instant('2026-06-08T09:00:00+08:00'), category: 'open' });
    // 1 h on Friday, 3 h from Monday 09:00: 09–12.
    expect(t.clock('resolution').dueAt).toBe(instant('2026-06-08T12:00:00+08:00'));
  });
});

describe('timers', () => {
  const start = (): SlaTicket =>
    new SlaTicket(sla, { at: sh(1, '09:00'), priority: 'normal', policy: office });
  const job = (t: SlaTicket, actionIndex: number | null) => {
    const found = t.last.scheduled.find(
      (s) => s.metric === 'first_response' && s.actionIndex === actionIndex,
    );
    if (!found) throw new Error(`no job for action ${actionIndex}`);
    return found;
  };

  it('a stale version is a no-op', () => {
    const t = start();
    const warning = job(t, 0);
    t.send({ type: 'priority_changed', at: sh(1, '09:10'), priority: 'urgent' });
    const before = t.state;
    const r = sla.onTimer(before, {
      metric: warning.metric,
      version: warning.clockVersion,
      actionIndex: warning.actionIndex,
      now: new Date(warning.fireAt),
    });
    expect(r).toEqual({ state: before, scheduled: [], fired: [], changed: [], stale: true });
    expect(r.state).toBe(before);
    expect(
      sla.onTimer(before, { metric: 'next_response', version: 1, actionIndex: null, now: new Date() }).stale,
    ).toBe(true);
  });

  it('runs the warning once, marks the breach at the due time and moves the later jobs to the new version', () => {
    const t = start();
    const warning = job(t, 0);
    const breach = job(t, null);
    const late = job(t, 2);
    expect([warning.fireAt, breach.fireAt, late.fireAt]).toEqual([
      sh(1, '10:30'),
      sh(1, '11:00'),
      sh(1, '12:00'),
    ]);

    const fire = (s: typeof warning, now: string) =>
      sla.onTimer(t.state, {
        metric: s.metric,
        version: s.clockVersion,
        actionIndex: s.actionIndex,
        now: new Date(now),
      });

    const first = fire(warning, sh(1, '10:30'));
    expect(first.fired.map((f) => [f.actionIndex, f.fireAt])).toEqual([[0, sh(1, '10:30')]]);
    expect(first.changed).toEqual([]);
    t.state = first.state;
    expect(fire(warning, sh(1, '10:31')).fired).toEqual([]); // a retried job

    const atBreach = fire(breach, after(sh(1, '11:00'), 5));
    expect(atBreach.fired.map((f) => f.action.kind)).toEqual(['escalate']);
    expect(atBreach.state.clocks.first_response).toMatchObject({
      status: 'breached',
      breachedAt: sh(1, '11:00'),
      version: 2,
    });
    expect(atBreach.scheduled).toEqual([
      { metric: 'first_response', clockVersion: 2, fireAt: sh(1, '12:00'), actionIndex: 2 },
    ]);
    t.state = atBreach.state;

    expect(fire(late, sh(1, '12:00')).stale).toBe(true);
    const moved = atBreach.scheduled[0]!;
    const after60 = fire(moved, sh(1, '12:00'));
    expect(after60.fired.map((f) => f.action)).toEqual([
      { offsetMinutes: 60, kind: 'notify', recipients: [{ kind: 'assignee_manager' }] },
    ]);
  });

  it('a job that runs early fires nothing and hands itself back', () => {
    const t = start();
    const warning = job(t, 0);
    const r = sla.onTimer(t.state, {
      metric: 'first_response',
      version: warning.clockVersion,
      actionIndex: 0,
      now: new Date(sh(1, '10:29')),
    });
    expect(r).toMatchObject({ stale: false, fired: [], scheduled: [warning] });
  });

  it('an event after a missed job runs its action when the clock stays open', () => {
    const t = start();
    const r = t.send({ type: 'customer_message', at: sh(1, '10:45') });
    expect(r.fired.map((f) => [f.metric, f.actionIndex, f.fireAt])).toEqual([
      ['first_response', 0, sh(1, '10:30')],
    ]);
  });

  it('an event after a missed job drops its action when the event ends the clock', () => {
    const t = start();
    const r = t.send({ type: 'agent_public_reply', at: sh(1, '10:45') });
    expect(r.fired).toEqual([]);
    expect(t.clock('first_response').status).toBe('met');
  });

  it('dueActions catches up on everything due', () => {
    const t = start();
    const r = t.tick(sh(1, '11:30'));
    expect(r.fired.map((f) => f.actionIndex)).toEqual([0, 1]);
    expect(t.clock('first_response').status).toBe('breached');
    // 60 business minutes after 11:00 is 12:00, the end of the morning interval
    expect(t.tick(sh(1, '12:00')).fired.map((f) => [f.actionIndex, f.fireAt])).toEqual([[2, sh(1, '12:00')]]);
    expect(t.tick(sh(1, '15:00')).fired).toEqual([]);
  });
});

describe('response metrics', () => {
  it('next_response runs from the oldest unanswered customer message to the next public reply, in cycles', () => {
    const withNext: SlaPolicy = {
      ...productB,
      targets: { ...productB.targets, next_response: { normal: calendar(20, 'minutes') } },
      actions: {},
    };
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: withNext });
    t.send({ type: 'customer_message', at: after(T0, MINUTE) });
    expect(t.state.clocks.next_response).toBeUndefined(); // first_response covers it
    t.send({ type: 'agent_public_reply', at: after(T0, 10 * MINUTE) });
    t.send({ type: 'customer_message', at: after(T0, 60 * MINUTE) });
    t.send({ type: 'customer_message', at: after(T0, 65 * MINUTE) });
    expect(t.clock('next_response')).toMatchObject({
      cycle: 1,
      status: 'running',
      startedAt: after(T0, 60 * MINUTE),
      dueAt: after(T0, 80 * MINUTE),
      version: 1,
    });
    t.send({ type: 'agent_public_reply', at: after(T0, 75 * MINUTE) });
    expect(t.clock('next_response')).toMatchObject({ cycle: 1, status: 'met', consumedSeconds: 15 * MINUTE });
    t.send({ type: 'customer_message', at: after(T0, 90 * MINUTE) });
    expect(t.clock('next_response')).toMatchObject({ cycle: 2, status: 'running', version: 3 });
    expect(t.clock('next_response').history.map((h) => [h.kind, h.cycle])).toEqual([
      ['start', 1],
      ['met', 1],
      ['start', 2],
    ]);
  });

  it('periodic_update runs between public agent replies', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    t.send({ type: 'agent_public_reply', at: after(T0, 10 * MINUTE) });
    t.send({ type: 'agent_public_reply', at: after(T0, 50 * MINUTE) });
    expect(t.clock('periodic_update')).toMatchObject({
      cycle: 2,
      startedAt: after(T0, 50 * MINUTE),
      dueAt: after(T0, 110 * MINUTE),
    });
    expect(t.clock('periodic_update').history.map((h) => h.kind)).toEqual(['start', 'met', 'start']);
    t.tick(after(T0, 2 * HOUR));
    expect(t.clock('periodic_update')).toMatchObject({
      status: 'breached',
      breachedAt: after(T0, 110 * MINUTE),
    });
  });
});

describe('solving and reopening', () => {
  it('solving meets resolution and stops the response clocks; reopening resumes resolution', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    t.send({ type: 'agent_public_reply', at: after(T0, 10 * MINUTE) });
    t.send({ type: 'customer_message', at: after(T0, 20 * MINUTE) });
    t.send({ type: 'status_changed', at: after(T0, HOUR), category: 'solved' });
    expect(t.clock('resolution')).toMatchObject({
      status: 'met',
      consumedSeconds: HOUR,
      endedAt: after(T0, HOUR),
    });
    expect(t.clock('periodic_update')).toMatchObject({ status: 'stopped' });
    expect(t.state.ticket.unansweredSince).toBeNull();
    expect(t.last.scheduled).toEqual([]);

    t.send({ type: 'customer_message', at: after(T0, 3 * HOUR) });
    t.send({ type: 'status_changed', at: after(T0, 3 * HOUR), category: 'open' });
    expect(t.clock('resolution')).toMatchObject({
      status: 'running',
      endedAt: null,
      dueAt: after(T0, 6 * HOUR),
    });
    expect(t.clock('resolution').history.at(-1)).toMatchObject({ kind: 'resume', reason: 'reopened' });
    expect(t.clock('next_response')).toMatchObject({ status: 'running', startedAt: after(T0, 3 * HOUR) });

    t.send({ type: 'status_changed', at: after(T0, 4 * HOUR), category: 'closed' });
    expect(t.clock('resolution')).toMatchObject({ status: 'met', consumedSeconds: 2 * HOUR });
  });

  it('a ticket created solved has its resolution met at once', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB, category: 'solved' });
    expect(t.clock('resolution')).toMatchObject({ status: 'met', endedAt: T0 });
    expect(t.state.clocks.first_response).toBeUndefined();
  });
});

describe('policy changes', () => {
  it('re-targets in the new calendar and re-arms changed actions', () => {
    const t = new SlaTicket(sla, { at: sh(1, '09:00'), priority: 'normal', policy: productB });
    t.tick(sh(1, '11:00')); // Product B's 2-hour notice fires
    expect(t.last.fired.map((f) => [f.metric, f.actionIndex])).toEqual([['resolution', 0]]);
    t.send({ type: 'policy_changed', at: sh(1, '11:00'), policy: office });
    expect(t.clock('resolution')).toMatchObject({
      calendarId: 'shanghai',
      consumedSeconds: 0,
      runningSince: sh(1, '09:00'),
      dueAt: sh(1, '14:30'),
      firedActions: [],
    });
    expect(t.clock('resolution').history.at(-1)).toMatchObject({
      kind: 'retarget',
      reason: 'policy_changed',
      from: { dueAt: sh(1, '13:00'), calendarId: null },
      to: { dueAt: sh(1, '14:30'), calendarId: 'shanghai' },
    });
    expect(t.state.policy).toEqual(office);
  });

  it('to no policy: the clocks keep measuring without a target', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    const r = t.send({ type: 'policy_changed', at: after(T0, MINUTE), policy: null });
    expect(t.clock('first_response')).toMatchObject({ status: 'running', target: null, dueAt: null });
    expect(r.scheduled).toEqual([]);
    expect(sla.clockAt(t.clock('resolution'), new Date(after(T0, HOUR)))).toMatchObject({
      businessSecondsLeft: null,
      consumedSeconds: HOUR,
    });
    t.send({ type: 'status_changed', at: after(T0, HOUR), category: 'solved' });
    expect(t.clock('resolution').status).toBe('stopped');
  });

  it('the same policy again changes nothing', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    const r = t.send({ type: 'policy_changed', at: after(T0, MINUTE), policy: structuredClone(productB) });
    expect(r.changed).toEqual([]);
    expect(r.scheduled).toEqual([]);
  });

  it('a new pause status pauses a clock whose ticket is already in it', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    t.send({ type: 'status_changed', at: after(T0, HOUR), category: 'on_hold', status: 'Waiting for parts' });
    expect(t.clock('resolution').status).toBe('running');
    t.send({
      type: 'policy_changed',
      at: after(T0, 2 * HOUR),
      policy: { ...productB, pauseStatuses: ['Waiting for parts'] },
    });
    expect(t.clock('resolution')).toMatchObject({ status: 'paused', consumedSeconds: 2 * HOUR });
  });
});

describe('inputs', () => {
  it('treats an event older than the state as happening at the state instant', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    t.tick(after(T0, 10 * MINUTE));
    t.send({ type: 'agent_public_reply', at: after(T0, 5 * MINUTE) });
    expect(t.clock('first_response')).toMatchObject({
      endedAt: after(T0, 10 * MINUTE),
      consumedSeconds: 600,
    });
  });

  it('refuses events out of place and calendars it was not given', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    expect(() =>
      sla.applySlaEvent(t.state, { type: 'ticket_created', at: T0, priority: 'normal', policy: productB }),
    ).toThrow(/already/);
    expect(() => sla.applySlaEvent(null, { type: 'customer_message', at: T0 })).toThrow(/ticket_created/);
    expect(() => sla.applySlaEvent(t.state, { type: 'customer_message', at: 'yesterday' })).toThrow(
      /ISO 8601/,
    );
    expect(() =>
      createSlaEngine().applySlaEvent(null, {
        type: 'ticket_created',
        at: T0,
        priority: 'normal',
        policy: office,
      }),
    ).toThrow(/calendar "shanghai"/);
  });

  it('does not change the state it is given', () => {
    const t = new SlaTicket(sla, { at: T0, priority: 'normal', policy: productB });
    const frozen = structuredClone(t.state);
    sla.applySlaEvent(t.state, { type: 'agent_public_reply', at: after(T0, MINUTE) });
    sla.dueActions(t.state, new Date(after(T0, 5 * HOUR)));
    expect(t.state).toEqual(frozen);
  });
});

describe('formatSlaCountdown', () => {
  it.each([
    [1200, '00:20:00'],
    [0, '00:00:00'],
    [0.4, '00:00:01'],
    [59.999, '00:01:00'],
    [3661, '01:01:01'],
    [27.5 * HOUR, '27:30:00'],
    [-0.4, '00:00:00'],
    [-61, '-00:01:01'],
  ])('%d seconds shows %s', (seconds, text) => {
    expect(formatSlaCountdown(seconds)).toBe(text);
  });
});
