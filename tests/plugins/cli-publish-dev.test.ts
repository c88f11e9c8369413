import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { copyPlugin, docketPluginAsync, ROOT } from './plugin-fixtures.ts';

/**
 * The CLI's server commands against a running server: `publish` uploads the example plugin with
 * an API token; `dev` keeps it on the server, granted, configured and enabled, and reloads it when
 * a source file changes.
 */
describe(`docket-plugin publish and dev (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let apiToken: string;
  let copy: ReturnType<typeof copyPlugin>;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    const created = await s.gql(
      'mutation { createApiToken(name: "publisher") { ... on CreatedApiToken { token } } }',
      {},
      admin,
    );
    apiToken = created.data!.createApiToken.token;
    copy = copyPlugin(join(ROOT, 'examples/parcel'));
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await s?.close();
    copy?.remove();
  });

  it('publish uploads the plugin with an API token and says what comes next', async () => {
    const r = await docketPluginAsync(['publish', '--server', s.url, '--token', apiToken], copy.dir);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/published parcel@1\.0\.0 to http:\/\/127\.0\.0\.1:\d+ \(sha256 [0-9a-f]{64}\)\./);
    expect(r.out).toContain(
      'It is installed, disabled. An admin grants what it asks for (fetch from api.parcels.example, chat.example.com; patch access to tickets), configures it and enables it.',
    );
    const p = await s.gql('{ plugin(name: "parcel") { status version } }', {}, admin);
    expect(p.data!.plugin).toEqual({ status: 'disabled', version: '1.0.0' });

    const agent = await s.login('agent.a@docket.local');
    const refused = await docketPluginAsync(['publish', '--server', s.url, '--token', agent], copy.dir);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain('The server refused the upload (403)');
    const nowhere = await docketPluginAsync(
      ['publish', '--server', 'http://127.0.0.1:9', '--token', apiToken],
      copy.dir,
    );
    expect(nowhere.status).toBe(1);
    expect(nowhere.out).toContain('Cannot reach the Docket server at http://127.0.0.1:9');
  });

  it('dev loads the plugin granted, configured and enabled, and reloads it when a source changes', async () => {
    writeFileSync(join(copy.dir, 'dev-settings.json'), JSON.stringify({ apiKey: 'dev-key' }));
    child = spawn(
      process.execPath,
      [
        '--no-node-snapshot',
        '--import',
        'tsx',
        join(ROOT, 'sdk/src/cli/bin.ts'),
        'dev',
        '--server',
        s.url,
        '--email',
        'admin@docket.local',
        '--password',
        'docket-demo',
        '--config',
        'dev-settings.json',
      ],
      { cwd: copy.dir, env: { ...process.env, NODE_OPTIONS: '--import tsx' } },
    );
    child.stdout!.on('data', (d) => {
      output += d;
    });
    child.stderr!.on('data', (d) => {
      output += d;
    });
    const reloads = () => [...output.matchAll(/reloaded parcel@(1\.0\.0-dev\.\d+)/g)].map((m) => m[1]!);
    const first = await waitFor('the first load', async () => reloads()[0], 60_000).catch((e) => {
      throw new Error(`${e.message}\n${output}`);
    });
    const p = await s.gql(
      '{ plugin(name: "parcel") { status version secrets { key isSet } missingGrants } }',
      {},
      admin,
    );
    expect(p.data!.plugin).toEqual({
      status: 'enabled',
      version: first,
      secrets: [
        { key: 'apiKey', isSet: true },
        { key: 'chatToken', isSet: false },
      ],
      missingGrants: [],
    });

    const index = join(copy.dir, 'src/index.ts');
    writeFileSync(
      index,
      readFileSync(index, 'utf8').replace("title: 'Look up a parcel'", "title: 'Find a parcel'"),
    );
    const second = await waitFor('the reload', async () => reloads()[1], 60_000).catch((e) => {
      throw new Error(`${e.message}\n${output}`);
    });
    expect(second).not.toBe(first);
    const types = await s.gql('{ workflowNodeTypes { type title source } }', {}, admin);
    expect(types.data!.workflowNodeTypes).toContainEqual({
      type: 'parcel.lookup',
      title: 'Find a parcel',
      source: 'plugin:parcel',
    });
    const now = await s.gql('{ plugin(name: "parcel") { status version } }', {}, admin);
    expect(now.data!.plugin).toEqual({ status: 'enabled', version: second });

    // An editor that saves by writing a new file and renaming it over the old one is seen too.
    writeFileSync(
      `${index}.tmp`,
      readFileSync(index, 'utf8').replace("title: 'Find a parcel'", "title: 'Track a parcel'"),
    );
    renameSync(`${index}.tmp`, index);
    const third = await waitFor('the reload after a rename', async () => reloads()[2], 60_000).catch((e) => {
      throw new Error(`${e.message}\n${output}`);
    });
    expect(third).not.toBe(second);
    const renamed = await s.gql('{ workflowNodeTypes { type title } }', {}, admin);
    expect(renamed.data!.workflowNodeTypes).toContainEqual({
      type: 'parcel.lookup',
      title: 'Track a parcel',
    });
    // Three waits of up to a minute each: on a loaded machine (the SDK tarball's suite compiles
    // isolated-vm beside it) a wait that runs out says so with the dev command's output.
  }, 240_000);
});
