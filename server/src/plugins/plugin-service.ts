import { createHash, randomUUID } from 'node:crypto';
import {
  handlerNameOf,
  isPriority,
  type JsonValue,
  type PluginManifest,
  type PluginPermissions,
} from '@docket/core';
import {
  type Database,
  type EntityManager,
  type FetchedJob,
  forkEm,
  type JobBus,
  query,
  queryOne,
} from '@docket/db';
import {
  DEFAULT_LIMITS,
  DEFAULT_MAX_LIMITS,
  type HostServices,
  type PluginLimits,
  SandboxError,
  type SandboxEvent,
  SandboxHost,
  type SandboxHostOptions,
  type TicketGrant,
} from '@docket/sandbox';
import type { Registries } from '../extensions/registries.ts';
import type { RecipientResult } from '../notifications/targets.ts';
import { readTicketForChange } from '../tickets/ticket-repository.ts';
import { SYSTEM_ACTOR, type TicketChanged, type TicketStore } from '../tickets/ticket-store.ts';
import type { WorkflowRuntime } from '../workflows/workflow-runtime.ts';
import { SYSTEM_CAUSE } from '../workflows/workflow-types.ts';
import { type CallerEvents, createCallerEvents } from './caller-events.ts';
import {
  type ChannelSendJob,
  callJob,
  handlerOf,
  MAX_CALL_ATTEMPTS,
  type NodeCallJob,
  type PluginCallAnswer,
  type PluginCallJob,
  type PluginCalls,
  registerContributions,
  type SlaCallJob,
} from './plugin-contributions.ts';
import { PluginMail } from './plugin-mail.ts';
import {
  managerOfUser,
  openFollowUp,
  type PluginPeopleDeps,
  sendPluginNotice,
  teamMembersOf,
} from './plugin-people.ts';
import {
  kvDelete,
  kvGet,
  kvList,
  kvSet,
  PluginRecorder,
  replyPeople,
  threadOfTicket,
} from './plugin-repository.ts';
import type { SecretBox } from './plugin-secrets.ts';

export type PluginStatus = 'enabled' | 'disabled' | 'uninstalled';

type Log = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

/** A plugin as the service keeps it in memory: enough to register it and to know it changed. */
type Known = {
  name: string;
  displayName: string;
  status: PluginStatus;
  version: string;
  manifest: PluginManifest;
  /** plugin.updated_at in ms: a newer row means another change (here or in another server process). */
  stamp: number;
  undo: () => void;
};

/** The row a call needs: status, version, and when it last changed. */
type PluginState = {
  name: string;
  display_name: string;
  status: PluginStatus;
  version: string;
  updated_at: Date;
};

export type PluginServiceDeps = {
  db: Database;
  registries: Registries;
  jobs: JobBus;
  tickets: TicketStore;
  workflows: WorkflowRuntime;
  secrets: SecretBox;
  log: Log;
  /** The server's ceilings for every plugin's limits. */
  maxLimits?: Partial<PluginLimits>;
  /** For tests: the sandbox host process's options (its entry script, grace period). */
  sandbox?: Partial<Omit<SandboxHostOptions, 'services'>>;
  /** Pub/sub shared by the server processes (Redis), for callers ringing. */
  eventTarget?: Parameters<typeof createCallerEvents>[0];
};

/** A plugin is not there to run: not installed, disabled or uninstalled. */
export class PluginUnavailable extends Error {
  constructor(
    readonly plugin: string,
    readonly status: PluginStatus | 'missing',
    message: string,
  ) {
    super(message);
    this.name = 'PluginUnavailable';
  }
}

/** The sandbox id an older version of a plugin runs under beside its current one. */
const aliasOf = (plugin: string, version: string): string =>
  `${plugin.slice(0, 27)}_v${createHash('sha256').update(`${plugin}@${version}`).digest('hex').slice(0, 10)}`;

/** The stable part of a call job's key (callJob adds the attempt). */
const jobKeyOf = (data: PluginCallJob): string =>
  data.kind === 'node'
    ? `node:${data.reply.key}`
    : data.kind === 'sla'
      ? `sla:${data.key}`
      : `send:${data.eventKey}`;

/** The codes of a call refused because its plugin is not there to run. */
const UNAVAILABLE_CODES = ['PLUGIN_DISABLED', 'PLUGIN_UNINSTALLED', 'PLUGIN_MISSING'];

const isUnavailable = (e: SandboxError): boolean => UNAVAILABLE_CODES.includes(e.code);

const errorText = (e: unknown): string =>
  e instanceof SandboxError ? `${e.message} (${e.code})` : String((e as Error)?.message ?? e);

/**
 * The server's side of plugins: one sandbox host process (started when the first plugin call
 * needs it, closed with the app), the host services plugins reach through it (key-value data in
 * PostgreSQL, the ticket of the call through the ticket store, log, metrics, events), the
 * registration of every installed plugin's contributions, and the job worker that makes the calls
 * of workflow steps, SLA timers and outgoing channel replies. Lifecycle use cases (plugin-admin.ts)
 * change the rows and then call `refresh`.
 */
export class PluginService {
  private readonly known = new Map<string, Known>();
  /** What the sandbox has loaded, by plugin: the stamp of the row it was loaded from. */
  private readonly loaded = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();
  private host: SandboxHost | undefined;
  private starting: Promise<SandboxHost> | undefined;
  private isClosed = false;
  private syncTimer: NodeJS.Timeout | undefined;
  /** Sandbox ids of older versions still answering calls queued before an upgrade. */
  private readonly aliases = new Map<string, { plugin: string; version: string }>();
  private readonly pinnedUse = new Map<string, { inFlight: number; timer: NodeJS.Timeout | undefined }>();
  private applying: Promise<void> = Promise.resolve();
  readonly recorder: PluginRecorder;
  /** Plugins' outgoing mail (the `mail` capability). */
  private readonly mail = new PluginMail();
  /** Callers ringing (a channel's `signal` answer), for the desk's subscription. */
  readonly callerEvents: CallerEvents;
  readonly maxLimits: PluginLimits;
  private readonly calls: PluginCalls;

  /** Seals and opens plugin secrets. */
  readonly secretBox: SecretBox;

  constructor(private readonly deps: PluginServiceDeps) {
    this.secretBox = deps.secrets;
    this.callerEvents = createCallerEvents(deps.eventTarget);
    this.maxLimits = { ...DEFAULT_MAX_LIMITS, ...deps.maxLimits };
    this.recorder = new PluginRecorder({
      em: () => forkEm(deps.db),
      onError: (e) =>
        deps.log('error', 'plugin log write failed', { error: String((e as Error)?.stack ?? e) }),
    });
    this.calls = {
      jobs: deps.jobs,
      versionOf: (plugin) => this.known.get(plugin)?.version,
      isEnabled: (plugin) => this.known.get(plugin)?.status === 'enabled',
      wallMs: () => this.maxLimits.wallMs,
      deliver: (input) => this.deliver(input),
    };
  }

  private em(): EntityManager {
    return forkEm(this.deps.db);
  }

  private services: PluginPeopleDeps | undefined;

  /**
   * Gives the service the app's services, which notices and follow-up tickets of plugins go
   * through (the app builds them after this service).
   */
  attach(services: PluginPeopleDeps): void {
    this.services = services;
  }

  private attached(): PluginPeopleDeps {
    if (!this.services) throw new Error('the server is not ready to act for plugins yet');
    return this.services;
  }

  // -------------------------------------------------------------------------------------------
  // Registration

  /**
   * Registers every installed plugin's contributions (at start), then looks every few seconds for
   * changes another server process made (enable, disable, upgrade, settings), so every process
   * sharing the database registers the same plugins.
   */
  async start(options: { syncEveryMs?: number } = {}): Promise<void> {
    await this.sync();
    this.syncTimer = setInterval(() => {
      this.sync().catch((e) => this.deps.log('warn', 'plugin sync failed', { error: errorText(e) }));
    }, options.syncEveryMs ?? 5_000);
    this.syncTimer.unref();
  }

  /** Brings the registrations in line with every plugin row whose change this process has not seen. */
  private async sync(): Promise<void> {
    const rows = await query<PluginState>(
      this.em(),
      'select name, display_name, status, version, updated_at from plugin',
    );
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.name);
      const known = this.known.get(row.name);
      const isCurrent = known
        ? known.stamp === new Date(row.updated_at).getTime()
        : row.status === 'uninstalled';
      if (!isCurrent) await this.apply(row.name, row);
    }
    for (const name of [...this.known.keys()]) if (!seen.has(name)) await this.apply(name, undefined);
  }

  /** Whether the plugin is installed and enabled (as this process knows it). */
  isEnabled(plugin: string): boolean {
    return this.known.get(plugin)?.status === 'enabled';
  }

  /** The manifest of an enabled plugin's running version; PluginUnavailable otherwise. */
  async enabledManifest(plugin: string): Promise<PluginManifest> {
    await this.stateFor(plugin);
    const known = this.known.get(plugin);
    if (!known) throw new PluginUnavailable(plugin, 'missing', `The plugin "${plugin}" is not installed`);
    return known.manifest;
  }

  /** Enabled plugin channels that take mail from the SMTP listener, as `{ plugin, channel }`. */
  mailChannels(): { plugin: string; channel: string }[] {
    return [...this.known.values()]
      .filter((k) => k.status === 'enabled')
      .flatMap((k) =>
        k.manifest.contributes.channels
          .filter((c) => c.inbound.mail)
          .map((c) => ({ plugin: k.name, channel: c.name })),
      );
  }

  /** The manifest of the version that runs, while installed. */
  manifestOf(plugin: string): PluginManifest | undefined {
    return this.known.get(plugin)?.manifest;
  }

  private async register(row: PluginState): Promise<void> {
    const version = await queryOne<{ manifest: PluginManifest }>(
      this.em(),
      'select manifest from plugin_version where plugin = ? and version = ?',
      [row.name, row.version],
    );
    if (!version) throw new Error(`plugin ${row.name} has no version ${row.version}`);
    const undo = registerContributions({
      registries: this.deps.registries,
      manifest: version.manifest,
      isEnabled: row.status === 'enabled',
      calls: this.calls,
    });
    this.known.set(row.name, {
      name: row.name,
      displayName: row.display_name,
      status: row.status,
      version: row.version,
      manifest: version.manifest,
      stamp: new Date(row.updated_at).getTime(),
      undo,
    });
  }

  /**
   * Brings this process in line with the plugin's row after a change (enable, disable, upgrade,
   * settings, uninstall): contributions registered again, the sandbox's copy dropped so the next
   * call loads what the row says. Calls already running finish where they are.
   */
  async refresh(plugin: string): Promise<void> {
    const row = await queryOne<PluginState>(
      this.em(),
      'select name, display_name, status, version, updated_at from plugin where name = ?',
      [plugin],
    );
    await this.apply(plugin, row);
  }

  /** Registers a plugin as its row says (one change at a time: the registries are shared). */
  private apply(plugin: string, row: PluginState | undefined): Promise<void> {
    const next = this.applying.then(async () => {
      const known = this.known.get(plugin);
      if (known && row && known.stamp === new Date(row.updated_at).getTime()) return;
      if (known) {
        known.undo();
        this.known.delete(plugin);
      }
      try {
        if (row && row.status !== 'uninstalled') await this.register(row);
      } catch (e) {
        this.deps.log('error', 'a plugin could not be registered', { plugin, error: errorText(e) });
      }
      if (row?.status !== 'enabled') await this.unload(plugin);
    });
    this.applying = next.catch(() => {});
    return next;
  }

  private async unload(plugin: string): Promise<void> {
    for (const [id, alias] of this.aliases)
      if (alias.plugin === plugin) {
        this.aliases.delete(id);
        this.pinnedUse.delete(id);
        await this.unload(id);
      }
    if (!this.loaded.has(plugin)) return;
    this.loaded.delete(plugin);
    try {
      await this.host?.unload(plugin);
    } catch {
      // a host that restarted has nothing loaded
    }
  }

  /**
   * The plugin's row, to run a call: refused with a message naming the plugin unless it is
   * enabled. A row changed by another server process since this one registered it is registered
   * again first.
   */
  private async stateFor(plugin: string): Promise<PluginState> {
    const row = await queryOne<PluginState>(
      this.em(),
      'select name, display_name, status, version, updated_at from plugin where name = ?',
      [plugin],
    );
    const known = this.known.get(plugin);
    if (row && (!known || known.stamp !== new Date(row.updated_at).getTime())) await this.apply(plugin, row);
    if (!row || row.status === 'uninstalled')
      throw new PluginUnavailable(
        plugin,
        row ? 'uninstalled' : 'missing',
        `The plugin "${plugin}" is not installed`,
      );
    if (row.status !== 'enabled')
      throw new PluginUnavailable(
        plugin,
        row.status,
        `The plugin "${plugin}" (${row.display_name}) is disabled`,
      );
    return row;
  }

  // -------------------------------------------------------------------------------------------
  // The sandbox

  /** The sandbox host process, started on first use. */
  async sandbox(): Promise<SandboxHost> {
    if (this.host) return this.host;
    if (this.isClosed) throw new SandboxError('HOST_CLOSED', 'the server is shutting down');
    this.starting ??= SandboxHost.start({
      ...this.deps.sandbox,
      services: this.hostServices(),
      maxLimits: this.maxLimits,
    }).then(
      (host) => {
        this.host = host;
        return host;
      },
      (e) => {
        this.starting = undefined;
        throw e;
      },
    );
    return this.starting;
  }

  /** Loads the plugin's current version with its grants, limits and settings (again, when its row changed). */
  /**
   * Loads the plugin with its grants, limits and settings (again, when its row changed): its
   * current version under its own id, or an older version (`pinned`: calls queued before an
   * upgrade) under an alias id of its own, so both run side by side. Returns the sandbox id.
   */
  private async ensureLoaded(
    state: PluginState,
    pinned?: string,
  ): Promise<{ host: SandboxHost; id: string }> {
    const host = await this.sandbox();
    const version = pinned ?? state.version;
    const id = pinned ? aliasOf(state.name, pinned) : state.name;
    const stamp = new Date(state.updated_at).getTime();
    if (this.loaded.get(id) === stamp && host.loaded().some((p) => p.id === id)) return { host, id };
    let pending = this.loading.get(id);
    if (!pending) {
      pending = (async () => {
        const row = await queryOne<{
          manifest: PluginManifest;
          bundle: string;
          grants: PluginPermissions;
          limits: Partial<PluginLimits>;
          config: Record<string, JsonValue>;
          secrets: string | null;
        }>(
          this.em(),
          `select v.manifest, v.bundle, p.grants, p.limits, p.config, p.secrets
             from plugin p join plugin_version v on v.plugin = p.name and v.version = ? where p.name = ?`,
          [version, state.name],
        );
        if (!row)
          throw new PluginUnavailable(
            state.name,
            'missing',
            `The plugin "${state.name}" has no version ${version}`,
          );
        if (pinned) this.aliases.set(id, { plugin: state.name, version });
        await host.load({
          id,
          version,
          code: row.bundle,
          manifest: { ...row.manifest, name: id },
          grants: row.grants,
          limits: row.limits,
          config: row.config,
          secrets: this.deps.secrets.open(row.secrets),
        });
        this.loaded.set(id, stamp);
      })().finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    await pending;
    return { host, id };
  }

  /** The plugin a sandbox id stands for (an alias of a pinned older version, or the plugin itself). */
  private pluginOf(id: string): { plugin: string; version?: string } {
    return this.aliases.get(id) ?? { plugin: id };
  }

  /** Drops an older version's copy a while after its last queued call ran. */
  private releasePinned(id: string): void {
    const use = this.pinnedUse.get(id);
    if (!use) return;
    use.inFlight--;
    if (use.inFlight > 0) return;
    clearTimeout(use.timer);
    use.timer = setTimeout(() => {
      if ((this.pinnedUse.get(id)?.inFlight ?? 0) > 0) return;
      this.pinnedUse.delete(id);
      this.aliases.delete(id);
      void this.unload(id);
    }, 60_000);
    use.timer.unref();
  }

  /**
   * Calls one handler of an enabled plugin and records the call (count, error, latency). Throws
   * PluginUnavailable when the plugin is not enabled, SandboxError when the call fails.
   */
  async call<T = unknown>(
    plugin: string,
    handler: string,
    args: unknown,
    options: {
      ticket?: TicketGrant;
      callId?: string;
      /** The version the call was queued for: an older one than runs now still answers it. */
      version?: string | undefined;
    } = {},
  ): Promise<T> {
    const state = await this.stateFor(plugin);
    let pinned = options.version && options.version !== state.version ? options.version : undefined;
    if (pinned && !(await this.hasVersion(plugin, pinned))) pinned = undefined;
    const { host, id } = await this.ensureLoaded(state, pinned);
    const version = pinned ?? state.version;
    if (pinned) {
      const use = this.pinnedUse.get(id) ?? { inFlight: 0, timer: undefined };
      use.inFlight++;
      clearTimeout(use.timer);
      this.pinnedUse.set(id, use);
    }
    const started = performance.now();
    const { version: _queuedFor, ...callOptions } = options;
    try {
      const value = await host.call<T>(id, handler, args, callOptions);
      this.recorder.call({
        plugin,
        version,
        handler,
        call_id: options.callId ?? null,
        is_ok: true,
        error_code: null,
        duration_ms: performance.now() - started,
      });
      return value;
    } catch (e) {
      this.recorder.call({
        plugin,
        version,
        handler,
        call_id: options.callId ?? null,
        is_ok: false,
        error_code: e instanceof SandboxError ? e.code : 'UNKNOWN',
        duration_ms: performance.now() - started,
      });
      if (e instanceof SandboxError && e.code === 'PLUGIN_ERROR')
        this.recorder.log({
          plugin,
          version,
          kind: 'event',
          level: 'error',
          message: e.message,
          data: e.pluginCode ? { pluginCode: e.pluginCode } : null,
          handler,
          call_id: options.callId ?? null,
        });
      throw e;
    } finally {
      if (pinned) this.releasePinned(id);
    }
  }

  private async hasVersion(plugin: string, version: string): Promise<boolean> {
    return Boolean(
      await queryOne(this.em(), 'select 1 from plugin_version where plugin = ? and version = ?', [
        plugin,
        version,
      ]),
    );
  }

  /** The version of a plugin that runs now, as this process knows it (what a queued call is pinned to). */
  versionOf(plugin: string): string | undefined {
    return this.known.get(plugin)?.version;
  }

  /** Loads an enabled plugin into the sandbox now (enabling it checks that its bundle loads). */
  async probe(plugin: string): Promise<void> {
    await this.ensureLoaded(await this.stateFor(plugin));
  }

  /** The ticket access a plugin's calls for a ticket get: what its manifest asks for (the sandbox also checks the grant). */
  private ticketAccess(plugin: string): 'read' | 'patch' {
    return this.known.get(plugin)?.manifest.permissions.ticket === 'patch' ? 'patch' : 'read';
  }

  // -------------------------------------------------------------------------------------------
  // Host services

  private hostServices(): HostServices {
    const em = () => this.em();
    // An older version kept for its queued calls runs under an alias; its data is the plugin's own.
    const ownerOf = (pluginId: string) => this.pluginOf(pluginId).plugin;
    return {
      kvGet: async ({ pluginId, key }) => (await kvGet(em(), ownerOf(pluginId), key)) as JsonValue | null,
      kvSet: async ({ pluginId, key, value, ttlSeconds }) => {
        if (JSON.stringify(value).length > 256_000) throw new Error('a value may be at most 256 KB of JSON');
        await kvSet(em(), { plugin: ownerOf(pluginId), key, value, ttlSeconds });
      },
      kvDelete: ({ pluginId, key }) => kvDelete(em(), ownerOf(pluginId), key),
      kvList: async ({ pluginId, prefix, limit }) =>
        (await kvList(em(), { plugin: ownerOf(pluginId), prefix, limit })) as {
          key: string;
          value: JsonValue;
        }[],
      ticketRead: async ({ ticket }) => this.ticketView(em(), ticket.id),
      ticketPatch: ({ pluginId, ticket, patch }) => this.patchTicket(ownerOf(pluginId), ticket, patch),
      mailSend: ({ mail }) => this.mail.send(mail),
      orgManager: ({ userId }) => managerOfUser(em(), userId),
      orgTeam: ({ team, skills }) => teamMembersOf(em(), team, skills),
      notify: ({ pluginId, handler, callId, ticket, notice }) =>
        sendPluginNotice(this.attached(), em(), {
          plugin: this.pluginOf(pluginId).plugin,
          handler,
          callId,
          ticket,
          notice,
        }),
      ticketFollowUp: async ({ pluginId, ticket, followUp }) => {
        const id = await openFollowUp(this.attached(), em(), {
          plugin: this.pluginOf(pluginId).plugin,
          ticket,
          followUp,
        });
        return this.ticketView(em(), id);
      },
      log: ({ pluginId, version, level, message, data, handler, callId }) =>
        this.recorder.log({
          plugin: ownerOf(pluginId),
          version,
          kind: 'log',
          level,
          message: message.slice(0, 4000),
          data: data ?? null,
          handler,
          call_id: callId,
        }),
      metric: ({ pluginId, version, name, value, tags, handler, callId }) =>
        this.recorder.log({
          plugin: ownerOf(pluginId),
          version,
          kind: 'metric',
          level: 'info',
          message: name.slice(0, 200),
          data: { value, ...(tags ? { tags } : {}) },
          handler,
          call_id: callId,
        }),
      event: (e) => this.onSandboxEvent(e),
    };
  }

  private onSandboxEvent(e: SandboxEvent): void {
    if (e.kind === 'host-started') return;
    if (e.kind === 'host-exit') {
      this.loaded.clear();
      this.deps.log('warn', 'the plugin sandbox host process stopped and is restarted', { ...e });
      return;
    }
    this.recorder.log({
      plugin: this.pluginOf(e.pluginId).plugin,
      version: e.version,
      kind: 'event',
      level: e.kind === 'isolate-rebuilt' ? 'warn' : 'error',
      message:
        e.kind === 'limit'
          ? `${e.handler} broke a limit: ${e.message} (${e.code})`
          : e.kind === 'denied'
            ? `${e.handler} was refused ${e.capability}: ${e.message}`
            : `the isolate was rebuilt: ${e.reason}`,
      data: e.kind === 'limit' ? { code: e.code } : e.kind === 'denied' ? { capability: e.capability } : null,
      handler: 'handler' in e ? e.handler : null,
      call_id: 'callId' in e ? e.callId : null,
    });
  }

  /** A ticket as plugins see it. */
  private async ticketView(em: EntityManager, id: string): Promise<JsonValue> {
    const row = await em.transactional((tx) => readTicketForChange(tx, id));
    if (!row) throw new Error(`ticket ${id} does not exist`);
    return {
      id: String(row.id),
      number: row.number,
      title: row.title,
      description: row.description,
      status: row.status,
      statusName: row.status_name,
      priority: row.priority,
      channel: row.channel,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      formData: row.form_data as Record<string, JsonValue>,
      fields: (row.custom_fields ?? {}) as Record<string, JsonValue>,
      assigneeId: row.assignee_id,
      teamId: row.team_id,
      orgUnitId: row.org_unit_id,
      requesterId: row.requester_id,
    };
  }

  /**
   * A plugin's patch of the ticket of its call, through the ticket store (origin "plugin"): title,
   * description and priority are the ticket's own fields; `assigneeId` and `teamId` hand it over
   * (an active user; with a team, one of its members); any other name is a custom field.
   */
  private async patchTicket(
    plugin: string,
    ticket: TicketGrant,
    patch: Record<string, JsonValue>,
  ): Promise<JsonValue> {
    const fields: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'title') {
        if (typeof v !== 'string' || !v.trim() || v.length > 200)
          throw new Error('title must be a non-empty string of at most 200 characters');
        fields.title = v.trim();
      } else if (k === 'description') {
        if (typeof v !== 'string' || v.length > 20_000)
          throw new Error('description must be a string of at most 20000 characters');
        fields.description = v;
      } else if (k === 'priority') {
        if (!isPriority(v)) throw new Error('priority must be urgent, high, normal or low');
        fields.priority = v;
      } else if (k === 'assigneeId' || k === 'teamId') {
        if (v !== null && !(Number.isInteger(v) && (v as number) > 0))
          throw new Error(`${k} must be a ${k === 'assigneeId' ? 'user' : 'team'} id or null`);
        fields[k] = v;
      } else if (
        [
          'id',
          'number',
          'status',
          'statusName',
          'channel',
          'formData',
          'fields',
          'createdAt',
          'orgUnitId',
          'requesterId',
        ].includes(k)
      )
        throw new Error(
          `a plugin cannot set "${k}"; it may set title, description, priority, assigneeId, teamId and its own fields`,
        );
      else if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(k))
        throw new Error(`"${k.slice(0, 80)}" is not a field name (letters, digits, "_"; up to 64)`);
      else custom[k] = v;
    }
    const em = this.em();
    const handOver = await this.checkHandOver(em, fields);
    await em.transactional((tx) =>
      this.deps.tickets.change(tx, ticket.id, {
        fields,
        custom,
        // The new handler keeps seeing the ticket.
        ...(typeof fields.assigneeId === 'number' ? { participants: [fields.assigneeId] } : {}),
        entry: {
          kind: 'plugin.patched',
          body: `The plugin "${plugin}" changed the ticket${handOver}.`,
          isPublic: false,
        },
        actor: SYSTEM_ACTOR,
        origin: 'plugin',
      }),
    );
    return this.ticketView(em, ticket.id);
  }

  /**
   * Checks a plugin's hand-over: the assignee an active user, the team one that exists, and the
   * assignee a member of the team when both are set. Returns words for the timeline.
   */
  private async checkHandOver(em: EntityManager, fields: Record<string, unknown>): Promise<string> {
    const assigneeId = fields.assigneeId as number | null | undefined;
    const teamId = fields.teamId as number | null | undefined;
    let words = '';
    if (typeof assigneeId === 'number') {
      const user = await queryOne<{ name: string }>(
        em,
        'select name from app_user where id = ? and is_active',
        [assigneeId],
      );
      if (!user) throw new Error(`assigneeId: no active user ${assigneeId} exists`);
      words += ` (handed to ${user.name})`;
    }
    if (typeof teamId === 'number') {
      const team = await queryOne<{ name: string }>(em, 'select name from team where id = ?', [teamId]);
      if (!team) throw new Error(`teamId: no team ${teamId} exists`);
      if (
        typeof assigneeId === 'number' &&
        !(await queryOne(em, 'select 1 from team_member where team_id = ? and user_id = ?', [
          teamId,
          assigneeId,
        ]))
      )
        throw new Error(`assigneeId: user ${assigneeId} is not a member of the team "${team.name}"`);
    }
    return words;
  }

  // -------------------------------------------------------------------------------------------
  // Notification targets

  private async deliver(input: Parameters<PluginCalls['deliver']>[0]): Promise<RecipientResult[]> {
    // A phone or SMS target takes phones only; others the email, else the phone.
    const isPhone = /phone|sms|mobile/i.test(input.addressKind);
    const addressOf = (r: { email: string | null; phone: string | null }) =>
      (isPhone ? r.phone : (r.email ?? r.phone)) ?? '';
    const recipients = input.recipients.map((r) => ({
      id: r.id,
      address: addressOf(r),
      name: r.name,
      ...(r.email ? { email: r.email } : {}),
      ...(r.phone ? { phone: r.phone } : {}),
    }));
    const withAddress = recipients.filter((r) => r.address !== '');
    const skipped: RecipientResult[] = recipients
      .filter((r) => r.address === '')
      .map((r) => ({ recipient: r.id, isDelivered: false, error: `no ${input.addressKind} address` }));
    if (withAddress.length === 0) return skipped;
    const t = input.message.ticket;
    const answer = await this.call<{ results?: { recipientId: string; status: string; error?: string }[] }>(
      input.plugin,
      handlerNameOf.notificationTarget(input.target),
      {
        config: {},
        message: {
          subject: input.message.subject ?? input.message.body.slice(0, 80),
          text: input.message.body,
          ...(t ? { ticket: { id: t.id, number: t.number, title: t.title } } : {}),
        },
        recipients: withAddress,
      },
    );
    const byId = new Map((answer?.results ?? []).map((r) => [r.recipientId, r]));
    return [
      ...withAddress.map((r) => {
        const got = byId.get(r.id);
        if (!got)
          return {
            recipient: r.id,
            isDelivered: false,
            error: 'the plugin reported nothing for this recipient',
          };
        return {
          recipient: r.id,
          isDelivered: got.status === 'sent',
          ...(got.status === 'sent' ? {} : { error: got.error ?? got.status }),
        };
      }),
      ...skipped,
    ];
  }

  // -------------------------------------------------------------------------------------------
  // Jobs: workflow steps, SLA actions, outgoing replies

  /**
   * Runs one job of the plugin-call queue. A failure of the job itself (not of the plugin: the
   * database, say) schedules the job again with backoff, up to MAX_CALL_ATTEMPTS; it throws only
   * when even that cannot be written (the queue then retries the batch).
   */
  async runJob(job: FetchedJob): Promise<void> {
    const data = job.data as unknown as PluginCallJob;
    try {
      if (data.kind === 'node') return await this.runNodeJob(job, data);
      if (data.kind === 'sla') return await this.runSlaJob(job, data);
      return await this.runSendJob(job, data);
    } catch (e) {
      this.deps.log('error', 'plugin job failed', {
        plugin: data.plugin,
        kind: data.kind,
        error: errorText(e),
      });
      if (data.attempt >= MAX_CALL_ATTEMPTS) return;
      await this.deps.jobs.send([
        {
          ...callJob(jobKeyOf(data), { ...data, attempt: data.attempt + 1 }, this.maxLimits.wallMs),
          startAfter: new Date(Date.now() + 1000 * 2 ** data.attempt),
        },
      ]);
    }
  }

  /**
   * A call for a step: done, failed (the step fails, naming the plugin), or tried again later
   * when the failure was not the call's own (the sandbox restarted under it).
   */
  private async attempt(
    job: FetchedJob,
    data: PluginCallJob,
    args: unknown,
    ticket: TicketGrant | undefined,
  ): Promise<PluginCallAnswer | 'retrying'> {
    try {
      const value = await this.call(data.plugin, handlerOf(data), args, {
        ...(ticket ? { ticket } : {}),
        callId: job.id,
        version: data.version,
      });
      return { ok: true, value };
    } catch (e) {
      // A reply going out is tried again whatever failed (the outside system may be down a while).
      const isRetryable =
        e instanceof SandboxError && (e.isRetryable || (data.kind === 'channel-send' && !isUnavailable(e)));
      if (isRetryable && data.attempt < MAX_CALL_ATTEMPTS) {
        const next = { ...data, attempt: data.attempt + 1 };
        await this.deps.jobs.send([
          {
            ...callJob(jobKeyOf(data), next, this.maxLimits.wallMs),
            startAfter: new Date(Date.now() + 1000 * 2 ** (data.attempt - 1)),
          },
        ]);
        this.deps.log('warn', 'plugin call retried', {
          plugin: data.plugin,
          attempt: data.attempt,
          error: errorText(e),
        });
        return 'retrying';
      }
      if (e instanceof PluginUnavailable)
        return { ok: false, error: e.message, code: `PLUGIN_${e.status.toUpperCase()}` };
      if (e instanceof SandboxError) return { ok: false, error: e.message, code: e.code };
      throw e;
    }
  }

  private async runNodeJob(job: FetchedJob, data: NodeCallJob): Promise<void> {
    const em = this.em();
    let view: JsonValue | undefined;
    try {
      view = await this.ticketView(em, data.ticketId);
    } catch {
      view = undefined;
    }
    const inputs = {
      ...data.args.inputs,
      ticket: {
        ...((data.args.inputs.ticket as object | undefined) ?? {}),
        ...((view as object | undefined) ?? {}),
        id: data.ticketId,
      },
    };
    const answer = await this.attempt(
      job,
      data,
      { ...data.args, inputs },
      {
        id: data.ticketId,
        access: this.ticketAccess(data.plugin),
        scope: { by: 'workflow', instanceId: data.instanceId },
      },
    );
    if (answer === 'retrying') return;
    const payload: PluginCallAnswer = answer.ok
      ? answer
      : {
          ok: false,
          code: answer.code,
          error: UNAVAILABLE_CODES.includes(answer.code ?? '')
            ? `${answer.error}, so the step "${data.nodeTitle}" (${data.nodeId}) did not run: ${answer.code === 'PLUGIN_DISABLED' ? 'enable the plugin' : 'install and enable the plugin'}, then retry the workflow instance.`
            : `The plugin "${data.plugin}" failed in the step "${data.nodeTitle}" (${data.nodeId}): ${answer.error}${answer.code ? ` (${answer.code})` : ''}.`,
        };
    await this.deps.workflows.dispatch(
      em,
      data.instanceId,
      { type: 'outside_event', name: data.reply.name, key: data.reply.key, payload },
      SYSTEM_CAUSE,
    );
  }

  private async runSlaJob(job: FetchedJob, data: SlaCallJob): Promise<void> {
    const em = this.em();
    const ticket = await this.ticketView(em, data.ticketId).catch(() => ({ id: data.ticketId }));
    const answer = await this.attempt(
      job,
      data,
      { ...data.args, ticket },
      { id: data.ticketId, access: this.ticketAccess(data.plugin), scope: { by: 'sla' } },
    );
    if (answer === 'retrying') return;
    const note = answer.ok ? (answer.value as { note?: unknown } | null)?.note : undefined;
    const body = answer.ok
      ? `"${data.title}" (plugin ${data.plugin}) ${data.moment}: ${typeof note === 'string' && note.trim() ? note.trim().slice(0, 2000) : 'done'}.`
      : `"${data.title}" (plugin ${data.plugin}) ${data.moment} failed: ${answer.error}${answer.code ? ` (${answer.code})` : ''}.`;
    await em.transactional((tx) =>
      this.deps.tickets.append(tx, [
        {
          ticketId: data.ticketId,
          kind: 'sla.action',
          body,
          diff: null,
          actor: SYSTEM_ACTOR,
          isPublic: false,
        },
      ]),
    );
  }

  /**
   * A change listener of the ticket store: an agent's public reply on a ticket that came in
   * through a plugin channel that sends (and has a thread) goes back out through it, by a job
   * enqueued in the reply's transaction.
   */
  async onTicketChanged(tx: EntityManager, change: TicketChanged): Promise<void> {
    if (change.actor.kind !== 'user') return;
    const reply = change.entries.find((e) => e.kind === 'reply' && e.isPublic);
    if (!reply?.body) return;
    const channelKey = String(change.row.channel);
    const dot = channelKey.indexOf('.');
    if (dot < 0) return;
    const plugin = channelKey.slice(0, dot);
    const channel = channelKey.slice(dot + 1);
    const known = this.known.get(plugin);
    if (known?.status !== 'enabled') return;
    if (!known.manifest.contributes.channels.some((c) => c.name === channel && c.canSend)) return;
    const threadKey = await threadOfTicket(tx, channelKey, change.ticketId);
    if (!threadKey) return;
    const job: ChannelSendJob & { version?: string | undefined } = {
      kind: 'channel-send',
      plugin,
      version: known.version,
      channel,
      ticketId: change.ticketId,
      threadKey,
      authorUserId: change.actor.id,
      text: reply.body,
      eventKey: randomUUID(),
      attempt: 1,
    };
    await this.deps.jobs.sendInTransaction(tx, [callJob(`send:${job.eventKey}`, job, this.maxLimits.wallMs)]);
  }

  /**
   * Queues, in the transaction `tx` that writes an inbound message's ticket or reply, the
   * acknowledgement its channel plugin asked for: it goes back to the sender on the ticket's
   * thread through the channel's `send`, like an agent's public reply (no agent is its author).
   * Nothing is queued for a channel that cannot send, or a ticket with no thread on it.
   */
  async queueAcknowledgement(
    tx: EntityManager,
    input: { plugin: string; channel: string; ticketId: string; text: string },
  ): Promise<boolean> {
    const text = input.text.trim().slice(0, 20_000);
    const known = this.known.get(input.plugin);
    if (!text || known?.status !== 'enabled') return false;
    if (!known.manifest.contributes.channels.some((c) => c.name === input.channel && c.canSend)) return false;
    const threadKey = await threadOfTicket(tx, `${input.plugin}.${input.channel}`, input.ticketId);
    if (!threadKey) return false;
    const job: ChannelSendJob & { version?: string | undefined } = {
      kind: 'channel-send',
      plugin: input.plugin,
      version: known.version,
      channel: input.channel,
      ticketId: input.ticketId,
      threadKey,
      authorUserId: null,
      text,
      eventKey: randomUUID(),
      attempt: 1,
      purpose: 'acknowledgement',
    };
    await this.deps.jobs.sendInTransaction(tx, [callJob(`send:${job.eventKey}`, job, this.maxLimits.wallMs)]);
    return true;
  }

  private async runSendJob(job: FetchedJob, data: ChannelSendJob): Promise<void> {
    const em = this.em();
    const ticket = await this.ticketView(em, data.ticketId).catch(() => ({ id: data.ticketId }));
    const people = await replyPeople(em, { ticketId: data.ticketId, authorUserId: data.authorUserId });
    const answer = await this.attempt(
      job,
      data,
      {
        threadKey: data.threadKey,
        replyId: data.eventKey,
        ticket,
        reply: { text: data.text, author: { name: people.authorName ?? 'Docket' } },
        recipients: people.recipients,
      },
      undefined,
    );
    if (answer === 'retrying') return;
    await em.transactional((tx) =>
      this.deps.tickets.append(tx, [
        {
          ticketId: data.ticketId,
          kind: answer.ok ? 'channel.sent' : 'channel.send_failed',
          body:
            data.purpose === 'acknowledgement'
              ? answer.ok
                ? `The acknowledgement to the sender went out through ${data.plugin}.${data.channel}:\n${data.text}`
                : `The acknowledgement to the sender did not go out through ${data.plugin}.${data.channel}: ${answer.error}${answer.code ? ` (${answer.code})` : ''}.\n${data.text}`
              : answer.ok
                ? `The reply went out through ${data.plugin}.${data.channel}.`
                : `The reply did not go out through ${data.plugin}.${data.channel}: ${answer.error}${answer.code ? ` (${answer.code})` : ''}.`,
          diff: null,
          actor: SYSTEM_ACTOR,
          isPublic: false,
        },
      ]),
    );
  }

  // -------------------------------------------------------------------------------------------

  /** Stops the sandbox host process and writes what the recorder holds. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearInterval(this.syncTimer);
    const host = this.host ?? (await this.starting?.catch(() => undefined));
    await host?.close();
    this.mail.close();
    await this.recorder.flush();
  }

  /** The limits a plugin runs with (its own within the server's maxima). */
  limitsOf(limits: Partial<PluginLimits>): PluginLimits {
    const out = { ...DEFAULT_LIMITS };
    for (const k of Object.keys(out) as (keyof PluginLimits)[])
      out[k] = Math.min(limits[k] ?? DEFAULT_LIMITS[k], this.maxLimits[k]);
    return out;
  }
}
