import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Roles and channels are data, and people read them in the web app's language: the example roles
 * and the registered channels carry their names in English and Chinese, served beside the plain
 * name; admins give a role's names with the role, checked field by field.
 */
describe(`display names of roles and channels (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
  });
  afterAll(() => s?.close());

  const ROLE = 'id key name names { locale text }';
  const fields = (r: { data?: Record<string, any> | null }, name: string) => r.data![name].fields;

  it("serves the signed-in person's roles with their Chinese names (the desk's badge)", async () => {
    const service = await s.login('service@docket.local');
    const me = await s.gql(`{ me { user { roles { key name names { locale text } } } } }`, {}, service);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.user.roles).toEqual([
      { key: 'service_agent', name: 'Service desk agent', names: [{ locale: 'zh-CN', text: '服务台坐席' }] },
    ]);
    const roles = await s.gql<{ roles: { key: string; names: { locale: string }[] }[] }>(
      `{ roles { key names { locale } } }`,
      {},
      admin,
    );
    // Every example role has a Chinese name.
    for (const role of roles.data!.roles) expect(role.names, role.key).toEqual([{ locale: 'zh-CN' }]);
  });

  it("serves every core channel's title in Chinese beside the plain one", async () => {
    const agent = await s.login('agent.a@docket.local');
    const r = await s.gql<{
      channels: { key: string; title: string; titles: { locale: string; text: string }[] }[];
    }>('{ channels { key title titles { locale text } } }', {}, agent);
    expect(r.errors).toBeUndefined();
    expect(r.data!.channels.find((c) => c.key === 'phone')).toEqual({
      key: 'phone',
      title: 'Phone',
      titles: [{ locale: 'zh-CN', text: '电话' }],
    });
    for (const c of r.data!.channels)
      expect(
        c.titles.map((t) => t.locale),
        c.key,
      ).toContain('zh-CN');
  });

  it('lets an admin name a role in both languages, replace the names and remove them', async () => {
    const created = await s.gql(
      `mutation { createRole(key: "night_desk", name: "Night desk", dataScope: all, permissions: [TICKET_READ],
         names: [{ locale: "zh-CN", text: " 夜班服务台 " }, { locale: "en", text: "Night shift desk" }]) {
         __typename ... on Role { ${ROLE} } } }`,
      {},
      admin,
    );
    const role = created.data!.createRole;
    expect(role).toMatchObject({
      __typename: 'Role',
      name: 'Night desk',
      // In a fixed order (en, zh-CN), trimmed.
      names: [
        { locale: 'en', text: 'Night shift desk' },
        { locale: 'zh-CN', text: '夜班服务台' },
      ],
    });
    const renamed = await s.gql(
      `mutation($id: Int!) { updateRole(id: $id, names: [{ locale: "zh-CN", text: "夜间服务台" }]) { ... on Role { ${ROLE} } } }`,
      { id: Number(role.id) },
      admin,
    );
    expect(renamed.data!.updateRole.names).toEqual([{ locale: 'zh-CN', text: '夜间服务台' }]);
    // The audit trail says what changed.
    const audit = await s.sql<{ diff: Record<string, unknown> }>(
      "select diff from admin_change where entity_type = 'role' and action = 'update' order by id desc limit 1",
    );
    expect(audit[0]!.diff).toEqual({
      names: {
        from: [
          { locale: 'en', text: 'Night shift desk' },
          { locale: 'zh-CN', text: '夜班服务台' },
        ],
        to: [{ locale: 'zh-CN', text: '夜间服务台' }],
      },
    });
    // Without names the update leaves them; [] removes them.
    const kept = await s.gql(
      `mutation($id: Int!) { updateRole(id: $id, name: "Night desk team") { ... on Role { ${ROLE} } } }`,
      { id: Number(role.id) },
      admin,
    );
    expect(kept.data!.updateRole.names).toEqual([{ locale: 'zh-CN', text: '夜间服务台' }]);
    const cleared = await s.gql(
      `mutation($id: Int!) { updateRole(id: $id, names: []) { ... on Role { ${ROLE} } } }`,
      { id: Number(role.id) },
      admin,
    );
    expect(cleared.data!.updateRole).toMatchObject({ name: 'Night desk team', names: [] });
  });

  it('names each wrong name and changes nothing', async () => {
    const [before] = await s.sql<{ id: number; names: unknown }>(
      "select id, names from role where key = 'agent'",
    );
    const r = await s.gql(
      `mutation($id: Int!) { updateRole(id: $id, name: "Store agent 2", names: [
         { locale: "fr", text: "Agent" }, { locale: "zh-CN", text: "  " },
         { locale: "en", text: "${'x'.repeat(101)}" }, { locale: "zh-CN", text: "门店" }, { locale: "zh-CN", text: "门店客服" }]) {
         __typename ... on ValidationError { fields { path code message } } } }`,
      { id: before!.id },
      admin,
    );
    expect(fields(r, 'updateRole')).toEqual([
      {
        path: '/names/0/locale',
        code: 'invalid',
        message: '"fr" is not a language Docket shows; use en or zh-CN.',
      },
      { path: '/names/1/text', code: 'required', message: 'The zh-CN name is empty.' },
      { path: '/names/2/text', code: 'too_long', message: 'The en name has 101 characters; at most 100.' },
      { path: '/names/4/locale', code: 'duplicate', message: 'zh-CN is named twice; give it once.' },
    ]);
    const [after] = await s.sql<{ name: string; names: unknown }>(
      "select name, names from role where key = 'agent'",
    );
    expect(after).toEqual({ name: 'Store agent', names: { 'zh-CN': '门店客服' } });
  });

  it('refuses role names from someone without role.manage', async () => {
    const agent = await s.login('agent.a@docket.local');
    const [role] = await s.sql<{ id: number }>("select id from role where key = 'agent'");
    const r = await s.gql(
      `mutation($id: Int!) { updateRole(id: $id, names: [{ locale: "zh-CN", text: "超级管理员" }]) { __typename ... on Error { message } } }`,
      { id: role!.id },
      agent,
    );
    expect(r.data!.updateRole.__typename).toBe('ForbiddenError');
    const [after] = await s.sql<{ names: unknown }>("select names from role where key = 'agent'");
    expect(after!.names).toEqual({ 'zh-CN': '门店客服' });
  });
});
