import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { __typename ... on Ticket { id } ... on Error { message } }
}`;
const UPDATE = `mutation($id: ID!, $status: StatusCategory) {
  updateTicket(id: $id, status: $status) { __typename ... on Ticket { status } ... on Error { message } }
}`;
const REPLY = `mutation($id: ID!, $body: String!) {
  replyToTicket(id: $id, body: $body) { __typename }
}`;
const REPORT = `query($input: TicketReportInput!) {
  ticketReport(input: $input) {
    __typename
    ... on TicketReport {
      groups { ...G }
      totals { ...G }
    }
    ... on ValidationError { fields { path code } }
    ... on ForbiddenError { permission }
  }
}
fragment G on ReportGroup {
  key label created solved reopened backlog firstResponseP50 firstResponseP90 resolutionP50 resolutionP90
  csatAverage csatCount ticketsFilter
}`;

const FROM = '2026-01-01T00:00:00Z';
const TO = '2026-02-01T00:00:00Z';
const H = 3600;
const at = (day: string, hours = 0) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + hours * H * 1000).toISOString();

describe(`ticket reports (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let manager: string;
  let agentA: string;
  let agentB: string;
  let tech: string;
  const org: Record<string, number> = {};
  const users: Record<string, number> = {};

  /**
   * A ticket made through the API, then moved along in the order given; afterwards the audit
   * trail's times are set to the fixed instants (creation, first reply, each status change).
   */
  async function ticket(
    token: string,
    store: 'A' | 'B',
    assignee: number,
    times: { created: string; reply?: string; solved?: string; reopened?: string },
  ): Promise<string> {
    const made = await s.gql(
      CREATE,
      {
        input: {
          templateKey: 'returns',
          title: `Report ticket ${times.created}`,
          channel: 'phone',
          orgUnitId: org[store],
          assigneeId: assignee,
          formData: validReturn,
        },
      },
      token,
    );
    expect(made.data!.createTicket.__typename).toBe('Ticket');
    const id = made.data!.createTicket.id as string;
    if (times.reply)
      expect((await s.gql(REPLY, { id, body: 'We are on it.' }, token)).data!.replyToTicket.__typename).toBe(
        'Ticket',
      );
    if (times.solved)
      expect((await s.gql(UPDATE, { id, status: 'solved' }, token)).data!.updateTicket.status).toBe('solved');
    if (times.reopened)
      expect((await s.gql(UPDATE, { id, status: 'open' }, token)).data!.updateTicket.status).toBe('open');
    // Its clocks ran in real time, not at these instants: without them the report counts
    // wall-clock time (report-metrics.test.ts checks the business time of the clocks).
    await s.sql('delete from ticket_sla where ticket_id = ?', [id]);
    await s.sql('update ticket set created_at = ? where id = ?', [times.created, id]);
    await s.sql('update ticket_event set created_at = ? where ticket_id = ?', [times.created, id]);
    if (times.reply)
      await s.sql("update ticket_event set created_at = ? where ticket_id = ? and kind = 'reply'", [
        times.reply,
        id,
      ]);
    if (times.solved)
      await s.sql(
        "update ticket_event set created_at = ? where ticket_id = ? and diff->'status'->>'to' = 'solved'",
        [times.solved, id],
      );
    if (times.reopened)
      await s.sql(
        "update ticket_event set created_at = ? where ticket_id = ? and diff->'status'->>'from' = 'solved'",
        [times.reopened, id],
      );
    return id;
  }

  const report = async (token: string, input: Record<string, unknown>) =>
    (await s.gql(REPORT, { input }, token)).data!.ticketReport;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    const login = (u: string) => s.login(`${u}@docket.local`);
    admin = await login('admin');
    manager = await login('manager.north');
    agentA = await login('agent.a');
    agentB = await login('agent.b');
    tech = await login('tech');
    for (const r of await s.sql<{ id: number; name: string }>('select id, name from org_unit'))
      org[r.name.startsWith('Store A') ? 'A' : r.name.startsWith('Store B') ? 'B' : r.name] = r.id;
    for (const r of await s.sql<{ id: number; email: string }>('select id, email from app_user'))
      users[r.email.split('@')[0]!] = r.id;
    // T1: store A, replied after 1 h, solved after 4 h, rated 4.
    const t1 = await ticket(agentA, 'A', users['agent.a']!, {
      created: at('2026-01-10'),
      reply: at('2026-01-10', 1),
      solved: at('2026-01-10', 4),
    });
    await s.sql(
      "insert into csat_rating (ticket_id, reason, scale, score, asked_at, expires_at, rated_at) values (?, 'solved', 'five', 4, ?, ?, ?)",
      [t1, at('2026-01-10', 4), at('2026-01-20'), at('2026-01-10', 5)],
    );
    // T2: store A, replied after 3 h, solved after 10 h, reopened the next day: open at the end.
    await ticket(agentA, 'A', users['agent.a']!, {
      created: at('2026-01-11'),
      reply: at('2026-01-11', 3),
      solved: at('2026-01-11', 10),
      reopened: at('2026-01-12'),
    });
    // T3: store B, replied after 2 h, still open.
    await ticket(agentB, 'B', users['agent.b']!, { created: at('2026-01-12'), reply: at('2026-01-12', 2) });
    // T4: store A, created before the period and still open: backlog only.
    await ticket(agentA, 'A', users['agent.a']!, { created: at('2025-12-20') });
  });
  afterAll(() => s?.close());

  it('totals over every ticket for an admin, worked out by hand', async () => {
    const r = await report(admin, { from: FROM, to: TO, groupBy: 'priority' });
    expect(r.__typename).toBe('TicketReport');
    expect(r.totals).toMatchObject({
      created: 3, // T1, T2, T3
      solved: 2, // T1, T2
      reopened: 1, // T2
      backlog: 3, // T2, T3, T4
      firstResponseP50: 2 * H, // 1 h, 2 h, 3 h
      firstResponseP90: 2 * H + 0.8 * H, // between 2 h and 3 h
      resolutionP50: 7 * H, // 4 h and 10 h
      resolutionP90: 4 * H + 0.9 * 6 * H,
      csatAverage: 4,
      csatCount: 1,
    });
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({ key: 'normal', created: 3, backlog: 3 });
    expect(r.totals.ticketsFilter).toEqual({
      createdAfter: FROM.replace('Z', '.000Z'),
      createdBefore: TO.replace('Z', '.000Z'),
    });
  });

  it('rolls org units up their subtree', async () => {
    const r = await report(admin, { from: FROM, to: TO, groupBy: 'org_unit' });
    const by = Object.fromEntries(r.groups.map((g: any) => [g.label, g]));
    expect(Object.keys(by).sort()).toEqual(
      ['Headquarters', 'North Region', 'Store A (Beijing Chaoyang)', 'Store B (Tianjin Heping)'].sort(),
    );
    expect(by.Headquarters).toMatchObject({ created: 3, solved: 2, reopened: 1, backlog: 3 });
    expect(by['North Region']).toMatchObject({ created: 3, solved: 2, reopened: 1, backlog: 3 });
    expect(by['Store A (Beijing Chaoyang)']).toMatchObject({
      created: 2,
      solved: 2,
      reopened: 1,
      backlog: 2,
      firstResponseP50: 2 * H,
      csatAverage: 4,
    });
    expect(by['Store B (Tianjin Heping)']).toMatchObject({
      created: 1,
      solved: 0,
      backlog: 1,
      firstResponseP50: 2 * H,
    });
    expect(by['Store A (Beijing Chaoyang)'].ticketsFilter.orgUnitId).toBe(String(org.A));
    // the totals count each ticket once
    expect(r.totals).toMatchObject({ created: 3, backlog: 3 });
  });

  it("gives a store agent only their store's tickets, totals included; the regional manager the region", async () => {
    const a = await report(agentA, { from: FROM, to: TO, groupBy: 'agent' });
    expect(a.groups.map((g: any) => g.key)).toEqual([String(users['agent.a'])]);
    expect(a.totals).toMatchObject({
      created: 2,
      solved: 2,
      reopened: 1,
      backlog: 2,
      firstResponseP50: 2 * H, // 1 h and 3 h
      resolutionP90: 4 * H + 0.9 * 6 * H,
    });
    const b = await report(agentB, { from: FROM, to: TO, groupBy: 'org_unit' });
    expect(b.totals).toMatchObject({
      created: 1,
      solved: 0,
      reopened: 0,
      backlog: 1,
      csatCount: 0,
      csatAverage: null,
    });
    const m = await report(manager, { from: FROM, to: TO, groupBy: 'agent' });
    expect(m.totals).toMatchObject({ created: 3, backlog: 3 });
    expect(m.groups.map((g: any) => g.label).sort()).toEqual(['Anna Agent (Store A)', 'Bo Agent (Store B)']);
  });

  it('rolls org units up per path for a scoped caller: each unit above counts only what the caller sees', async () => {
    // Store A's agent: the units above store A show store A's tickets alone, store B not at all.
    const a = await report(agentA, { from: FROM, to: TO, groupBy: 'org_unit' });
    const by = Object.fromEntries(a.groups.map((g: any) => [g.label, g]));
    expect(Object.keys(by).sort()).toEqual(['Headquarters', 'North Region', 'Store A (Beijing Chaoyang)']);
    const storeA = {
      created: 2,
      solved: 2,
      reopened: 1,
      backlog: 2,
      firstResponseP50: 2 * H, // 1 h and 3 h
      resolutionP90: 4 * H + 0.9 * 6 * H,
      csatAverage: 4,
    };
    for (const unit of Object.values(by)) expect(unit).toMatchObject(storeA);
    expect(a.totals).toMatchObject(storeA);
    // The region's percentiles are exact over both stores' tickets (1 h, 3 h and 2 h), not
    // averaged per store: p50 2 h, p90 2.8 h.
    const m = await report(manager, { from: FROM, to: TO, groupBy: 'org_unit' });
    const region = m.groups.find((g: any) => g.label === 'North Region');
    expect(region).toMatchObject({ created: 3, backlog: 3, firstResponseP50: 2 * H });
    expect(region.firstResponseP90).toBeCloseTo(2.8 * H, 6);
  });

  it('answers an empty period with zeros', async () => {
    const r = await report(admin, {
      from: '2020-01-01T00:00:00Z',
      to: '2020-02-01T00:00:00Z',
      groupBy: 'team',
    });
    expect(r.groups).toEqual([]);
    expect(r.totals).toMatchObject({
      created: 0,
      solved: 0,
      backlog: 0,
      firstResponseP50: null,
      csatAverage: null,
    });
  });

  it("follows a store moved out of the region: its tickets leave the regional manager's figures", async () => {
    const moved = await s.gql(
      `mutation($id: Int!, $parentId: Int) { updateOrgUnit(id: $id, parentId: $parentId) { __typename ... on Error { message } } }`,
      { id: org.B, parentId: org.Headquarters },
      admin,
    );
    expect(moved.data!.updateOrgUnit.__typename).toBe('OrgUnit');
    try {
      const m = await report(manager, { from: FROM, to: TO, groupBy: 'agent' });
      expect(m.totals).toMatchObject({ created: 2, backlog: 2 }); // T1, T2; T2, T4: store A only
      expect(m.groups.map((g: any) => g.label)).toEqual(['Anna Agent (Store A)']);
      const all = await report(admin, { from: FROM, to: TO, groupBy: 'org_unit' });
      const by = Object.fromEntries(all.groups.map((g: any) => [g.label, g]));
      expect(by['North Region']).toMatchObject({ created: 2, backlog: 2 });
      expect(by.Headquarters).toMatchObject({ created: 3, backlog: 3 });
    } finally {
      await s.gql(
        `mutation($id: Int!, $parentId: Int) { updateOrgUnit(id: $id, parentId: $parentId) { __typename } }`,
        { id: org.B, parentId: org['North Region'] },
        admin,
      );
    }
  });

  // Two transactions at once need a real PostgreSQL (the embedded one runs one at a time).
  it.runIf(databaseKind() === 'postgresql')(
    'keeps a ticket marked for the next refresh when its change commits while a refresh runs',
    async () => {
      const [clock] = await s.sql<{ id: string }>('select id::text as id from ticket order by id limit 1');
      await s.sql('insert into report_dirty_ticket (ticket_id) values (?)', [clock!.id]);
      const other = new pg.Client({ connectionString: s.db.url });
      await other.connect();
      try {
        // An urge on the ticket, not yet committed, when a report refreshes the facts.
        await other.query('begin');
        await other.query(
          `insert into ticket_event (ticket_id, kind, actor_kind, channel, is_public, body)
           values ($1, 'ticket.urged', 'system', 'web', false, 'Urged')`,
          [clock!.id],
        );
        expect((await report(admin, { from: FROM, to: TO, groupBy: 'team' })).__typename).toBe(
          'TicketReport',
        );
        await other.query('commit');
      } finally {
        await other.end();
      }
      const marked = await s.sql<{ n: number }>(
        'select count(*)::int as n from report_dirty_ticket where ticket_id = ?',
        [clock!.id],
      );
      expect(marked[0]!.n).toBeGreaterThan(0);
    },
  );

  it('refuses bad input by field, and staff without report.read', async () => {
    const backwards = await report(admin, { from: TO, to: FROM, groupBy: 'team' });
    expect(backwards.fields).toEqual([{ path: '/to', code: 'before_from' }]);
    const long = await report(admin, {
      from: '2025-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
      groupBy: 'team',
    });
    expect(long.fields).toEqual([{ path: '/to', code: 'too_long' }]);
    const unknown = await report(admin, { from: FROM, to: TO, groupBy: 'weather' });
    expect(unknown.fields).toEqual([{ path: '/groupBy', code: 'unknown' }]);
    const forbidden = await report(tech, { from: FROM, to: TO, groupBy: 'team' });
    expect(forbidden).toMatchObject({ __typename: 'ForbiddenError', permission: 'report.read' });
  });
});
