import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  CLOCKS,
  clocksOf,
  createSlaPolicy,
  createTicket,
  notificationsOf,
  orgUnitId,
  subscribe,
  timelineOf,
  userId,
  waitFor,
} from './sla-fixtures.ts';

/**
 * SLA timers on real time, through pg-boss: a policy with targets of seconds, so breaches fall due
 * while the test waits. Urgent tickets breach 3 s after creation, high ones 6 s after.
 */
describe(`SLA timers (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let manager: string;
  let storeA: number;
  let north: number;
  let agentId: number;
  let customerId: number;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
    manager = await s.login('manager.north@docket.local');
    storeA = await orgUnitId(s, 'Store A');
    north = await orgUnitId(s, 'North Region');
    agentId = await userId(s, 'agent.a@docket.local');
    customerId = (
      await s.sql<{ id: number }>("select id from customer where email = 'customer@example.com'")
    )[0]!.id;
    const created = await s.gql(
      `mutation { createTemplate(key: "sla-fast", content: { name: "Fast SLA", categoryPath: ["Test", "Fast"],
         defaultPriority: urgent, numberPattern: "FS-{seq:5}", formSchema: { type: "object" } }) {
         __typename ... on TicketTemplate { id } ... on Error { message } } }`,
      {},
      admin,
    );
    const published = await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
      { id: created.data!.createTemplate.id },
      admin,
    );
    expect(published.data!.publishTemplate.__typename).toBe('TemplateVersion');
    await createSlaPolicy(s, admin, {
      name: 'Fast (seconds)',
      position: 0,
      condition: 'ticket.template == "sla-fast"',
      targets: {
        first_response: {
          urgent: { amount: 0.05, unit: 'minutes', time: 'calendar' },
          high: { amount: 0.1, unit: 'minutes', time: 'calendar' },
        },
      },
      actions: {
        first_response: [
          {
            offsetMinutes: 0,
            kind: 'notify',
            recipients: [{ kind: 'assignee' }, { kind: 'assignee_manager' }, { kind: 'customer' }],
          },
          { offsetMinutes: 0, kind: 'escalate' },
        ],
      },
    });
  });
  afterAll(() => s?.close());

  const fastTicket = (priority: 'urgent' | 'high', title: string) =>
    // By the admin: the customer has no ticket in agent A's reach yet, so A may not name them.
    createTicket(s, admin, {
      templateKey: 'sla-fast',
      title,
      priority,
      orgUnitId: storeA,
      assigneeId: agentId,
      requesterId: customerId,
      formData: {},
    });

  const breachedEvents = async (id: string) =>
    (await timelineOf(s, admin, id)).filter((e) => e.kind === 'sla.breached');

  it('marks the breach within a second of the due time, notifies, escalates one level, and pushes the clocks to subscribers', async () => {
    const t = await fastTicket('urgent', 'Breaches in 3 s');
    expect(t.slaPolicyName).toBe('Fast (seconds)');
    const feed = await subscribe(
      s,
      agent,
      `subscription($id: ID!) { ticketSlaChanged(ticketId: $id) { metric status dueAt breachedAt } }`,
      { id: t.id },
    );
    try {
      const first = await feed.next();
      expect(first.data.ticketSlaChanged.find((c: any) => c.metric === 'first_response').status).toBe(
        'running',
      );

      await waitFor('the breach', async () => ((await breachedEvents(t.id)).length ? true : undefined));
      const clocks = await clocksOf(s, agent, t.id);
      const fr = clocks.first_response;
      expect(fr.status).toBe('breached');
      expect(fr.breachedAt).toBe(fr.dueAt);
      const breach = fr.history.find((h) => h.kind === 'breached')!;
      const lateness = Date.parse(breach.noticedAt!) - Date.parse(breach.at);
      expect(lateness, `breach noticed ${lateness} ms after its due time`).toBeGreaterThanOrEqual(0);
      expect(lateness, `breach noticed ${lateness} ms after its due time`).toBeLessThanOrEqual(1000);

      let pushed = await feed.next();
      while (
        pushed.data.ticketSlaChanged.find((c: any) => c.metric === 'first_response').status !== 'breached'
      )
        pushed = await feed.next();
      expect(pushed.data.ticketSlaChanged.find((c: any) => c.metric === 'first_response').breachedAt).toBe(
        fr.dueAt,
      );
    } finally {
      feed.close();
    }

    // The handler, the handler's manager and the customer are told; the ticket moves up to the region.
    const subject = `SLA at the first response breach: ${t.number}`;
    expect((await notificationsOf(s, agent)).filter((n) => n.subject === subject)).toHaveLength(1);
    expect((await notificationsOf(s, manager)).filter((n) => n.subject === subject)).toHaveLength(1);
    const toCustomer = await s.sql('select 1 from notification where ticket_id = ? and customer_id = ?', [
      t.id,
      customerId,
    ]);
    expect(toCustomer).toHaveLength(1);
    const ticket = await s.gql(
      'query($id: ID!) { ticket(id: $id) { orgUnit { id name } } }',
      { id: t.id },
      agent,
    );
    expect(ticket.data!.ticket.orgUnit).toEqual({ id: String(north), name: 'North Region' });
    const actions = (await timelineOf(s, admin, t.id)).filter((e) => e.kind === 'sla.action');
    expect(actions.map((e) => e.body)).toEqual([
      'Notified 3 people at the first response breach.',
      'Escalated at the first response breach: Store A (Beijing Chaoyang) -> North Region.',
    ]);
    expect(actions[1]!.diff).toEqual({ orgUnitId: { from: storeA, to: north } });
  });

  it('restart with timers pending: a breach due while the app is down fires once after it starts, and none fires twice', async () => {
    const early = await fastTicket('urgent', 'Breaches before the restart');
    const late = await fastTicket('high', 'Breaches while the app is down');
    await waitFor('the first breach', async () =>
      (await breachedEvents(early.id)).length ? true : undefined,
    );
    expect(await breachedEvents(late.id)).toHaveLength(0);
    const lateDue = Date.parse((await clocksOf(s, agent, late.id)).first_response.dueAt!);

    // Down from before the second due time until after it.
    await s.restartApp({ downForMs: Math.max(0, lateDue + 500 - Date.now()) });
    const restartedAt = Date.now();
    expect(restartedAt).toBeGreaterThan(lateDue);
    await waitFor('the breach after the restart', async () =>
      (await breachedEvents(late.id)).length ? true : undefined,
    );
    const lateBreach = (await clocksOf(s, agent, late.id)).first_response.history.find(
      (h) => h.kind === 'breached',
    )!;
    expect(lateBreach.at).toBe(new Date(lateDue).toISOString());
    expect(Date.parse(lateBreach.noticedAt!)).toBeGreaterThanOrEqual(restartedAt - 1000);
    // Give a duplicate every chance to show up, then count.
    await new Promise((r) => setTimeout(r, 1500));
    for (const t of [early, late]) {
      const timeline = await timelineOf(s, admin, t.id);
      expect(
        timeline.filter((e) => e.kind === 'sla.breached'),
        t.number,
      ).toHaveLength(1);
      expect(
        timeline.filter((e) => e.kind === 'sla.action'),
        t.number,
      ).toHaveLength(2);
      const notices = await s.sql<{ recipient: string; n: number }>(
        'select recipient, count(*)::int as n from notification where ticket_id = ? group by recipient',
        [t.id],
      );
      expect(
        notices.map((n) => n.n),
        t.number,
      ).toEqual([1, 1, 1]);
    }
    const waiting = await s.sql<{ n: number }>(
      `select count(*)::int as n from pgboss.job
        where name = 'sla-timer' and state in ('created', 'retry', 'active') and data->>'ticketId' in (?, ?)`,
      [String(early.id), String(late.id)],
    );
    expect(waiting[0]!.n).toBe(0);
  });

  it('a ticket whose clocks cannot be read fails alone: the others due with it breach on time', async () => {
    const [a, b, c] = [
      await fastTicket('urgent', 'Batch A'),
      await fastTicket('urgent', 'Batch B (broken)'),
      await fastTicket('urgent', 'Batch C'),
    ];
    await s.sql(
      `update ticket_sla set state = jsonb_set(state, '{clocks,first_response,dueAt}', '"not a time"') where ticket_id = ?`,
      [b!.id],
    );
    await waitFor('A and C to breach', async () =>
      (await breachedEvents(a!.id)).length === 1 && (await breachedEvents(c!.id)).length === 1
        ? true
        : undefined,
    );
    const failed = await waitFor("the broken ticket's job to fail", async () => {
      const [row] = await s.sql<{ state: string; output: unknown }>(
        `select state, output from pgboss.job where name = 'sla-timer' and data->>'ticketId' = ? order by created_on limit 1`,
        [String(b!.id)],
      );
      return row && row.state !== 'created' && row.state !== 'active' ? row : undefined;
    });
    expect(['retry', 'failed']).toContain(failed.state);
    expect(JSON.stringify(failed.output)).toMatch(/not a time/);
    expect(await breachedEvents(b!.id)).toEqual([]);
  });

  it('a ticket that is answered in time has no breach, and its timer job finds nothing to do', async () => {
    const t = await fastTicket('urgent', 'Answered in time');
    await s.gql(
      'mutation($id: ID!) { replyToTicket(id: $id, body: "Hello!") { __typename } }',
      { id: t.id },
      agent,
    );
    const r = await s.gql(`query($id: ID!) { ticket(id: $id) { ${CLOCKS} } }`, { id: t.id }, agent);
    expect(r.data!.ticket.slaClocks.find((c: any) => c.metric === 'first_response').status).toBe('met');
    // The breach's job (one job per clock version and instant: the breach and its actions at
    // 3 s share it) runs and finds the clock changed: wait for it.
    await waitFor(
      'the stale job to run',
      async () => {
        const [row] = await s.sql<{ n: number; done: number }>(
          `select count(*)::int as n, (count(*) filter (where state = 'completed'))::int as done
             from pgboss.job where name = 'sla-timer' and data->>'ticketId' = ?`,
          [String(t.id)],
        );
        return row!.n >= 1 && row!.done === row!.n ? true : undefined;
      },
      20_000,
    );
    const timeline = await timelineOf(s, admin, t.id);
    expect(timeline.filter((e) => e.kind === 'sla.breached' || e.kind === 'sla.action')).toEqual([]);
  });
});
