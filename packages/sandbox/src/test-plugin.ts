import type { PluginManifest, PluginPermissions } from '@docket/core';
import type {
  FollowUpRequest,
  HostServices,
  PluginLimits,
  PluginNotice,
  SandboxEvent,
  SandboxPlugin,
} from './types.ts';

/**
 * For tests: a plugin whose bundle is written by hand as the SDK's build would make it (a script
 * setting globalThis.__docketPlugin), with an empty manifest asking for `permissions`.
 */
export function testPlugin(input: {
  id: string;
  /** JavaScript: an object literal of handlers, e.g. `{ 'node:x.echo': (args) => args }`. */
  handlers: string;
  /** Top-level code of the bundle before the handlers (helpers, hostile tricks). */
  prelude?: string;
  permissions?: PluginPermissions;
  grants?: PluginPermissions;
  limits?: Partial<PluginLimits>;
  config?: SandboxPlugin['config'];
  secrets?: Record<string, string>;
  version?: string;
}): SandboxPlugin {
  const manifest: PluginManifest = {
    manifestVersion: 1,
    name: input.id,
    version: input.version ?? '1.0.0',
    displayName: input.id,
    permissions: input.permissions ?? {},
    config: { type: 'object', properties: {} },
    contributes: { nodeTypes: [], slaActions: [], notificationTargets: [], channels: [] },
  };
  return {
    id: input.id,
    version: manifest.version,
    code: `${input.prelude ?? ''}\nglobalThis.__docketPlugin = { handlers: ${input.handlers} };`,
    manifest,
    grants: input.grants ?? input.permissions ?? {},
    limits: input.limits ?? {},
    config: input.config ?? {},
    secrets: input.secrets ?? {},
  };
}

/** HostServices backed by maps, recording every call and event, for tests. */
export function memoryServices(): HostServices & {
  kv: Map<string, Map<string, unknown>>;
  tickets: Map<string, Record<string, unknown>>;
  events: SandboxEvent[];
  logs: { pluginId: string; level: string; message: string }[];
  metrics: { pluginId: string; name: string; value: number }[];
  notices: { pluginId: string; ticketId: string | null; notice: PluginNotice }[];
  followUps: { pluginId: string; ticketId: string; followUp: FollowUpRequest }[];
} {
  const kv = new Map<string, Map<string, unknown>>();
  const tickets = new Map<string, Record<string, unknown>>();
  const events: SandboxEvent[] = [];
  const logs: { pluginId: string; level: string; message: string }[] = [];
  const metrics: { pluginId: string; name: string; value: number }[] = [];
  const notices: { pluginId: string; ticketId: string | null; notice: PluginNotice }[] = [];
  const followUps: { pluginId: string; ticketId: string; followUp: FollowUpRequest }[] = [];
  const store = (pluginId: string) => {
    let m = kv.get(pluginId);
    if (!m) {
      m = new Map();
      kv.set(pluginId, m);
    }
    return m;
  };
  return {
    kv,
    tickets,
    events,
    logs,
    metrics,
    notices,
    followUps,
    orgManager: async ({ userId }) => ({ id: userId + 1, name: `manager of ${userId}` }),
    orgTeam: async ({ team, skills }) => ({ team: { id: 1, name: team }, members: [], skills }),
    notify: async ({ pluginId, ticket, notice }) => {
      notices.push({ pluginId, ticketId: ticket ? String(ticket.id) : null, notice });
      return { notified: notice.userIds.length, targets: notice.targets, unknownTargets: [] };
    },
    ticketFollowUp: async ({ pluginId, ticket, followUp }) => {
      followUps.push({ pluginId, ticketId: String(ticket.id), followUp });
      return { id: '99', number: 'F-1' };
    },
    kvGet: async ({ pluginId, key }) => (store(pluginId).get(key) ?? null) as never,
    kvSet: async ({ pluginId, key, value }) => {
      store(pluginId).set(key, value);
    },
    kvDelete: async ({ pluginId, key }) => {
      store(pluginId).delete(key);
    },
    kvList: async ({ pluginId, prefix, limit }) =>
      [...store(pluginId).entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([key, value]) => ({ key, value: value as never })),
    ticketRead: async ({ ticket }) => (tickets.get(ticket.id) ?? null) as never,
    ticketPatch: async ({ ticket, patch }) => {
      const t = { ...(tickets.get(ticket.id) ?? {}), ...patch };
      tickets.set(ticket.id, t);
      return t as never;
    },
    log: ({ pluginId, level, message }) => {
      logs.push({ pluginId, level, message });
    },
    metric: ({ pluginId, name, value }) => {
      metrics.push({ pluginId, name, value });
    },
    event: (e) => {
      events.push(e);
    },
  };
}
