import type {
  FieldError,
  JsonValue,
  PluginManifest,
  PluginPermissions,
  PluginTicketAccess,
} from '@docket/core';
import type { SandboxErrorCode } from './errors.ts';

/** Per-plugin limits. The admin sets them within the server's maxima (`SandboxHostOptions.maxLimits`). */
export type PluginLimits = {
  /** The isolate's heap limit in MB (isolated-vm's memoryLimit; hostile code may use 2-3 times it). */
  memoryMb: number;
  /** CPU time one call may use inside the isolate, in ms. */
  cpuMs: number;
  /** Wall time from the call's start to its answer, in ms (host calls such as fetch count). */
  wallMs: number;
  /** Largest JSON argument of a call, in bytes (UTF-8). */
  payloadInBytes: number;
  /** Largest JSON result of a call, in bytes (UTF-8). */
  payloadOutBytes: number;
  /** Most host calls (fetch, kv, ticket, log, metric) one call may make. */
  hostCalls: number;
  /** Most time one fetch may take, in ms (the call's wall time still bounds it). */
  fetchTimeoutMs: number;
  /** Largest fetch response body, in bytes. */
  fetchResponseBytes: number;
};

export const DEFAULT_LIMITS: PluginLimits = {
  memoryMb: 64,
  cpuMs: 1_000,
  wallMs: 15_000,
  payloadInBytes: 1_000_000,
  payloadOutBytes: 1_000_000,
  hostCalls: 200,
  fetchTimeoutMs: 10_000,
  fetchResponseBytes: 2_000_000,
};

/** The server's ceilings: no admin setting may exceed them. */
export const DEFAULT_MAX_LIMITS: PluginLimits = {
  memoryMb: 256,
  cpuMs: 30_000,
  wallMs: 300_000,
  payloadInBytes: 10_000_000,
  payloadOutBytes: 10_000_000,
  hostCalls: 10_000,
  fetchTimeoutMs: 60_000,
  fetchResponseBytes: 20_000_000,
};

/** What `SandboxHost.load` takes: one installed, enabled plugin version. */
export type SandboxPlugin = {
  /** The plugin's id: its manifest name (one loaded version per id; load again to replace). */
  id: string;
  version: string;
  /** The bundle `docket-plugin build` made: one script that defines `globalThis.__docketPlugin`. */
  code: string;
  manifest: PluginManifest;
  /** What the admin granted; the plugin gets what both the manifest requests and this grants. */
  grants: PluginPermissions;
  /** Admin-set limits (missing ones take DEFAULT_LIMITS). */
  limits?: Partial<PluginLimits>;
  /** The plugin's settings without its secrets. */
  config: Record<string, JsonValue>;
  /** The x-secret settings. */
  secrets: Record<string, string>;
};

/**
 * The ticket a call is for and what the call may do with it. `scope` is the server's own (the
 * caller's principal, a step id …): handed back unchanged to `HostServices.ticketRead/Patch`.
 */
export type TicketGrant = { id: string; access: PluginTicketAccess; scope?: JsonValue };

export type CallOptions = {
  /** The ticket this call is for; without one the plugin has no ticket API in this call. */
  ticket?: TicketGrant;
  /** Lower the plugin's wall-time limit for this call (never raises it). */
  wallMs?: number;
  /** A caller's id for the call (a job id), passed to HostServices and events; one is made when absent. */
  callId?: string;
};

export type BatchCall = { pluginId: string; handler: string; args: unknown; options?: CallOptions };

/** One answer of `callBatch`, in the order of the calls. */
export type BatchResult =
  | { ok: true; value: unknown }
  | { ok: false; error: import('./errors.ts').SandboxError };

export type FetchRequest = {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
};

export type FetchResult = {
  status: number;
  statusText: string;
  /** Lowercase header names. */
  headers: Record<string, string>;
  body: string;
  /** The URL answered, after redirects. */
  url: string;
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type SandboxEvent =
  | {
      kind: 'limit';
      pluginId: string;
      version: string;
      code: SandboxErrorCode;
      handler: string;
      callId: string;
      message: string;
      at: string;
    }
  | {
      kind: 'denied';
      pluginId: string;
      version: string;
      capability: 'fetch' | 'kv' | 'ticket';
      handler: string;
      callId: string;
      message: string;
      at: string;
    }
  | { kind: 'isolate-rebuilt'; pluginId: string; version: string; reason: string; at: string }
  | {
      kind: 'host-exit';
      pid: number;
      exitCode: number | null;
      signal: string | null;
      callsFailed: number;
      at: string;
    }
  | { kind: 'host-started'; pid: number; startMs: number; at: string };

/** Who a host call comes from: the plugin (never chosen by plugin code) and the call. */
export type HostCallSource = { pluginId: string; version: string; callId: string; handler: string };

/**
 * What the server supplies: the capabilities the sandbox cannot answer itself (PostgreSQL behind
 * kv and tickets) and the sinks for logs, metrics and events. The sandbox checks grants before it
 * asks; `pluginId` is always the calling plugin's own, never a value plugin code chose.
 */
export type HostServices = {
  kvGet(input: HostCallSource & { key: string }): Promise<JsonValue | null>;
  kvSet(input: HostCallSource & { key: string; value: JsonValue; ttlSeconds?: number }): Promise<void>;
  kvDelete(input: HostCallSource & { key: string }): Promise<void>;
  /** Keys (and values) starting with `prefix`, in key order, at most `limit`. */
  kvList(
    input: HostCallSource & { prefix: string; limit: number },
  ): Promise<{ key: string; value: JsonValue }[]>;
  /** The ticket of the call, as the server shows it to this plugin within the grant's scope. */
  ticketRead(input: HostCallSource & { ticket: TicketGrant }): Promise<JsonValue>;
  /** Applies a patch (field name -> value) through the ticket store; returns the ticket after it. */
  ticketPatch(
    input: HostCallSource & { ticket: TicketGrant; patch: Record<string, JsonValue> },
  ): Promise<JsonValue>;
  log(input: HostCallSource & { level: LogLevel; message: string; data?: JsonValue; at: string }): void;
  metric(input: HostCallSource & { name: string; value: number; tags?: Record<string, string> }): void;
  event(event: SandboxEvent): void;
  /**
   * When given, fetches that passed the allowlist are answered here instead of by the network
   * (the SDK's test harness records and answers them). Without it the sandbox host process does
   * the request itself (timeouts, size cap, private-address checks, redirects re-checked).
   */
  fetch?(input: HostCallSource & { request: FetchRequest }): Promise<FetchResult>;
};

export type PluginStats = {
  id: string;
  version: string;
  calls: number;
  failures: number;
  limitBreaks: number;
  rebuilds: number;
  inFlight: number;
  /** Heap the isolate uses now (0 until its first call builds it). */
  heapBytes: number;
  cpuMs: number;
};

export type SandboxStats = {
  host: { pid: number; restarts: number; rssBytes: number; heapUsedBytes: number; uptimeMs: number };
  plugins: PluginStats[];
};

export type { FieldError };
