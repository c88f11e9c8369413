import {
  effectivePermissions,
  type LocalizedNames,
  type PluginManifest,
  type PluginPermissions,
  secretConfigKeys,
} from '@docket/core';
import type { Plugin, PluginVersion } from '@docket/db';
import type { PluginLimits } from '@docket/sandbox';
import { builder, mutationErrors } from '../graphql/builder.ts';
import type { Ctx } from '../graphql/context.ts';
import { LocalizedNameRef, servedNames } from '../graphql/localized-names.ts';
import {
  adminDepsOf,
  configurePlugin,
  currentManifest,
  decodePackage,
  disablePlugin,
  enablePlugin,
  getPlugin,
  grantPluginPermissions,
  installPluginFromNpm,
  listPlugins,
  listVersions,
  missingGrants,
  purgePlugin,
  secretStates,
  setPluginLimits,
  type UploadedVersion,
  uninstallPlugin,
  upgradePlugin,
  uploadPlugin,
} from './plugin-admin.ts';
import { kvUsage, type PluginCallStats, readCallStats, readPluginLog } from './plugin-repository.ts';

const PluginStatusEnum = builder.enumType('PluginStatus', {
  description:
    'enabled: its contributions run; disabled: installed, nothing runs (its workflow steps fail naming it); uninstalled: gone from the registries, its data kept until purged.',
  values: ['enabled', 'disabled', 'uninstalled'] as const,
});

const PluginPermissionsRef = builder.objectRef<PluginPermissions>('PluginPermissions').implement({
  description: 'What a plugin may reach beyond its own settings, log and metrics.',
  fields: (t) => ({
    fetch: t.stringList({
      description:
        'Hosts it may fetch from (api.example.com, *.example.com, http://127.0.0.1:8080), or config:<setting> for the hosts of the URLs an admin puts in that setting.',
      resolve: (p) => p.fetch ?? [],
    }),
    kv: t.boolean({ description: 'Its own key-value store.', resolve: (p) => p.kv === true }),
    ticket: t.string({
      nullable: true,
      description: '"read" or "patch": the ticket each call is made for.',
      resolve: (p) => p.ticket ?? null,
    }),
    mail: t.boolean({
      description: 'Sending mail through an SMTP account its settings name.',
      resolve: (p) => p.mail === true,
    }),
    org: t.boolean({
      description:
        "Looking up the people around a call's ticket: a user's manager, a team's members with their skills and open work.",
      resolve: (p) => p.org === true,
    }),
    notify: t.boolean({
      description:
        "Sending notices to people through the server's notifier (in-app and notification targets).",
      resolve: (p) => p.notify === true,
    }),
    followUps: t.boolean({
      description:
        "Opening a follow-up ticket linked to a call's ticket, in the name of the person it is for.",
      resolve: (p) => p.followUps === true,
    }),
  }),
});

const PluginPermissionsInput = builder.inputType('PluginPermissionsInput', {
  fields: (t) => ({
    fetch: t.stringList({ required: false }),
    kv: t.boolean({ required: false }),
    ticket: t.string({ required: false, description: '"read" or "patch".' }),
    mail: t.boolean({ required: false }),
    org: t.boolean({ required: false }),
    notify: t.boolean({ required: false }),
    followUps: t.boolean({ required: false }),
  }),
});

const PluginSecretRef = builder
  .objectRef<{ key: string; title: string | null; isSet: boolean }>('PluginSecret')
  .implement({
    description: 'A secret setting: whether it is set. Its value is never shown.',
    fields: (t) => ({
      key: t.exposeString('key'),
      title: t.exposeString('title', { nullable: true }),
      isSet: t.exposeBoolean('isSet'),
    }),
  });

const PluginLimitsRef = builder.objectRef<PluginLimits>('PluginLimits').implement({
  description: 'What one call may use; the admin sets them within the server maxima.',
  fields: (t) => ({
    memoryMb: t.exposeFloat('memoryMb'),
    cpuMs: t.exposeFloat('cpuMs'),
    wallMs: t.exposeFloat('wallMs'),
    payloadInBytes: t.exposeFloat('payloadInBytes'),
    payloadOutBytes: t.exposeFloat('payloadOutBytes'),
    hostCalls: t.exposeFloat('hostCalls'),
    fetchTimeoutMs: t.exposeFloat('fetchTimeoutMs'),
    fetchResponseBytes: t.exposeFloat('fetchResponseBytes'),
  }),
});

type Contribution = {
  kind: string;
  key: string;
  title: string;
  titles?: LocalizedNames | undefined;
  route: string | null;
};

const PluginContributionRef = builder.objectRef<Contribution>('PluginContribution').implement({
  description:
    'One thing a plugin adds: a node type (key as workflows name it), an SLA action (plugin/action, as SLA policies name it), a notification target or a channel (plugin.name).',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'nodeType, slaAction, notificationTarget or channel.' }),
    key: t.exposeString('key'),
    title: t.exposeString('title'),
    titles: t.field({
      type: [LocalizedNameRef],
      description: "A notification target's or a channel's title in other languages (en, zh-CN).",
      resolve: (c) => servedNames(c.titles),
    }),
    route: t.exposeString('route', {
      nullable: true,
      description: "A channel's inbound webhook path under this server (/channels/<plugin>/<channel>/).",
    }),
  }),
});

const ErrorCountRef = builder.objectRef<{ code: string; count: number }>('PluginErrorCount').implement({
  fields: (t) => ({ code: t.exposeString('code'), count: t.exposeInt('count') }),
});

const PluginCallStatsRef = builder.objectRef<PluginCallStats>('PluginCallStats').implement({
  description: 'Calls of a plugin in a period: overall (handler null) and per handler.',
  fields: (t) => ({
    handler: t.exposeString('handler', { nullable: true }),
    calls: t.exposeInt('calls'),
    errors: t.exposeInt('errors'),
    errorRate: t.float({
      description: 'errors / calls (0 without calls).',
      resolve: (s) => (s.calls ? s.errors / s.calls : 0),
    }),
    p50Ms: t.exposeFloat('p50Ms', { nullable: true }),
    p95Ms: t.exposeFloat('p95Ms', { nullable: true }),
    p99Ms: t.exposeFloat('p99Ms', { nullable: true }),
    errorCodes: t.field({ type: [ErrorCountRef], resolve: (s) => s.errorCodes }),
  }),
});

type LogEntry = Awaited<ReturnType<typeof readPluginLog>>[number];

const PluginLogEntryRef = builder.objectRef<LogEntry>('PluginLogEntry').implement({
  description:
    'What a plugin logged (kind log), a metric it sent (metric), or what the sandbox reported about it (event).',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.created_at }),
    version: t.exposeString('version'),
    kind: t.exposeString('kind'),
    level: t.exposeString('level'),
    message: t.exposeString('message'),
    data: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.data ?? null }),
    handler: t.exposeString('handler', { nullable: true }),
    callId: t.exposeString('call_id', { nullable: true }),
  }),
});

const manifestOf = async (ctx: Ctx, p: Plugin): Promise<PluginManifest> => currentManifest(ctx.em, p);

export const PluginVersionRef = builder.objectRef<PluginVersion>('PluginVersion');

export const PluginRef = builder.objectRef<Plugin>('Plugin').implement({
  description: 'An installed plugin. Needs plugin.manage.',
  fields: (t) => ({
    name: t.exposeString('name'),
    displayName: t.exposeString('displayName'),
    description: t.exposeString('description', { nullable: true }),
    status: t.field({ type: PluginStatusEnum, resolve: (p) => p.status }),
    version: t.exposeString('version', { description: 'The version that runs.' }),
    versions: t.field({
      type: [PluginVersionRef],
      description: 'Every version uploaded, newest first.',
      resolve: (p, _a, ctx) => listVersions(ctx.em, p.name),
    }),
    requestedPermissions: t.field({
      type: PluginPermissionsRef,
      description: 'What the running version asks for.',
      resolve: async (p, _a, ctx) => (await manifestOf(ctx, p)).permissions ?? {},
    }),
    grants: t.field({
      type: PluginPermissionsRef,
      description: 'What the admin granted.',
      resolve: (p) => p.grants as PluginPermissions,
    }),
    effectivePermissions: t.field({
      type: PluginPermissionsRef,
      description: 'What it gets: asked for and granted.',
      resolve: async (p, _a, ctx) =>
        effectivePermissions((await manifestOf(ctx, p)).permissions ?? {}, p.grants as PluginPermissions),
    }),
    missingGrants: t.stringList({
      description: 'What it asks for that is not granted; it cannot be enabled until this is empty.',
      resolve: async (p, _a, ctx) =>
        missingGrants(await manifestOf(ctx, p), p.grants as PluginPermissions).map((e) => e.message),
    }),
    configSchema: t.field({
      type: 'JSON',
      description:
        'JSON Schema of its settings (render the form from it); fields marked "x-secret" are secrets.',
      resolve: async (p, _a, ctx) => (await manifestOf(ctx, p)).config,
    }),
    config: t.field({
      type: 'JSON',
      description: 'Its settings without the secrets.',
      resolve: (p) => p.config,
    }),
    secrets: t.field({
      type: [PluginSecretRef],
      resolve: async (p, _a, ctx) => secretStates(adminDepsOf(ctx.services), p, await manifestOf(ctx, p)),
    }),
    limits: t.field({
      type: PluginLimitsRef,
      description: 'The limits its calls run under (its own within the server maxima).',
      resolve: (p, _a, ctx) => ctx.services.plugins.limitsOf(p.limits as Partial<PluginLimits>),
    }),
    contributions: t.field({
      type: [PluginContributionRef],
      resolve: async (p, _a, ctx) => {
        const c = (await manifestOf(ctx, p)).contributes;
        return [
          ...c.nodeTypes.map((n) => ({ kind: 'nodeType', key: n.type, title: n.title, route: null })),
          ...c.slaActions.map((a) => ({
            kind: 'slaAction',
            key: `${p.name}/${a.name}`,
            title: a.title,
            route: null,
          })),
          ...c.notificationTargets.map((n) => ({
            kind: 'notificationTarget',
            key: `${p.name}.${n.name}`,
            title: n.title,
            titles: n.titles,
            route: null,
          })),
          ...c.channels.map((ch) => ({
            kind: 'channel',
            key: `${p.name}.${ch.name}`,
            title: ch.title,
            titles: ch.titles,
            route: ch.inbound.http ? `/channels/${p.name}/${ch.name}/` : null,
          })),
        ];
      },
    }),
    callStats: t.field({
      type: [PluginCallStatsRef],
      description:
        'Call counts, error rates and latency percentiles over the last `hours`: overall first, then per handler.',
      args: { hours: t.arg.int({ defaultValue: 24 }) },
      resolve: async (p, a, ctx) => {
        await ctx.services.plugins.recorder.flush();
        const hours = Math.min(Math.max(a.hours ?? 24, 1), 24 * 90);
        return readCallStats(ctx.em, { plugin: p.name, since: new Date(Date.now() - hours * 3_600_000) });
      },
    }),
    logs: t.field({
      type: [PluginLogEntryRef],
      description: 'Newest first. kinds: log, metric, event; levels: debug, info, warn, error.',
      args: {
        first: t.arg.int({ defaultValue: 50 }),
        kinds: t.arg.stringList(),
        levels: t.arg.stringList(),
      },
      resolve: async (p, a, ctx) => {
        await ctx.services.plugins.recorder.flush();
        return readPluginLog(ctx.em, {
          plugin: p.name,
          first: Math.min(Math.max(a.first ?? 50, 1), 500),
          kinds: a.kinds ?? null,
          levels: a.levels ?? null,
        });
      },
    }),
    kvEntries: t.int({
      description: 'How many entries its key-value store holds.',
      resolve: async (p, _a, ctx) => (await kvUsage(ctx.em, p.name)).entries,
    }),
    installedAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
  }),
});

PluginVersionRef.implement({
  description:
    'One uploaded version of a plugin: its manifest and the sha256 its bundle was checked against.',
  fields: (t) => ({
    version: t.exposeString('version'),
    sha256: t.exposeString('sha256'),
    source: t.exposeString('source', { description: '"upload" or "npm:<package>@<version>".' }),
    uploadedAt: t.field({ type: 'DateTime', resolve: (v) => v.createdAt }),
    requestedPermissions: t.field({
      type: PluginPermissionsRef,
      resolve: (v) => ((v.manifest as unknown as PluginManifest).permissions ?? {}) as PluginPermissions,
    }),
    secretKeys: t.stringList({
      description: 'Its secret settings.',
      resolve: (v) => secretConfigKeys((v.manifest as unknown as PluginManifest).config),
    }),
    manifest: t.field({ type: 'JSON', resolve: (v) => v.manifest }),
  }),
});

const PluginUploadRef = builder.objectRef<UploadedVersion>('PluginUpload').implement({
  description:
    'A stored package version: its plugin (installed disabled with nothing granted when new), and whether the version is new.',
  fields: (t) => ({
    plugin: t.field({ type: PluginRef, resolve: (u) => u.plugin }),
    version: t.field({ type: PluginVersionRef, resolve: (u) => u.version }),
    isNewVersion: t.exposeBoolean('isNewVersion'),
  }),
});

const PurgedPluginRef = builder.objectRef<{ name: string }>('PurgedPlugin').implement({
  description: 'A plugin whose data is gone.',
  fields: (t) => ({ name: t.exposeString('name') }),
});

builder.queryFields((t) => ({
  plugins: t.field({
    type: [PluginRef],
    description: 'Installed plugins by name. Needs plugin.manage.',
    args: { includeUninstalled: t.arg.boolean({ defaultValue: false }) },
    resolve: (_r, a, ctx) =>
      listPlugins(ctx.em, ctx.principal, { includeUninstalled: a.includeUninstalled ?? false }),
  }),
  plugin: t.field({
    type: PluginRef,
    nullable: true,
    description: 'One plugin by name (null when none is installed by it). Needs plugin.manage.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => getPlugin(ctx.em, ctx.principal, a.name),
  }),
}));

const grantsOf = (g: {
  fetch?: string[] | null;
  kv?: boolean | null;
  ticket?: string | null;
  mail?: boolean | null;
}) => ({
  ...(g.fetch != null ? { fetch: g.fetch } : {}),
  ...(g.mail != null ? { mail: g.mail } : {}),
  ...(g.kv != null ? { kv: g.kv } : {}),
  ...(g.ticket != null ? { ticket: g.ticket } : {}),
});

builder.mutationFields((t) => ({
  uploadPlugin: t.field({
    type: PluginUploadRef,
    errors: mutationErrors,
    description:
      'Installs a plugin (or adds a version of one) from the .tgz `docket-plugin pack` makes, as base64 (large packages: POST the file to /plugins/upload). The bundle is checked against the sha256 its manifest gives, and the whole file against `sha256` when given. A new plugin starts disabled with nothing granted. Needs plugin.manage.',
    args: {
      package: t.arg.string({ required: true }),
      sha256: t.arg.string({ description: "The package file's sha256 (hex), as its publisher gave it." }),
    },
    resolve: (_r, a, ctx) =>
      uploadPlugin(adminDepsOf(ctx.services), ctx.em, ctx.principal, {
        file: decodePackage(a.package),
        sha256: a.sha256 ?? null,
      }),
  }),
  installPlugin: t.field({
    type: PluginUploadRef,
    errors: mutationErrors,
    description:
      "Installs a plugin published to the npm registry (DOCKET_NPM_REGISTRY), by exact version: the tarball is checked against the registry's integrity hash and the bundle against its manifest. Needs plugin.manage.",
    args: {
      packageName: t.arg.string({ required: true }),
      version: t.arg.string({ required: true }),
    },
    resolve: (_r, a, ctx) =>
      installPluginFromNpm(adminDepsOf(ctx.services), ctx.em, ctx.principal, {
        packageName: a.packageName,
        version: a.version,
      }),
  }),
  grantPluginPermissions: t.field({
    type: PluginRef,
    errors: mutationErrors,
    description:
      'Replaces what the plugin is granted; only what its running version asks for can be granted. Needs plugin.manage.',
    args: {
      name: t.arg.string({ required: true }),
      grants: t.arg({ type: PluginPermissionsInput, required: true }),
    },
    resolve: (_r, a, ctx) =>
      grantPluginPermissions(adminDepsOf(ctx.services), ctx.em, ctx.principal, {
        name: a.name,
        grants: grantsOf(a.grants),
      }),
  }),
  configurePlugin: t.field({
    type: PluginRef,
    errors: mutationErrors,
    description:
      'Sets the settings, checked against the config schema (errors at /config/<field>). Non-secret settings are replaced as a whole; a secret given a string is set, given null is cleared, left out is kept. Needs plugin.manage.',
    args: { name: t.arg.string({ required: true }), config: t.arg({ type: 'JSON', required: true }) },
    resolve: (_r, a, ctx) =>
      configurePlugin(adminDepsOf(ctx.services), ctx.em, ctx.principal, { name: a.name, config: a.config }),
  }),
  setPluginLimits: t.field({
    type: PluginRef,
    errors: mutationErrors,
    description:
      'Sets limits ({ memoryMb, cpuMs, wallMs, payloadInBytes, payloadOutBytes, hostCalls, fetchTimeoutMs, fetchResponseBytes }), each within the server maxima; left out: the default. Needs plugin.manage.',
    args: { name: t.arg.string({ required: true }), limits: t.arg({ type: 'JSON', required: true }) },
    resolve: (_r, a, ctx) =>
      setPluginLimits(adminDepsOf(ctx.services), ctx.em, ctx.principal, { name: a.name, limits: a.limits }),
  }),
  enablePlugin: t.field({
    type: PluginRef,
    errors: mutationErrors,
    description:
      'Enables a plugin once everything it asks for is granted and its settings satisfy its schema; it is loaded into the sandbox at once. Needs plugin.manage.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => enablePlugin(adminDepsOf(ctx.services), ctx.em, ctx.principal, { name: a.name }),
  }),
  disablePlugin: t.field({
    type: PluginRef,
    errors: mutationErrors,
    description:
      'Stops a plugin: its SLA actions, targets and channels leave; its workflow steps fail naming it until it is enabled and the instance retried. Needs plugin.manage.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) =>
      disablePlugin(adminDepsOf(ctx.services), ctx.em, ctx.principal, { name: a.name }),
  }),
  upgradePlugin: t.field({
    type: PluginRef,
    errors: mutationErrors,
    description:
      'Moves a plugin to another uploaded version (`grants` for what that version asks for). Calls running or already queued finish on the old version; later ones run the new. Needs plugin.manage.',
    args: {
      name: t.arg.string({ required: true }),
      version: t.arg.string({ required: true }),
      grants: t.arg({ type: PluginPermissionsInput }),
    },
    resolve: (_r, a, ctx) =>
      upgradePlugin(adminDepsOf(ctx.services), ctx.em, ctx.principal, {
        name: a.name,
        version: a.version,
        ...(a.grants ? { grants: grantsOf(a.grants) } : {}),
      }),
  }),
  uninstallPlugin: t.field({
    type: PluginRef,
    errors: mutationErrors,
    description:
      'Removes a plugin from the registries; its data stays until purgePlugin. Needs plugin.manage.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) =>
      uninstallPlugin(adminDepsOf(ctx.services), ctx.em, ctx.principal, { name: a.name }),
  }),
  purgePlugin: t.field({
    type: PurgedPluginRef,
    errors: mutationErrors,
    description:
      "Deletes an uninstalled plugin's versions, settings, key-value data, log and call records. Needs plugin.manage.",
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => ({
      name: await purgePlugin(adminDepsOf(ctx.services), ctx.em, ctx.principal, { name: a.name }),
    }),
  }),
}));
