import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebAppBuilt } from '../../designer/scripts/build-if-stale.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { databaseKind, freshDatabaseUrl } from '../helpers/test-database.ts';

/**
 * Production mode: the server's build (`npm run build -w @docket/server`, part of `npm run build`)
 * is plain JavaScript, and `NODE_ENV=production npm start` (which runs `npm run start:prod`)
 * serves the API, the web app and the example plugins from it with node alone: Node 20 cannot
 * load a .ts file, so a server that answers runs no tsx.
 */
const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'server/dist');

describe(`the production build (${databaseKind()})`, () => {
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    // Built once for the suite: the server bundle (seconds) and the web app when stale.
    execFileSync('npm', ['run', 'build', '-w', '@docket/server'], { cwd: root, stdio: 'pipe' });
    await ensureWebAppBuilt();
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    if (!fresh.url) dataDir = mkdtempSync(join(tmpdir(), 'docket-prod-'));
    server = await startServerProcess(
      {
        ...(fresh.url ? { DATABASE_URL: fresh.url } : { DATA_DIR: dataDir! }),
        NODE_ENV: 'production',
        DOCKET_TIME_ZONE: 'Asia/Shanghai',
      },
      [],
      ['npm', 'start'],
    );
  }, 300_000);
  afterAll(async () => {
    // SIGTERM, not SIGKILL: npm passes it on to the server (a killed npm would leave node running).
    await server?.stop('SIGTERM');
    await drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('is JavaScript: the server and the sandbox host process, no TypeScript left to load', () => {
    for (const file of ['main.js', 'sandbox-host.js']) {
      const code = readFileSync(join(dist, file), 'utf8');
      // Every workspace package is bundled in; what is left are imports of node_modules packages.
      expect(code).not.toMatch(/from ["'][^"']*\.ts["']/);
      expect(code).not.toMatch(/from ["']@docket\//);
    }
    expect(existsSync(join(root, 'designer/dist/index.html'))).toBe(true);
  });

  it('answers /healthz, GraphQL and the web app; installs the example plugins in the bundled sandbox host', async () => {
    expect(server!.output()).toMatch(/Example plugins installed: /);
    expect(await (await fetch(`${server!.url}/healthz`)).json()).toEqual({
      ok: true,
      database: databaseKind() === 'postgresql' ? 'postgresql' : 'embedded',
    });
    const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) =>
      (await (
        await fetch(`${server!.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as any;
    const login = await gql(
      'mutation { login(email: "agent.a@docket.local", password: "docket-demo") { ... on Session { token } } }',
    );
    const token = login.data.login.token as string;
    expect(token).toBeTruthy();
    const created = await gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { number status } } }',
      {
        i: {
          templateKey: 'call-centre',
          title: 'Built server',
          formData: { callerNumber: '13800000000', serviceCategory: 'repair', details: 'Fridge is noisy' },
        },
      },
      token,
    );
    expect(created.data.createTicket).toMatchObject({
      __typename: 'Ticket',
      number: expect.stringMatching(/^CC-/),
    });
    // NODE_ENV=production reached the server: no introspection for anonymous callers.
    const anonymous = await gql('{ __schema { queryType { name } } }');
    expect(anonymous.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    // The web app, from designer/dist, at any app address.
    const page = await fetch(`${server!.url}/desk`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
  });

  it('stops on SIGTERM (forwarded by npm) with exit code 0', async () => {
    await server!.stop('SIGTERM');
    expect(server!.proc.exitCode).toBe(0);
    expect(server!.output()).toMatch(/SIGTERM: shutting down/);
    expect(server!.output()).toMatch(/Stopped in \d+ ms\./);
  }, 30_000);
});
