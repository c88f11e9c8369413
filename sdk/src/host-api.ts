import type { OutgoingMail } from '../../packages/sandbox/src/types.ts';
import type { JsonValue } from './core.ts';

/** A fetch answer. The body is text (UTF-8); `json()` parses it. */
export type PluginResponse = {
  status: number;
  statusText: string;
  ok: boolean;
  /** Lowercase header names. */
  headers: Readonly<Record<string, string>>;
  url: string;
  text(): Promise<string>;
  json<T = JsonValue>(): Promise<T>;
};

export type FetchInit = {
  method?: string;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body?: string | JsonValue;
};

export type KeyValueStore = {
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | null>;
  set(key: string, value: JsonValue, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Entries whose key starts with `prefix`, in key order (at most `limit`, default 100, up to 1000). */
  list(prefix?: string, options?: { limit?: number }): Promise<{ key: string; value: JsonValue }[]>;
};

export type PluginLog = {
  debug(message: string, data?: JsonValue): void;
  info(message: string, data?: JsonValue): void;
  warn(message: string, data?: JsonValue): void;
  error(message: string, data?: JsonValue): void;
};

/** A ticket as a plugin sees it: the fields the server shows to it within the caller's scope. */
export type TicketView = {
  id: string;
  number?: string;
  title?: string;
  status?: string;
  priority?: string;
  formData?: Record<string, JsonValue>;
  [field: string]: JsonValue | undefined;
};

/** Field name -> new value (a form field under `formData`, or a ticket field the server lets plugins set). */
export type TicketPatch = Record<string, JsonValue>;

/**
 * The ticket a call was made for, and only that one. `patch` is there when the plugin holds
 * `ticket: 'patch'` and the call's caller allows it.
 */
export type TicketApi = {
  readonly id: string;
  read(): Promise<TicketView>;
  patch?(patch: TicketPatch): Promise<TicketView>;
};

/**
 * What every handler gets as its second argument. A capability is there only when the manifest
 * requests it (`permissions`) and the admin granted it: `fetch` and `kv` are undefined otherwise.
 * Nothing else of the host is reachable: no Node APIs, no timers, no other plugin's data.
 */
export type HostApi = {
  /** Fetch a URL on the plugin's allowlist (the host makes the request; redirects are checked too). */
  fetch: (url: string, init?: FetchInit) => Promise<PluginResponse>;
  /** The plugin's own key-value store (kept in the server's database). */
  kv: KeyValueStore;
  /** Sending mail (permission `mail: true`), through the SMTP account the plugin's settings name. */
  mail: MailSender;
  /** The admin's settings for this plugin, without the secrets (frozen). */
  config: Readonly<Record<string, JsonValue>>;
  /** The settings marked `"x-secret": true` (frozen). */
  secrets: Readonly<Record<string, string>>;
  log: PluginLog;
  metric(name: string, value: number, tags?: Record<string, string>): void;
};

/** A mail for `ctx.mail.send`: the SMTP account comes from the plugin's own settings. */
export type { OutgoingMail } from '../../packages/sandbox/src/types.ts';

export type MailSender = {
  /** Sends one mail through the host's SMTP client; resolves once the server accepted it. */
  send(mail: OutgoingMail): Promise<{ messageId: string; accepted: string[]; rejected: string[] }>;
};

/** The host API plus the ticket of the call, for handlers that are called for a ticket. */
export type TicketHostApi = HostApi & { ticket: TicketApi };
