import { createHash } from 'node:crypto';
import {
  CONFIG_FETCH_RE,
  checkFormSchema,
  checkPluginManifest,
  defineNodeType,
  effectivePermissions,
  type FieldError,
  fieldError,
  type JsonSchema,
  PLUGIN_FLAG_PERMISSION_NAMES,
  PLUGIN_FLAG_PERMISSIONS,
  PLUGIN_PERMISSION_NAMES,
  type PluginManifest,
  type PluginPermissions,
  type Principal,
  parseFetchHostRule,
  secretConfigKeys,
  splitPluginConfig,
  ValidationFailed,
  validateFormData,
} from '@docket/core';
import { type EntityManager, LockMode, Plugin, PluginVersion } from '@docket/db';
import type { PluginLimits } from '@docket/sandbox';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import type { Registries } from '../extensions/registries.ts';
import type { Services } from '../services.ts';
import { MAX_PACKAGE_BYTES, type PluginPackage, readPluginPackage } from './plugin-package.ts';
import type { SecretBox } from './plugin-secrets.ts';
import type { PluginService } from './plugin-service.ts';

/**
 * The plugin lifecycle as admins drive it (every use case needs plugin.manage): upload a package
 * or install one from the npm registry (its hashes checked), see what it asks for, grant it,
 * configure it through its settings schema (secrets kept encrypted and shown only as set or not),
 * set its limits, enable, disable, upgrade to another uploaded version, uninstall (data kept),
 * purge. Each change is written, then the plugin service brings the registries and the sandbox in
 * line with it.
 */

export type PluginAdminDeps = {
  plugins: PluginService;
  registries: Registries;
  secrets: SecretBox;
  npmRegistry: string;
};

/** The lifecycle's collaborators, from the app's services. */
export const adminDepsOf = (
  services: Pick<Services, 'plugins' | 'registries' | 'config'>,
): PluginAdminDeps => ({
  plugins: services.plugins,
  registries: services.registries,
  secrets: services.plugins.secretBox,
  npmRegistry: services.config.plugins.npmRegistry,
});

const requireManage = (p: Principal | null) => requireStaff(p, 'plugin.manage');

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

async function findPlugin(
  em: EntityManager,
  name: string,
  options: { forUpdate?: boolean } = {},
): Promise<Plugin> {
  const plugin =
    typeof name === 'string' && name.length <= 40
      ? await em.findOne(Plugin, { name }, options.forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {})
      : null;
  if (!plugin) throw new NotFoundError(`A plugin named "${name}"`, '/name');
  return plugin;
}

/**
 * Changes a plugin's row under its lock, then brings this process's registrations in line with
 * it (other processes see the newer row within seconds). `change` returns false when it changed
 * nothing: the row then keeps its stamp and nothing is registered again.
 */
async function changePlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  name: string,
  change: (plugin: Plugin, tx: EntityManager) => unknown,
): Promise<Plugin> {
  const plugin = await em.transactional(async (tx) => {
    const plugin = await findPlugin(tx, name, { forUpdate: true });
    if ((await change(plugin, tx)) !== false) plugin.updatedAt = new Date();
    return plugin;
  });
  await deps.plugins.refresh(plugin.name);
  return plugin;
}

/** Moves a plugin to a status; false when it is there already (nothing changed). */
function setStatus(plugin: Plugin, status: Plugin['status']): boolean {
  if (plugin.status === status) return false;
  plugin.status = status;
  return true;
}

async function versionOf(em: EntityManager, plugin: string, version: string): Promise<PluginVersion> {
  const v = await em.findOne(PluginVersion, { plugin, version });
  if (!v) throw new NotFoundError(`Version ${version} of the plugin "${plugin}"`, '/version');
  return v;
}

/** The manifest of the version a plugin runs. */
export async function currentManifest(em: EntityManager, plugin: Plugin): Promise<PluginManifest> {
  return (await versionOf(em, plugin.name, plugin.version)).manifest as unknown as PluginManifest;
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listPlugins(
  em: EntityManager,
  principal: Principal | null,
  input: { includeUninstalled: boolean },
): Promise<Plugin[]> {
  requireManage(principal);
  return em.find(Plugin, input.includeUninstalled ? {} : { status: { $ne: 'uninstalled' } }, {
    orderBy: { name: 'asc' },
  });
}

export async function getPlugin(
  em: EntityManager,
  principal: Principal | null,
  name: string,
): Promise<Plugin | null> {
  requireManage(principal);
  return em.findOne(Plugin, { name });
}

export async function listVersions(em: EntityManager, plugin: string): Promise<PluginVersion[]> {
  return em.find(PluginVersion, { plugin }, { orderBy: { createdAt: 'desc' } });
}

/** The settings schema's secret fields, and whether each is set (their values never leave the server). */
export function secretStates(
  deps: Pick<PluginAdminDeps, 'secrets'>,
  plugin: Plugin,
  manifest: PluginManifest,
): { key: string; title: string | null; isSet: boolean }[] {
  let stored: Record<string, string> = {};
  try {
    stored = deps.secrets.open(plugin.secrets ?? null);
  } catch {
    stored = {};
  }
  const props = (manifest.config.properties ?? {}) as Record<string, { title?: unknown }>;
  return secretConfigKeys(manifest.config).map((key) => ({
    key,
    title: typeof props[key]?.title === 'string' ? (props[key].title as string) : null,
    isSet: typeof stored[key] === 'string' && stored[key] !== '',
  }));
}

/** What the manifest asks for that the admin has not granted, in words; empty when all is granted. */
export function missingGrants(manifest: PluginManifest, grants: PluginPermissions): FieldError[] {
  const requested = manifest.permissions ?? {};
  const got = effectivePermissions(requested, grants);
  const errors: FieldError[] = [];
  for (const host of requested.fetch ?? [])
    if (!(got.fetch ?? []).includes(host))
      errors.push(
        fieldError(
          '/grants/fetch',
          'not_granted',
          `The plugin asks to fetch from ${host}, which is not granted: grant it (grantPluginPermissions) before enabling the plugin.`,
        ),
      );
  for (const k of PLUGIN_FLAG_PERMISSION_NAMES)
    if (requested[k] && !got[k])
      errors.push(
        fieldError(
          `/grants/${k}`,
          'not_granted',
          `The plugin asks for ${PLUGIN_FLAG_PERMISSIONS[k]}, which is not granted.`,
        ),
      );
  if (requested.ticket && got.ticket !== requested.ticket)
    errors.push(
      fieldError(
        '/grants/ticket',
        'not_granted',
        `The plugin asks to ${requested.ticket === 'patch' ? 'read and patch' : 'read'} the ticket of each call, which is not granted.`,
      ),
    );
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Installing

/** What a package's contributions would clash with among the registries' entries (the core's or another plugin's). */
function clashes(registries: Registries, manifest: PluginManifest, path: string): FieldError[] {
  const own = `plugin:${manifest.name}`;
  const errors: FieldError[] = [];
  const c = manifest.contributes;
  const taken = (source: string | undefined) => source !== undefined && source !== own;
  const nodeSources = new Map(registries.nodeTypes.list().map((e) => [e.definition.type, e.source]));
  c.nodeTypes.forEach((n, i) => {
    if (taken(nodeSources.get(n.type)))
      errors.push(
        fieldError(
          `${path}/manifest/contributes/nodeTypes/${i}/type`,
          'taken',
          `The node type "${n.type}" is already there (from ${nodeSources.get(n.type)}).`,
        ),
      );
    try {
      defineNodeType({
        ...n,
        defaultConfig: n.defaultConfig as never,
        migrations: n.migrations.map((m) => ({ ...m, up: (x: unknown) => x })),
      });
    } catch (e) {
      errors.push(fieldError(`${path}/manifest/contributes/nodeTypes/${i}`, 'invalid', (e as Error).message));
    }
    for (const p of checkFormSchema(
      n.configSchema,
      `${path}/manifest/contributes/nodeTypes/${i}/configSchema`,
    ))
      errors.push(p);
  });
  c.slaActions.forEach((a, i) => {
    if (taken(registries.slaActions.sourceOf(`${manifest.name}/${a.name}`)))
      errors.push(
        fieldError(`${path}/manifest/contributes/slaActions/${i}/name`, 'taken', `"${a.name}" is taken.`),
      );
  });
  c.notificationTargets.forEach((t, i) => {
    const key = `${manifest.name}.${t.name}`;
    if (taken(registries.notificationTargets.sourceOf(key)))
      errors.push(
        fieldError(
          `${path}/manifest/contributes/notificationTargets/${i}/name`,
          'taken',
          `The notification target "${key}" is already there (from ${registries.notificationTargets.sourceOf(key)}).`,
        ),
      );
  });
  c.channels.forEach((ch, i) => {
    const key = `${manifest.name}.${ch.name}`;
    if (taken(registries.channels.sourceOf(key)))
      errors.push(
        fieldError(
          `${path}/manifest/contributes/channels/${i}/name`,
          'taken',
          `The channel "${key}" is already there (from ${registries.channels.sourceOf(key)}).`,
        ),
      );
  });
  for (const p of checkFormSchema(manifest.config, `${path}/manifest/config`)) errors.push(p);
  return errors;
}

export type UploadedVersion = { plugin: Plugin; version: PluginVersion; isNewVersion: boolean };

/**
 * Stores a package's version. A plugin seen for the first time is installed disabled, with nothing
 * granted; an installed one keeps running its version (upgradePlugin moves it); an uninstalled one
 * is installed again with the data it kept. The same version uploaded twice with the same bundle
 * is a no-op; with another bundle it is refused.
 */
async function storePackage(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  pkg: PluginPackage,
  input: { source: string; path: string },
): Promise<UploadedVersion> {
  const staff = requireManage(principal);
  const { manifest } = pkg;
  const problems = clashes(deps.registries, manifest, input.path);
  if (problems.length > 0)
    throw new ValidationFailed(problems, 'The plugin was not installed: fix what is listed.');
  const result = await em.transactional(async (tx) => {
    let plugin = await tx.findOne(Plugin, { name: manifest.name }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const existing = plugin
      ? await tx.findOne(PluginVersion, { plugin: manifest.name, version: manifest.version })
      : null;
    if (existing) {
      if (existing.sha256 !== pkg.sha256)
        throw new ValidationFailed([
          fieldError(
            input.path,
            'version_exists',
            `Version ${manifest.version} of "${manifest.name}" is installed already with another bundle (sha256 ${existing.sha256}): give the new build a new version.`,
          ),
        ]);
      if (plugin!.status === 'uninstalled') {
        plugin!.status = 'disabled';
        plugin!.version = manifest.version;
        plugin!.updatedAt = new Date();
      }
      return { plugin: plugin!, version: existing, isNewVersion: false };
    }
    if (!plugin) {
      plugin = tx.create(Plugin, {
        name: manifest.name,
        displayName: manifest.displayName,
        description: manifest.description ?? null,
        status: 'disabled',
        version: manifest.version,
        grants: {},
        limits: {},
        config: {},
        secrets: null,
        installedBy: staff.userId,
      });
    } else if (plugin.status === 'uninstalled') {
      plugin.status = 'disabled';
      plugin.version = manifest.version;
      plugin.displayName = manifest.displayName;
      plugin.description = manifest.description ?? null;
      plugin.updatedAt = new Date();
    }
    const version = tx.create(PluginVersion, {
      plugin: manifest.name,
      version: manifest.version,
      manifest: manifest as unknown as Record<string, unknown>,
      bundle: pkg.code,
      sha256: pkg.sha256,
      source: input.source,
      uploadedBy: staff.userId,
    });
    return { plugin, version, isNewVersion: true };
  });
  await deps.plugins.refresh(manifest.name);
  return result;
}

/** Installs (or adds a version of) a plugin from a .tgz made by `docket-plugin pack`. */
export async function uploadPlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { file: Buffer; sha256?: string | null; path?: string },
): Promise<UploadedVersion> {
  requireManage(principal);
  const path = input.path ?? '/package';
  const read = readPluginPackage(input.file, { path, expectedSha256: input.sha256 });
  if ('errors' in read)
    throw new ValidationFailed(read.errors, 'The plugin was not installed: fix what is listed.');
  return storePackage(deps, em, principal, read.package, { source: 'upload', path });
}

/**
 * Installs a plugin built on this machine (its dist/manifest.json and bundle, as `docket-plugin
 * build` writes them): the example pack's first-party plugins. Checked as an upload is.
 */
export async function installBuiltPlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { manifest: PluginManifest; code: string; source: string },
): Promise<UploadedVersion> {
  requireManage(principal);
  const sha256 = createHash('sha256').update(input.code, 'utf8').digest('hex');
  const problems = checkPluginManifest(input.manifest);
  if (input.manifest.bundle?.sha256 !== sha256)
    problems.push(
      fieldError('/manifest/bundle/sha256', 'mismatch', 'The bundle is not the one the manifest names.'),
    );
  if (problems.length > 0)
    throw new ValidationFailed(problems, 'The plugin was not installed: fix what is listed.');
  return storePackage(
    deps,
    em,
    principal,
    { manifest: input.manifest, code: input.code, sha256, packageSha256: sha256 },
    { source: input.source, path: '/manifest' },
  );
}

/** The base64 text of an uploaded package, decoded; refused when it is not base64. */
export function decodePackage(base64: string): Buffer {
  const clean = base64.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (clean.length > (MAX_PACKAGE_BYTES * 4) / 3 + 4)
    throw new ValidationFailed([
      fieldError('/package', 'too_large', `The package may be at most ${MAX_PACKAGE_BYTES} bytes.`),
    ]);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean))
    throw new ValidationFailed([
      fieldError('/package', 'invalid', 'The package must be the .tgz file as base64 text.'),
    ]);
  return Buffer.from(clean, 'base64');
}

const NPM_NAME_RE = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const NPM_VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

async function fetchBounded(url: string, what: string, path: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'follow' });
  } catch (e) {
    throw new ValidationFailed([
      fieldError(path, 'unreachable', `${what} could not be fetched from ${url}: ${(e as Error).message}.`),
    ]);
  }
  if (res.status === 404) throw new NotFoundError(what, path);
  if (!res.ok)
    throw new ValidationFailed([
      fieldError(path, 'unreachable', `${url} answered ${res.status} for ${what}.`),
    ]);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_PACKAGE_BYTES)
    throw new ValidationFailed([
      fieldError(path, 'too_large', `${what} is ${declared} bytes; at most ${MAX_PACKAGE_BYTES}.`),
    ]);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_PACKAGE_BYTES)
      throw new ValidationFailed([
        fieldError(path, 'too_large', `${what} is over ${MAX_PACKAGE_BYTES} bytes.`),
      ]);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * Installs (or adds a version of) a plugin published to the npm registry: the package's tarball
 * is checked against the registry's integrity hash, then read like an upload (its bundle against
 * the manifest's sha256). The npm package holds the built plugin (`dist/manifest.json` and
 * `dist/plugin.js`, or the same at its root).
 */
export async function installPluginFromNpm(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { packageName: string; version: string },
): Promise<UploadedVersion> {
  requireManage(principal);
  const name = input.packageName.trim();
  const errors: FieldError[] = [];
  if (!NPM_NAME_RE.test(name) || name.length > 214)
    errors.push(fieldError('/packageName', 'invalid', `"${input.packageName}" is not an npm package name.`));
  if (!NPM_VERSION_RE.test(input.version.trim()))
    errors.push(
      fieldError(
        '/version',
        'invalid',
        `"${input.version}" is not an exact version such as 1.0.0 (ranges are not installed).`,
      ),
    );
  if (errors.length > 0) throw new ValidationFailed(errors);
  const version = input.version.trim();
  const metaUrl = `${deps.npmRegistry}${name.replace('/', '%2f')}/${encodeURIComponent(version)}`;
  const metaText = await fetchBounded(metaUrl, `The npm package ${name}@${version}`, '/packageName');
  let meta: {
    name?: string;
    version?: string;
    dist?: { tarball?: string; integrity?: string; shasum?: string };
  };
  try {
    meta = JSON.parse(metaText.toString('utf8'));
  } catch {
    throw new ValidationFailed([fieldError('/packageName', 'invalid', `${metaUrl} did not answer JSON.`)]);
  }
  const tarball = meta.dist?.tarball;
  if (!tarball)
    throw new ValidationFailed([
      fieldError('/packageName', 'invalid', `The registry names no tarball for ${name}@${version}.`),
    ]);
  const file = await fetchBounded(tarball, `The tarball of ${name}@${version}`, '/version');
  const integrity = meta.dist?.integrity;
  const m = integrity ? /^(sha512|sha384|sha256|sha1)-(.+)$/.exec(integrity.split(/\s+/)[0] ?? '') : null;
  if (m) {
    const got = createHash(m[1]!).update(file).digest('base64');
    if (got !== m[2])
      throw new ValidationFailed([
        fieldError(
          '/version',
          'hash_mismatch',
          `The tarball of ${name}@${version} does not match the registry's ${m[1]} integrity hash: it was changed or damaged on the way. Nothing was installed.`,
        ),
      ]);
  } else if (meta.dist?.shasum) {
    const got = createHash('sha1').update(file).digest('hex');
    if (got !== meta.dist.shasum)
      throw new ValidationFailed([
        fieldError(
          '/version',
          'hash_mismatch',
          `The tarball of ${name}@${version} does not match the registry's sha1 (${meta.dist.shasum}). Nothing was installed.`,
        ),
      ]);
  } else
    throw new ValidationFailed([
      fieldError(
        '/version',
        'no_hash',
        `The registry gives no integrity hash for ${name}@${version}: it cannot be checked.`,
      ),
    ]);
  const read = readPluginPackage(file, { path: '/packageName' });
  if ('errors' in read)
    throw new ValidationFailed(read.errors, 'The plugin was not installed: fix what is listed.');
  return storePackage(deps, em, principal, read.package, {
    source: `npm:${name}@${version}`,
    path: '/packageName',
  });
}

// ---------------------------------------------------------------------------------------------
// Granting, configuring, limits

/** Checks a grant against what the manifest asks for: nothing beyond it may be granted. */
function checkGrants(manifest: PluginManifest, grants: unknown, path: string): PluginPermissions {
  const errors: FieldError[] = [];
  if (!isRecord(grants)) throw new ValidationFailed([fieldError(path, 'invalid', 'Grants are an object.')]);
  const requested = manifest.permissions ?? {};
  const out: PluginPermissions = {};
  for (const k of Object.keys(grants))
    if (!(PLUGIN_PERMISSION_NAMES as readonly string[]).includes(k))
      errors.push(
        fieldError(
          `${path}/${k}`,
          'unknown',
          `"${k}" is not a permission (${PLUGIN_PERMISSION_NAMES.join(', ')}).`,
        ),
      );
  if (grants.fetch !== undefined && grants.fetch !== null) {
    if (!Array.isArray(grants.fetch))
      errors.push(fieldError(`${path}/fetch`, 'invalid', 'fetch is a list of hosts.'));
    else {
      const asked = new Set(
        (requested.fetch ?? []).map((e) => {
          if (CONFIG_FETCH_RE.test(e)) return e;
          const r = parseFetchHostRule(e);
          return typeof r === 'string' ? e : `${r.protocol}//${r.isWildcard ? '*.' : ''}${r.host}:${r.port}`;
        }),
      );
      const granted: string[] = [];
      grants.fetch.forEach((e, i) => {
        if (typeof e === 'string' && CONFIG_FETCH_RE.test(e)) {
          if (asked.has(e)) granted.push(e);
          else
            errors.push(
              fieldError(`${path}/fetch/${i}`, 'not_requested', `The plugin does not ask for ${e}.`),
            );
          return;
        }
        const r = typeof e === 'string' ? parseFetchHostRule(e) : 'a host is a string';
        if (typeof r === 'string') errors.push(fieldError(`${path}/fetch/${i}`, 'invalid', r));
        else if (!asked.has(`${r.protocol}//${r.isWildcard ? '*.' : ''}${r.host}:${r.port}`))
          errors.push(
            fieldError(
              `${path}/fetch/${i}`,
              'not_requested',
              `The plugin does not ask to fetch from ${e}: grant only what it asks for (${(requested.fetch ?? []).join(', ') || 'no hosts'}).`,
            ),
          );
        else granted.push(e as string);
      });
      if (granted.length > 0) out.fetch = granted;
    }
  }
  for (const k of PLUGIN_FLAG_PERMISSION_NAMES) {
    const v = grants[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') errors.push(fieldError(`${path}/${k}`, 'invalid', `${k} is true or false.`));
    else if (v && !requested[k])
      errors.push(
        fieldError(
          `${path}/${k}`,
          'not_requested',
          `The plugin does not ask for ${PLUGIN_FLAG_PERMISSIONS[k]}.`,
        ),
      );
    else if (v) out[k] = true;
  }
  if (grants.ticket !== undefined && grants.ticket !== null) {
    if (grants.ticket !== 'read' && grants.ticket !== 'patch')
      errors.push(fieldError(`${path}/ticket`, 'invalid', 'ticket is "read" or "patch".'));
    else if (!requested.ticket || (grants.ticket === 'patch' && requested.ticket !== 'patch'))
      errors.push(
        fieldError(
          `${path}/ticket`,
          'not_requested',
          `The plugin asks for ${requested.ticket ? `"${requested.ticket}"` : 'no'} ticket access; "${grants.ticket}" cannot be granted.`,
        ),
      );
    else out.ticket = grants.ticket;
  }
  if (errors.length > 0) throw new ValidationFailed(errors, 'Nothing was granted: fix what is listed.');
  return out;
}

/** Replaces what the admin grants the plugin (only what its running version asks for). */
export async function grantPluginPermissions(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string; grants: unknown },
): Promise<Plugin> {
  requireManage(principal);
  return changePlugin(deps, em, input.name, async (plugin, tx) => {
    plugin.grants = checkGrants(await currentManifest(tx, plugin), input.grants, '/grants') as Record<
      string,
      unknown
    >;
  });
}

/** Every settings error against the schema, secrets included (their values are never echoed). */
function settingsErrors(schema: JsonSchema, values: Record<string, unknown>): FieldError[] {
  return validateFormData(schema as Record<string, unknown>, values, '/config');
}

/**
 * Sets the plugin's settings. `config` holds every setting that is not a secret (it replaces the
 * stored ones); a secret field given a string is set, given null is cleared, left out is kept.
 * The whole is checked against the plugin's settings schema before anything is stored.
 */
export async function configurePlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string; config: unknown },
): Promise<Plugin> {
  requireManage(principal);
  if (!isRecord(input.config))
    throw new ValidationFailed([fieldError('/config', 'invalid', 'The settings are a JSON object.')]);
  const given = input.config;
  return changePlugin(deps, em, input.name, async (plugin, tx) => {
    const manifest = await currentManifest(tx, plugin);
    const secretKeys = new Set(secretConfigKeys(manifest.config));
    const secrets = deps.secrets.open(plugin.secrets ?? null);
    const config: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(given)) {
      if (!secretKeys.has(k)) config[k] = v;
      else if (v === null) delete secrets[k];
      else if (typeof v !== 'string')
        throw new ValidationFailed([
          fieldError(`/config/${k}`, 'invalid', `The secret "${k}" is a string (or null to clear it).`),
        ]);
      else secrets[k] = v;
    }
    const errors = settingsErrors(manifest.config, { ...config, ...secrets });
    if (errors.length > 0)
      throw new ValidationFailed(errors, 'The settings were not saved: fix what is listed.');
    const split = splitPluginConfig(manifest.config, { ...config, ...secrets });
    plugin.config = split.config;
    plugin.secrets = Object.keys(split.secrets).length > 0 ? deps.secrets.seal(split.secrets) : null;
  });
}

/** Sets the plugin's limits (memory, CPU, wall time, payloads, host calls), each within the server's maxima. */
export async function setPluginLimits(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string; limits: unknown },
): Promise<Plugin> {
  requireManage(principal);
  if (!isRecord(input.limits))
    throw new ValidationFailed([fieldError('/limits', 'invalid', 'The limits are a JSON object.')]);
  const max = deps.plugins.maxLimits;
  const errors: FieldError[] = [];
  const limits: Partial<PluginLimits> = {};
  for (const [k, v] of Object.entries(input.limits)) {
    if (!(k in max)) {
      errors.push(
        fieldError(`/limits/${k}`, 'unknown', `"${k}" is not a limit (${Object.keys(max).join(', ')}).`),
      );
      continue;
    }
    if (v === null) continue;
    const key = k as keyof PluginLimits;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      errors.push(fieldError(`/limits/${k}`, 'invalid', `${k} must be a positive number.`));
    else if (v > max[key])
      errors.push(
        fieldError(`/limits/${k}`, 'too_large', `${k} is ${v}, over the server's maximum of ${max[key]}.`),
      );
    else limits[key] = v;
  }
  if (errors.length > 0)
    throw new ValidationFailed(errors, 'The limits were not changed: fix what is listed.');
  return changePlugin(deps, em, input.name, (plugin) => {
    plugin.limits = limits as Record<string, unknown>;
  });
}

// ---------------------------------------------------------------------------------------------
// Enabling, upgrading, removing

/** Why a plugin cannot run as it stands: ungranted permissions, settings its schema refuses. */
function readiness(
  deps: PluginAdminDeps,
  plugin: Plugin,
  manifest: PluginManifest,
  grants: PluginPermissions,
): FieldError[] {
  const secrets = deps.secrets.open(plugin.secrets ?? null);
  return [
    ...missingGrants(manifest, grants),
    ...settingsErrors(manifest.config, { ...plugin.config, ...secrets }).map((e) =>
      fieldError(e.path, e.code, `Configure the plugin first: ${e.message}`),
    ),
  ];
}

/**
 * Enables a plugin: everything it asks for must be granted and its settings must satisfy its
 * schema. It is loaded into the sandbox at once, so a bundle that does not load is refused here.
 */
export async function enablePlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string },
): Promise<Plugin> {
  requireManage(principal);
  const plugin = await changePlugin(deps, em, input.name, async (plugin, tx) => {
    if (plugin.status === 'uninstalled')
      throw new ValidationFailed([
        fieldError(
          '/name',
          'uninstalled',
          `"${plugin.name}" is uninstalled: upload or install it again first.`,
        ),
      ]);
    const problems = readiness(
      deps,
      plugin,
      await currentManifest(tx, plugin),
      plugin.grants as PluginPermissions,
    );
    if (problems.length > 0)
      throw new ValidationFailed(problems, `"${plugin.name}" was not enabled: fix what is listed.`);
    return setStatus(plugin, 'enabled');
  });
  try {
    await deps.plugins.probe(plugin.name);
  } catch (e) {
    await changePlugin(deps, em, input.name, (p) => setStatus(p, 'disabled'));
    throw new ValidationFailed([
      fieldError(
        '/name',
        'load_failed',
        `"${plugin.name}" does not load in the sandbox, so it stays disabled: ${(e as Error).message}`,
      ),
    ]);
  }
  return plugin;
}

export async function disablePlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string },
): Promise<Plugin> {
  requireManage(principal);
  return changePlugin(
    deps,
    em,
    input.name,
    (plugin) => plugin.status === 'enabled' && setStatus(plugin, 'disabled'),
  );
}

/**
 * Moves a plugin to another uploaded version. What the new version asks for beyond the present
 * grants must be granted with it (`grants`), and the settings must satisfy its schema. Calls
 * running, and calls queued before it (workflow steps, SLA actions, replies waiting in their jobs),
 * finish on the old version, which answers them beside the new one; calls made after it run the new.
 */
export async function upgradePlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string; version: string; grants?: unknown },
): Promise<Plugin> {
  requireManage(principal);
  return changePlugin(deps, em, input.name, async (plugin, tx) => {
    const target = await versionOf(tx, plugin.name, input.version);
    const manifest = target.manifest as unknown as PluginManifest;
    const grants =
      input.grants === undefined || input.grants === null
        ? effectivePermissions(manifest.permissions ?? {}, plugin.grants as PluginPermissions)
        : checkGrants(manifest, input.grants, '/grants');
    if (plugin.status === 'enabled') {
      const problems = readiness(deps, plugin, manifest, grants);
      if (problems.length > 0)
        throw new ValidationFailed(
          problems,
          `"${plugin.name}" stays on ${plugin.version}: fix what is listed.`,
        );
    }
    plugin.version = target.version;
    plugin.displayName = manifest.displayName;
    plugin.description = manifest.description ?? null;
    plugin.grants = grants as Record<string, unknown>;
  });
}

/** Uninstalls a plugin: its contributions leave the registries; its data stays until purged. */
export async function uninstallPlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string },
): Promise<Plugin> {
  requireManage(principal);
  return changePlugin(deps, em, input.name, (plugin) => setStatus(plugin, 'uninstalled'));
}

/** Deletes an uninstalled plugin with all it kept: versions, settings, key-value data, log, call records, threads. */
export async function purgePlugin(
  deps: PluginAdminDeps,
  em: EntityManager,
  principal: Principal | null,
  input: { name: string },
): Promise<string> {
  requireManage(principal);
  await deps.plugins.recorder.flush();
  await em.transactional(async (tx) => {
    const plugin = await findPlugin(tx, input.name, { forUpdate: true });
    if (plugin.status !== 'uninstalled')
      throw new ValidationFailed([
        fieldError(
          '/name',
          'installed',
          `"${plugin.name}" is installed: uninstall it before purging its data.`,
        ),
      ]);
    tx.remove(plugin);
  });
  await deps.plugins.refresh(input.name);
  return input.name;
}
