import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * The report's figures in business time, worked out by hand. The example policy "Product B
 * ordinary problems" counts Shanghai office hours (Mon–Fri 09:00–12:00 and 13:30–18:00, UTC+8),
 * pauses resolution while a ticket is pending, and gives a normal ticket 30 minutes to a first
 * response and 4 hours to resolution. The SLA clocks run on a clock the test moves; the rows'
 * own times are set to the same instants afterwards. The days lie in March 2027, ahead of the
 * real time, so no timer job fires during the test.
 */

const H = 3600;
/** Shanghai wall time on a day of March 2027 (or February), as a UTC instant. */
const sh = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`).toISOString();
const FROM = '2027-03-01T00:00:00.000Z';
const TO = '2027-03-08T00:00:00.000Z';

const REPORT = `query($input: TicketReportInput!) {
  ticketReport(input: $input) {
    __typename
    ... on TicketReport { groups { ...G } totals { ...G } }
    ... on ValidationError { fields { path code message } }
  }
}
fragment G on ReportGroup {
  key label created solved reopened backlog backlogAgeP50 backlogAgeMax
  firstResponseP50 firstResponseP90 resolutionP50 resolutionP90
  sla { metric met breached attainment }
  transfers returns rejects urges
  csatAverage csatCount csatDistribution csatGood csatBad csatAsked csatResponseRate
  followUpRated followUpAverage followUpBad ticketsFilter
}`;

type Step = { at: string; reply?: string; status?: string };

describe(`report metrics in business time (${databaseKind()})`, () => {
  const clock = new ManualClock(sh('2027-03-01', '10:00'));
  let s: TestServer;
  let admin: string;
  let manager: string;
  let agentA: string;
  let agentB: string;
  const org: Record<string, number> = {};
  const users: Record<string, number> = {};
  const ids: Record<string, string> = {};

  const lastEventId = async (ticketId: string) =>
    (
      await s.sql<{ id: string }>(
        'select coalesce(max(id), 0)::text as id from ticket_event where ticket_id = ?',
        [ticketId],
      )
    )[0]!.id;

  /**
   * A Product B ticket created at `created` (on the SLA clock), then each step at its instant: a
   * public reply or a status change through the API. Each step's audit entries get its instant.
   */
  async function ticket(token: string, store: 'A' | 'B', assignee: string, created: string, steps: Step[]) {
    clock.set(created);
    const made = await s.gql(
      `mutation($input: CreateTicketInput!) {
        createTicket(input: $input) { __typename ... on Ticket { id priority slaPolicyName } ... on Error { message } }
      }`,
      {
        input: {
          templateKey: 'product-b-issue',
          title: `Report ticket ${created}`,
          channel: 'phone',
          orgUnitId: org[store],
          assigneeId: users[assignee],
          formData: { question: 'The reset button does nothing' },
        },
      },
      token,
    );
    expect(made.data!.createTicket).toMatchObject({
      __typename: 'Ticket',
      priority: 'normal',
      slaPolicyName: 'Product B ordinary problems',
    });
    const id = made.data!.createTicket.id as string;
    await s.sql('update ticket set created_at = ? where id = ?', [created, id]);
    await s.sql('update ticket_event set created_at = ? where ticket_id = ?', [created, id]);
    for (const step of steps) {
      const before = await lastEventId(id);
      clock.set(step.at);
      const r = step.reply
        ? await s.gql(
            'mutation($id: ID!, $b: String!) { replyToTicket(id: $id, body: $b) { __typename } }',
            {
              id,
              b: step.reply,
            },
            token,
          )
        : await s.gql(
            'mutation($id: ID!, $s: StatusCategory) { updateTicket(id: $id, status: $s) { __typename } }',
            { id, s: step.status },
            token,
          );
      expect(JSON.stringify(r.data)).toContain('"Ticket"');
      await s.sql('update ticket_event set created_at = ? where ticket_id = ? and id > ?', [
        step.at,
        id,
        before,
      ]);
    }
    return id;
  }

  /** An audit entry of a kind the workflows and urging write (their own suites drive them). */
  const entry = (ticketId: string, kind: string, at: string) =>
    s.sql(
      "insert into ticket_event (ticket_id, kind, actor_kind, actor_id, channel, is_public, created_at) values (?, ?, 'user', ?, 'web', false, ?)",
      [ticketId, kind, users['agent.a'], at],
    );
  const rating = (
    ticketId: string,
    r: { reason: string; scale: string; score?: number; isBad?: boolean; asked: string; rated?: string },
  ) =>
    s.sql(
      `insert into csat_rating (ticket_id, reason, scale, score, is_bad, asked_at, expires_at, rated_at)
       values (?, ?, ?, ?, ?, ?, ?::timestamptz + interval '7 days', ?)`,
      [ticketId, r.reason, r.scale, r.score ?? null, r.isBad ?? null, r.asked, r.asked, r.rated ?? null],
    );

  const report = async (token: string, input: Record<string, unknown>) =>
    (await s.gql(REPORT, { input }, token)).data!.ticketReport;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false, clock });
    const login = (u: string) => s.login(`${u}@docket.local`);
    [admin, manager, agentA, agentB] = (await Promise.all(
      ['admin', 'manager.north', 'agent.a', 'agent.b'].map(login),
    )) as [string, string, string, string];
    for (const r of await s.sql<{ id: number; name: string }>('select id, name from org_unit'))
      org[r.name.startsWith('Store A') ? 'A' : r.name.startsWith('Store B') ? 'B' : r.name] = r.id;
    for (const r of await s.sql<{ id: number; email: string }>('select id, email from app_user'))
      users[r.email.split('@')[0]!] = r.id;

    // P1, store A, Mon 10:00: replied at 10:20 (20 office minutes: met), solved at 11:00 (1 h: met).
    ids.P1 = await ticket(agentA, 'A', 'agent.a', sh('2027-03-01', '10:00'), [
      { at: sh('2027-03-01', '10:20'), reply: 'We are on it.' },
      { at: sh('2027-03-01', '11:00'), status: 'solved' },
    ]);
    // P2, store A, Mon 17:30: replied Tue 09:30 (17:30–18:00 and 09:00–09:30: 1 h, breached; 16 h
    // on the wall), pending 10:00–14:00 (the resolution clock pauses), solved Tue 15:00
    // (0.5 h + 1 h + 1 h = 2.5 h: met), reopened Wed 10:00: open at the end.
    ids.P2 = await ticket(agentA, 'A', 'agent.a', sh('2027-03-01', '17:30'), [
      { at: sh('2027-03-02', '09:30'), reply: 'We will look at it this morning.' },
      { at: sh('2027-03-02', '10:00'), status: 'pending' },
      { at: sh('2027-03-02', '14:00'), status: 'open' },
      { at: sh('2027-03-02', '15:00'), status: 'solved' },
      { at: sh('2027-03-03', '10:00'), status: 'open' },
    ]);
    // P3, store B, Tue 11:00: replied 13:45 (11:00–12:00 and 13:30–13:45: 1.25 h, breached; lunch
    // left out), still open.
    ids.P3 = await ticket(agentB, 'B', 'agent.b', sh('2027-03-02', '11:00'), [
      { at: sh('2027-03-02', '13:45'), reply: 'A technician will call you.' },
    ]);
    // P4, store A, the Friday before the period: never answered, open: backlog only.
    ids.P4 = await ticket(agentA, 'A', 'agent.a', sh('2027-02-26', '10:00'), []);

    await entry(ids.P1, 'task.transferred', sh('2027-03-01', '10:10'));
    await entry(ids.P2, 'task.returned', sh('2027-03-02', '09:40'));
    await entry(ids.P2, 'task.rejected', sh('2027-03-02', '09:50'));
    await entry(ids.P3, 'ticket.urged', sh('2027-03-02', '12:00'));
    await entry(ids.P3, 'ticket.urged', sh('2027-03-02', '13:00'));
    await entry(ids.P4, 'ticket.urged', sh('2027-02-26', '16:00')); // before the period

    // P3's requester is a gold customer; the others have none.
    await s.sql("update customer set tier = 'gold' where email = 'customer@example.com'");
    await s.sql(
      "update ticket set requester_id = (select id from customer where email = 'customer@example.com') where id = ?",
      [ids.P3],
    );

    await s.sql('delete from csat_rating');
    await rating(ids.P1, {
      reason: 'solved',
      scale: 'five',
      score: 4,
      asked: sh('2027-03-01', '11:00'),
      rated: sh('2027-03-01', '12:00'),
    });
    await rating(ids.P2, { reason: 'solved', scale: 'five', asked: sh('2027-03-02', '15:00') }); // never answered
    await rating(ids.P3, {
      reason: 'step:visit',
      scale: 'five',
      score: 2,
      isBad: true,
      asked: sh('2027-03-02', '14:00'),
      rated: sh('2027-03-02', '16:00'),
    });
    // asked before the period, answered in it
    await rating(ids.P4, {
      reason: 'solved',
      scale: 'good_bad',
      isBad: false,
      asked: sh('2027-02-27', '10:00'),
      rated: sh('2027-03-03', '08:00'),
    });
  });
  afterAll(() => s?.close());

  it('totals every figure for an admin, as worked out by hand', async () => {
    clock.set('2027-03-10T00:00:00Z'); // the period is over: the backlog's age is counted to its end
    const r = await report(admin, { from: FROM, to: TO, groupBy: 'priority' });
    expect(r.__typename).toBe('TicketReport');
    expect(r.totals).toMatchObject({
      created: 3, // P1, P2, P3
      solved: 2, // P1, P2
      reopened: 1, // P2
      backlog: 3, // P2, P3, P4
      // open at Mar 8 00:00Z for 141 h (P3), 158.5 h (P2) and 238 h (P4)
      backlogAgeP50: 158.5 * H,
      backlogAgeMax: 238 * H,
      // office time to the first reply: 20 min, 1 h, 1.25 h (on the wall: 20 min, 16 h, 2.75 h)
      firstResponseP50: 1 * H,
      firstResponseP90: expect.closeTo(1 * H + 0.8 * 0.25 * H, 6),
      // office time to the solve, the pending hours left out: 1 h and 2.5 h
      resolutionP50: expect.closeTo(1.75 * H, 6),
      resolutionP90: expect.closeTo(1 * H + 0.9 * 1.5 * H, 6),
      transfers: 1,
      returns: 1,
      rejects: 1,
      urges: 2,
      csatCount: 3, // P1, P3, P4 rated in the period
      csatAverage: 3, // (4 + 2) / 2 on the five-point scale
      csatDistribution: [0, 1, 0, 1, 0],
      csatGood: 1,
      csatBad: 0,
      csatAsked: 3, // P1, P2, P3 asked in the period; P1 and P3 answered
      followUpRated: 1,
      followUpAverage: 2,
      followUpBad: 1,
    });
    expect(r.totals.csatResponseRate).toBeCloseTo(2 / 3, 10);
    const sla = Object.fromEntries(r.totals.sla.map((m: any) => [m.metric, m]));
    expect(sla.first_response).toMatchObject({ met: 1, breached: 2 });
    expect(sla.first_response.attainment).toBeCloseTo(1 / 3, 10);
    expect(sla.resolution).toMatchObject({ met: 2, breached: 0, attainment: 1 });
  });

  it('rolls org units up their subtree, each with its own business-time medians', async () => {
    const r = await report(admin, { from: FROM, to: TO, groupBy: 'org_unit' });
    const by = Object.fromEntries(r.groups.map((g: any) => [g.label, g]));
    expect(by['Store A (Beijing Chaoyang)']).toMatchObject({
      created: 2,
      solved: 2,
      reopened: 1,
      backlog: 2, // P2, P4
      firstResponseP50: 0.5 * (H / 3 + H), // 20 min and 1 h
      resolutionP50: expect.closeTo(1.75 * H, 6),
      transfers: 1,
      returns: 1,
      urges: 0,
      csatAverage: 4,
    });
    expect(by['Store B (Tianjin Heping)']).toMatchObject({
      created: 1,
      backlog: 1,
      firstResponseP50: 1.25 * H,
      resolutionP50: null,
      urges: 2,
      followUpRated: 1,
    });
    for (const unit of ['North Region', 'Headquarters'])
      expect(by[unit]).toMatchObject({ created: 3, solved: 2, backlog: 3, firstResponseP50: H, urges: 2 });
    expect(r.totals).toMatchObject({ created: 3, backlog: 3 });
  });

  it('groups by customer tier (tickets without a requester under none), each drilling down to its tickets', async () => {
    const r = await report(admin, { from: FROM, to: TO, groupBy: 'customer_tier' });
    expect(r.groups.map((g: any) => [g.key, g.created, g.backlog])).toEqual([
      [null, 2, 2],
      ['gold', 1, 1],
    ]);
    // The desk list, given each group's filter, lists the tickets the group counted as created.
    const listed = async (filter: unknown) =>
      (
        await s.gql(
          'query($f: TicketFilter) { tickets(first: 50, filter: $f) { edges { node { id } } } }',
          { f: filter },
          admin,
        )
      ).data!.tickets.edges.map((e: any) => e.node.id);
    expect(r.groups[1].ticketsFilter.requesterTier).toEqual(['gold']);
    expect(await listed(r.groups[1].ticketsFilter)).toEqual([ids.P3]);
    expect(r.groups[0].ticketsFilter.requesterTier).toEqual(['']);
    expect((await listed(r.groups[0].ticketsFilter)).sort()).toEqual([ids.P1, ids.P2].sort());
    expect(await listed({ requesterTier: ['standard'], createdAfter: FROM, createdBefore: TO })).toEqual([]);
  });

  it('labels a template group with the name its admins gave it and its key', async () => {
    const r = await report(admin, { from: FROM, to: TO, groupBy: 'template' });
    expect(r.groups.map((g: any) => [g.label, g.created])).toEqual([
      ['Product B ordinary problem (product-b-issue)', 3],
    ]);
  });

  it('narrows to an org unit within the caller’s scope, and only there', async () => {
    const a = await report(manager, { from: FROM, to: TO, groupBy: 'agent', orgUnitId: org.A });
    expect(a.totals).toMatchObject({ created: 2, backlog: 2, firstResponseP50: (H / 3 + H) / 2 });
    expect(a.totals.ticketsFilter.orgUnitId).toBe(String(org.A));
    // agent B sees their store's ticket only, and may not ask about store A
    const b = await report(agentB, { from: FROM, to: TO, groupBy: 'agent' });
    expect(b.totals).toMatchObject({ created: 1, firstResponseP50: 1.25 * H, csatCount: 1 });
    const outside = await report(agentB, { from: FROM, to: TO, groupBy: 'agent', orgUnitId: org.A });
    expect(outside.__typename).toBe('ValidationError');
    expect(outside.fields).toMatchObject([{ path: '/orgUnitId', code: 'out_of_scope' }]);
    expect(outside.fields[0].message).toContain('Store A');
    const unknown = await report(agentA, { from: FROM, to: TO, groupBy: 'agent', orgUnitId: '999999' });
    expect(unknown.fields).toMatchObject([{ path: '/orgUnitId', code: 'not_found' }]);
  });

  it('counts every SLA mark of a clock that met and breached several times, in the period only', async () => {
    // Q, store B, Mon 5 April: its clocks as the SLA engine keeps them, with five marks: a first
    // response met after 10 office minutes, and a next response breached, met, breached again
    // and met again a week later (after the period).
    const q = await ticket(agentB, 'B', 'agent.b', sh('2027-04-05', '10:00'), []);
    const mark = (kind: string, at: string, extra: Record<string, unknown> = {}) => ({ kind, at, ...extra });
    const clocks = {
      first_response: {
        history: [
          mark('start', sh('2027-04-05', '10:00')),
          mark('met', sh('2027-04-05', '10:10'), { reason: 'agent_public_reply', consumedSeconds: 600 }),
        ],
      },
      next_response: {
        history: [
          mark('breached', sh('2027-04-05', '11:00')),
          mark('met', sh('2027-04-05', '12:00')),
          mark('breached', sh('2027-04-06', '11:00')),
          mark('met', sh('2027-04-12', '10:00')),
        ],
      },
      resolution: { history: [mark('start', sh('2027-04-05', '10:00'))] },
    };
    await s.sql("update ticket_sla set state = jsonb_set(state, '{clocks}', ?::jsonb) where ticket_id = ?", [
      JSON.stringify(clocks),
      q,
    ]);
    const r = await report(admin, {
      from: '2027-04-05T00:00:00.000Z',
      to: '2027-04-12T00:00:00.000Z',
      groupBy: 'team',
    });
    expect(r.totals).toMatchObject({ created: 1, firstResponseP50: 600, solved: 0 });
    const sla = Object.fromEntries(r.totals.sla.map((m: any) => [m.metric, m]));
    expect(sla.first_response).toMatchObject({ met: 1, breached: 0, attainment: 1 });
    expect(sla.next_response).toMatchObject({ met: 1, breached: 2 });
    expect(sla.next_response.attainment).toBeCloseTo(1 / 3, 10);
    expect(sla.resolution).toMatchObject({ met: 0, breached: 0, attainment: null });
    // The week after holds the last mark only.
    const later = await report(admin, {
      from: '2027-04-12T00:00:00.000Z',
      to: '2027-04-19T00:00:00.000Z',
      groupBy: 'team',
    });
    const next = later.totals.sla.find((m: any) => m.metric === 'next_response');
    expect(next).toMatchObject({ met: 1, breached: 0 });
    expect(later.totals.created).toBe(0);
  });

  it('answers a period with no data with zeros, and names an unknown grouping', async () => {
    const empty = await report(admin, {
      from: '2020-01-01T00:00:00Z',
      to: '2020-02-01T00:00:00Z',
      groupBy: 'team',
    });
    expect(empty.groups).toEqual([]);
    expect(empty.totals).toMatchObject({
      created: 0,
      solved: 0,
      backlog: 0,
      firstResponseP50: null,
      resolutionP90: null,
      csatAverage: null,
      csatResponseRate: null,
      csatDistribution: [0, 0, 0, 0, 0],
    });
    expect(empty.totals.sla.every((m: any) => m.met === 0 && m.breached === 0 && m.attainment === null)).toBe(
      true,
    );
    const unknown = await report(admin, { from: FROM, to: TO, groupBy: 'tier' });
    expect(unknown.fields).toMatchObject([{ path: '/groupBy', code: 'unknown' }]);
    expect(unknown.fields[0].message).toContain('customer_tier');
  });
});
