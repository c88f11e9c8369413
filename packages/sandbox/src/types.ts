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
      capability: 'fetch' | 'kv' | 'ticket' | 'mail' | 'org' | 'notify' | 'followUps';
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
  /**
   * Sends one mail for a plugin granted `mail` (the server's SMTP client, through the account the
   * mail names). Without it, plugins' mail is refused.
   */
  mailSend?(
    input: HostCallSource & { mail: OutgoingMail },
  ): Promise<{ messageId: string; accepted: string[]; rejected: string[] }>;
  /**
   * For a plugin granted `org`: the active manager of a user, as an `OrgPerson`, or null. Without
   * it (and the three below), the capability is refused.
   */
  orgManager?(input: HostCallSource & { userId: number }): Promise<JsonValue>;
  /** For `org`: a team's active members holding every skill named, with their open work, least loaded first. */
  orgTeam?(input: HostCallSource & { team: string; skills: string[] }): Promise<JsonValue>;
  /** For `notify`: a notice to users (in-app, and through the targets named), about the call's ticket when it has one. */
  notify?(input: HostCallSource & { ticket: TicketGrant | null; notice: PluginNotice }): Promise<JsonValue>;
  /** For `followUps`: opens a follow-up ticket linked to the call's ticket; returns it as plugins see tickets. */
  ticketFollowUp?(
    input: HostCallSource & { ticket: TicketGrant; followUp: FollowUpRequest },
  ): Promise<JsonValue>;
};

/** A notice a plugin sends (checked by the sandbox before the server sees it). */
export type PluginNotice = {
  userIds: number[];
  /** Notification target keys (`sms.sms`, `chat_robots.wecom`); in-app always. */
  targets: string[];
  subject: string;
  text: string;
  /** Idempotency key: the same key sends a notice once per person (default: one per call). */
  key: string | null;
};

/** A follow-up ticket a plugin asks for (checked by the sandbox before the server sees it). */
export type FollowUpRequest = {
  /** The person it is for: it is opened in their name, within what they may do, and assigned to them. */
  forUserId: number;
  title: string;
  description?: string;
  /** Default: the template of the ticket it follows. */
  templateKey?: string;
  /** The form; default: the followed ticket's when the template is the same. */
  formData?: Record<string, JsonValue>;
  priority?: 'urgent' | 'high' | 'normal' | 'low';
  /**
   * Idempotency key: the same key opens one follow-up of a ticket, and a repeated call answers
   * it (default: one per person it is for and title).
   */
  key?: string;
};

/** A mail a plugin asks the host to send (checked by `checkOutgoingMail` before the server sees it). */
export type OutgoingMail = {
  /** The SMTP account to send through: the plugin's own settings, set by the admin. */
  account: { host: string; port: number; secure?: boolean; user?: string; password?: string };
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  /** Threading: the Message-ID to give the mail, and the ones it answers. */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra headers (e.g. Auto-Submitted); names are checked. */
  headers?: Record<string, string>;
};

const ADDRESS_RE = /^[^\s@<>"]+@[^\s@<>"]+$/;
const HEADER_NAME_RE = /^X-[A-Za-z0-9-]{1,60}$|^Auto-Submitted$|^Precedence$/;

/** Why a mail a plugin handed over cannot be sent, or null when it can. */
export function checkOutgoingMail(m: Record<string, unknown>): string | null {
  const a = m.account as Record<string, unknown> | undefined;
  if (!a || typeof a.host !== 'string' || !a.host) return 'mail.account.host is required';
  if (!Number.isInteger(a.port) || (a.port as number) < 1 || (a.port as number) > 65535)
    return 'mail.account.port must be a port number';
  if (typeof m.from !== 'string' || !ADDRESS_RE.test(m.from.replace(/^.*<|>$/g, '')))
    return 'mail.from must be an email address';
  const list = (v: unknown) =>
    v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string' && ADDRESS_RE.test(x)));
  if (!Array.isArray(m.to) || m.to.length === 0 || !list(m.to)) return 'mail.to must list email addresses';
  if (!list(m.cc)) return 'mail.cc must list email addresses';
  if ((m.to as string[]).length + ((m.cc as string[] | undefined)?.length ?? 0) > 50)
    return 'a mail may go to at most 50 addresses';
  if (typeof m.subject !== 'string' || /[\r\n]/.test(m.subject))
    return 'mail.subject must be one line of text';
  if (typeof m.text !== 'string') return 'mail.text must be text';
  for (const k of ['messageId', 'inReplyTo'] as const)
    if (m[k] !== undefined && (typeof m[k] !== 'string' || /[\r\n]/.test(m[k] as string)))
      return `mail.${k} must be one line`;
  if (
    m.references !== undefined &&
    !(Array.isArray(m.references) && m.references.every((r) => typeof r === 'string' && !/[\r\n]/.test(r)))
  )
    return 'mail.references must list message ids';
  const headers = (m.headers ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(headers))
    if (!HEADER_NAME_RE.test(k) || typeof v !== 'string' || /[\r\n]/.test(v))
      return `the header "${k.slice(0, 60)}" may not be set (X-…, Auto-Submitted and Precedence, one line each)`;
  return null;
}

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
