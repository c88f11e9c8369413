import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '@docket/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGz } from '../../sdk/src/cli/tar.ts';
import { readConfig } from '../../server/src/config.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { CONFIGURE, ENABLE, GRANT, PLUGIN_FIELDS, pluginMutation, UPLOAD } from './plugin-fixtures.ts';

/**
 * The plugin lifecycle's refusals, each with the field it concerns and nothing written: a package
 * whose hash does not match, a manifest asking for what the admin did not grant, settings that
 * break the plugin's schema, an unknown plugin, someone without plugin.manage. Also the ways a
 * plugin arrives (GraphQL, the upload route with an API token, the npm registry) and leaves
 * (uninstall keeps its data, purge deletes it).
 */

type Manifest = Record<string, any>;

/** A manifest as `docket-plugin build` writes it (bundle hash added by `pack`). */
function manifestOf(name: string, version: string, more: Partial<Manifest> = {}): Manifest {
  return {
    manifestVersion: 1,
    name,
    version,
    displayName: `The ${name} plugin`,
    permissions: { fetch: ['api.example.com'], kv: true, ticket: 'read' },
    config: {
      type: 'object',
      required: ['region'],
      properties: {
        region: { type: 'string', enum: ['north', 'south'] },
        token: { type: 'string', 'x-secret': true, minLength: 4 },
      },
    },
    contributes: {
      nodeTypes: [
        {
          type: `${name}.echo`,
          version: 1,
          title: 'Echo',
          category: 'action',
          configSchema: { type: 'object', properties: {} },
          defaultConfig: {},
          ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next' }] },
          isWaiting: false,
          migrations: [],
        },
      ],
      slaActions: [],
      notificationTargets: [],
      channels: [],
    },
    ...more,
  };
}

const BUNDLE = `globalThis.__docketPlugin = { handlers: {
  'node:NAME.echo': async (args, ctx) => {
    await ctx.kv.set('seen', (await ctx.kv.get('seen') ?? 0) + 1);
    return { outputs: { region: ctx.config.region, version: 'VERSION' }, port: 'out' };
  },
} };`;

/** A package as `docket-plugin pack` makes it; `tamper` changes the bundle after its hash was taken. */
function packageOf(manifest: Manifest, options: { tamper?: boolean; npm?: boolean } = {}): Buffer {
  const code = BUNDLE.replaceAll('NAME', manifest.name).replaceAll('VERSION', manifest.version);
  const sha256 = createHash('sha256').update(code).digest('hex');
  const full = { ...manifest, bundle: { file: 'plugin.js', bytes: Buffer.byteLength(code), sha256 } };
  const bundle = options.tamper ? `${code}\nglobalThis.stolen = true;` : code;
  const dir = options.npm ? 'package/dist' : manifest.name;
  const entries = [
    { name: `${dir}/manifest.json`, content: Buffer.from(JSON.stringify(full)) },
    { name: `${dir}/plugin.js`, content: Buffer.from(bundle) },
  ];
  if (options.npm)
    entries.push({
      name: 'package/package.json',
      content: Buffer.from(
        JSON.stringify({ name: `docket-plugin-${manifest.name}`, version: manifest.version }),
      ),
    });
  return tarGz(entries);
}

const b64 = (b: Buffer) => b.toString('base64');

describe(`plugin lifecycle, refused and accepted (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let registry: Server;
  const published = new Map<string, { tarball: Buffer; integrity: string }>();

  beforeAll(async () => {
    // A loopback server standing for the npm registry: package metadata and tarballs.
    registry = createServer((req, res) => {
      const url = req.url ?? '';
      const tgz = /^\/tarballs\/(.+)\.tgz$/.exec(url);
      if (tgz) {
        const p = published.get(decodeURIComponent(tgz[1]!));
        if (!p) return void res.writeHead(404).end();
        return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(p.tarball);
      }
      const meta = /^\/([^/]+)\/([^/]+)$/.exec(url);
      const key = meta ? `${decodeURIComponent(meta[1]!)}@${decodeURIComponent(meta[2]!)}` : '';
      const p = published.get(key);
      if (!p)
        return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      const port = (registry.address() as AddressInfo).port;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          name: meta![1],
          version: meta![2],
          dist: {
            tarball: `http://127.0.0.1:${port}/tarballs/${encodeURIComponent(key)}.tgz`,
            integrity: p.integrity,
          },
        }),
      );
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    s = await startTestServer({
      workflows: false,
      env: { DOCKET_NPM_REGISTRY: `http://127.0.0.1:${(registry.address() as AddressInfo).port}/` },
    });
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    registry?.close();
  });

  const plugins = async () =>
    (await s.gql('{ plugins(includeUninstalled: true) { name status version } }', {}, admin)).data!.plugins;

  it('refuses a package whose bundle or file does not match its hash, and installs nothing', async () => {
    const tampered = await pluginMutation(s, admin, UPLOAD, {
      p: b64(packageOf(manifestOf('weather', '1.0.0'), { tamper: true })),
    });
    expect(tampered.__typename).toBe('ValidationError');
    expect(tampered.fields).toEqual([
      {
        path: '/package/manifest/bundle/sha256',
        code: 'hash_mismatch',
        message: expect.stringMatching(
          /^The bundle's sha256 is [0-9a-f]{64}, but the manifest says [0-9a-f]{64}: the package was changed after it was built \(or damaged\)\. Nothing was installed\.$/,
        ),
      },
    ]);
    const good = packageOf(manifestOf('weather', '1.0.0'));
    const wrongFile = await pluginMutation(s, admin, UPLOAD, { p: b64(good), h: '0'.repeat(64) });
    expect(wrongFile.fields).toEqual([expect.objectContaining({ path: '/sha256', code: 'hash_mismatch' })]);
    const notTgz = await pluginMutation(s, admin, UPLOAD, { p: b64(Buffer.from('hello')) });
    expect(notTgz.fields).toEqual([
      expect.objectContaining({
        path: '/package',
        code: 'invalid',
        message: expect.stringContaining('not a gzipped tar archive'),
      }),
    ]);
    const badManifest = await pluginMutation(s, admin, UPLOAD, {
      p: b64(packageOf(manifestOf('weather', 'one'))),
    });
    expect(badManifest.fields).toEqual([
      expect.objectContaining({ path: '/package/manifest/version', code: 'invalid' }),
    ]);
    expect(await plugins()).toEqual([]);

    // With the right hash it goes in, disabled.
    const sha = createHash('sha256').update(good).digest('hex');
    const ok = await pluginMutation(s, admin, UPLOAD, { p: b64(good), h: sha });
    expect(ok.__typename, JSON.stringify(ok)).toBe('PluginUpload');
    expect(ok.plugin.status).toBe('disabled');
    // The same version again with another bundle is refused; the same bundle is a no-op.
    const again = await pluginMutation(s, admin, UPLOAD, { p: b64(good) });
    expect(again.isNewVersion).toBe(false);
    const other = manifestOf('weather', '1.0.0', { displayName: 'Changed' });
    const clash = await pluginMutation(s, admin, UPLOAD, {
      p: b64(
        tarGz([
          {
            name: 'weather/manifest.json',
            content: Buffer.from(
              JSON.stringify({
                ...other,
                bundle: {
                  file: 'plugin.js',
                  bytes: 3,
                  sha256: createHash('sha256').update('1;\n').digest('hex'),
                },
              }),
            ),
          },
          { name: 'weather/plugin.js', content: Buffer.from('1;\n') },
        ]),
      ),
    });
    expect(clash.fields).toEqual([expect.objectContaining({ path: '/package', code: 'version_exists' })]);
  });

  it('refuses to grant what the manifest does not ask for, and to enable while something it asks for is not granted', async () => {
    const beyond = await pluginMutation(s, admin, GRANT, {
      n: 'weather',
      g: { fetch: ['api.example.com', 'evil.example.net'], ticket: 'patch' },
    });
    expect(beyond.__typename).toBe('ValidationError');
    expect(beyond.fields.map((f: { path: string; code: string }) => `${f.path} ${f.code}`)).toEqual([
      '/grants/fetch/1 not_requested',
      '/grants/ticket not_requested',
    ]);
    const partial = await pluginMutation(s, admin, GRANT, {
      n: 'weather',
      g: { fetch: ['api.example.com'] },
    });
    expect(partial.grants).toEqual({ fetch: ['api.example.com'], kv: false, ticket: null });
    await pluginMutation(s, admin, CONFIGURE, { n: 'weather', c: { region: 'north' } });
    const enable = await pluginMutation(s, admin, ENABLE, { n: 'weather' });
    expect(enable.__typename).toBe('ValidationError');
    expect(enable.fields).toEqual([
      {
        path: '/grants/kv',
        code: 'not_granted',
        message: 'The plugin asks for a key-value store, which is not granted.',
      },
      {
        path: '/grants/ticket',
        code: 'not_granted',
        message: 'The plugin asks to read the ticket of each call, which is not granted.',
      },
    ]);
    const still = await s.gql('{ plugin(name: "weather") { status missingGrants } }', {}, admin);
    expect(still.data!.plugin).toEqual({
      status: 'disabled',
      missingGrants: [
        'The plugin asks for a key-value store, which is not granted.',
        'The plugin asks to read the ticket of each call, which is not granted.',
      ],
    });
  });

  it('refuses settings that break the schema and keeps the ones stored', async () => {
    const bad = await pluginMutation(s, admin, CONFIGURE, {
      n: 'weather',
      c: { region: 'east', token: 'ab' },
    });
    expect(bad.__typename).toBe('ValidationError');
    expect(bad.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      '/config/region',
      '/config/token',
    ]);
    // The secret's value is not echoed in the message.
    expect(JSON.stringify(bad.fields)).not.toContain('"ab"');
    const missing = await pluginMutation(s, admin, CONFIGURE, { n: 'weather', c: {} });
    expect(missing.fields).toEqual([expect.objectContaining({ path: '/config/region', code: 'required' })]);
    const notObject = await pluginMutation(s, admin, CONFIGURE, { n: 'weather', c: 'north' });
    expect(notObject.fields).toEqual([expect.objectContaining({ path: '/config', code: 'invalid' })]);
    const now = await s.gql('{ plugin(name: "weather") { config secrets { key isSet } } }', {}, admin);
    expect(now.data!.plugin).toEqual({
      config: { region: 'north' },
      secrets: [{ key: 'token', isSet: false }],
    });

    const limits = await s.gql(
      'mutation { setPluginLimits(name: "weather", limits: { cpuMs: 99999999, memory: 1 }) { __typename ... on ValidationError { fields { path code } } } }',
      {},
      admin,
    );
    expect(limits.data!.setPluginLimits.fields).toEqual([
      { path: '/limits/cpuMs', code: 'too_large' },
      { path: '/limits/memory', code: 'unknown' },
    ]);
  });

  it('names an unknown plugin or version as not found', async () => {
    for (const op of [
      'enablePlugin(name: "nope")',
      'disablePlugin(name: "nope")',
      'uninstallPlugin(name: "nope")',
      'configurePlugin(name: "nope", config: {})',
      'grantPluginPermissions(name: "nope", grants: {})',
    ]) {
      const r = await s.gql(
        `mutation { m: ${op} { __typename ... on NotFoundError { message path } } }`,
        {},
        admin,
      );
      expect(r.data!.m, op).toEqual({
        __typename: 'NotFoundError',
        message: 'A plugin named "nope" was not found, or you may not see it.',
        path: '/name',
      });
    }
    const version = await s.gql(
      'mutation { upgradePlugin(name: "weather", version: "9.9.9") { __typename ... on NotFoundError { message path } } }',
      {},
      admin,
    );
    expect(version.data!.upgradePlugin).toEqual({
      __typename: 'NotFoundError',
      message: 'Version 9.9.9 of the plugin "weather" was not found, or you may not see it.',
      path: '/version',
    });
    expect((await s.gql('{ plugin(name: "nope") { name } }', {}, admin)).data!.plugin).toBeNull();
  });

  it('lets only plugin.manage in', async () => {
    const upload = await pluginMutation(s, agent, UPLOAD, {
      p: b64(packageOf(manifestOf('sneaky', '1.0.0'))),
    });
    expect(upload).toEqual({
      __typename: 'ForbiddenError',
      message: 'Your roles do not grant the "plugin.manage" permission.',
    });
    const enable = await s.gql(
      'mutation { enablePlugin(name: "weather") { __typename ... on ForbiddenError { permission } } }',
      {},
      agent,
    );
    expect(enable.data!.enablePlugin).toEqual({ __typename: 'ForbiddenError', permission: 'plugin.manage' });
    const list = await s.gql('{ plugins { name } }', {}, agent);
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await s.gql('{ plugins { name } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The upload route too.
    const post = (headers: Record<string, string>) =>
      fetch(`${s.url}/plugins/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/gzip', ...headers },
        body: new Uint8Array(packageOf(manifestOf('sneaky', '1.0.0'))),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${agent}` })).status).toBe(403);
    expect(await plugins()).toEqual([{ name: 'weather', status: 'disabled', version: '1.0.0' }]);
  });

  it('takes a package on the upload route with an API token (what docket-plugin publish sends)', async () => {
    const created = await s.gql(
      'mutation { createApiToken(name: "publisher") { ... on CreatedApiToken { token } } }',
      {},
      admin,
    );
    const token = created.data!.createApiToken.token as string;
    expect(token).toMatch(/^dkt_/);
    const res = await fetch(`${s.url}/plugins/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/gzip' },
      body: new Uint8Array(packageOf(manifestOf('weather', '1.1.0'))),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      plugin: 'weather',
      version: '1.1.0',
      runningVersion: '1.0.0',
      isNewVersion: true,
      requestedPermissions: { fetch: ['api.example.com'], kv: true, ticket: 'read' },
    });
    const refused = await fetch(`${s.url}/plugins/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new Uint8Array(packageOf(manifestOf('weather', '1.2.0'), { tamper: true })),
    });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      fields: [expect.objectContaining({ code: 'hash_mismatch' })],
    });
  });

  it('installs from the npm registry, checking the tarball against its integrity hash', async () => {
    const tarball = packageOf(manifestOf('tides', '2.0.0'), { npm: true });
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    published.set('docket-plugin-tides@2.0.0', { tarball, integrity });
    published.set('docket-plugin-tides@2.0.1', {
      tarball: packageOf(manifestOf('tides', '2.0.1'), { npm: true }),
      integrity, // the registry's hash of another file
    });
    const INSTALL = `mutation($n: String!, $v: String!) { installPlugin(packageName: $n, version: $v) {
      __typename ... on PluginUpload { version { version source } plugin { name status } }
      ... on ValidationError { fields { path code message } } ... on NotFoundError { message path } } }`;
    const ok = await s.gql(INSTALL, { n: 'docket-plugin-tides', v: '2.0.0' }, admin);
    expect(ok.data!.installPlugin).toEqual({
      __typename: 'PluginUpload',
      version: { version: '2.0.0', source: 'npm:docket-plugin-tides@2.0.0' },
      plugin: { name: 'tides', status: 'disabled' },
    });
    const mismatch = await s.gql(INSTALL, { n: 'docket-plugin-tides', v: '2.0.1' }, admin);
    expect(mismatch.data!.installPlugin.fields).toEqual([
      expect.objectContaining({ path: '/version', code: 'hash_mismatch' }),
    ]);
    const unknown = await s.gql(INSTALL, { n: 'docket-plugin-nothing', v: '1.0.0' }, admin);
    expect(unknown.data!.installPlugin).toEqual({
      __typename: 'NotFoundError',
      message: 'The npm package docket-plugin-nothing@1.0.0 was not found, or you may not see it.',
      path: '/packageName',
    });
    const range = await s.gql(INSTALL, { n: 'docket-plugin-tides', v: '^2.0.0' }, admin);
    expect(range.data!.installPlugin.fields).toEqual([
      expect.objectContaining({ path: '/version', code: 'invalid' }),
    ]);
  });

  it('runs once enabled, upgrades without losing its data, uninstalls keeping it, and purges it', async () => {
    await pluginMutation(s, admin, GRANT, {
      n: 'weather',
      g: { fetch: ['api.example.com'], kv: true, ticket: 'read' },
    });
    const enabled = await pluginMutation(s, admin, ENABLE, { n: 'weather' });
    expect(enabled.__typename, JSON.stringify(enabled)).toBe('Plugin');
    const plugins = s.app.services.plugins;
    expect(await plugins.call('weather', 'node:weather.echo', { config: {}, inputs: {} })).toEqual({
      outputs: { region: 'north', version: '1.0.0' },
      port: 'out',
    });
    const upgraded = await s.gql(
      `mutation { upgradePlugin(name: "weather", version: "1.1.0") { __typename ... on Plugin { ${PLUGIN_FIELDS} } } }`,
      {},
      admin,
    );
    expect(upgraded.data!.upgradePlugin).toMatchObject({ status: 'enabled', version: '1.1.0' });
    // A call made now runs the new version; one queued before the upgrade (a workflow step's job
    // records the version it was queued for) still finishes on the old one.
    expect(await plugins.call('weather', 'node:weather.echo', { config: {}, inputs: {} })).toMatchObject({
      outputs: { version: '1.1.0' },
    });
    expect(
      await plugins.call('weather', 'node:weather.echo', { config: {}, inputs: {} }, { version: '1.0.0' }),
    ).toMatchObject({ outputs: { version: '1.0.0' } });
    // Its key-value data went on across the upgrade.
    const [kv] = await s.sql<{ value: number }>(
      "select value from plugin_kv where plugin = 'weather' and key = 'seen'",
    );
    expect(kv!.value).toBe(3);

    const gone = await s.gql(
      'mutation { uninstallPlugin(name: "weather") { ... on Plugin { status } } }',
      {},
      admin,
    );
    expect(gone.data!.uninstallPlugin.status).toBe('uninstalled');
    const types = await s.gql('{ workflowNodeTypes { type } }', {}, admin);
    expect(types.data!.workflowNodeTypes.map((t: { type: string }) => t.type)).not.toContain('weather.echo');
    await expect(plugins.call('weather', 'node:weather.echo', {})).rejects.toThrow(/not installed/);
    expect(await s.sql("select key from plugin_kv where plugin = 'weather'")).toEqual([{ key: 'seen' }]);

    const purged = await s.gql(
      'mutation { purgePlugin(name: "weather") { ... on PurgedPlugin { name } } }',
      {},
      admin,
    );
    expect(purged.data!.purgePlugin).toEqual({ name: 'weather' });
    expect(await s.sql("select 1 from plugin_kv where plugin = 'weather'")).toEqual([]);
    expect(await s.sql("select 1 from plugin_version where plugin = 'weather'")).toEqual([]);
    const notUninstalled = await s.gql(
      'mutation { purgePlugin(name: "tides") { __typename ... on ValidationError { fields { path code } } } }',
      {},
      admin,
    );
    expect(notUninstalled.data!.purgePlugin.fields).toEqual([{ path: '/name', code: 'installed' }]);
  });

  it('is seen by another server process sharing the database within seconds', async () => {
    const other = await buildApp(s.db, { ...readConfig(process.env), timeZone: 'Asia/Shanghai' });
    try {
      expect(other.services.plugins.isEnabled('tides')).toBe(false);
      expect(other.services.registries.nodeTypes.list().map((t) => t.definition.type)).toContain(
        'tides.echo',
      );
      await pluginMutation(s, admin, GRANT, {
        n: 'tides',
        g: { fetch: ['api.example.com'], kv: true, ticket: 'read' },
      });
      await pluginMutation(s, admin, CONFIGURE, { n: 'tides', c: { region: 'south' } });
      const on = await pluginMutation(s, admin, ENABLE, { n: 'tides' });
      expect(on.status, JSON.stringify(on)).toBe('enabled');
      await waitFor('the other process to see it enabled', async () =>
        other.services.plugins.isEnabled('tides') ? true : undefined,
      );
      // And it runs it there, with the settings made here.
      expect(
        await other.services.plugins.call('tides', 'node:tides.echo', { config: {}, inputs: {} }),
      ).toEqual({
        outputs: { region: 'south', version: '2.0.0' },
        port: 'out',
      });
    } finally {
      await other.close();
    }
  });
});
