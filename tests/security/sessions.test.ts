import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type App, buildApp } from '@docket/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../server/src/config.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Logins are throttled and timed alike; logout, deactivation and revocation end access at once. */

const LOGIN =
  'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { __typename ... on Session { token } ... on ValidationError { fields { code message } } } }';

describe(`sessions and logins (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  const me = (token: string, url = s.url) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
  });
  afterAll(() => s?.close());

  it('wrong passwords lock the account after five, right password included; attempts are logged', async () => {
    const warn = vi.spyOn(console, 'warn');
    const answers: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await s.gql(LOGIN, { e: 'agent.b@docket.local', p: `wrong-${i}` });
      answers.push(r.data!.login.fields[0].code);
    }
    expect(answers).toEqual([
      'wrong_credentials',
      'wrong_credentials',
      'wrong_credentials',
      'wrong_credentials',
      'wrong_credentials',
      'too_many_attempts',
      'too_many_attempts',
    ]);
    const right = await s.gql(LOGIN, { e: 'agent.b@docket.local', p: 'docket-demo' });
    expect(right.data!.login.fields[0].code).toBe('too_many_attempts');
    expect(right.data!.login.fields[0].message).toMatch(/try again in \d+ minutes?/);
    // An unknown email is throttled alike (the answers tell nothing about which emails exist).
    for (let i = 0; i < 6; i++) await s.gql(LOGIN, { e: 'nobody@docket.local', p: 'x' });
    const unknown = await s.gql(LOGIN, { e: 'nobody@docket.local', p: 'x' });
    expect(unknown.data!.login.fields[0].code).toBe('too_many_attempts');
    const logged = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('login failed'));
    expect(logged.length).toBeGreaterThanOrEqual(10);
    expect(logged[0]).toContain('agent.b@docket.local');
    warn.mockRestore();
    // Other accounts from elsewhere are unaffected.
    expect((await s.gql(LOGIN, { e: 'agent.a@docket.local', p: 'docket-demo' })).data!.login.__typename).toBe(
      'Session',
    );
  });

  it('unknown and known emails are answered in about the same time', async () => {
    const time = async (email: string) => {
      const t0 = performance.now();
      await s.gql(LOGIN, { e: email, p: 'not-the-password' });
      return performance.now() - t0;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      // Fresh accounts each round so that no lock cuts the work short.
      known.push(await time(i % 2 ? 'owner@docket.local' : 'manager.north@docket.local'));
      unknown.push(await time(`ghost-${i}@docket.local`));
      await s.sql('delete from login_throttle');
    }
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.6);
  });

  it('logout ends that session at once; other sessions go on', async () => {
    const a = await s.login('service@docket.local');
    const b = await s.login('service@docket.local');
    const out = await s.gql('mutation { logout }', {}, a);
    expect(out.data!.logout).toBe(true);
    const after = await me(a);
    expect(after.status).toBe(401);
    expect(((await after.json()) as any).errors[0].message).toMatch(/ended/);
    expect((await me(b)).status).toBe(200);
  });

  it('deactivation ends sessions and API tokens; reactivation does not bring them back', async () => {
    const tech = await s.login('tech@docket.local');
    const techId = (
      await s.sql<{ id: number }>("select id from app_user where email = 'tech@docket.local'")
    )[0]!.id;
    const created = await s.gql(
      'mutation { createApiToken(name: "ci") { ... on CreatedApiToken { token } } }',
      {},
      tech,
    );
    const apiToken = created.data!.createApiToken.token as string;
    expect((await me(apiToken)).status).toBe(200);
    const set = (isActive: boolean) =>
      s.gql(
        'mutation($id: Int!, $a: Boolean) { updateUser(id: $id, isActive: $a) { __typename } }',
        { id: techId, a: isActive },
        admin,
      );
    await set(false);
    expect((await me(tech)).status).toBe(401);
    expect((await me(apiToken)).status).toBe(401);
    await set(true);
    expect((await me(tech)).status).toBe(401);
    expect((await me(apiToken)).status).toBe(401);
    expect(await s.login('tech@docket.local')).toBeTruthy();
  });

  it('an expired API token stops at once, even when it was just used', async () => {
    const expiresAt = Date.now() + 5_000;
    const created = await s.gql(
      'mutation($at: DateTime) { createApiToken(name: "short", expiresAt: $at) { ... on CreatedApiToken { token apiToken { id } } } }',
      { at: new Date(expiresAt).toISOString() },
      admin,
    );
    const token = created.data!.createApiToken.token as string;
    expect((await me(token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 200));
    expect((await me(token)).status).toBe(401);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'on a second server of the same database, revocation and logout end access at once',
    async () => {
      const second: App = await buildApp(s.db, { ...readConfig(process.env), timeZone: 'Asia/Shanghai' });
      const server: Server = createServer(second.callback);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url2 = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const created = await s.gql(
          'mutation { createApiToken(name: "two") { ... on CreatedApiToken { token apiToken { id } } } }',
          {},
          admin,
        );
        const token = created.data!.createApiToken.token as string;
        const session = await s.login('manager.north@docket.local');
        // Both servers have them cached now.
        expect((await me(token, url2)).status).toBe(200);
        expect((await me(session, url2)).status).toBe(200);
        await s.gql(
          'mutation($id: Int!) { revokeApiToken(id: $id) { __typename } }',
          { id: Number(created.data!.createApiToken.apiToken.id) },
          admin,
        );
        await s.gql('mutation { logout }', {}, session);
        await new Promise((r) => setTimeout(r, 100));
        expect((await me(token, url2)).status).toBe(401);
        expect((await me(session, url2)).status).toBe(401);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
        await second.close();
      }
    },
  );
});
