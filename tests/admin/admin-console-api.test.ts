import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * What the admin console asks the server besides the configuration CRUD: the admin audit trail
 * and the audit search over ticket events, what an org unit's move would take along, the
 * calendar's "due if created now" preview, the SLA test panel and the order of SLA policies.
 */

const workday = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];
const office = {
  timeZone: 'Asia/Shanghai',
  weeklyHours: [[], workday, workday, workday, workday, workday, []],
};

const PREVIEW = `query($d: JSON!, $a: Float!, $u: SlaTimeUnit!, $f: DateTime) {
  calendarDuePreview(definition: $d, amount: $a, unit: $u, from: $f) {
    __typename ... on CalendarDuePreview { from dueAt targetSeconds }
    ... on ValidationError { fields { path code } } } }`;
const TEST = `query($n: String, $t: SlaTestTicketInput, $at: DateTime) {
  testSlaPolicies(ticketNumber: $n, ticket: $t, at: $at) {
    __typename ... on SlaPolicyTest { policyName checked { policyName applies } clocks { metric priority calendarKey dueAt target { amount unit time } } }
    ... on ValidationError { fields { path code } } ... on ForbiddenError { permission } } }`;
const IMPACT = `query($id: Int!, $p: Int) { orgUnitMoveImpact(id: $id, parentId: $p) {
  __typename ... on OrgUnitMoveImpact { fromPath toPath orgUnitCount userCount ticketCount openTicketCount fromParent { name } toParent { name } }
  ... on ValidationError { fields { path code } } ... on ForbiddenError { permission } } }`;
const CHANGES = `query($t: String, $e: String) { adminChanges(text: $t, entityType: $e) {
  actorName action entityType entityId entityName diff } }`;

describe(`admin console API (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  const orgId = async (name: string) =>
    (await s.sql<{ id: number }>('select id from org_unit where name = ?', [name]))[0]!.id;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  it('records who changed a role and a user, with what changed, in the admin audit trail', async () => {
    const created = await s.gql(
      'mutation { createRole(key: "auditor", name: "Auditor", permissions: [TICKET_READ, AUDIT_READ], dataScope: own) { ... on Role { id } } }',
      {},
      admin,
    );
    const roleId = Number(created.data!.createRole.id);
    await s.gql(
      'mutation($id: Int!) { updateRole(id: $id, dataScope: org_subtree) { __typename } }',
      { id: roleId },
      admin,
    );
    // An update that changes nothing leaves no entry.
    await s.gql(
      'mutation($id: Int!) { updateRole(id: $id, name: "Auditor") { __typename } }',
      { id: roleId },
      admin,
    );
    const roleChanges = (await s.gql(CHANGES, { e: 'role' }, admin)).data!.adminChanges;
    expect(roleChanges.filter((c: any) => c.entityId === String(roleId))).toEqual([
      {
        actorName: 'Ada Admin',
        action: 'update',
        entityType: 'role',
        entityId: String(roleId),
        entityName: 'Auditor',
        diff: { dataScope: { from: 'own', to: 'org_subtree' } },
      },
      expect.objectContaining({ action: 'create', entityName: 'Auditor' }),
    ]);

    const user = await s.gql(
      'mutation($r: [Int!]) { createUser(email: "ivy@docket.local", name: "Ivy Inspector", password: "temporary-pass-1", roleIds: $r) { ... on User { id } } }',
      { r: [roleId] },
      admin,
    );
    const userId = Number(user.data!.createUser.id);
    await s.gql(
      'mutation($id: Int!) { updateUser(id: $id, password: "another-pass-2") { __typename } }',
      { id: userId },
      admin,
    );
    const found = (await s.gql(CHANGES, { t: 'Ivy' }, admin)).data!.adminChanges;
    expect(found.map((c: any) => [c.entityType, c.action])).toEqual([
      ['user', 'update'],
      ['user', 'create'],
    ]);
    // A password is never written to the trail, only that it changed.
    expect(found[0].diff).toEqual({ password: { from: null, to: 'changed' } });
    expect(JSON.stringify(found)).not.toContain('another-pass-2');

    // The seeds' calendars, policies and statuses are in the trail too (as changes of the seeding admin).
    const calendars = (await s.gql(CHANGES, { e: 'calendar' }, admin)).data!.adminChanges;
    expect(calendars.map((c: any) => c.entityName)).toContain(
      'Shanghai office (Mon–Fri 09:00–12:00, 13:30–18:00)',
    );
  });

  it('records a change of the urge rules, and none when nothing changes', async () => {
    const set = (m: number) =>
      s.gql('mutation($m: Int!) { updateUrgeRules(minMinutesBetween: $m) { __typename } }', { m }, admin);
    await set(15);
    await set(15);
    const changes = (await s.gql(CHANGES, { e: 'urge_rules' }, admin)).data!.adminChanges;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ actorName: 'Ada Admin', diff: { minMinutesBetween: { to: 15 } } });
  });

  it('refuses the audit trail to staff without audit.read; ticket events stay within the reader’s scope', async () => {
    const refused = await s.gql(CHANGES, {}, agent);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await s.gql('{ auditTicketEvents { id } }', {}, agent)).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );

    const created = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { number } } }',
      { i: { templateKey: 'returns', title: 'Audited kettle return', formData: validReturn } },
      admin,
    );
    const number = created.data!.createTicket.number;
    const all = await s.gql(
      'query($t: String) { auditTicketEvents(text: $t) { ticketNumber kind actorName } }',
      { t: 'Audited kettle' },
      admin,
    );
    expect(all.data!.auditTicketEvents).toContainEqual({
      ticketNumber: number,
      kind: 'created',
      actorName: 'Ada Admin',
    });

    // Ivy holds audit.read with scope "org_subtree" but no org unit and no tickets of her own.
    const ivy = await s.login('ivy@docket.local', 'another-pass-2');
    const hers = await s.gql(
      'query($n: String) { auditTicketEvents(ticketNumber: $n) { id } }',
      { n: number },
      ivy,
    );
    expect(hers.errors).toBeUndefined();
    expect(hers.data!.auditTicketEvents).toEqual([]);
    expect((await s.gql(CHANGES, { e: 'role' }, ivy)).data!.adminChanges.length).toBeGreaterThan(0);
  });

  it('says what moving an org unit would take along, without moving it, and refuses a cycle', async () => {
    const storeA = await orgId('Store A (Beijing Chaoyang)');
    const south = await orgId('South Region');
    await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
      { i: { templateKey: 'returns', title: 'Store A return', formData: validReturn, orgUnitId: storeA } },
      admin,
    );
    const { path } = (await s.sql<{ path: string }>('select path from org_unit where id = ?', [storeA]))[0]!;
    const { n, open } = (
      await s.sql<{ n: number; open: number }>(
        "select count(*)::int as n, count(*) filter (where status not in ('solved', 'closed'))::int as open from ticket where org_path like ?",
        [`${path}%`],
      )
    )[0]!;
    const { users } = (
      await s.sql<{ users: number }>('select count(*)::int as users from app_user where org_unit_id = ?', [
        storeA,
      ])
    )[0]!;
    expect(n).toBeGreaterThanOrEqual(1);
    const impact = (await s.gql(IMPACT, { id: storeA, p: south }, admin)).data!.orgUnitMoveImpact;
    expect(impact).toEqual({
      __typename: 'OrgUnitMoveImpact',
      fromPath: path,
      toPath: `/1/${south}/${storeA}/`,
      orgUnitCount: 1,
      userCount: users,
      ticketCount: n,
      openTicketCount: open,
      fromParent: { name: 'North Region' },
      toParent: { name: 'South Region' },
    });
    const { after } = (
      await s.sql<{ after: string }>('select path as after from org_unit where id = ?', [storeA])
    )[0]!;
    expect(after).toBe(path);

    const hq = await orgId('Headquarters');
    const cycle = (await s.gql(IMPACT, { id: hq, p: storeA }, admin)).data!.orgUnitMoveImpact;
    expect(cycle).toEqual({ __typename: 'ValidationError', fields: [{ path: '/parentId', code: 'cycle' }] });
    const missing = (await s.gql(IMPACT, { id: storeA, p: 999999 }, admin)).data!.orgUnitMoveImpact;
    expect(missing.fields).toEqual([{ path: '/parentId', code: 'not_found' }]);
    expect((await s.gql(IMPACT, { id: storeA, p: south }, agent)).data!.orgUnitMoveImpact).toEqual({
      __typename: 'ForbiddenError',
      permission: 'org.manage',
    });

    // The move itself is in the audit trail.
    await s.gql(
      'mutation($id: Int!, $p: Int) { updateOrgUnit(id: $id, parentId: $p) { __typename } }',
      { id: storeA, p: south },
      admin,
    );
    const moved = (await s.gql(CHANGES, { e: 'org_unit' }, admin)).data!.adminChanges[0];
    expect(moved).toMatchObject({
      action: 'update',
      entityId: String(storeA),
      diff: { parentId: { to: south } },
    });
  });

  it('previews when a target falls due in a calendar definition, and a holiday moves it', async () => {
    // Friday 2026-12-04 17:00 in Shanghai (09:00Z) plus 2 business hours: 1 h on Friday, 1 h on Monday from 09:00.
    const from = '2026-12-04T09:00:00.000Z';
    const plain = (await s.gql(PREVIEW, { d: office, a: 2, u: 'hours', f: from }, admin)).data!
      .calendarDuePreview;
    expect(plain).toEqual({
      __typename: 'CalendarDuePreview',
      from,
      dueAt: '2026-12-07T02:00:00.000Z',
      targetSeconds: 7200,
    });
    const withHoliday = { ...office, holidays: [{ date: '2026-12-07', name: 'Company day' }] };
    const moved = (await s.gql(PREVIEW, { d: withHoliday, a: 2, u: 'hours', f: from }, admin)).data!
      .calendarDuePreview;
    expect(moved.dueAt).toBe('2026-12-08T02:00:00.000Z');
    // A make-up working Saturday brings it forward again.
    const makeUp = { ...withHoliday, extraWorkingDays: [{ date: '2026-12-05' }] };
    expect(
      (await s.gql(PREVIEW, { d: makeUp, a: 2, u: 'hours', f: from }, admin)).data!.calendarDuePreview.dueAt,
    ).toBe('2026-12-05T02:00:00.000Z');

    const bad = await s.gql(
      PREVIEW,
      {
        d: { ...office, weeklyHours: [[], [{ start: '25:00', end: '18:00' }], [], [], [], [], []] },
        a: 0,
        u: 'hours',
      },
      admin,
    );
    expect(bad.data!.calendarDuePreview.__typename).toBe('ValidationError');
    expect(bad.data!.calendarDuePreview.fields.map((f: any) => f.path)).toEqual(
      expect.arrayContaining(['/amount', expect.stringMatching(/^\/definition\/weeklyHours\/1\/0/)]),
    );
  });

  it('tests which SLA policy a described or an existing ticket gets, with its due times', async () => {
    const at = '2026-12-04T01:00:00.000Z'; // Friday 09:00 in Shanghai
    const b = (
      await s.gql(TEST, { t: { categoryPath: ['Product B', 'Noise'], priority: 'normal' }, at }, admin)
    ).data!.testSlaPolicies;
    expect(b.policyName).toBe('Product B ordinary problems');
    expect(b.checked).toEqual([
      { policyName: 'Product A major faults', applies: false },
      { policyName: 'Product B ordinary problems', applies: true },
    ]);
    const firstResponse = b.clocks.find((c: any) => c.metric === 'first_response');
    expect(firstResponse).toEqual({
      metric: 'first_response',
      priority: 'normal',
      calendarKey: 'shanghai-office',
      dueAt: '2026-12-04T01:30:00.000Z',
      target: { amount: 30, unit: 'minutes', time: 'business' },
    });

    const none = (await s.gql(TEST, { t: { categoryPath: ['Returns'] }, at }, admin)).data!.testSlaPolicies;
    expect(none).toMatchObject({ policyName: null, clocks: expect.any(Array) });
    expect(none.clocks.every((c: any) => c.dueAt === null)).toBe(true);

    const { number } = (await s.sql<{ number: string }>('select number from ticket order by id limit 1'))[0]!;
    const existing = (await s.gql(TEST, { n: number, at }, admin)).data!.testSlaPolicies;
    expect(existing.__typename).toBe('SlaPolicyTest');
    const unknown = (await s.gql(TEST, { n: 'NOPE-1', at }, admin)).data!.testSlaPolicies;
    expect(unknown.fields).toEqual([{ path: '/ticketNumber', code: 'not_found' }]);
    expect((await s.gql(TEST, { t: {}, at }, agent)).data!.testSlaPolicies).toEqual({
      __typename: 'ForbiddenError',
      permission: 'sla.manage',
    });
  });

  it('reorders SLA policies: every policy once, positions 10, 20, …, and the first that holds changes', async () => {
    const policies = (await s.gql('{ slaPolicies(includeInactive: true) { id name } }', {}, admin)).data!
      .slaPolicies;
    const [a, b] = policies;
    const REORDER = `mutation($ids: [ID!]!) { reorderSlaPolicies(ids: $ids) {
      __typename ... on MutationReorderSlaPoliciesSuccess { data { id name position } }
      ... on ValidationError { fields { path code } } ... on ForbiddenError { permission } } }`;
    const incomplete = (await s.gql(REORDER, { ids: [b.id] }, admin)).data!.reorderSlaPolicies;
    expect(incomplete.fields).toEqual([{ path: '/ids', code: 'incomplete' }]);
    const twice = (await s.gql(REORDER, { ids: [b.id, b.id, a.id] }, admin)).data!.reorderSlaPolicies;
    expect(twice.fields).toEqual([{ path: '/ids/1', code: 'duplicate' }]);
    expect((await s.gql(REORDER, { ids: [b.id, a.id] }, agent)).data!.reorderSlaPolicies.__typename).toBe(
      'ForbiddenError',
    );

    // A catch-all policy added last applies to nothing the others catch; moved first, it catches all.
    const catchAll = await s.gql(
      `mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { ... on SlaPolicy { id } } }`,
      {
        i: {
          name: 'Everything else',
          position: 30,
          targets: { resolution: { normal: { amount: 1, unit: 'days', time: 'calendar' } } },
        },
      },
      admin,
    );
    const c = catchAll.data!.createSlaPolicy.id;
    const t = { categoryPath: ['Product B'], priority: 'normal' };
    expect((await s.gql(TEST, { t }, admin)).data!.testSlaPolicies.policyName).toBe(
      'Product B ordinary problems',
    );
    const done = (await s.gql(REORDER, { ids: [c, b.id, a.id] }, admin)).data!.reorderSlaPolicies;
    expect(done.data).toEqual([
      { id: c, name: 'Everything else', position: 10 },
      { id: b.id, name: b.name, position: 20 },
      { id: a.id, name: a.name, position: 30 },
    ]);
    expect((await s.gql(TEST, { t }, admin)).data!.testSlaPolicies.policyName).toBe('Everything else');
    const trail = (await s.gql(CHANGES, { e: 'sla_policy' }, admin)).data!.adminChanges;
    expect(trail[0]).toMatchObject({ action: 'update', diff: { position: { from: 10, to: 30 } } });
  });
});
