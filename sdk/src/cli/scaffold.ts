import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './build-plugin.ts';

/** The files of a new plugin: a node type that fetches and patches its ticket, and a passing test. */
export function scaffoldFiles(
  pluginName: string,
  packageName: string,
  sdkVersion: string,
): Record<string, string> {
  const title = pluginName.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return {
    'package.json': `${JSON.stringify(
      {
        name: packageName,
        version: '0.1.0',
        private: true,
        type: 'module',
        description: `${title}: a Docket plugin`,
        scripts: {
          build: 'docket-plugin build',
          test: 'docket-plugin test',
          pack: 'docket-plugin pack',
        },
        devDependencies: { '@docket/sdk': `^${sdkVersion}` },
        // npm 11 asks which install scripts may run: the SDK's esbuild and isolated-vm (it compiles).
        allowScripts: { esbuild: true, 'isolated-vm': true },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          types: ['node'],
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules\ndist\n.docket\n*.tgz\n',
    'src/index.ts': `import { definePlugin, defineNodeType } from '@docket/sdk';

/**
 * A workflow node that asks an outside service for an order's status and writes it onto the
 * ticket. Replace it with your own: see the SDK's README for SLA actions, notification targets
 * and channels.
 */
const checkStatus = defineNodeType({
  type: '${pluginName}.check_status',
  version: 1,
  title: 'Check order status',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['field'],
    properties: {
      field: { type: 'string', title: 'Ticket field to write the status to' },
    },
  },
  defaultConfig: { field: 'orderStatus' },
  ports: {
    hasInput: true,
    outputs: [
      { id: 'found', label: 'Found' },
      { id: 'not_found', label: 'Not found' },
    ],
  },
  run: async ({ config, inputs }, ctx) => {
    const orderId = String(inputs.form.orderId ?? '');
    const res = await ctx.fetch(\`https://api.example.com/orders/\${encodeURIComponent(orderId)}\`, {
      headers: { authorization: \`Bearer \${ctx.secrets.apiKey ?? ''}\` },
    });
    if (res.status === 404) return { port: 'not_found' };
    if (!res.ok) throw new Error(\`the order service answered \${res.status}\`);
    const order = await res.json<{ status: string }>();
    await ctx.ticket.patch?.({ [config.field]: order.status });
    ctx.log.info('order status checked', { orderId, status: order.status });
    return { port: 'found', outputs: { status: order.status } };
  },
});

export default definePlugin({
  name: '${pluginName}',
  version: '0.1.0',
  displayName: '${title}',
  description: 'Checks an order status for a ticket.',
  permissions: { fetch: ['api.example.com'], ticket: 'patch' },
  config: {
    type: 'object',
    properties: {
      apiKey: { type: 'string', title: 'API key', 'x-secret': true },
    },
  },
  contributes: { nodeTypes: [checkStatus] },
});
`,
    'test/plugin.test.ts': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '@docket/sdk/testing';

test('writes the order status onto the ticket', async (t) => {
  const plugin = await loadPlugin({ secrets: { apiKey: 'test-key' } });
  t.after(() => plugin.close());
  plugin.respond('https://api.example.com/orders/A-1', { json: { status: 'shipped' } });

  const result = await plugin.runNode(
    '${pluginName}.check_status',
    { config: { field: 'orderStatus' } },
    { ticket: { id: '42', formData: { orderId: 'A-1' } } },
  );

  assert.deepEqual(result, { port: 'found', outputs: { status: 'shipped' } });
  assert.deepEqual(
    plugin.recorded.fetches.map((f) => [f.url, f.headers.authorization]),
    [['https://api.example.com/orders/A-1', 'Bearer test-key']],
  );
  assert.deepEqual(plugin.recorded.ticketPatches, [{ ticketId: '42', patch: { orderStatus: 'shipped' } }]);
});

test('leaves by "not_found" when the service does not know the order', async (t) => {
  const plugin = await loadPlugin();
  t.after(() => plugin.close());
  plugin.respond(/\\/orders\\//, { status: 404, body: 'no such order' });

  const result = await plugin.runNode(
    '${pluginName}.check_status',
    { config: { field: 'orderStatus' } },
    { ticket: { id: '7', formData: { orderId: 'nope' } } },
  );

  assert.deepEqual(result, { port: 'not_found', outputs: {} });
  assert.deepEqual(plugin.recorded.ticketPatches, []);
});
`,
    'README.md': `# ${title}

A Docket plugin, made with \`docket-plugin init\`.

\`\`\`sh
npx docket-plugin build   # dist/plugin.js and dist/manifest.json
npx docket-plugin test    # builds, then runs test/*.test.ts against the plugin in Docket's sandbox
npx docket-plugin pack    # ${pluginName}-0.1.0.tgz, ready to upload to a Docket server
\`\`\`
`,
  };
}

/** Turns what a developer typed into a plugin name (`Parcel-Tracker` -> `parcel_tracker`). */
export function pluginNameFrom(input: string): string {
  const name = input
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(name))
    throw new CliError(
      `"${input}" cannot be a plugin name: use up to 40 letters, digits, "-" or "_", starting with a letter.`,
    );
  return name;
}

/**
 * Writes a new plugin into `target`. A folder that already holds a package.json (the one
 * `npm install @docket/sdk` made) keeps it, gaining `"type": "module"` and the scripts; one that
 * already holds plugin sources is refused.
 */
export function scaffold(
  target: string,
  sdkVersion: string,
): { dir: string; pluginName: string; files: string[] } {
  const dir = resolve(target);
  const pluginName = pluginNameFrom(basename(dir));
  for (const taken of ['src', 'test'])
    if (existsSync(join(dir, taken)))
      throw new CliError(
        `${join(dir, taken)} already exists: run init in an empty folder, or one with only the SDK installed.`,
      );
  const packageName = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-');
  const files = scaffoldFiles(pluginName, packageName, sdkVersion);
  const pkgPath = join(dir, 'package.json');
  if (existsSync(pkgPath)) {
    const existing = JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown>;
    const fresh = JSON.parse(files['package.json']!) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...fresh, ...existing, type: 'module' };
    merged.scripts = { ...(fresh.scripts as object), ...((existing.scripts as object | undefined) ?? {}) };
    merged.allowScripts = {
      ...(fresh.allowScripts as object),
      ...((existing.allowScripts as object | undefined) ?? {}),
    };
    const hasSdk = ['dependencies', 'devDependencies'].some(
      (k) => (existing[k] as Record<string, string> | undefined)?.['@docket/sdk'] !== undefined,
    );
    if (!hasSdk)
      merged.devDependencies = {
        ...((existing.devDependencies as object | undefined) ?? {}),
        '@docket/sdk': `^${sdkVersion}`,
      };
    files['package.json'] = `${JSON.stringify(merged, null, 2)}\n`;
  }
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    if (name === '.gitignore' && existsSync(path)) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return { dir, pluginName, files: Object.keys(files) };
}
