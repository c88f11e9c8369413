import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './access.ts';
import { indexDefinition } from './index-definition.ts';
import { Ticket } from './tickets.ts';

/**
 * Plugins: the installed ones (status, the version that runs, what the admin granted and set), every
 * uploaded version (manifest, bundle, its sha256), each plugin's key-value data, its log and its
 * call records (counts, errors, latency), and the conversations its channels keep (thread key ->
 * ticket). Uninstalling keeps all of it; purging deletes it (the foreign keys cascade).
 */

export const PLUGIN_STATUSES = ['enabled', 'disabled', 'uninstalled'] as const;
export const PLUGIN_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const PLUGIN_LOG_KINDS = ['log', 'metric', 'event'] as const;

export const Plugin = defineEntity({
  name: 'Plugin',
  tableName: 'plugin',
  properties: {
    /** The manifest's name: the plugin's id and namespace. */
    name: p.text().primary(),
    displayName: p.text(),
    description: p.text().nullable(),
    status: p.enum([...PLUGIN_STATUSES]).default('disabled'),
    /** The version that runs (one of its plugin_version rows). */
    version: p.text(),
    /** What the admin granted (fetch hosts, kv, ticket access); the plugin gets what both this and its manifest name. */
    grants: p.json<Record<string, unknown>>().defaultRaw("'{}'::jsonb"),
    /** Admin-set limits within the server's maxima (memory, CPU, wall time, payloads, host calls). */
    limits: p.json<Record<string, unknown>>().defaultRaw("'{}'::jsonb"),
    /** The admin's settings without the secret ones. */
    config: p.json<Record<string, unknown>>().defaultRaw("'{}'::jsonb"),
    /** The x-secret settings as one JSON object, encrypted (AES-256-GCM); never shown back. */
    secrets: p.text().nullable(),
    installedBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('installed_by')
        .deleteRule('set null')
        .updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date()),
  },
});
export type Plugin = InferEntity<typeof Plugin>;

export const PluginVersion = defineEntity({
  name: 'PluginVersion',
  tableName: 'plugin_version',
  properties: {
    plugin: () =>
      p.manyToOne(Plugin).primary().ref().fieldName('plugin').deleteRule('cascade').updateRule('no action'),
    version: p.text().primary(),
    /** The manifest as the package holds it (checked at upload). */
    manifest: p.json<Record<string, unknown>>(),
    /** The bundle: one script, as `docket-plugin build` wrote it. */
    bundle: p.text().lazy(),
    /** Hex sha256 of the bundle, checked against the manifest's at upload. */
    sha256: p.text(),
    /** "upload", or "npm:<package>@<version>". */
    source: p.text(),
    uploadedBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('uploaded_by')
        .deleteRule('set null')
        .updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
export type PluginVersion = InferEntity<typeof PluginVersion>;

/** A plugin's own key-value store (`ctx.kv`). */
export const PluginKv = defineEntity({
  name: 'PluginKv',
  tableName: 'plugin_kv',
  properties: {
    plugin: () =>
      p.manyToOne(Plugin).primary().ref().fieldName('plugin').deleteRule('cascade').updateRule('no action'),
    key: p.text().primary(),
    value: p.json<unknown>(),
    /** Set by `ttlSeconds`: past it the entry reads as absent (and is deleted when next touched). */
    expiresAt: p.datetime().nullable(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
export type PluginKv = InferEntity<typeof PluginKv>;

/** What a plugin logged, its metrics, and what the sandbox reported about it (limits broken, capabilities refused). */
export const PluginLog = defineEntity({
  name: 'PluginLog',
  tableName: 'plugin_log',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    plugin: () => p.manyToOne(Plugin).ref().fieldName('plugin').deleteRule('cascade').updateRule('no action'),
    version: p.text(),
    kind: p.enum([...PLUGIN_LOG_KINDS]),
    level: p.enum([...PLUGIN_LOG_LEVELS]),
    message: p.text(),
    data: p.json<unknown>().nullable(),
    handler: p.text().nullable(),
    callId: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    indexDefinition('CREATE INDEX plugin_log_plugin_idx ON public.plugin_log USING btree (plugin, id DESC)'),
  ],
});
export type PluginLog = InferEntity<typeof PluginLog>;

/** One call of a plugin's handler: for call counts, error rates and latency percentiles. */
export const PluginCall = defineEntity({
  name: 'PluginCall',
  tableName: 'plugin_call',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    plugin: () => p.manyToOne(Plugin).ref().fieldName('plugin').deleteRule('cascade').updateRule('no action'),
    version: p.text(),
    handler: p.text(),
    callId: p.text().nullable(),
    isOk: p.boolean(),
    /** The sandbox's error code (LIMIT_CPU, PLUGIN_ERROR …) when it failed. */
    errorCode: p.text().nullable(),
    durationMs: p.double(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    indexDefinition(
      'CREATE INDEX plugin_call_plugin_idx ON public.plugin_call USING btree (plugin, created_at DESC)',
    ),
  ],
});
export type PluginCall = InferEntity<typeof PluginCall>;

/** A channel's conversation: its thread key names the ticket replies go to. */
export const PluginThread = defineEntity({
  name: 'PluginThread',
  tableName: 'plugin_thread',
  properties: {
    /** The channel's key, `<plugin>.<channel>`. */
    channel: p.text().primary(),
    threadKey: p.text().primary(),
    plugin: () => p.manyToOne(Plugin).ref().fieldName('plugin').deleteRule('cascade').updateRule('no action'),
    ticket: () =>
      p
        .manyToOne(Ticket)
        .ref()
        .deleteRule('no action')
        .updateRule('no action')
        .index('plugin_thread_ticket_idx'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
export type PluginThread = InferEntity<typeof PluginThread>;

/**
 * A follow-up ticket a plugin opened, under the idempotency key it gave (or the one the server
 * made of whom it is for and its title): a repeated or retried call for the same ticket and key
 * answers this follow-up rather than opening another. Written in the follow-up's transaction.
 */
export const PluginFollowUp = defineEntity({
  name: 'PluginFollowUp',
  tableName: 'plugin_follow_up',
  properties: {
    plugin: () =>
      p.manyToOne(Plugin).primary().ref().fieldName('plugin').deleteRule('cascade').updateRule('no action'),
    /** The ticket it follows. */
    ticket: () => p.manyToOne(Ticket).primary().ref().deleteRule('cascade').updateRule('no action'),
    key: p.text().primary(),
    followUp: () =>
      p
        .manyToOne(Ticket)
        .ref()
        .fieldName('follow_up_id')
        .deleteRule('cascade')
        .updateRule('no action')
        .index('plugin_follow_up_follow_up_idx'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
export type PluginFollowUp = InferEntity<typeof PluginFollowUp>;
