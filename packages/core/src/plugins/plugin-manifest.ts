import { type FieldError, fieldError } from '../field-error.ts';
import { DISPLAY_LOCALES, type LocalizedNames, MAX_DISPLAY_NAME_LENGTH } from '../i18n/localized-names.ts';
import type { NodeCategory, NodeOutput, NodePorts } from '../workflow/define-node-type.ts';
import { NODE_CATEGORIES } from '../workflow/define-node-type.ts';
import type { JsonSchema } from '../workflow/json-schema-type.ts';

/**
 * A plugin's manifest: plain JSON, written by the SDK's `build` next to the bundle. The server
 * reads it at install (permissions to show, config form, contributions for its registries); the
 * sandbox reads the permissions. Behaviour lives only in the bundle, reached through handler names
 * (`handlerNameOf`).
 */
export const PLUGIN_MANIFEST_VERSION = 1;

/** Ticket access a plugin asks for: read the ticket it was called for, or read and patch it. */
export const PLUGIN_TICKET_ACCESS = ['read', 'patch'] as const;
export type PluginTicketAccess = (typeof PLUGIN_TICKET_ACCESS)[number];

/**
 * What a plugin may reach beyond its own config and secrets (always its own) and log and metric
 * (always allowed). The manifest requests; the admin grants; a plugin gets what both name.
 */
export type PluginPermissions = {
  /**
   * Hosts it may fetch: `api.example.com` (https on 443), `*.example.com` (any subdomain, https),
   * `https://api.example.com:8443`, `http://127.0.0.1:8080` (an IP literal, or plain http, must be
   * written out exactly with its scheme and port), or `config:<setting>`: the scheme, host and port
   * of every URL the admin puts in that setting (an SMS gateway, a chat robot's webhook), so an
   * admin's own choice of endpoint needs no new build of the plugin.
   */
  fetch?: string[];
  /** Its own key-value store. */
  kv?: boolean;
  /** The ticket a call was made for. */
  ticket?: PluginTicketAccess;
  /** Send mail through an SMTP account set in its settings (the host's SMTP client). */
  mail?: boolean;
  /**
   * Look up the people around the ticket of a call: a user's manager, a team's members with their
   * skills and open work (names, emails and mobile numbers: personal data, hence a permission).
   */
  org?: boolean;
  /** Send notices to people through the server's notifier: in-app, and the notification targets it names. */
  notify?: boolean;
  /** Open a follow-up ticket linked to the ticket of a call, in the name of the person it is for. */
  followUps?: boolean;
};

/** The permissions that are on or off, and what each lets a plugin do (for messages). */
export const PLUGIN_FLAG_PERMISSIONS = {
  kv: 'a key-value store',
  mail: 'sending mail',
  org: 'looking up people (managers, team members and their open work)',
  notify: 'sending notices to people',
  followUps: 'opening follow-up tickets',
} as const;
export type PluginFlagPermission = keyof typeof PLUGIN_FLAG_PERMISSIONS;
export const PLUGIN_FLAG_PERMISSION_NAMES = Object.keys(PLUGIN_FLAG_PERMISSIONS) as PluginFlagPermission[];

/** Every permission's name. */
export const PLUGIN_PERMISSION_NAMES = ['fetch', 'ticket', ...PLUGIN_FLAG_PERMISSION_NAMES] as const;

export type PluginNodeTypeManifest = {
  /** `<plugin name>.<node name>`, e.g. `parcel.lookup`. */
  type: string;
  version: number;
  title: string;
  description?: string;
  category: NodeCategory;
  configSchema: JsonSchema;
  defaultConfig: unknown;
  ports: NodePorts;
  /** The node can ask to wait for an outside event (its executor may return `{ wait: … }`). */
  isWaiting: boolean;
  output?: NodeOutput;
  /** The up-migrations' versions and descriptions; their code runs in the sandbox (`migrate` handler). */
  migrations: { version: number; description: string }[];
};

export type PluginSlaActionManifest = {
  /** Local name; the server's key is `<plugin>.<name>` and an SLA policy names `{ plugin, action: name }`. */
  name: string;
  title: string;
  description?: string;
  /** JSON Schema of the action's config in an SLA policy. */
  configSchema: JsonSchema;
};

export type PluginNotificationTargetManifest = {
  name: string;
  title: string;
  /** The title in the web app's other languages ({ "zh-CN": "短信" }); `title` where one is missing. */
  titles?: LocalizedNames;
  description?: string;
  /** What a recipient's address is for this target (an email address, a chat user id …). */
  addressKind: string;
  configSchema: JsonSchema;
};

export const CHANNEL_HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ChannelHttpMethod = (typeof CHANNEL_HTTP_METHODS)[number];

export type PluginChannelManifest = {
  name: string;
  title: string;
  /** The title in the web app's other languages ({ "zh-CN": "电话" }); `title` where one is missing. */
  titles?: LocalizedNames;
  description?: string;
  /** Which transports of the host pass payloads to this channel's `inbound` handler. */
  inbound: {
    /** HTTP requests under /channels/<plugin>/<name>/…, with these methods. */
    http?: { methods: ChannelHttpMethod[] };
    /** Parsed mail from the host's SMTP listener. */
    mail?: boolean;
    /** A scheduled poll: the host calls `poll` every `intervalSeconds`. */
    poll?: { intervalSeconds: number };
  };
  /** The channel sends agents' public replies back out (`send` handler). */
  canSend: boolean;
};

export type PluginContributions = {
  nodeTypes: PluginNodeTypeManifest[];
  slaActions: PluginSlaActionManifest[];
  notificationTargets: PluginNotificationTargetManifest[];
  channels: PluginChannelManifest[];
};

export type PluginManifest = {
  manifestVersion: typeof PLUGIN_MANIFEST_VERSION;
  /** The plugin's id and namespace: lowercase letters, digits and `_`, starting with a letter. */
  name: string;
  /** Semantic version, e.g. `1.2.0`. */
  version: string;
  displayName: string;
  description?: string;
  permissions: PluginPermissions;
  /** JSON Schema (an object) of the admin's settings; properties marked `"x-secret": true` are secrets. */
  config: JsonSchema;
  contributes: PluginContributions;
  /** Written by `docket-plugin build`: the bundle's file name, size and sha256 (hex). */
  bundle?: { file: string; bytes: number; sha256: string };
  /** The SDK version that built it. */
  sdkVersion?: string;
};

/** Handler names a plugin's bundle answers to, as the sandbox's `call` takes them. */
export type PluginHandlerName =
  | `node:${string}`
  | `node-migrate:${string}`
  | `sla:${string}`
  | `notify:${string}`
  | `channel-inbound:${string}`
  | `channel-poll:${string}`
  | `channel-send:${string}`;

export const handlerNameOf = {
  /** A node type's executor; `type` is the full node type (`parcel.lookup`). */
  node: (type: string) => `node:${type}` as const,
  /** A node type's config migrations: `{ config, fromVersion }` in, the config at the current version out. */
  nodeMigrate: (type: string) => `node-migrate:${type}` as const,
  /** An SLA action, by its local name. */
  slaAction: (name: string) => `sla:${name}` as const,
  notificationTarget: (name: string) => `notify:${name}` as const,
  channelInbound: (name: string) => `channel-inbound:${name}` as const,
  channelPoll: (name: string) => `channel-poll:${name}` as const,
  channelSend: (name: string) => `channel-send:${name}` as const,
};

/** The handler names a manifest's contributions need, so a loaded bundle can be checked against it. */
export function handlerNamesOf(manifest: PluginManifest): PluginHandlerName[] {
  const c = manifest.contributes;
  return [
    ...c.nodeTypes.flatMap((n) => [
      handlerNameOf.node(n.type),
      ...(n.migrations.length > 0 ? [handlerNameOf.nodeMigrate(n.type)] : []),
    ]),
    ...c.slaActions.map((a) => handlerNameOf.slaAction(a.name)),
    ...c.notificationTargets.map((t) => handlerNameOf.notificationTarget(t.name)),
    ...c.channels.flatMap((ch) => [
      handlerNameOf.channelInbound(ch.name),
      ...(ch.inbound.poll ? [handlerNameOf.channelPoll(ch.name)] : []),
      ...(ch.canSend ? [handlerNameOf.channelSend(ch.name)] : []),
    ]),
  ];
}

export const PLUGIN_NAME_RE = /^[a-z][a-z0-9_]{0,39}$/;
const LOCAL_NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;
const SEMVER_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const NODE_TYPE_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** A fetch allowlist entry, parsed. */
export type FetchHostRule = {
  protocol: 'https:' | 'http:';
  /** Lowercase host name or IP literal (IPv6 without brackets). */
  host: string;
  /** `*.example.com`: any subdomain of `host` (not `host` itself). */
  isWildcard: boolean;
  port: number;
  /** The entry as written. */
  entry: string;
};

const HOST_LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpLiteral(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return IPV4_RE.test(h) || h.includes(':');
}

/**
 * Parses an allowlist entry (`api.example.com`, `*.example.com`, `https://host:8443`,
 * `http://127.0.0.1:8080`), or returns why it cannot be one.
 */
export function parseFetchHostRule(entry: string): FetchHostRule | string {
  if (typeof entry !== 'string' || entry.trim() === '') return 'an entry must be a host name';
  const raw = entry.trim().toLowerCase();
  const schemeMatch = /^([a-z]+):\/\//.exec(raw);
  const scheme = schemeMatch ? `${schemeMatch[1]}:` : 'https:';
  if (scheme !== 'https:' && scheme !== 'http:') return `"${entry}": only http and https can be fetched`;
  const rest = schemeMatch ? raw.slice(schemeMatch[0].length) : raw;
  if (/[/?#@]/.test(rest)) return `"${entry}": write a host (and port), not a URL with a path or user`;
  let host = rest;
  let port: number | undefined;
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else {
    const m = /^([^:]+)(?::(\d+))?$/.exec(rest);
    if (!m) return `"${entry}": not a host name (write an IPv6 address in brackets)`;
    host = m[1]!;
    if (m[2] !== undefined) port = Number(m[2]);
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    return `"${entry}": the port must be between 1 and 65535`;
  const isWildcard = host.startsWith('*.');
  if (isWildcard) host = host.slice(2);
  const ip = isIpLiteral(host);
  if (ip) {
    if (isWildcard) return `"${entry}": a wildcard cannot cover an IP address`;
    const v4 = IPV4_RE.exec(host);
    if (v4?.slice(1).some((o) => Number(o) > 255)) return `"${entry}": not an IPv4 address`;
    if (!schemeMatch || port === undefined)
      return `"${entry}": an IP address must be written with its scheme and port, e.g. "http://${host}:8080"`;
  } else {
    const labels = host.split('.');
    if (labels.length < 2 && host !== 'localhost')
      return `"${entry}": write a full host name such as api.example.com`;
    if (!labels.every((l) => HOST_LABEL_RE.test(l))) return `"${entry}": not a valid host name`;
    if (isWildcard && labels.length < 2) return `"${entry}": a wildcard needs a domain, e.g. *.example.com`;
  }
  if (scheme === 'http:' && (!schemeMatch || port === undefined))
    return `"${entry}": plain http must be written with its scheme and port`;
  return {
    protocol: scheme,
    host,
    isWildcard,
    port: port ?? (scheme === 'https:' ? 443 : 80),
    entry,
  };
}

/** Whether a URL's scheme, host and port are covered by the rule. */
export function fetchRuleMatches(rule: FetchHostRule, url: URL): boolean {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (url.protocol !== rule.protocol || port !== rule.port) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return rule.isWildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
}

/**
 * What a plugin gets: the permissions both its manifest requests and the admin granted. A fetch
 * entry counts when both name it the same way (compared as parsed rules).
 */
export function effectivePermissions(
  requested: PluginPermissions,
  granted: PluginPermissions,
): PluginPermissions {
  const key = (e: string) => {
    if (CONFIG_FETCH_RE.test(e)) return e;
    const r = parseFetchHostRule(e);
    return typeof r === 'string' ? null : `${r.protocol}//${r.isWildcard ? '*.' : ''}${r.host}:${r.port}`;
  };
  const grantedHosts = new Set((granted.fetch ?? []).map(key).filter((k) => k !== null));
  const fetch = (requested.fetch ?? []).filter((e) => {
    const k = key(e);
    return k !== null && grantedHosts.has(k);
  });
  const ticket =
    requested.ticket && granted.ticket
      ? requested.ticket === 'patch' && granted.ticket === 'patch'
        ? 'patch'
        : 'read'
      : undefined;
  const out: PluginPermissions = {
    ...(fetch.length > 0 ? { fetch } : {}),
    ...(ticket ? { ticket } : {}),
  };
  for (const k of PLUGIN_FLAG_PERMISSION_NAMES) if (requested[k] && granted[k]) out[k] = true;
  return out;
}

/** A fetch entry that stands for the URLs of a setting: `config:<setting name>`. */
export const CONFIG_FETCH_RE = /^config:([A-Za-z][A-Za-z0-9_]{0,63})$/;

/**
 * The fetch entries a plugin runs with: its `config:<setting>` entries replaced by the scheme,
 * host and port of each http(s) URL found in that setting (a string, a list of strings, or
 * objects, or a list of objects, whose `url` or `…Url` properties hold them), looked up in its
 * settings and secrets. A setting that holds no URL adds nothing.
 */
export function expandConfigFetchRules(
  fetch: readonly string[],
  settings: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  const ofRecord = (r: Record<string, unknown>): string[] =>
    Object.entries(r)
      .filter(([k, x]) => (k === 'url' || k.endsWith('Url')) && typeof x === 'string')
      .map(([, x]) => x as string);
  const urls = (v: unknown): string[] =>
    typeof v === 'string'
      ? [v]
      : Array.isArray(v)
        ? v.flatMap((x) => (typeof x === 'string' ? [x] : isRecord(x) ? ofRecord(x) : []))
        : isRecord(v)
          ? ofRecord(v)
          : [];
  for (const entry of fetch) {
    const m = CONFIG_FETCH_RE.exec(entry);
    if (!m) {
      out.push(entry);
      continue;
    }
    for (const raw of urls(settings[m[1]!])) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        continue;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
      const port = u.port || (u.protocol === 'https:' ? '443' : '80');
      const rule = `${u.protocol}//${u.hostname.includes(':') ? `[${u.hostname.replace(/^\[|\]$/g, '')}]` : u.hostname}:${port}`;
      if (typeof parseFetchHostRule(rule) !== 'string' && !out.includes(rule)) out.push(rule);
    }
  }
  return out;
}

/** The names of the config schema's top-level properties marked `"x-secret": true`. */
export function secretConfigKeys(configSchema: JsonSchema): string[] {
  const props = configSchema.properties ?? {};
  return Object.keys(props).filter((k) => props[k]?.['x-secret'] === true);
}

/**
 * Splits stored settings into what a plugin reads as `config` and as `secrets` (the x-secret
 * fields, as strings). A server never shows `secrets` back to an admin.
 */
export function splitPluginConfig(
  configSchema: JsonSchema,
  values: Record<string, unknown>,
): { config: Record<string, unknown>; secrets: Record<string, string> } {
  const secretKeys = new Set(secretConfigKeys(configSchema));
  const config: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (secretKeys.has(k)) {
      if (v !== undefined && v !== null) secrets[k] = String(v);
    } else config[k] = v;
  }
  return { config, secrets };
}

type Check = { errors: FieldError[] };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function text(c: Check, value: unknown, path: string, what: string, max = 200): value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    c.errors.push(fieldError(path, 'required', `${what} is required (a non-empty string).`));
    return false;
  }
  if (value.length > max) {
    c.errors.push(fieldError(path, 'too_long', `${what} is ${value.length} characters; at most ${max}.`));
    return false;
  }
  return true;
}

function optionalText(c: Check, value: unknown, path: string, what: string, max = 2000): void {
  if (value !== undefined) text(c, value, path, what, max);
}

function objectSchema(c: Check, value: unknown, path: string, what: string): void {
  if (!isRecord(value) || value.type !== 'object') {
    c.errors.push(fieldError(path, 'invalid', `${what} must be a JSON Schema with "type": "object".`));
    return;
  }
  if (value.properties !== undefined && !isRecord(value.properties))
    c.errors.push(fieldError(`${path}/properties`, 'invalid', `${what}'s properties must be an object.`));
}

function localName(c: Check, value: unknown, path: string, seen: Set<string>, what: string): void {
  if (typeof value !== 'string' || !LOCAL_NAME_RE.test(value)) {
    c.errors.push(
      fieldError(
        path,
        'invalid',
        `${what} name must be lowercase letters, digits and "_", starting with a letter (got ${JSON.stringify(value)}).`,
      ),
    );
    return;
  }
  if (seen.has(value)) c.errors.push(fieldError(path, 'duplicate', `${what} "${value}" is declared twice.`));
  seen.add(value);
}

function list(c: Check, value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    c.errors.push(fieldError(path, 'invalid', 'must be a list.'));
    return [];
  }
  return value;
}

function checkPermissions(c: Check, value: unknown, path: string): void {
  if (!isRecord(value)) {
    c.errors.push(fieldError(path, 'invalid', 'permissions must be an object (use {} for none).'));
    return;
  }
  for (const k of Object.keys(value))
    if (!(PLUGIN_PERMISSION_NAMES as readonly string[]).includes(k))
      c.errors.push(
        fieldError(
          `${path}/${k}`,
          'unknown',
          `"${k}" is not a permission (${PLUGIN_PERMISSION_NAMES.join(', ')}).`,
        ),
      );
  list(c, value.fetch, `${path}/fetch`).forEach((e, i) => {
    if (typeof e === 'string' && CONFIG_FETCH_RE.test(e)) return;
    const r = parseFetchHostRule(e as string);
    if (typeof r === 'string') c.errors.push(fieldError(`${path}/fetch/${i}`, 'invalid', r));
  });
  for (const k of PLUGIN_FLAG_PERMISSION_NAMES)
    if (value[k] !== undefined && typeof value[k] !== 'boolean')
      c.errors.push(fieldError(`${path}/${k}`, 'invalid', `${k} must be true or false.`));
  if (value.ticket !== undefined && !PLUGIN_TICKET_ACCESS.includes(value.ticket as PluginTicketAccess))
    c.errors.push(fieldError(`${path}/ticket`, 'invalid', 'ticket must be "read" or "patch".'));
}

function checkNodeType(c: Check, n: unknown, path: string, plugin: string, seen: Set<string>): void {
  if (!isRecord(n)) {
    c.errors.push(fieldError(path, 'invalid', 'a node type must be an object.'));
    return;
  }
  if (typeof n.type !== 'string' || !NODE_TYPE_RE.test(n.type) || !n.type.startsWith(`${plugin}.`))
    c.errors.push(
      fieldError(
        `${path}/type`,
        'invalid',
        `A plugin's node type is namespaced by the plugin: "${plugin}.<name>" in lowercase (got ${JSON.stringify(n.type)}).`,
      ),
    );
  else if (seen.has(n.type)) c.errors.push(fieldError(`${path}/type`, 'duplicate', `"${n.type}" twice.`));
  else seen.add(n.type);
  if (!Number.isInteger(n.version) || (n.version as number) < 1)
    c.errors.push(fieldError(`${path}/version`, 'invalid', 'version must be an integer of at least 1.'));
  text(c, n.title, `${path}/title`, 'title');
  optionalText(c, n.description, `${path}/description`, 'description');
  if (!NODE_CATEGORIES.includes(n.category as NodeCategory))
    c.errors.push(
      fieldError(`${path}/category`, 'invalid', `category must be one of ${NODE_CATEGORIES.join(', ')}.`),
    );
  objectSchema(c, n.configSchema, `${path}/configSchema`, 'configSchema');
  if (!isRecord(n.ports) || !Array.isArray(n.ports.outputs) || typeof n.ports.hasInput !== 'boolean')
    c.errors.push(
      fieldError(
        `${path}/ports`,
        'invalid',
        'ports must be { hasInput: boolean, outputs: [{ id, label }] }.',
      ),
    );
  const migrations = list(c, n.migrations, `${path}/migrations`);
  if (Number.isInteger(n.version) && migrations.length !== (n.version as number) - 1)
    c.errors.push(
      fieldError(
        `${path}/migrations`,
        'invalid',
        `version ${n.version} needs ${(n.version as number) - 1} migration(s), has ${migrations.length}.`,
      ),
    );
}

/**
 * Checks a manifest read from a package (untrusted JSON). Every problem comes back with its JSON
 * pointer; an empty list means the server can register its contributions.
 */
export function checkPluginManifest(value: unknown): FieldError[] {
  const c: Check = { errors: [] };
  if (!isRecord(value)) return [fieldError('', 'invalid', 'The manifest must be a JSON object.')];
  if (value.manifestVersion !== PLUGIN_MANIFEST_VERSION)
    c.errors.push(
      fieldError(
        '/manifestVersion',
        'unsupported',
        `manifestVersion must be ${PLUGIN_MANIFEST_VERSION} (got ${JSON.stringify(value.manifestVersion)}).`,
      ),
    );
  const name = value.name;
  if (typeof name !== 'string' || !PLUGIN_NAME_RE.test(name))
    c.errors.push(
      fieldError(
        '/name',
        'invalid',
        `The plugin name must be 1-40 lowercase letters, digits and "_", starting with a letter (got ${JSON.stringify(name)}).`,
      ),
    );
  if (typeof value.version !== 'string' || !SEMVER_RE.test(value.version))
    c.errors.push(
      fieldError(
        '/version',
        'invalid',
        `version must be a semantic version such as 1.0.0 (got ${JSON.stringify(value.version)}).`,
      ),
    );
  text(c, value.displayName, '/displayName', 'displayName');
  optionalText(c, value.description, '/description', 'description');
  checkPermissions(c, value.permissions, '/permissions');
  objectSchema(c, value.config, '/config', 'config');
  const plugin = typeof name === 'string' ? name : '';
  const contributes = isRecord(value.contributes) ? value.contributes : {};
  if (!isRecord(value.contributes))
    c.errors.push(fieldError('/contributes', 'invalid', 'contributes must be an object.'));
  const nodeTypes = new Set<string>();
  list(c, contributes.nodeTypes, '/contributes/nodeTypes').forEach((n, i) => {
    checkNodeType(c, n, `/contributes/nodeTypes/${i}`, plugin, nodeTypes);
  });
  const named = (key: string, what: string, more?: (v: Record<string, unknown>, path: string) => void) => {
    const seen = new Set<string>();
    list(c, contributes[key], `/contributes/${key}`).forEach((v, i) => {
      const path = `/contributes/${key}/${i}`;
      if (!isRecord(v)) {
        c.errors.push(fieldError(path, 'invalid', `${what} must be an object.`));
        return;
      }
      localName(c, v.name, `${path}/name`, seen, what);
      text(c, v.title, `${path}/title`, 'title');
      optionalText(c, v.description, `${path}/description`, 'description');
      more?.(v, path);
    });
  };
  named('slaActions', 'An SLA action', (v, path) =>
    objectSchema(c, v.configSchema, `${path}/configSchema`, 'configSchema'),
  );
  /** A title in the web app's other languages, as channels and notification targets give it. */
  const titles = (v: Record<string, unknown>, path: string) => {
    if (v.titles === undefined) return;
    if (!isRecord(v.titles))
      c.errors.push(
        fieldError(`${path}/titles`, 'invalid', 'titles must be an object such as { "zh-CN": "电话" }.'),
      );
    else
      for (const [locale, title] of Object.entries(v.titles)) {
        if (!(DISPLAY_LOCALES as readonly string[]).includes(locale))
          c.errors.push(
            fieldError(
              `${path}/titles/${locale}`,
              'invalid',
              `"${locale}" is not a language Docket shows; use ${DISPLAY_LOCALES.join(' or ')}.`,
            ),
          );
        else text(c, title, `${path}/titles/${locale}`, `The ${locale} title`, MAX_DISPLAY_NAME_LENGTH);
      }
  };
  named('notificationTargets', 'A notification target', (v, path) => {
    titles(v, path);
    objectSchema(c, v.configSchema, `${path}/configSchema`, 'configSchema');
    text(c, v.addressKind, `${path}/addressKind`, 'addressKind', 60);
  });
  named('channels', 'A channel', (v, path) => {
    titles(v, path);
    if (!isRecord(v.inbound)) {
      c.errors.push(fieldError(`${path}/inbound`, 'invalid', 'inbound must be an object ({} for none).'));
    } else {
      const http = v.inbound.http;
      if (http !== undefined) {
        const methods = isRecord(http) ? http.methods : undefined;
        if (
          !Array.isArray(methods) ||
          methods.length === 0 ||
          !methods.every((m) => CHANNEL_HTTP_METHODS.includes(m as ChannelHttpMethod))
        )
          c.errors.push(
            fieldError(
              `${path}/inbound/http/methods`,
              'invalid',
              `methods must list some of ${CHANNEL_HTTP_METHODS.join(', ')}.`,
            ),
          );
      }
      const poll = v.inbound.poll;
      if (poll !== undefined) {
        const s = isRecord(poll) ? poll.intervalSeconds : undefined;
        if (!Number.isInteger(s) || (s as number) < 10)
          c.errors.push(
            fieldError(
              `${path}/inbound/poll/intervalSeconds`,
              'invalid',
              'intervalSeconds must be an integer of at least 10.',
            ),
          );
      }
    }
    if (typeof v.canSend !== 'boolean')
      c.errors.push(fieldError(`${path}/canSend`, 'invalid', 'canSend must be true or false.'));
  });
  if (value.bundle !== undefined) {
    const b = value.bundle;
    if (!isRecord(b) || typeof b.file !== 'string' || !/^[0-9a-f]{64}$/.test(String(b.sha256)))
      c.errors.push(
        fieldError('/bundle', 'invalid', 'bundle must be { file, bytes, sha256 (64 hex digits) }.'),
      );
  }
  return c.errors;
}
