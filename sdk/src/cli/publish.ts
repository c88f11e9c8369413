import { existsSync, type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join, relative } from 'node:path';
import { PLUGIN_FLAG_PERMISSION_NAMES, PLUGIN_FLAG_PERMISSIONS, type PluginManifest } from '../core.ts';
import { BUNDLE_FILE, buildPlugin, CliError, MANIFEST_FILE } from './build-plugin.ts';
import { tarGz } from './tar.ts';

/**
 * `publish` and `dev`: the plugin goes to a Docket server through its upload route
 * (POST /plugins/upload, the package as the body) with an API token of someone holding
 * plugin.manage; `dev` then keeps it granted, configured, enabled and up to date while you edit.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON from the server, read field by field
type ServerJson = Record<string, any>;

export type ServerOptions = {
  /** The server's address (--server, DOCKET_URL; default http://127.0.0.1:4000). */
  server: string;
  /** An API token or session token (--token, DOCKET_TOKEN). */
  token?: string | undefined;
  /** Or log in (--email, --password; DOCKET_EMAIL, DOCKET_PASSWORD): for a local server. */
  email?: string | undefined;
  password?: string | undefined;
};

/** Reads `--name value` pairs (and DOCKET_* variables) into the server options. */
export function serverOptions(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): ServerOptions & { rest: Record<string, string> } {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--'))
      throw new CliError(`Unexpected argument "${a}" (options are written --name value).`);
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const v = inline ?? args[++i];
    if (v === undefined) throw new CliError(`--${k} needs a value.`);
    flags[k] = v;
  }
  const { server, token, email, password, ...rest } = flags;
  return {
    server: (server ?? env.DOCKET_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, ''),
    token: token ?? env.DOCKET_TOKEN,
    email: email ?? env.DOCKET_EMAIL,
    password: password ?? env.DOCKET_PASSWORD,
    rest,
  };
}

/** The package of a built plugin, as `pack` writes it; `version` replaces the manifest's (dev builds). */
export function packageOf(dir: string, version?: string): { manifest: PluginManifest; file: Buffer } {
  const manifestPath = join(dir, 'dist', MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new CliError('Nothing to publish: run "docket-plugin build" first.');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PluginManifest;
  if (version) manifest.version = version;
  const file = tarGz([
    {
      name: `${manifest.name}/${MANIFEST_FILE}`,
      content: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
    },
    { name: `${manifest.name}/${BUNDLE_FILE}`, content: readFileSync(join(dir, 'dist', BUNDLE_FILE)) },
  ]);
  return { manifest, file };
}

async function request(url: string, init: RequestInit): Promise<{ status: number; body: ServerJson }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new CliError(
      `Cannot reach the Docket server at ${new URL(url).origin} (${(e as Error).cause ?? (e as Error).message}). Start it (npm start) or pass --server.`,
    );
  }
  const text = await res.text();
  try {
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  } catch {
    return { status: res.status, body: { error: text.slice(0, 500) } };
  }
}

/** An API or session token: the one given, or a session from logging in. */
export async function tokenOf(o: ServerOptions): Promise<string> {
  if (o.token) return o.token;
  if (!o.email || !o.password)
    throw new CliError(
      'Give the server a token: --token <API token> (or DOCKET_TOKEN), made by someone holding plugin.manage with createApiToken; or --email and --password to log in.',
    );
  const r = await gql(
    o.server,
    undefined,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ... on Session { token } ... on Error { message } } }',
    {
      e: o.email,
      p: o.password,
    },
  );
  const token = r.login?.token as string | undefined;
  if (!token) throw new CliError(`Could not log in as ${o.email}: ${r.login?.message ?? 'no session'}`);
  return token;
}

export async function gql(
  server: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
): Promise<ServerJson> {
  const r = await request(`${server}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  if (r.body.errors?.length)
    throw new CliError(
      `The server refused: ${r.body.errors.map((e: { message: string }) => e.message).join('; ')}`,
    );
  return r.body.data ?? {};
}

const fieldLines = (fields: { path: string; message: string }[] | undefined) =>
  (fields ?? []).map((f) => `  ${f.path || '(package)'}: ${f.message}`).join('\n');

/** Uploads a package; returns the server's answer (plugin, version, status, what it asks for). */
export async function upload(o: ServerOptions, token: string, file: Buffer): Promise<ServerJson> {
  const r = await request(`${o.server}/plugins/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/gzip' },
    body: file,
  });
  if (r.status === 401 || r.status === 403)
    throw new CliError(
      `The server refused the upload (${r.status}): ${r.body.error ?? ''} A token of someone holding plugin.manage is needed.`,
    );
  if (r.status >= 300)
    throw new CliError(
      `The server refused the package (${r.status}): ${r.body.error ?? ''}\n${fieldLines(r.body.fields)}`,
    );
  return r.body;
}

/**
 * Watches a folder and the folders below it (not node_modules, dist, .docket). It watches folders,
 * not files, so an editor that saves by writing a new file and renaming it over the old one is
 * seen too. Returns what stops it.
 */
export function watchTree(
  root: string,
  onChange: (file: string) => void,
  options: { only?: (file: string) => boolean; isShallow?: boolean } = {},
): () => void {
  const watchers = new Map<string, FSWatcher>();
  const isIgnored = (name: string) =>
    /^(node_modules|dist|\.docket|\.git)$/.test(name) || name.endsWith('.tgz');
  const add = (dir: string) => {
    if (watchers.has(dir)) return;
    try {
      watchers.set(
        dir,
        watch(dir, (_event, name) => {
          if (!name || isIgnored(name)) return;
          const path = join(dir, name);
          if (!options.isShallow && existsSync(path) && statSync(path).isDirectory()) addTree(path);
          const file = relative(root, path);
          if (!options.only || options.only(file)) onChange(file);
        }),
      );
    } catch {
      // a folder that went away meanwhile
    }
  };
  const addTree = (dir: string) => {
    add(dir);
    if (options.isShallow) return;
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory() && !isIgnored(e.name)) addTree(join(dir, e.name));
  };
  addTree(root);
  return () => {
    for (const w of watchers.values()) w.close();
  };
}

/** `docket-plugin publish`: build, pack and upload to the server. */
export async function publish(dir: string, sdkVersion: string, args: string[]): Promise<void> {
  const o = serverOptions(args);
  const token = await tokenOf(o);
  await buildPlugin(dir, sdkVersion);
  const { file } = packageOf(dir);
  const r = await upload(o, token, file);
  const asks = r.requestedPermissions ?? {};
  const wants = [
    ...(asks.fetch?.length ? [`fetch from ${asks.fetch.join(', ')}`] : []),
    ...PLUGIN_FLAG_PERMISSION_NAMES.filter((k) => asks[k]).map((k) => PLUGIN_FLAG_PERMISSIONS[k]),
    ...(asks.ticket ? [`${asks.ticket} access to tickets`] : []),
  ];
  console.log(
    `published ${r.plugin}@${r.version} to ${o.server} (sha256 ${r.sha256})${r.isNewVersion ? '' : ' — this version was there already'}.`,
  );
  if (r.runningVersion !== r.version)
    console.log(
      `The server runs ${r.plugin}@${r.runningVersion}; an admin moves it with upgradePlugin(name: "${r.plugin}", version: "${r.version}").`,
    );
  else if (r.status !== 'enabled')
    console.log(
      `It is installed, ${r.status}. An admin grants what it asks for (${wants.join('; ') || 'nothing'}), configures it and enables it.`,
    );
}

/**
 * `docket-plugin dev`: builds the plugin and puts it on a (local) server as a dev version
 * (`<version>-dev.<time>`), granted what it asks for, configured from `--config <file.json>` when
 * given, and enabled; then does it again whenever a file under src/ (or package.json) changes.
 * Stops on Ctrl-C. Resolves when `signal` aborts (tests).
 */
export async function dev(
  dir: string,
  sdkVersion: string,
  args: string[],
  signal?: AbortSignal,
): Promise<void> {
  const o = serverOptions(args);
  const configFile = o.rest.config;
  const token = await tokenOf(o);
  // The server answers, and the token may manage plugins: said now rather than on every save.
  const me = await gql(o.server, token, '{ me { permissions } }', {});
  if (!me.me) throw new CliError(`${o.server} does not know this token.`);
  if (!(me.me.permissions as string[] | null)?.includes('PLUGIN_MANAGE'))
    throw new CliError(
      'This token may not manage plugins: it needs the plugin.manage permission (an admin has it).',
    );
  let isBusy = false;
  let isAgain = false;
  const cycle = async () => {
    if (isBusy) {
      isAgain = true;
      return;
    }
    isBusy = true;
    const started = Date.now();
    try {
      await buildPlugin(dir, sdkVersion);
      const base = (JSON.parse(readFileSync(join(dir, 'dist', MANIFEST_FILE), 'utf8')) as PluginManifest)
        .version;
      const version = `${base.split('-')[0]}-dev.${started}`;
      const { manifest, file } = packageOf(dir, version);
      await upload(o, token, file);
      // A development server grants what the plugin asks for.
      const grants = manifest.permissions ?? {};
      const up = await gql(
        o.server,
        token,
        'mutation($n: String!, $v: String!, $g: PluginPermissionsInput) { upgradePlugin(name: $n, version: $v, grants: $g) { __typename ... on Plugin { status } ... on ValidationError { fields { path message } } ... on Error { message } } }',
        { n: manifest.name, v: version, g: grants },
      );
      if (up.upgradePlugin.__typename !== 'Plugin')
        throw new CliError(
          `The server kept the old version: ${up.upgradePlugin.message ?? ''}\n${fieldLines(up.upgradePlugin.fields)}`,
        );
      if (configFile) {
        const settings = JSON.parse(readFileSync(join(dir, configFile), 'utf8')) as unknown;
        const c = await gql(
          o.server,
          token,
          'mutation($n: String!, $c: JSON!) { configurePlugin(name: $n, config: $c) { __typename ... on ValidationError { fields { path message } } ... on Error { message } } }',
          { n: manifest.name, c: settings },
        );
        if (c.configurePlugin.__typename !== 'Plugin')
          throw new CliError(`${configFile} was refused:\n${fieldLines(c.configurePlugin.fields)}`);
      }
      if (up.upgradePlugin.status !== 'enabled') {
        const e = await gql(
          o.server,
          token,
          'mutation($n: String!) { enablePlugin(name: $n) { __typename ... on ValidationError { fields { path message } } ... on Error { message } } }',
          { n: manifest.name },
        );
        if (e.enablePlugin.__typename !== 'Plugin')
          throw new CliError(
            `Loaded ${manifest.name}@${version}, but it cannot be enabled yet:\n${fieldLines(e.enablePlugin.fields)}\n(Give its settings with --config <file.json>, then save a file.)`,
          );
      }
      console.log(`reloaded ${manifest.name}@${version} on ${o.server} in ${Date.now() - started} ms`);
    } catch (e) {
      console.error(e instanceof CliError ? e.message : String((e as Error).stack ?? e));
      console.error('(waiting for a change)');
    } finally {
      isBusy = false;
      if (isAgain) {
        isAgain = false;
        void cycle();
      }
    }
  };
  await cycle();
  let timer: NodeJS.Timeout | undefined;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void cycle(), 150);
  };
  const stopWatching = [
    watchTree(join(dir, 'src'), onChange),
    watchTree(dir, onChange, { only: (file) => file === 'package.json', isShallow: true }),
  ];
  console.log(`watching ${relative(process.cwd(), join(dir, 'src')) || 'src'} for changes (Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      for (const unwatch of stopWatching) unwatch();
      resolve();
    };
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
