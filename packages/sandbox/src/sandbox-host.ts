import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  effectivePermissions,
  expandConfigFetchRules,
  handlerNamesOf,
  type JsonValue,
  PLUGIN_NAME_RE,
} from '@docket/core';
import { deserializeError, SandboxError } from './errors.ts';
import type { LoadSpec, ToHost, ToParent } from './protocol.ts';
import {
  type BatchCall,
  type BatchResult,
  type CallOptions,
  DEFAULT_LIMITS,
  DEFAULT_MAX_LIMITS,
  type FetchResult,
  type FollowUpRequest,
  type HostCallSource,
  type HostServices,
  type LogLevel,
  type OutgoingMail,
  type PluginLimits,
  type PluginNotice,
  type SandboxEvent,
  type SandboxPlugin,
  type SandboxStats,
  type TicketGrant,
} from './types.ts';
import { packToHost, unpackToParent, type WireToParent } from './wire.ts';

export type SandboxHostOptions = {
  services: HostServices;
  /** The server's ceilings for every plugin's limits (missing ones take DEFAULT_MAX_LIMITS). */
  maxLimits?: Partial<PluginLimits>;
  /**
   * How IPC messages are encoded: 'json' (the default: every message is JSON-safe, arguments and
   * results already JSON text, and node's JSON channel is the faster one) or 'advanced' (structured clone).
   */
  serialization?: 'advanced' | 'json';
  /**
   * The host process's script. Default: host/host-process.ts beside this file (run through tsx)
   * or sandbox-host.js beside the bundled file.
   */
  entry?: { path: string; execArgv?: string[] };
  /** More node arguments for the host process (e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']). */
  execArgv?: string[];
  /** How long past a call's wall limit the server waits before it deems the host process hung and restarts it. */
  hostGraceMs?: number;
  /** How long the host process may take to start. */
  startTimeoutMs?: number;
};

type PendingCall = {
  settle: (r: BatchResult) => void;
  grant: TicketGrant | undefined;
  /** Date.now() past which the host process is deemed hung (the call's wall limit plus grace). */
  deadline: number;
  pluginId: string;
};

type PendingRequest = { resolve: (v: JsonValue | undefined) => void; reject: (e: SandboxError) => void };

type LoadedPlugin = { plugin: SandboxPlugin; spec: LoadSpec };

const now = () => new Date().toISOString();

function defaultEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  const bundled = join(dir, 'sandbox-host.js');
  if (!here.endsWith('.ts') && existsSync(bundled)) return { path: bundled, execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { path: join(dir, 'host', 'host-process.ts'), execArgv: ['--import', tsx] };
}

/** Checks admin limits against the server's maxima and fills in the defaults. */
export function resolveLimits(
  requested: Partial<PluginLimits> | undefined,
  maxima: PluginLimits,
): PluginLimits {
  const out = { ...DEFAULT_LIMITS };
  const problems: string[] = [];
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof PluginLimits)[]) {
    const v = requested?.[key];
    if (v === undefined) {
      out[key] = Math.min(out[key], maxima[key]);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      problems.push(`${key} must be a positive number`);
    else if (v > maxima[key]) problems.push(`${key} is ${v}, over the server's maximum of ${maxima[key]}`);
    else out[key] = v;
  }
  if (problems.length > 0) throw new SandboxError('INVALID_PLUGIN', `limits: ${problems.join('; ')}`);
  return out;
}

/**
 * The server's handle on the sandbox host process: starts it, loads plugins into it, calls their
 * handlers, answers their host calls through `services`, and restarts it when it dies (calls in
 * flight then fail with HOST_RESTARTED, which is retryable; loaded plugins are loaded again).
 *
 * Calls made in the same turn of the event loop travel in one IPC message (and their answers
 * likewise), so concurrent callers are batched without asking; `callBatch` does it explicitly.
 */
export class SandboxHost {
  private readonly options: SandboxHostOptions;
  private readonly maxLimits: PluginLimits;
  private readonly plugins = new Map<string, LoadedPlugin>();
  private readonly calls = new Map<number, PendingCall>();
  private readonly requests = new Map<number, PendingRequest>();
  private child: ChildProcess | undefined;
  private isReady = false;
  private isClosed = false;
  private held: ToHost[] = [];
  private outbox: ToHost[] = [];
  private isFlushScheduled = false;
  private nextCid = 1;
  private nextRid = 1;
  private nextSharedId = 1;
  private hangTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  private recentCrashes: number[] = [];
  private readyWaiters: (() => void)[] = [];

  private constructor(options: SandboxHostOptions) {
    this.options = options;
    this.maxLimits = { ...DEFAULT_MAX_LIMITS, ...options.maxLimits };
  }

  /** Starts the host process and resolves once it answers. */
  static async start(options: SandboxHostOptions): Promise<SandboxHost> {
    const host = new SandboxHost(options);
    try {
      await host.spawn();
    } catch (e) {
      await host.close();
      throw e;
    }
    return host;
  }

  /** The host process's pid (changes after a restart). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): Promise<void> {
    const entry = this.options.entry ?? defaultEntry();
    const startedAt = performance.now();
    const child = fork(entry.path, [], {
      execArgv: ['--no-node-snapshot', ...(entry.execArgv ?? []), ...(this.options.execArgv ?? [])],
      serialization: this.options.serialization ?? 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, DOCKET_SANDBOX_FETCH_SERVICE: this.options.services.fetch ? '1' : '0' },
    });
    this.child = child;
    this.isReady = false;
    return new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new SandboxError('HOST_RESTARTED', 'the sandbox host process did not start in time'));
      }, this.options.startTimeoutMs ?? 30_000);
      child.on('message', (wire: WireToParent[]) => {
        unpackToParent(wire, (m) => {
          if (m.t === 'ready') {
            clearTimeout(timeout);
            this.emit({
              kind: 'host-started',
              pid: m.pid,
              startMs: Math.round(performance.now() - startedAt),
              at: now(),
            });
            void this.onReady(child).then(resolve, reject);
          } else this.onMessage(m);
        });
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timeout);
        if (!this.isReady)
          reject(
            new SandboxError(
              'HOST_RESTARTED',
              `the sandbox host process exited while starting (${signal ?? `exit code ${code}`})`,
            ),
          );
        this.onExit(child, code, signal);
      });
      child.on('error', () => {}); // 'exit' follows and handles it
    });
  }

  private async onReady(child: ChildProcess): Promise<void> {
    // After a restart: load every plugin again before calls held meanwhile go out.
    const loads = [...this.plugins.values()].map((p) =>
      this.request({ t: 'load', rid: 0, spec: p.spec }, true).catch((e: SandboxError) => {
        this.plugins.delete(p.spec.id);
        this.emit({
          kind: 'isolate-rebuilt',
          pluginId: p.spec.id,
          version: p.spec.version,
          reason: `could not be loaded again after a host restart: ${e.message}`,
          at: now(),
        });
      }),
    );
    await Promise.all(loads);
    if (this.child !== child) return;
    this.isReady = true;
    for (const m of this.held) this.post(m);
    this.held = [];
    for (const w of this.readyWaiters.splice(0)) w();
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.isReady = false;
    // Whatever was waiting to go out belongs to calls and requests failed below: none of it may
    // run on the next host process (a retried job would then run twice).
    this.outbox = [];
    this.held = [];
    const failed = this.calls.size;
    for (const [cid, c] of this.calls) {
      this.calls.delete(cid);
      c.settle({
        ok: false,
        error: new SandboxError(
          'HOST_RESTARTED',
          `the sandbox host process stopped (${signal ?? `exit code ${code}`}) during the call; try again`,
        ),
      });
    }
    for (const [rid, r] of this.requests) {
      this.requests.delete(rid);
      r.reject(new SandboxError('HOST_RESTARTED', 'the sandbox host process stopped; try again'));
    }
    if (this.isClosed) return;
    this.emit({
      kind: 'host-exit',
      pid: child.pid ?? 0,
      exitCode: code,
      signal,
      callsFailed: failed,
      at: now(),
    });
    this.restarts++;
    const t = Date.now();
    this.recentCrashes = [...this.recentCrashes.filter((x) => t - x < 60_000), t];
    const delay = Math.min(
      5_000,
      this.recentCrashes.length <= 2 ? 0 : 100 * 2 ** (this.recentCrashes.length - 3),
    );
    setTimeout(() => {
      if (!this.isClosed) this.spawn().catch(() => {});
    }, delay).unref();
  }

  /** Sends now when the host is up (or always, for the reloads a restart makes); holds otherwise. */
  private post(m: ToHost, isDuringStart = false): void {
    if (!this.isReady && !isDuringStart) {
      this.held.push(m);
      return;
    }
    this.outbox.push(m);
    if (!this.isFlushScheduled) {
      this.isFlushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.isFlushScheduled = false;
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0) return;
    const child = this.child;
    if (child?.connected) child.send(packToHost(batch));
  }

  private request(
    m: Extract<ToHost, { rid: number }>,
    isDuringStart = false,
  ): Promise<JsonValue | undefined> {
    if (this.isClosed) return Promise.reject(new SandboxError('HOST_CLOSED', 'the sandbox is closed'));
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      this.requests.set(rid, { resolve, reject });
      this.post({ ...m, rid } as ToHost, isDuringStart);
    });
  }

  /**
   * Loads (or replaces) a plugin. Its permissions become what both its manifest requests and
   * `grants` allow; its limits are checked against the server's maxima. Calls already running on a
   * replaced version finish there. Throws SandboxError INVALID_PLUGIN with the reason.
   */
  async load(plugin: SandboxPlugin): Promise<void> {
    if (!PLUGIN_NAME_RE.test(plugin.id))
      throw new SandboxError(
        'INVALID_PLUGIN',
        `"${plugin.id}" is not a plugin id (lowercase letters, digits, "_")`,
      );
    if (plugin.manifest.name !== plugin.id)
      throw new SandboxError(
        'INVALID_PLUGIN',
        `the manifest names "${plugin.manifest.name}", not "${plugin.id}"`,
      );
    const permissions = effectivePermissions(plugin.manifest.permissions ?? {}, plugin.grants ?? {});
    if (permissions.fetch) {
      // `config:<setting>` entries become the hosts of the URLs the admin set there.
      const fetch = expandConfigFetchRules(permissions.fetch, { ...plugin.config, ...plugin.secrets });
      if (fetch.length > 0) permissions.fetch = fetch;
      else delete permissions.fetch;
    }
    const spec: LoadSpec = {
      id: plugin.id,
      version: plugin.version,
      code: plugin.code,
      permissions,
      limits: resolveLimits(plugin.limits, this.maxLimits),
      configJson: JSON.stringify(plugin.config ?? {}),
      secretsJson: JSON.stringify(plugin.secrets ?? {}),
      requiredHandlers: handlerNamesOf(plugin.manifest),
    };
    const entry = { plugin, spec };
    this.plugins.set(plugin.id, entry);
    try {
      await this.request({ t: 'load', rid: 0, spec });
    } catch (e) {
      if (this.plugins.get(plugin.id) === entry) this.plugins.delete(plugin.id);
      throw e;
    }
  }

  /** Unloads a plugin; its calls in flight fail with PLUGIN_NOT_LOADED. */
  async unload(id: string): Promise<void> {
    this.plugins.delete(id);
    await this.request({ t: 'unload', rid: 0, id });
  }

  /** The ids and versions loaded now. */
  loaded(): { id: string; version: string }[] {
    return [...this.plugins.values()].map((p) => ({ id: p.spec.id, version: p.spec.version }));
  }

  /**
   * Calls a handler (`node:parcel.lookup`, `sla:post_message` … see handlerNameOf in @docket/core)
   * with JSON arguments; resolves with its JSON result or rejects with a SandboxError.
   */
  call<T = unknown>(pluginId: string, handler: string, args: unknown, options: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.send({
        pluginId,
        handler,
        args,
        options,
        sharedId: 0,
        sharedBytes: 0,
        settle: (r) => (r.ok ? resolve(r.value as T) : reject(r.error)),
      }),
    );
  }

  private send(input: {
    pluginId: string;
    handler: string;
    args: unknown;
    options: CallOptions;
    sharedId: number;
    sharedBytes: number;
    settle: (r: BatchResult) => void;
  }): undefined {
    const { pluginId, handler, args, options, settle } = input;
    const fail = (error: SandboxError): undefined => {
      settle({ ok: false, error });
      return undefined;
    };
    if (this.isClosed) return fail(new SandboxError('HOST_CLOSED', 'the sandbox is closed'));
    const loaded = this.plugins.get(pluginId);
    if (!loaded) return fail(new SandboxError('PLUGIN_NOT_LOADED', `plugin ${pluginId} is not loaded`));
    let argsJson: string | undefined;
    try {
      argsJson = JSON.stringify(args ?? null);
    } catch (e) {
      return fail(new SandboxError('INVALID_ARGS', `the arguments are not JSON: ${(e as Error).message}`));
    }
    if (argsJson === undefined)
      return fail(new SandboxError('INVALID_ARGS', 'the arguments are not JSON (a function or undefined)'));
    const { limits } = loaded.spec;
    const bytes =
      input.sharedBytes +
      (argsJson.length > limits.payloadInBytes / 3 ? Buffer.byteLength(argsJson, 'utf8') : argsJson.length);
    if (bytes > limits.payloadInBytes)
      return fail(
        new SandboxError(
          'LIMIT_PAYLOAD_IN',
          `the arguments are ${bytes} bytes, over ${pluginId}'s limit of ${limits.payloadInBytes}`,
        ),
      );
    const wallMs = Math.min(options.wallMs ?? limits.wallMs, limits.wallMs);
    const cid = this.nextCid++;
    const grant = options.ticket;
    const deadline = Date.now() + wallMs + (this.options.hostGraceMs ?? 5_000);
    this.calls.set(cid, { settle, grant, deadline, pluginId });
    this.watchHang();
    this.post({
      t: 'call',
      cid,
      pluginId,
      handler,
      argsJson,
      callId: options.callId ?? `c${cid}`,
      ticketId: grant ? String(grant.id) : '',
      ticketAccess: grant ? grant.access : '',
      wallMs,
      sharedId: input.sharedId,
    });
    return undefined;
  }

  /**
   * Many calls in one go (one IPC message each way); each answer says ok or its error, in order.
   * `shared` holds arguments common to every call (a message template, a team's candidates): sent
   * and parsed once, each handler gets `{ ...shared, ...args }` (args must then be objects).
   */
  callBatch(
    calls: readonly BatchCall[],
    options: { shared?: Record<string, unknown> } = {},
  ): Promise<BatchResult[]> {
    let sharedId = 0;
    let sharedBytes = 0;
    if (options.shared !== undefined) {
      let json: string | undefined;
      try {
        json = JSON.stringify(options.shared);
      } catch (e) {
        return Promise.reject(
          new SandboxError('INVALID_ARGS', `the shared arguments are not JSON: ${(e as Error).message}`),
        );
      }
      if (json === undefined || json[0] !== '{')
        return Promise.reject(new SandboxError('INVALID_ARGS', 'the shared arguments must be a JSON object'));
      sharedId = this.nextSharedId++;
      sharedBytes = Buffer.byteLength(json, 'utf8');
      this.post({ t: 'shared', id: sharedId, json });
    }
    if (calls.length === 0) return Promise.resolve([]);
    // One promise for the batch: each call's outcome lands in its slot.
    return new Promise((resolve) => {
      const results = new Array<BatchResult>(calls.length);
      let left = calls.length;
      const settle = (i: number, r: BatchResult) => {
        results[i] = r;
        if (--left === 0) resolve(results);
      };
      calls.forEach((c, i) => {
        this.send({
          pluginId: c.pluginId,
          handler: c.handler,
          args: c.args,
          options: c.options ?? {},
          sharedId,
          sharedBytes,
          settle: (r) => settle(i, r),
        });
      });
    });
  }

  /**
   * While calls are in flight, a timer looks for one that outlived its wall limit by the grace
   * period: then the host process is not answering (its own limits would have ended the call), and
   * it is killed to be restarted.
   */
  private watchHang(): void {
    this.hangTimer ??= setInterval(() => {
      if (this.calls.size === 0) {
        clearInterval(this.hangTimer);
        this.hangTimer = undefined;
        return;
      }
      const at = Date.now();
      for (const c of this.calls.values())
        if (c.deadline < at) {
          this.child?.kill('SIGKILL');
          return;
        }
    }, 500);
    this.hangTimer.unref();
  }

  async stats(): Promise<SandboxStats> {
    const v = (await this.request({ t: 'stats', rid: 0 })) as unknown as Omit<
      SandboxStats['host'],
      'restarts'
    > & {
      plugins: SandboxStats['plugins'];
    };
    const { plugins, ...host } = v;
    return { host: { ...host, restarts: this.restarts }, plugins };
  }

  /** Stops the host process; calls in flight fail with HOST_CLOSED. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.hangTimer) clearInterval(this.hangTimer);
    for (const [cid, c] of this.calls) {
      this.calls.delete(cid);
      c.settle({
        ok: false,
        error: new SandboxError('HOST_CLOSED', 'the sandbox was closed during the call'),
      });
    }
    for (const w of this.readyWaiters.splice(0)) w();
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect?.();
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    });
  }

  private emit(event: SandboxEvent): void {
    try {
      this.options.services.event(event);
    } catch {}
  }

  private onMessage(m: ToParent): void {
    switch (m.t) {
      case 'result': {
        const c = this.calls.get(m.cid);
        if (!c) return;
        this.calls.delete(m.cid);
        if (m.ok) {
          let value: unknown;
          try {
            value = m.json.includes('"__proto__"') ? JSON.parse(m.json, dropProto) : JSON.parse(m.json);
          } catch {
            c.settle({
              ok: false,
              error: new SandboxError('PLUGIN_ERROR', 'the plugin answered with something that is not JSON'),
            });
            return;
          }
          c.settle({ ok: true, value });
        } else c.settle({ ok: false, error: deserializeError(m.error) });
        return;
      }
      case 'reply': {
        const r = this.requests.get(m.rid);
        if (!r) return;
        this.requests.delete(m.rid);
        if (m.ok) r.resolve(m.value);
        else r.reject(deserializeError(m.error!));
        return;
      }
      case 'event':
        this.emit(m.event);
        return;
      case 'log': {
        const v = safeParse(m.json) as { level?: unknown; message?: unknown; data?: JsonValue } | undefined;
        const level: LogLevel = (['debug', 'info', 'warn', 'error'] as const).includes(v?.level as LogLevel)
          ? (v!.level as LogLevel)
          : 'info';
        try {
          this.options.services.log({
            ...m.source,
            level,
            message: String(v?.message ?? ''),
            ...(v?.data === undefined || v.data === null ? {} : { data: v.data }),
            at: now(),
          });
        } catch {}
        return;
      }
      case 'metric': {
        const v = safeParse(m.json) as { name?: unknown; value?: unknown; tags?: unknown } | undefined;
        if (!v || typeof v.name !== 'string' || typeof v.value !== 'number' || !Number.isFinite(v.value))
          return;
        const tags =
          v.tags && typeof v.tags === 'object' && !Array.isArray(v.tags)
            ? Object.fromEntries(Object.entries(v.tags).map(([k, x]) => [k, String(x)]))
            : undefined;
        try {
          this.options.services.metric({
            ...m.source,
            name: v.name,
            value: v.value,
            ...(tags ? { tags } : {}),
          });
        } catch {}
        return;
      }
      case 'svc':
        void this.service(m);
        return;
    }
  }

  private async service(m: Extract<ToParent, { t: 'svc' }>): Promise<void> {
    const s = this.options.services;
    const source: HostCallSource = m.source;
    const p = (m.payload ?? {}) as Record<string, JsonValue>;
    let out: { ok: boolean; json: string };
    try {
      let value: unknown;
      switch (m.op) {
        case 'kv.get':
          value = await s.kvGet({ ...source, key: String(p.key) });
          break;
        case 'kv.set':
          await s.kvSet({
            ...source,
            key: String(p.key),
            value: p.value ?? null,
            ...(typeof p.ttlSeconds === 'number' ? { ttlSeconds: p.ttlSeconds } : {}),
          });
          value = null;
          break;
        case 'kv.delete':
          await s.kvDelete({ ...source, key: String(p.key) });
          value = null;
          break;
        case 'kv.list':
          value = await s.kvList({
            ...source,
            prefix: String(p.prefix ?? ''),
            limit: Number(p.limit ?? 100),
          });
          break;
        case 'ticket.read':
        case 'ticket.patch': {
          const grant = this.calls.get(m.cid)?.grant;
          if (!grant) throw new Error('the call has ended or was not made for a ticket');
          value =
            m.op === 'ticket.read'
              ? await s.ticketRead({ ...source, ticket: grant })
              : await s.ticketPatch({
                  ...source,
                  ticket: grant,
                  patch: (p.patch ?? {}) as Record<string, JsonValue>,
                });
          break;
        }
        case 'org.manager':
          if (!s.orgManager) throw new Error('this server answers no org lookups for plugins');
          value = await s.orgManager({ ...source, userId: Number(p.userId) });
          break;
        case 'org.team':
          if (!s.orgTeam) throw new Error('this server answers no org lookups for plugins');
          value = await s.orgTeam({ ...source, team: String(p.team), skills: (p.skills ?? []) as string[] });
          break;
        case 'notify':
          if (!s.notify) throw new Error('this server sends no notices for plugins');
          value = await s.notify({
            ...source,
            ticket: this.calls.get(m.cid)?.grant ?? null,
            notice: m.payload as unknown as PluginNotice,
          });
          break;
        case 'ticket.follow-up': {
          const grant = this.calls.get(m.cid)?.grant;
          if (!grant) throw new Error('the call has ended or was not made for a ticket');
          if (!s.ticketFollowUp) throw new Error('this server opens no follow-up tickets for plugins');
          value = await s.ticketFollowUp({
            ...source,
            ticket: grant,
            followUp: p.followUp as unknown as FollowUpRequest,
          });
          break;
        }
        case 'mail.send': {
          if (!s.mailSend) throw new Error('this server sends no mail for plugins');
          value = await s.mailSend({ ...source, mail: m.payload as unknown as OutgoingMail });
          break;
        }
        case 'fetch': {
          if (!s.fetch) throw new Error('no fetch service');
          const r: FetchResult = await s.fetch({ ...source, request: m.payload as never });
          value = r;
          break;
        }
      }
      out = { ok: true, json: JSON.stringify(value ?? null) };
    } catch (e) {
      out = { ok: false, json: (e as Error)?.message ?? String(e) };
    }
    this.post({ t: 'svc-reply', sid: m.sid, ok: out.ok, json: out.json });
  }
}

/** JSON.parse reviver: a plugin's `__proto__` key is dropped, never turned into a prototype. */
function dropProto(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

function safeParse(json: string): unknown {
  try {
    return JSON.parse(json, dropProto);
  } catch {
    return undefined;
  }
}

export { SandboxError };
