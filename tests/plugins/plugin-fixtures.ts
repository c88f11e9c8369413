import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestServer } from '../helpers/test-server.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'sdk/src/cli/bin.ts');

/** Runs the SDK's CLI (from source) in a folder, as `npx docket-plugin …` would. */
export function docketPlugin(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '--import tsx' },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** The CLI as a child process, without blocking this one (a server in this process must answer it). */
export function docketPluginAsync(
  args: string[],
  cwd: string,
): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', CLI, ...args], {
      cwd,
      env: { ...process.env, NODE_OPTIONS: '--import tsx' },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (status) => resolve({ status, out }));
  });
}

/**
 * A copy of a plugin's folder in a temporary directory (its node_modules pointing at the
 * monorepo's, where @docket/sdk is), with text replaced in its sources: a test points the
 * example's hosts at loopback servers standing for the outside services.
 */
export function copyPlugin(
  from: string,
  replace: [string, string][] = [],
): { dir: string; remove: () => void } {
  const work = mkdtempSync(join(tmpdir(), 'docket-plugin-'));
  const dir = join(work, 'plugin');
  cpSync(from, dir, {
    recursive: true,
    filter: (src) => !/(node_modules|dist|\.docket)$/.test(src) && !src.endsWith('.tgz'),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const index = join(dir, 'src/index.ts');
  let text = readFileSync(index, 'utf8');
  for (const [a, b] of replace) {
    if (!text.includes(a)) throw new Error(`${index} does not contain ${a}`);
    text = text.replaceAll(a, b);
  }
  writeFileSync(index, text);
  return { dir, remove: () => rmSync(work, { recursive: true, force: true }) };
}

/** Builds and packs a plugin folder with the CLI; returns the .tgz. */
export function buildAndPack(dir: string): Buffer {
  const built = docketPlugin(['build'], dir);
  if (built.status !== 0) throw new Error(`docket-plugin build failed:\n${built.out}`);
  const packed = docketPlugin(['pack'], dir);
  if (packed.status !== 0) throw new Error(`docket-plugin pack failed:\n${packed.out}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!file) throw new Error(`no .tgz in ${dir}:\n${packed.out}`);
  return readFileSync(join(dir, file));
}

/** A loopback HTTP server standing for an outside service: records requests, answers with `respond`. */
export type FakeService = {
  url: string;
  /** `http://127.0.0.1:<port>`, as a plugin's fetch allowlist names it. */
  origin: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  respond: (
    handler: (req: { method: string; url: string; body: string }) => { status: number; json?: unknown },
  ) => void;
  close: () => Promise<void>;
};

export async function fakeService(): Promise<FakeService> {
  let handler: Parameters<FakeService['respond']>[0] = () => ({ status: 404, json: { error: 'no handler' } });
  const requests: FakeService['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const entry = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(entry);
      const answer = handler(entry);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.json === undefined ? '' : JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    origin,
    requests,
    respond: (h) => {
      handler = h;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const PLUGIN_FIELDS = `name status version missingGrants
  requestedPermissions { fetch kv ticket } grants { fetch kv ticket }
  config secrets { key isSet } contributions { kind key route }`;

/** Runs a plugin mutation and returns its result, whatever its type. */
export async function pluginMutation(
  s: TestServer,
  token: string,
  mutation: string,
  variables: Record<string, unknown>,
): Promise<Record<string, any>> {
  const r = await s.gql(mutation, variables, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return Object.values(r.data!)[0] as Record<string, any>;
}

export const UPLOAD = `mutation($p: String!, $h: String) { uploadPlugin(package: $p, sha256: $h) {
  __typename
  ... on PluginUpload { isNewVersion version { version sha256 } plugin { ${PLUGIN_FIELDS} } }
  ... on ValidationError { message fields { path code message } }
  ... on Error { message } } }`;

export const GRANT = `mutation($n: String!, $g: PluginPermissionsInput!) { grantPluginPermissions(name: $n, grants: $g) {
  __typename ... on Plugin { ${PLUGIN_FIELDS} } ... on ValidationError { fields { path code message } } ... on Error { message } } }`;

export const CONFIGURE = `mutation($n: String!, $c: JSON!) { configurePlugin(name: $n, config: $c) {
  __typename ... on Plugin { ${PLUGIN_FIELDS} } ... on ValidationError { fields { path code message } } ... on Error { message } } }`;

export const ENABLE = `mutation($n: String!) { enablePlugin(name: $n) {
  __typename ... on Plugin { ${PLUGIN_FIELDS} } ... on ValidationError { fields { path code message } } ... on Error { message } } }`;

export const DISABLE = `mutation($n: String!) { disablePlugin(name: $n) {
  __typename ... on Plugin { ${PLUGIN_FIELDS} } ... on Error { message } } }`;
