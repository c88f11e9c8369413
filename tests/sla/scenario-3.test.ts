import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  clocksOf,
  createSlaPolicy,
  createTicket,
  iso,
  MINUTE,
  notificationsOf,
  orgUnitId,
  timelineOf,
  userId,
} from './sla-fixtures.ts';

/**
 * Scenario 3 of SCENARIOS.md through the API, on a clock the test moves (services.clock): the
 * example pack's policies — Product A major faults (urgent, 24x7) and Product B ordinary problems
 * (normal, Shanghai office hours: Mon–Fri 09:00–12:00 and 13:30–18:00).
 */

/** Monday 2026-11-30, 10:00 in Shanghai. */
const T0 = Date.parse('2026-11-30T02:00:00Z');

describe(`scenario 3: SLA by priority (${databaseKind()})`, () => {
  const clock = new ManualClock(T0);
  let s: TestServer;
  let agent: string;
  let manager: string;
  let storeA: number;
  let agentId: number;

  beforeAll(async () => {
    s = await startTestServer({ clock });
    agent = await s.login('agent.a@docket.local');
    manager = await s.login('manager.north@docket.local');
    storeA = await orgUnitId(s, 'Store A');
    agentId = await userId(s, 'agent.a@docket.local');
  });
  afterAll(() => s?.close());

  const productA = () =>
    createTicket(s, agent, {
      templateKey: 'product-a-fault',
      title: 'Unit A-17 smokes',
      orgUnitId: storeA,
      assigneeId: agentId,
      formData: { serialNumber: 'A-0017', symptom: 'Smoke from the fan' },
    });
  const productB = () =>
    createTicket(s, agent, {
      templateKey: 'product-b-issue',
      title: 'How do I reset B?',
      orgUnitId: storeA,
      assigneeId: agentId,
      formData: { question: 'The reset button does nothing' },
    });

  it('Product B, normal: ten minutes after creation with no reply the desk shows 00:20:00 left', async () => {
    clock.set(T0);
    const t = await productB();
    expect(t).toMatchObject({ priority: 'normal', slaPolicyName: 'Product B ordinary problems' });
    clock.advanceMinutes(10);
    const clocks = await clocksOf(s, agent, t.id);
    expect(clocks.first_response).toMatchObject({
      status: 'running',
      priority: 'normal',
      targetSeconds: 1800,
      calendarKey: 'shanghai-office',
      dueAt: iso(T0 + 30 * MINUTE),
      businessSecondsLeft: 1200,
      countdown: '00:20:00',
      consumedSeconds: 600,
    });
    // Four office hours from 10:00: two before lunch, two after it (13:30–15:30).
    expect(clocks.resolution).toMatchObject({
      status: 'running',
      targetSeconds: 4 * 3600,
      dueAt: '2026-11-30T07:30:00.000Z',
      businessSecondsLeft: 4 * 3600 - 600,
    });
    const kinds = (await timelineOf(s, agent, t.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'sla.started')).toHaveLength(2);
  });

  it('Product A, urgent: first response within 15 minutes, resolved within 2 hours; a reply meets the first response', async () => {
    clock.set(T0);
    const t = await productA();
    expect(t).toMatchObject({ priority: 'urgent', slaPolicyName: 'Product A major faults' });
    let clocks = await clocksOf(s, agent, t.id);
    expect(clocks.first_response).toMatchObject({
      targetSeconds: 900,
      calendarKey: null,
      dueAt: iso(T0 + 15 * MINUTE),
      countdown: '00:15:00',
    });
    expect(clocks.resolution).toMatchObject({ targetSeconds: 7200, dueAt: iso(T0 + 2 * 60 * MINUTE) });
    expect(clocks.periodic_update).toBeUndefined();

    clock.advanceMinutes(5);
    const reply = await s.gql(
      'mutation($id: ID!) { replyToTicket(id: $id, body: "We are on our way.") { __typename } }',
      { id: t.id },
      agent,
    );
    expect(reply.data!.replyToTicket.__typename).toBe('Ticket');
    clocks = await clocksOf(s, agent, t.id);
    expect(clocks.first_response).toMatchObject({
      status: 'met',
      endedAt: iso(T0 + 5 * MINUTE),
      consumedSeconds: 300,
      breachedAt: null,
    });
    // "A solution within 30 minutes": the next public reply, counted from this one.
    expect(clocks.periodic_update).toMatchObject({
      status: 'running',
      targetSeconds: 1800,
      dueAt: iso(T0 + 35 * MINUTE),
    });
    expect(clocks.resolution.status).toBe('running');
    const met = (await timelineOf(s, agent, t.id)).find((e) => e.kind === 'sla.met');
    expect(met).toMatchObject({ actorKind: 'system' });
    expect(met!.body).toMatch(/First response met after 5 min/);
  });

  it('pending pauses the resolution clock; resuming moves its due time by the pause', async () => {
    clock.set(T0);
    const t = await productA();
    const setStatus = (status: string) =>
      s.gql(
        `mutation($id: ID!) { updateTicket(id: $id, status: ${status}) { __typename } }`,
        { id: t.id },
        agent,
      );
    clock.advanceMinutes(10);
    await setStatus('pending');
    let clocks = await clocksOf(s, agent, t.id);
    expect(clocks.resolution).toMatchObject({
      status: 'paused',
      pausedAt: iso(T0 + 10 * MINUTE),
      businessSecondsLeft: 7200 - 600,
    });
    clock.advanceMinutes(20);
    clocks = await clocksOf(s, agent, t.id);
    expect(clocks.resolution.businessSecondsLeft).toBe(7200 - 600);
    await setStatus('open');
    clocks = await clocksOf(s, agent, t.id);
    expect(clocks.resolution).toMatchObject({
      status: 'running',
      dueAt: iso(T0 + 140 * MINUTE),
      businessSecondsLeft: 7200 - 600,
    });
    expect(clocks.resolution.history.map((h) => h.kind)).toEqual(['start', 'pause', 'resume']);
    // The response clock does not pause: waiting on the customer does not excuse silence.
    expect(clocks.first_response.status).toBe('breached');
    const kinds = (await timelineOf(s, agent, t.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['sla.paused', 'sla.resumed']));
  });

  it('a priority change moves the due time, and the history keeps both', async () => {
    clock.set(T0);
    const t = await productB();
    clock.advanceMinutes(5);
    const r = await s.gql(
      'mutation($id: ID!) { updateTicket(id: $id, priority: urgent) { __typename ... on Ticket { priority } } }',
      { id: t.id },
      agent,
    );
    expect(r.data!.updateTicket.priority).toBe('urgent');
    const clocks = await clocksOf(s, agent, t.id);
    expect(clocks.first_response).toMatchObject({
      priority: 'urgent',
      targetSeconds: 900,
      dueAt: iso(T0 + 15 * MINUTE),
      businessSecondsLeft: 600,
    });
    const retarget = clocks.first_response.history.find((h) => h.kind === 'retarget');
    expect(retarget).toMatchObject({
      reason: 'priority_changed',
      at: iso(T0 + 5 * MINUTE),
      from: { priority: 'normal', targetSeconds: 1800, dueAt: iso(T0 + 30 * MINUTE) },
      to: { priority: 'urgent', targetSeconds: 900, dueAt: iso(T0 + 15 * MINUTE) },
    });
    // Two office hours from 10:00 end at noon.
    expect(clocks.resolution.dueAt).toBe('2026-11-30T04:00:00.000Z');
    const retargeted = (await timelineOf(s, agent, t.id)).filter((e) => e.kind === 'sla.retargeted');
    expect(retargeted.map((e) => Object.keys(e.diff)[0]).sort()).toEqual(['first_response', 'resolution']);
  });

  it('past the due time the desk shows the breach; the timer records it at the due time and runs the actions at breach', async () => {
    clock.set(T0);
    const t = await productA();
    clock.advanceMinutes(16);
    let clocks = await clocksOf(s, agent, t.id);
    expect(clocks.first_response).toMatchObject({
      status: 'breached',
      breachedAt: iso(T0 + 15 * MINUTE),
      businessSecondsLeft: -60,
      countdown: '-00:01:00',
    });
    // What a timer job does when it fires (its jobs wait for real time; the service runs now).
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);
    clocks = await clocksOf(s, agent, t.id);
    const breach = clocks.first_response.history.find((h) => h.kind === 'breached');
    expect(breach).toMatchObject({ at: iso(T0 + 15 * MINUTE), noticedAt: iso(T0 + 16 * MINUTE) });
    const timeline = await timelineOf(s, agent, t.id);
    expect(timeline.filter((e) => e.kind === 'sla.breached')).toHaveLength(1);
    // Five minutes before: the handler; at the breach: the handler and the handler's manager.
    const actions = timeline.filter((e) => e.kind === 'sla.action');
    expect(actions.map((e) => e.body)).toEqual([
      'Notified 1 person 5 min before the first response target.',
      'Notified 2 people at the first response breach.',
    ]);
    const mine = (await notificationsOf(s, agent)).filter((n) => n.ticketId === t.id);
    expect(mine.map((n) => n.subject).sort()).toEqual([
      `SLA 5 min before the first response target: ${t.number}`,
      `SLA at the first response breach: ${t.number}`,
    ]);
    const managers = (await notificationsOf(s, manager)).filter((n) => n.ticketId === t.id);
    expect(managers.map((n) => n.subject)).toEqual([`SLA at the first response breach: ${t.number}`]);
    // Catching up again changes nothing: every action runs once.
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);
    expect((await timelineOf(s, agent, t.id)).length).toBe(timeline.length);
  });

  it('actions at breach can raise the priority (the clocks re-target to it) and reassign the ticket', async () => {
    const admin = await s.login('admin@docket.local');
    await createSlaPolicy(s, admin, {
      name: 'Email: raise and hand over',
      position: 0,
      condition: 'ticket.channel == "email"',
      targets: {
        first_response: { normal: { amount: 10, unit: 'minutes', time: 'calendar' } },
        resolution: {
          normal: { amount: 60, unit: 'minutes', time: 'calendar' },
          high: { amount: 30, unit: 'minutes', time: 'calendar' },
        },
      },
      actions: {
        first_response: [
          { offsetMinutes: 0, kind: 'raise_priority' },
          {
            offsetMinutes: 0,
            kind: 'reassign',
            to: { kind: 'user', userId: 'manager.north@docket.local' },
          },
        ],
      },
    });
    clock.set(T0);
    const t = await createTicket(s, agent, {
      templateKey: 'product-b-issue',
      title: 'Mailed in: B is slow',
      channel: 'email',
      orgUnitId: storeA,
      assigneeId: agentId,
      formData: { question: 'B takes a minute to start' },
    });
    expect(t.slaPolicyName).toBe('Email: raise and hand over');
    clock.advanceMinutes(11);
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);

    const after = await s.gql(
      'query($id: ID!) { ticket(id: $id) { priority assignee { email } } }',
      { id: t.id },
      manager,
    );
    expect(after.data!.ticket).toEqual({
      priority: 'high',
      assignee: { email: 'manager.north@docket.local' },
    });
    const clocks = await clocksOf(s, manager, t.id);
    expect(clocks.first_response.status).toBe('breached');
    expect(clocks.resolution).toMatchObject({
      priority: 'high',
      targetSeconds: 1800,
      dueAt: iso(T0 + 30 * MINUTE),
    });
    expect(clocks.resolution.history.find((h) => h.kind === 'retarget')).toMatchObject({
      reason: 'priority_changed',
      from: { priority: 'normal', dueAt: iso(T0 + 60 * MINUTE) },
      to: { priority: 'high', dueAt: iso(T0 + 30 * MINUTE) },
    });
    const actions = (await timelineOf(s, manager, t.id)).filter((e) => e.kind === 'sla.action');
    expect(actions.map((e) => [e.body, e.diff])).toEqual([
      [
        'Raised the priority at the first response breach: normal -> high.',
        { priority: { from: 'normal', to: 'high' } },
      ],
      [
        'Reassigned at the first response breach.',
        { assigneeId: { from: agentId, to: await userId(s, 'manager.north@docket.local') } },
      ],
    ]);
  });

  it('a timer job for an older clock version does nothing', async () => {
    clock.set(T0);
    const t = await productA();
    const stateOf = async () =>
      (await s.sql<{ state: any }>('select state from ticket_sla where ticket_id = ?', [t.id]))[0]!.state;
    const before = await stateOf();
    const startVersion = before.clocks.first_response.version;
    clock.advanceMinutes(3);
    await s.gql(
      'mutation($id: ID!) { replyToTicket(id: $id, body: "On it.") { __typename } }',
      { id: t.id },
      agent,
    );
    const after = await stateOf();
    expect(after.clocks.first_response.version).toBeGreaterThan(startVersion);
    const events = (await timelineOf(s, agent, t.id)).length;
    // The breach job the creation enqueued, fired long after its due time, finds its clock changed.
    clock.advanceMinutes(60);
    const outcome = await s.app.services.sla.handleTimer(
      s.db.orm.em.fork(),
      { ticketId: String(t.id), metric: 'first_response', version: startVersion, actionIndex: null },
      '00000000-0000-5000-a000-000000000000',
    );
    expect(outcome).toBe('stale');
    expect(await stateOf()).toEqual(after);
    expect((await timelineOf(s, agent, t.id)).length).toBe(events);
    expect((await clocksOf(s, agent, t.id)).first_response.status).toBe('met');
  });
});
