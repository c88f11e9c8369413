import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Admin mutations on people, the org tree and teams: bad input names the field and leaves
 * everything as it was; a clash found by the database (two admins at once) is the same field
 * error, not a server error; nested reads come back complete and in order.
 */
describe(`admin input and nested reads (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
  });
  afterAll(() => s?.close());

  const idOf = async (sql: string, params: unknown[] = []) =>
    (await s.sql<{ id: number }>(sql, params))[0]!.id;
  const fields = (r: { data?: Record<string, any> }, name: string) => r.data![name].fields;

  it('an unknown role refuses the whole user update: name and roles stay as they were', async () => {
    const agentA = await idOf("select id from app_user where email = 'agent.a@docket.local'");
    const agentRole = await idOf("select id from role where key = 'agent'");
    const r = await s.gql(
      'mutation($id: Int!, $r: [Int!]) { updateUser(id: $id, name: "Renamed", roleIds: $r) { __typename ... on ValidationError { fields { path code message } } } }',
      { id: agentA, r: [agentRole, 999_999] },
      admin,
    );
    expect(fields(r, 'updateUser')).toEqual([
      { path: '/roleIds/1', code: 'not_found', message: 'Role 999999 does not exist.' },
    ]);
    const user = await s.gql('{ users { id name roles { key } } }', {}, admin);
    expect(user.data!.users.find((u: { id: string }) => Number(u.id) === agentA)).toEqual({
      id: String(agentA),
      name: 'Anna Agent (Store A)',
      roles: [{ key: 'agent' }],
    });
  });

  it('replacing roles keeps the user and swaps only the links', async () => {
    const tech = await idOf("select id from app_user where email = 'tech@docket.local'");
    const [agent, technician] = await Promise.all([
      idOf("select id from role where key = 'agent'"),
      idOf("select id from role where key = 'technician'"),
    ]);
    const r = await s.gql(
      'mutation($id: Int!, $r: [Int!]) { updateUser(id: $id, roleIds: $r) { ... on User { roles { key } } } }',
      { id: tech, r: [technician, agent, agent] },
      admin,
    );
    expect(r.data!.updateUser.roles).toEqual([{ key: 'agent' }, { key: 'technician' }]);
    const back = await s.gql(
      'mutation($id: Int!, $r: [Int!]) { updateUser(id: $id, roleIds: $r) { ... on User { roles { key } } } }',
      { id: tech, r: [technician] },
      admin,
    );
    expect(back.data!.updateUser.roles).toEqual([{ key: 'technician' }]);
    expect(await s.sql('select role_id from user_role where user_id = ?', [tech])).toEqual([
      { role_id: technician },
    ]);
  });

  it('a bad member refuses the whole team change; a good one keeps, updates, adds and removes members', async () => {
    const team = await idOf("select id from team where name = 'Service desk'");
    const [service, agentB, manager] = await Promise.all([
      idOf("select id from app_user where email = 'service@docket.local'"),
      idOf("select id from app_user where email = 'agent.b@docket.local'"),
      idOf("select id from app_user where email = 'manager.north@docket.local'"),
    ]);
    const members = async () =>
      (await s.gql('query { teams { id members { user { email } skills } } }', {}, admin)).data!.teams.find(
        (t: { id: string }) => Number(t.id) === team,
      ).members;
    const before = await members();
    expect(before).toEqual([{ user: { email: 'service@docket.local' }, skills: ['billing', 'complaint'] }]);

    const bad = await s.gql(
      'mutation($t: Int!, $m: [TeamMemberInput!]!) { setTeamMembers(teamId: $t, members: $m) { __typename ... on ValidationError { fields { path code } } } }',
      { t: team, m: [{ userId: agentB }, { userId: 424_242 }] },
      admin,
    );
    expect(fields(bad, 'setTeamMembers')).toEqual([{ path: '/members/1/userId', code: 'not_found' }]);
    expect(await members()).toEqual(before);

    const good = await s.gql(
      'mutation($t: Int!, $m: [TeamMemberInput!]!) { setTeamMembers(teamId: $t, members: $m) { ... on Team { members { user { email } skills } } } }',
      {
        t: team,
        m: [
          { userId: agentB, skills: [' refund ', ''] },
          { userId: service, skills: ['billing'] },
          { userId: agentB, skills: ['ignored: listed twice'] },
        ],
      },
      admin,
    );
    // Members are listed by user id (agent.b was created before service).
    expect(good.data!.setTeamMembers.members).toEqual([
      { user: { email: 'agent.b@docket.local' }, skills: ['refund'] },
      { user: { email: 'service@docket.local' }, skills: ['billing'] },
    ]);
    const dropped = await s.gql(
      'mutation($t: Int!, $m: [TeamMemberInput!]!) { setTeamMembers(teamId: $t, members: $m) { ... on Team { members { user { email } } } } }',
      { t: team, m: [{ userId: manager }] },
      admin,
    );
    expect(dropped.data!.setTeamMembers.members).toEqual([{ user: { email: 'manager.north@docket.local' } }]);
    // The service desk agent left the team: its team-scope role now reaches no team ticket.
    const serviceAgent = await s.login('service@docket.local');
    const me = await s.gql('{ me { user { teams { name } } } }', {}, serviceAgent);
    expect(me.data!.me.user.teams).toEqual([]);
  });

  it('moving a unit with children rewrites the whole subtree and its tickets; a bad move changes nothing', async () => {
    const north = await idOf("select id from org_unit where name = 'North Region'");
    const south = await idOf("select id from org_unit where name = 'South Region'");
    const storeB = await idOf("select id from org_unit where name like 'Store B%'");
    const district = await s.gql(
      'mutation($p: Int) { createOrgUnit(name: "North District", kind: region, parentId: $p) { ... on OrgUnit { id path } } }',
      { p: north },
      admin,
    );
    const districtId = Number(district.data!.createOrgUnit.id);
    await s.gql(
      'mutation($id: Int!, $p: Int) { updateOrgUnit(id: $id, parentId: $p) { __typename } }',
      {
        id: storeB,
        p: districtId,
      },
      admin,
    );
    const ticket = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } } }',
      { i: { templateKey: 'returns', title: 'Store B return', formData: validReturn, orgUnitId: storeB } },
      admin,
    );
    const ticketId = ticket.data!.createTicket.id;
    const agentB = await s.login('agent.b@docket.local');
    const seen = async () =>
      (await s.gql('query($id: ID!) { ticket(id: $id) { id } }', { id: ticketId }, agentB)).data?.ticket ??
      null;
    expect(await seen()).not.toBeNull();
    const snapshot = async () => ({
      units: await s.sql('select id, parent_id, path from org_unit order by id'),
      ticket: await s.sql('select org_path from ticket where id = ?', [ticketId]),
    });

    const before = await snapshot();
    const cycle = await s.gql(
      'mutation($id: Int!, $p: Int) { updateOrgUnit(id: $id, name: "Renamed", parentId: $p) { __typename ... on ValidationError { fields { path code } } } }',
      { id: districtId, p: storeB },
      admin,
    );
    expect(fields(cycle, 'updateOrgUnit')).toEqual([{ path: '/parentId', code: 'cycle' }]);
    const blank = await s.gql(
      'mutation($id: Int!) { updateOrgUnit(id: $id, name: "  ") { __typename ... on ValidationError { fields { path code } } } }',
      { id: districtId },
      admin,
    );
    expect(fields(blank, 'updateOrgUnit')).toEqual([{ path: '/name', code: 'required' }]);
    const unknownParent = await s.gql(
      'mutation($id: Int!) { updateOrgUnit(id: $id, parentId: 777777) { __typename ... on ValidationError { fields { path code } } } }',
      { id: districtId },
      admin,
    );
    expect(fields(unknownParent, 'updateOrgUnit')).toEqual([{ path: '/parentId', code: 'not_found' }]);
    expect(await snapshot()).toEqual(before);
    expect((await s.sql('select name from org_unit where id = ?', [districtId]))[0]).toEqual({
      name: 'North District',
    });

    const moved = await s.gql(
      'mutation($id: Int!, $p: Int) { updateOrgUnit(id: $id, parentId: $p) { ... on OrgUnit { path children { name path } } } }',
      { id: districtId, p: south },
      admin,
    );
    const districtPath = `/1/${south}/${districtId}/`;
    expect(moved.data!.updateOrgUnit).toEqual({
      path: districtPath,
      children: [{ name: 'Store B (Tianjin Heping)', path: `${districtPath}${storeB}/` }],
    });
    expect(await s.sql('select org_path from ticket where id = ?', [ticketId])).toEqual([
      { org_path: `${districtPath}${storeB}/` },
    ]);
    // The store's agent moved with the store: the org-subtree scope follows the new path at once.
    expect(await seen()).not.toBeNull();
    // Someone who sees North's subtree (and holds no task of the ticket) no longer sees it.
    const managerRole = await idOf("select id from role where key = 'manager'");
    await s.gql(
      'mutation($o: Int, $r: [Int!]) { createUser(email: "north.watch@docket.local", name: "North watch", password: "watching north", orgUnitId: $o, roleIds: $r) { __typename } }',
      { o: north, r: [managerRole] },
      admin,
    );
    const northWatch = await s.login('north.watch@docket.local', 'watching north');
    expect(
      (await s.gql('query($id: ID!) { ticket(id: $id) { id } }', { id: ticketId }, northWatch)).data
        ?.ticket ?? null,
    ).toBeNull();
    await s.gql(
      'mutation($id: Int!, $p: Int) { updateOrgUnit(id: $id, parentId: $p) { __typename } }',
      {
        id: districtId,
        p: north,
      },
      admin,
    );
    expect(
      (await s.gql('query($id: ID!) { ticket(id: $id) { id } }', { id: ticketId }, northWatch)).data?.ticket,
    ).toEqual({ id: ticketId });
  });

  it('names and keys two admins pick at the same moment: one wins, the others get a field error', async () => {
    const attempts = (query: string) => Promise.all(Array.from({ length: 4 }, () => s.gql(query, {}, admin)));
    const outcome = (results: Awaited<ReturnType<typeof attempts>>, field: string) =>
      results
        .map((r) => {
          expect(r.errors).toBeUndefined();
          const v = r.data![field];
          return v.__typename === 'ValidationError'
            ? v.fields.map((f: { path: string; code: string }) => `${f.path} ${f.code}`).join()
            : v.__typename;
        })
        .sort();
    const users = await attempts(
      'mutation { createUser(email: "Twin@docket.local", name: "Twin") { __typename ... on ValidationError { fields { path code } } } }',
    );
    expect(outcome(users, 'createUser')).toEqual(['/email taken', '/email taken', '/email taken', 'User']);
    const teams = await attempts(
      'mutation { createTeam(name: "Night shift") { __typename ... on ValidationError { fields { path code } } } }',
    );
    expect(outcome(teams, 'createTeam')).toEqual(['/name taken', '/name taken', '/name taken', 'Team']);
    const roles = await attempts(
      'mutation { createRole(key: "night", name: "Night", permissions: [TICKET_READ], dataScope: own) { __typename ... on ValidationError { fields { path code } } } }',
    );
    expect(outcome(roles, 'createRole')).toEqual(['/key taken', '/key taken', '/key taken', 'Role']);
    expect(
      await s.sql("select count(*)::int as n from app_user where lower(email) = 'twin@docket.local'"),
    ).toEqual([{ n: 1 }]);
  });

  it('API tokens: a past expiry or a deactivated user is a field error, and no token is made', async () => {
    const dora = await s.gql(
      'mutation { createUser(email: "gone@docket.local", name: "Gone") { ... on User { id } } }',
      {},
      admin,
    );
    const goneId = Number(dora.data!.createUser.id);
    await s.gql(
      'mutation($id: Int!) { updateUser(id: $id, isActive: false) { __typename } }',
      { id: goneId },
      admin,
    );
    const before = await s.sql('select count(*)::int as n from api_token');
    const r = await s.gql(
      'mutation($u: Int) { createApiToken(name: "Sync", userId: $u, expiresAt: "2001-01-01T00:00:00Z") { __typename ... on ValidationError { fields { path code } } } }',
      { u: goneId },
      admin,
    );
    expect(fields(r, 'createApiToken')).toEqual([
      { path: '/expiresAt', code: 'past' },
      { path: '/userId', code: 'not_found' },
    ]);
    expect(await s.sql('select count(*)::int as n from api_token')).toEqual(before);
  });

  it('nested lists come back whole and in order: users with roles, teams, org unit and manager', async () => {
    const r = await s.gql(
      '{ users { email roles { key } teams { name members { user { email } } } orgUnit { name parent { name } } manager { email } } }',
      {},
      admin,
    );
    const tech = r.data!.users.find((u: { email: string }) => u.email === 'tech@docket.local');
    expect(tech).toMatchObject({
      teams: [
        { name: 'Store A repairs', members: [{ user: { email: 'tech@docket.local' } }] },
        { name: 'Warehouse', members: [{ user: { email: 'tech@docket.local' } }] },
      ],
      orgUnit: { name: 'Store A (Beijing Chaoyang)', parent: { name: 'North Region' } },
      manager: { email: 'manager.north@docket.local' },
    });
    const names = r.data!.users.map((u: { email: string }) => u.email);
    expect(names).toHaveLength(new Set(names).size);
    const templates = await s.gql(
      '{ templates { key published { version } versions { version } first: version(version: 1) { version content { name } } } }',
      {},
      admin,
    );
    for (const t of templates.data!.templates) {
      expect(t.published).toEqual({ version: t.versions[0].version });
      expect(t.first.version).toBe(1);
    }
  });
});
