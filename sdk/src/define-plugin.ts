import type {
  NodeRunResult,
  PluginChannel,
  PluginNodeType,
  PluginNotificationTarget,
  PluginSlaAction,
} from './contributions.ts';
import {
  checkPluginManifest,
  type FromSchema,
  handlerNameOf,
  type JsonSchema,
  PLUGIN_MANIFEST_VERSION,
  type PluginManifest,
  type PluginPermissions,
} from './core.ts';

// biome-ignore lint/suspicious/noExplicitAny: a plugin holds contributions of any config type
type AnyNodeType = PluginNodeType<string, any, string>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnySlaAction = PluginSlaAction<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyNotificationTarget = PluginNotificationTarget<string, any>;

export type PluginContributionsInput = {
  nodeTypes?: readonly AnyNodeType[];
  slaActions?: readonly AnySlaAction[];
  notificationTargets?: readonly AnyNotificationTarget[];
  channels?: readonly PluginChannel[];
};

export type DefinePluginInput<TConfigSchema extends JsonSchema> = {
  /** The plugin's id and namespace: lowercase letters, digits and `_` (`parcel`). */
  name: string;
  /** Semantic version (`1.0.0`). */
  version: string;
  displayName: string;
  description?: string;
  /** What it asks the admin for: `fetch` hosts, `kv`, `ticket: 'read' | 'patch'`. */
  permissions?: PluginPermissions;
  /** JSON Schema (an object) of the admin's settings; mark secret fields `"x-secret": true`. */
  config?: TConfigSchema;
  contributes: PluginContributionsInput;
};

/** A handler as the sandbox calls it: JSON in, the host API, JSON (or a promise of it) out. */
export type PluginHandler = (args: never, ctx: never) => unknown;

/**
 * A plugin: its manifest (plain JSON, what `docket-plugin build` writes to manifest.json) and its
 * handlers by name (the only code; they run in Docket's sandbox).
 */
export type PluginDefinition<TConfig = Record<string, unknown>> = {
  readonly manifest: PluginManifest;
  readonly handlers: Readonly<Record<string, PluginHandler>>;
  /** Type only: the admin settings' type, inferred from `config`. */
  readonly configType?: TConfig;
};

function nodeHandler(n: AnyNodeType) {
  const firstPort = n.ports.outputs[0]?.id;
  const normalise = (r: NodeRunResult<string>) => {
    if (r && typeof r === 'object' && 'wait' in r) return { wait: r.wait };
    const done = (r ?? {}) as { outputs?: unknown; port?: string };
    return { outputs: done.outputs ?? {}, port: done.port ?? firstPort ?? null };
  };
  return (args: Parameters<AnyNodeType['run']>[0], ctx: Parameters<AnyNodeType['run']>[1]) => {
    const r = n.run(args, ctx);
    return r instanceof Promise ? r.then(normalise) : normalise(r);
  };
}

function migrateHandler(n: AnyNodeType) {
  return ({ config, fromVersion }: { config: unknown; fromVersion: number }) => {
    let c = config;
    for (const m of n.migrations) if (m.version > fromVersion) c = m.up(c);
    return c;
  };
}

/**
 * Defines a plugin. Throws (when the bundle is built) on a malformed definition, naming each
 * problem by its place in the manifest.
 */
// biome-ignore lint/complexity/noBannedTypes: the schema of "no settings" has no properties
export function definePlugin<const TConfigSchema extends JsonSchema = { type: 'object'; properties: {} }>(
  input: DefinePluginInput<TConfigSchema>,
): PluginDefinition<FromSchema<TConfigSchema>> {
  const c = input.contributes;
  const nodeTypes = c.nodeTypes ?? [];
  const slaActions = c.slaActions ?? [];
  const notificationTargets = c.notificationTargets ?? [];
  const channels = c.channels ?? [];
  const manifest: PluginManifest = {
    manifestVersion: PLUGIN_MANIFEST_VERSION,
    name: input.name,
    version: input.version,
    displayName: input.displayName,
    ...(input.description === undefined ? {} : { description: input.description }),
    permissions: input.permissions ?? {},
    config: input.config ?? { type: 'object', properties: {} },
    contributes: {
      nodeTypes: nodeTypes.map((n) => ({
        type: n.type,
        version: n.version,
        title: n.title,
        ...(n.description === undefined ? {} : { description: n.description }),
        category: n.category,
        configSchema: n.configSchema,
        defaultConfig: n.defaultConfig,
        ports: n.ports,
        isWaiting: n.isWaiting,
        ...(n.output === undefined ? {} : { output: n.output }),
        migrations: n.migrations.map((m) => ({ version: m.version, description: m.description })),
      })),
      slaActions: slaActions.map((a) => ({
        name: a.name,
        title: a.title,
        ...(a.description === undefined ? {} : { description: a.description }),
        configSchema: a.configSchema,
      })),
      notificationTargets: notificationTargets.map((t) => ({
        name: t.name,
        title: t.title,
        ...(t.titles === undefined ? {} : { titles: t.titles }),
        ...(t.description === undefined ? {} : { description: t.description }),
        addressKind: t.addressKind,
        configSchema: t.configSchema,
      })),
      channels: channels.map((ch) => ({
        name: ch.name,
        title: ch.title,
        ...(ch.titles === undefined ? {} : { titles: ch.titles }),
        ...(ch.description === undefined ? {} : { description: ch.description }),
        inbound: ch.inbound,
        canSend: typeof ch.send === 'function',
      })),
    },
  };
  const errors = checkPluginManifest(JSON.parse(JSON.stringify(manifest)));
  if (errors.length > 0)
    throw new Error(
      `plugin "${input.name}" is not valid:\n${errors.map((e) => `  ${e.path || '(root)'}: ${e.message}`).join('\n')}`,
    );
  const handlers: Record<string, PluginHandler> = {};
  for (const n of nodeTypes) {
    handlers[handlerNameOf.node(n.type)] = nodeHandler(n) as PluginHandler;
    if (n.migrations.length > 0)
      handlers[handlerNameOf.nodeMigrate(n.type)] = migrateHandler(n) as PluginHandler;
  }
  for (const a of slaActions)
    handlers[handlerNameOf.slaAction(a.name)] = ((args, ctx) => {
      const r = a.run(args, ctx);
      return r instanceof Promise ? r.then((v) => v ?? {}) : (r ?? {});
    }) as typeof a.run as PluginHandler;
  for (const t of notificationTargets)
    handlers[handlerNameOf.notificationTarget(t.name)] = t.deliver as PluginHandler;
  for (const ch of channels) {
    handlers[handlerNameOf.channelInbound(ch.name)] = ch.receive as PluginHandler;
    if (ch.poll) handlers[handlerNameOf.channelPoll(ch.name)] = ch.poll as PluginHandler;
    if (ch.send) handlers[handlerNameOf.channelSend(ch.name)] = ch.send as PluginHandler;
  }
  return { manifest, handlers };
}
