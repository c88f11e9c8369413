import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createSlaPolicy, createTicket, orgUnitId } from '../sla/sla-fixtures.ts';

/**
 * The live wall through the API: its figures for a fixed set of tickets (worked out by hand
 * below), each bounded by the viewer's scope (a wall token's org subtree, a manager's own scope),
 * the tokens' refusals, and the subscription hearing a new ticket and a breach by the clock.
 */

const SNAPSHOT = `
  at createdToday solvedToday open atRisk breached scopeName
  openByStatus { status count }
  atRiskTickets { number metric dueAt }
  breachedTickets { number metric dueAt }
  byRegion { id name open atRisk breached }
  byTeam { id name open }
  csat { count average satisfiedShare }
  trend { hour created solved }
  nextChangeAt`;
const WALL = `query($token: String) { wallSnapshot(token: $token) { ${SNAPSHOT} } }`;
const CREATE_TOKEN = `mutation($name: String!, $orgUnitId: Int!) {
  createWallToken(name: $name, orgUnitId: $orgUnitId) {
    __typename
    ... on CreatedWallToken { token wallToken { id name prefix orgUnit { name } revokedAt } }
    ... on ValidationError { fields { path code message } }
    ... on ForbiddenError { message permission }
  }
}`;
const REVOKE_TOKEN = `mutation($id: Int!) { revokeWallToken(id: $id) { __typename ... on WallToken { revokedAt } } }`;
const UPDATE = `mutation($id: ID!, $status: StatusCategory) {
  updateTicket(id: $id, status: $status) { __typename ... on Ticket { status } ... on Error { message } }
}`;

type Snapshot = {
  createdToday: number;
  solvedToday: number;
  open: number;
  atRisk: number;
  breached: number;
  scopeName: string | null;
  openByStatus: { status: string; count: number }[];
  atRiskTickets: { number: string; metric: string; dueAt: string }[];
  breachedTickets: { number: string; metric: string; dueAt: string }[];
  byRegion: { id: string | null; name: string | null; open: number; atRisk: number; breached: number }[];
  byTeam: { id: string | null; name: string | null; open: number }[];
  csat: { count: number; average: number | null; satisfiedShare: number | null };
  trend: { hour: number; created: number; solved: number }[];
  nextChangeAt: string | null;
};

/** Reads a subscription's server-sent events as they come. */
async function openStream(url: string, query: string, variables: Record<string, unknown>) {
  const controller = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const received: { data?: Record<string, any>; errors?: { message: string }[] }[] = [];
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (data) received.push(JSON.parse(data));
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  /** Waits for an event that satisfies the test, for at most `ms`. */
  const waitFor = async (test: (e: (typeof received)[number]) => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = received.find(test);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`no such event within ${ms} ms; got ${JSON.stringify(received.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    received,
    waitFor,
    close: async () => {
      controller.abort();
      await pump;
    },
  };
}

describe(`the live wall (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  const units: Record<'A' | 'B' | 'C' | 'north' | 'south', number> = { A: 0, B: 0, C: 0, north: 0, south: 0 };
  const numbers: Record<string, string> = {};
  let northToken = '';
  let northTokenId = 0;

  const wall = async (variables: { token?: string }, bearer?: string) =>
    s.gql<{ wallSnapshot: Snapshot }>(WALL, variables, bearer);
  const snapshotOf = async (variables: { token?: string }, bearer?: string): Promise<Snapshot> => {
    const r = await wall(variables, bearer);
    if (!r.data?.wallSnapshot) throw new Error(JSON.stringify(r));
    return r.data.wallSnapshot;
  };
  const returnTicket = (unit: number, title: string) =>
    createTicket(s, admin, {
      templateKey: 'returns',
      title,
      channel: 'phone',
      orgUnitId: unit,
      formData: validReturn,
    });
  const faultTicket = (unit: number, title: string) =>
    createTicket(s, admin, {
      templateKey: 'product-a-fault',
      title,
      orgUnitId: unit,
      formData: { serialNumber: 'A-0017', symptom: 'Smoke from the fan' },
    });

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    units.A = await orgUnitId(s, 'Store A');
    units.B = await orgUnitId(s, 'Store B');
    units.C = await orgUnitId(s, 'Store C');
    units.north = await orgUnitId(s, 'North Region');
    units.south = await orgUnitId(s, 'South Region');
    // The fixed set. Product A faults are urgent with a 15-minute first response (about to breach
    // at once); returns have no SLA policy.
    const a1 = await faultTicket(units.A, 'Fault, due soon');
    const a2 = await faultTicket(units.A, 'Fault, overdue');
    const b1 = await returnTicket(units.B, 'Return, new');
    const b2 = await returnTicket(units.B, 'Return, solved today');
    const c1 = await returnTicket(units.C, 'Return in the south');
    const old = await returnTicket(units.A, 'Return from three days ago, pending');
    Object.assign(numbers, { a1: a1.number, a2: a2.number, b1: b1.number, c1: c1.number });
    expect((await s.gql(UPDATE, { id: b2.id, status: 'solved' }, admin)).data!.updateTicket.status).toBe(
      'solved',
    );
    expect((await s.gql(UPDATE, { id: old.id, status: 'pending' }, admin)).data!.updateTicket.status).toBe(
      'pending',
    );
    await s.sql("update ticket set created_at = now() - interval '3 days' where id = ?", [old.id]);
    // a2's first response fell due five minutes ago (its timer has not run: the wall goes by the due
    // time). The instants the clocks row carries follow, as the SLA code writes them with the state.
    await s.sql(
      `update ticket_sla set state = jsonb_set(state, '{clocks,first_response,dueAt}',
         to_jsonb(to_char((now() - interval '5 minutes') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
        where ticket_id = ?`,
      [a2.id],
    );
    await s.sql(
      `update ticket_sla s set
         next_due_at = (select min((c.value->>'dueAt')::timestamptz) from jsonb_each(s.state->'clocks') c
                         where c.value->>'endedAt' is null and c.value->>'pausedAt' is null
                           and c.value->>'breachedAt' is null),
         breach_at = (select min(coalesce((c.value->>'breachedAt')::timestamptz,
                                          case when c.value->>'pausedAt' is null then (c.value->>'dueAt')::timestamptz end))
                        from jsonb_each(s.state->'clocks') c where c.value->>'endedAt' is null)
        where ticket_id = ?`,
      [a2.id],
    );
    // Two ratings today: 4 stars on a2 (north), 1 star on c1 (south); one from yesterday on b1.
    const rate = (ticketId: string, score: number, isBad: boolean, ratedAt: string) =>
      s.sql(
        `insert into csat_rating (ticket_id, reason, scale, score, is_bad, expires_at, rated_at)
         values (?, 'solved', 'five', ?, ?, now() + interval '1 day', ${ratedAt})`,
        [ticketId, score, isBad],
      );
    await rate(a2.id, 4, false, 'now()');
    await rate(c1.id, 1, true, 'now()');
    await rate(b1.id, 5, false, "now() - interval '2 days'");

    const made = await s.gql(CREATE_TOKEN, { name: 'North office TV', orgUnitId: units.north }, admin);
    expect(made.data!.createWallToken.__typename).toBe('CreatedWallToken');
    northToken = made.data!.createWallToken.token;
    northTokenId = Number(made.data!.createWallToken.wallToken.id);
    expect(northToken).toMatch(/^dkw_/);
    expect(made.data!.createWallToken.wallToken.prefix).toBe(northToken.slice(0, 10));
  });
  afterAll(() => s?.close());

  it('counts every ticket for an admin (scope all), by status, region and team', async () => {
    const w = await snapshotOf({}, admin);
    expect(w.createdToday).toBe(5); // a1, a2, b1, b2, c1 (not the one from three days ago)
    expect(w.solvedToday).toBe(1); // b2
    expect(w.open).toBe(5); // a1, a2, b1, c1, old
    const byStatus = Object.fromEntries(w.openByStatus.map((r) => [r.status, r.count]));
    expect(byStatus.new! + byStatus.open!).toBe(4);
    expect(byStatus.pending).toBe(1);
    expect(byStatus.on_hold).toBe(0);
    expect(w.atRisk).toBe(1);
    expect(w.breached).toBe(1);
    expect(w.atRiskTickets.map((t) => t.number)).toEqual([numbers.a1]);
    expect(w.atRiskTickets[0]!.metric).toBe('first_response');
    expect(w.breachedTickets.map((t) => t.number)).toEqual([numbers.a2]);
    const regions = Object.fromEntries(w.byRegion.map((r) => [r.name, r]));
    expect(regions['North Region']).toMatchObject({ open: 4, atRisk: 1, breached: 1 });
    expect(regions['South Region']).toMatchObject({ open: 1, atRisk: 0, breached: 0 });
    expect(w.byTeam.reduce((n, r) => n + r.open, 0)).toBe(5);
    expect(w.csat).toEqual({ count: 2, average: 2.5, satisfiedShare: 0.5 });
    expect(w.trend.reduce((n, p) => n + p.created, 0)).toBe(5);
    expect(w.trend.reduce((n, p) => n + p.solved, 0)).toBe(1);
    // a1 enters nothing new before it breaches (it is already within the 30-minute window).
    expect(Date.parse(w.nextChangeAt!)).toBeGreaterThan(Date.now());
    expect(Date.parse(w.nextChangeAt!)).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
  });

  it("a wall token shows its org unit's subtree only, grouped by the units below it", async () => {
    const w = await snapshotOf({ token: northToken });
    expect(w.scopeName).toBe('North Region');
    expect(w.createdToday).toBe(4); // a1, a2, b1, b2
    expect(w.solvedToday).toBe(1);
    expect(w.open).toBe(4); // a1, a2, b1, old
    expect([w.atRisk, w.breached]).toEqual([1, 1]);
    const regions = Object.fromEntries(w.byRegion.map((r) => [r.name, r.open]));
    expect(regions).toEqual({ 'Store A (Beijing Chaoyang)': 3, 'Store B (Tianjin Heping)': 1 });
    expect(w.csat).toEqual({ count: 1, average: 4, satisfiedShare: 1 });
    expect(w.breachedTickets.map((t) => t.number)).toEqual([numbers.a2]);

    const south = await s.gql(CREATE_TOKEN, { name: 'South TV', orgUnitId: units.south }, admin);
    const sw = await snapshotOf({ token: south.data!.createWallToken.token });
    expect([sw.createdToday, sw.solvedToday, sw.open, sw.atRisk, sw.breached]).toEqual([1, 0, 1, 0, 0]);
    expect(sw.csat).toEqual({ count: 1, average: 1, satisfiedShare: 0 });
  });

  it("without a token, a manager's wall is their own scope (the north subtree)", async () => {
    const manager = await s.login('manager.north@docket.local');
    const w = await snapshotOf({}, manager);
    expect([w.createdToday, w.open, w.atRisk, w.breached]).toEqual([4, 4, 1, 1]);
    expect(w.scopeName).toBeNull();
  });

  it('refuses a bad token, an unknown one and a revoked one, each saying so', async () => {
    const bad = await wall({ token: 'not-a-token' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(bad.errors?.[0]?.message).toMatch(/not a wall token/);
    const unknown = await wall({ token: 'dkw_nothing-like-this' });
    expect(unknown.errors?.[0]?.message).toMatch(/unknown/);
    // Nobody signed in and no token: the wall needs one or the other.
    const anonymous = await wall({});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const made = await s.gql(CREATE_TOKEN, { name: 'Lobby', orgUnitId: units.north }, admin);
    const token = made.data!.createWallToken.token as string;
    expect((await wall({ token })).data?.wallSnapshot.open).toBe(4);
    const revoked = await s.gql(REVOKE_TOKEN, { id: Number(made.data!.createWallToken.wallToken.id) }, admin);
    expect(revoked.data!.revokeWallToken.revokedAt).toBeTruthy();
    const after = await wall({ token });
    expect(after.data?.wallSnapshot ?? null).toBeNull();
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.errors?.[0]?.message).toMatch(/revoked/);
    // The trail has both changes.
    const trail = await s.sql<{ action: string }>(
      "select action from admin_change where entity_type = 'wall_token' and entity_id = ? order by id",
      [made.data!.createWallToken.wallToken.id],
    );
    expect(trail.map((r) => r.action)).toEqual(['create', 'update']);
  });

  it('only token managers create and revoke tokens, for units that exist within their scope', async () => {
    const agent = await s.login('agent.a@docket.local');
    const refused = await s.gql(CREATE_TOKEN, { name: 'Mine', orgUnitId: units.A }, agent);
    expect(refused.data!.createWallToken).toMatchObject({
      __typename: 'ForbiddenError',
      permission: 'token.manage',
    });
    const missing = await s.gql(CREATE_TOKEN, { name: ' ', orgUnitId: 999_999 }, admin);
    expect(missing.data!.createWallToken.__typename).toBe('ValidationError');
    expect(missing.data!.createWallToken.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      '/name',
      '/orgUnitId',
    ]);
    const list = await s.gql('{ wallTokens { name revokedAt } }', {}, agent);
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const names = (await s.gql('{ wallTokens { name } }', {}, admin)).data!.wallTokens.map(
      (t: { name: string }) => t.name,
    );
    expect(names).toContain('North office TV');
  });

  it("a rating given through its link reaches the wall's CSAT within a second", async () => {
    const t = await returnTicket(units.A, 'Rated while the wall watches');
    const [asked] = await s.sql<{ id: string }>(
      `insert into csat_rating (ticket_id, reason, scale, expires_at)
       values (?, 'solved', 'five', now() + interval '1 day') returning id::text as id`,
      [t.id],
    );
    const token = s.app.services.csat.tokenOf(asked!.id);
    const stream = await openStream(
      s.url,
      `subscription($token: String) { wallChanged(token: $token) { csat { count average } } }`,
      { token: northToken },
    );
    try {
      const first = await stream.waitFor((e) => Boolean(e.data?.wallChanged), 5_000);
      const before = first.data!.wallChanged.csat as { count: number; average: number };
      const ratedAt = Date.now();
      const rated = await s.gql(
        `mutation($token: String!) { rateTicket(token: $token, score: 5) { __typename } }`,
        { token },
      );
      expect(rated.data!.rateTicket.__typename).not.toMatch(/Error/);
      const heard = await stream.waitFor((e) => e.data?.wallChanged?.csat?.count === before.count + 1, 2_000);
      expect(Date.now() - ratedAt).toBeLessThan(1_500);
      expect(heard.data!.wallChanged.csat.average).toBeCloseTo(
        (before.average * before.count + 5) / (before.count + 1),
      );
    } finally {
      await stream.close();
    }
  });

  it('the subscription hears a new ticket within a second, and a breach when it falls due', async () => {
    const admin2 = admin;
    // A policy whose first response is due three seconds after creation (email tickets only).
    await createSlaPolicy(s, admin2, {
      name: 'Wall: tiny target',
      position: 0,
      condition: 'ticket.channel == "email"',
      targets: { first_response: { normal: { amount: 0.05, unit: 'minutes', time: 'calendar' } } },
    });
    const stream = await openStream(
      s.url,
      `subscription($token: String) { wallChanged(token: $token) { createdToday atRisk breached breachedTickets { number } } }`,
      { token: northToken },
    );
    try {
      const first = await stream.waitFor((e) => Boolean(e.data?.wallChanged), 5_000);
      const before = first.data!.wallChanged as { createdToday: number; breached: number };
      const createdAt = Date.now();
      const t = await createTicket(s, admin, {
        templateKey: 'returns',
        title: 'Mailed in, due in seconds',
        channel: 'email',
        orgUnitId: units.B,
        formData: validReturn,
      });
      expect(t.slaPolicyName).toBe('Wall: tiny target');
      const heard = await stream.waitFor(
        (e) => e.data?.wallChanged?.createdToday === before.createdToday + 1,
        2_000,
      );
      expect(Date.now() - createdAt).toBeLessThan(1_500);
      expect(heard.data!.wallChanged.atRisk).toBeGreaterThanOrEqual(1);
      // Nothing else happens: the wall's own timer notices the due time pass.
      const breached = await stream.waitFor(
        (e) =>
          (e.data?.wallChanged?.breachedTickets ?? []).some((b: { number: string }) => b.number === t.number),
        6_000,
      );
      expect(breached.data!.wallChanged.breached).toBe(before.breached + 1);
      expect(Date.now() - createdAt).toBeLessThan(5_000);

      // Revoking the token ends the stream with its reason.
      await s.gql(REVOKE_TOKEN, { id: northTokenId }, admin);
      await returnTicket(units.A, 'After the revocation');
      const ended = await stream.waitFor((e) => Boolean(e.errors?.length), 3_000);
      expect(ended.errors![0]!.message).toMatch(/revoked/);
    } finally {
      await stream.close();
    }
  });
});
