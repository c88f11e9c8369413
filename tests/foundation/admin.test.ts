import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe(`admin: org tree, users, roles, teams, API tokens (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let manager: string;
  let storeId: number;
  let newAgent: string;
  let ticketId: string;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
    manager = await s.login('manager.north@docket.local');
  });
  afterAll(() => s?.close());

  const count = async (token: string) =>
    (await s.gql('{ tickets { totalCount } }', {}, token)).data!.tickets.totalCount;

  it('creates a store under the North region and an agent in it who sees only that store', async () => {
    const north = (await s.sql<{ id: number }>("select id from org_unit where name = 'North Region'"))[0]!.id;
    const store = await s.gql(
      'mutation($p: Int) { createOrgUnit(name: "Store D", kind: store, parentId: $p) { ... on OrgUnit { id path parent { name } } } }',
      { p: north },
      admin,
    );
    storeId = Number(store.data!.createOrgUnit.id);
    expect(store.data!.createOrgUnit.path).toMatch(new RegExp(`/${north}/${storeId}/$`));
    const agentRole = (await s.sql<{ id: number }>("select id from role where key = 'agent'"))[0]!.id;
    const user = await s.gql(
      'mutation($o: Int, $r: [Int!]) { createUser(email: "dora@docket.local", name: "Dora", password: "correct horse", orgUnitId: $o, roleIds: $r) { __typename ... on User { roles { key } orgUnit { name } } } }',
      { o: storeId, r: [agentRole] },
      admin,
    );
    expect(user.data!.createUser).toMatchObject({ roles: [{ key: 'agent' }], orgUnit: { name: 'Store D' } });
    const dup = await s.gql(
      'mutation { createUser(email: "DORA@docket.local", name: "Again") { __typename ... on ValidationError { fields { path code } } } }',
      {},
      admin,
    );
    expect(dup.data!.createUser.fields).toEqual([{ path: '/email', code: 'taken' }]);

    newAgent = await s.login('dora@docket.local', 'correct horse');
    const created = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } } }',
      { i: { templateKey: 'returns', title: 'Store D return', formData: validReturn, orgUnitId: storeId } },
      admin,
    );
    ticketId = created.data!.createTicket.id;
    expect(await count(newAgent)).toBe(1);
    const before = await count(manager);
    expect(before).toBeGreaterThanOrEqual(1);
  });

  it('moving the store to the South region moves its tickets out of the North manager’s scope', async () => {
    const south = (await s.sql<{ id: number }>("select id from org_unit where name = 'South Region'"))[0]!.id;
    const before = await count(manager);
    const moved = await s.gql(
      'mutation($id: Int!, $p: Int) { updateOrgUnit(id: $id, parentId: $p) { ... on OrgUnit { path } } }',
      { id: storeId, p: south },
      admin,
    );
    expect(moved.data!.updateOrgUnit.path).toBe(`/1/${south}/${storeId}/`);
    expect(await count(manager)).toBe(before - 1);
    expect(await count(newAgent)).toBe(1);
    const cycle = await s.gql(
      'mutation($p: Int) { updateOrgUnit(id: 1, parentId: $p) { __typename ... on ValidationError { fields { path code } } } }',
      { p: storeId },
      admin,
    );
    expect(cycle.data!.updateOrgUnit.fields).toEqual([{ path: '/parentId', code: 'cycle' }]);
  });

  it('a team-scope role sees the team’s tickets once the user joins the team', async () => {
    const role = await s.gql(
      'mutation { createRole(key: "team-desk", name: "Team desk", permissions: [TICKET_READ, TICKET_REPLY], dataScope: team) { ... on Role { id } } }',
      {},
      admin,
    );
    const roleId = Number(role.data!.createRole.id);
    const team = await s.gql(
      'mutation { createTeam(name: "Returns desk") { ... on Team { id } } }',
      {},
      manager,
    );
    const teamId = Number(team.data!.createTeam.id);
    await s.gql(
      'mutation($id: ID!, $t: Int) { assignTicket(id: $id, teamId: $t) { __typename } }',
      { id: ticketId, t: teamId },
      admin,
    );
    const u = await s.gql(
      'mutation($r: [Int!]) { createUser(email: "tim@docket.local", name: "Tim", password: "long enough", roleIds: $r) { ... on User { id } } }',
      { r: [roleId] },
      admin,
    );
    const tim = await s.login('tim@docket.local', 'long enough');
    expect(await count(tim)).toBe(0);
    await s.gql(
      'mutation($t: Int!, $u: Int!) { setTeamMembers(teamId: $t, members: [{ userId: $u, skills: ["returns"] }]) { __typename } }',
      { t: teamId, u: Number(u.data!.createUser.id) },
      manager,
    );
    expect(await count(tim)).toBe(1);
  });

  it('API tokens act as their user through the api channel until revoked', async () => {
    const created = await s.gql(
      'mutation { createApiToken(name: "ERP sync") { ... on CreatedApiToken { token apiToken { id prefix } } } }',
      {},
      admin,
    );
    const { token, apiToken } = created.data!.createApiToken;
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    const r = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { channel timeline { channel viaApiToken actorUser { email } } } } }',
      { i: { templateKey: 'returns', title: 'From ERP', formData: validReturn } },
      token,
    );
    expect(r.data!.createTicket.channel).toBe('api');
    expect(r.data!.createTicket.timeline[0]).toEqual({
      channel: 'api',
      viaApiToken: true,
      actorUser: { email: 'admin@docket.local' },
    });
    const listed = await s.gql('{ apiTokens { name lastUsedAt } }', {}, admin);
    expect(listed.data!.apiTokens[0].name).toBe('ERP sync');
    await s.gql(
      'mutation($id: Int!) { revokeApiToken(id: $id) { __typename } }',
      { id: Number(apiToken.id) },
      admin,
    );
    const after = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(after.status).toBe(401);
  });

  it('a password change ends older sessions; deactivated users cannot log in', async () => {
    const dora = (
      await s.sql<{ id: number }>("select id from app_user where email = 'dora@docket.local'")
    )[0]!.id;
    const short = await s.gql(
      'mutation($id: Int!) { updateUser(id: $id, password: "short") { __typename ... on ValidationError { fields { path } } } }',
      { id: dora },
      newAgent,
    );
    expect(short.data!.updateUser.fields).toEqual([{ path: '/password' }]);
    const changed = await s.gql(
      'mutation($id: Int!) { updateUser(id: $id, password: "a new long one") { __typename } }',
      { id: dora },
      newAgent,
    );
    expect(changed.data!.updateUser.__typename).toBe('User');
    const old = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${newAgent}` },
      body: '{"query":"{ me { kind } }"}',
    });
    expect(old.status).toBe(401);
    const fresh = await s.login('dora@docket.local', 'a new long one');
    const rename = await s.gql(
      'mutation($id: Int!) { updateUser(id: $id, name: "Dora D") { __typename } }',
      { id: dora },
      fresh,
    );
    expect(rename.data!.updateUser.__typename).toBe('ForbiddenError');
    await s.gql(
      'mutation($id: Int!) { updateUser(id: $id, isActive: false) { __typename } }',
      { id: dora },
      admin,
    );
    await expect(s.login('dora@docket.local', 'a new long one')).rejects.toThrow(
      /email or the password is wrong/,
    );
  });
});
