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
  /** The handler (a user id), the team and org unit it sits with, and the customer it is for. */
  assigneeId?: number | null;
  teamId?: number | null;
  orgUnitId?: number | null;
  requesterId?: number | null;
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
  /**
   * Besides title, description, priority and custom fields, a patch may hand the ticket over:
   * `assigneeId` (an active user; with `teamId`, a member of that team) and `teamId`.
   */
  patch?(patch: TicketPatch): Promise<TicketView>;
  /**
   * Opens a follow-up ticket linked to this one (permission `followUps`): in the name of the person
   * it is for, within what they may do, assigned to them, for the same customer. Both tickets'
   * timelines name the other. Returns the new ticket.
   */
  createFollowUp?(followUp: FollowUp): Promise<TicketView>;
};

export type FollowUp = {
  /** The person the follow-up is for (a user id): a supervisor, a manager. */
  forUserId: number;
  title: string;
  description?: string;
  /** Default: the template of the ticket it follows. */
  templateKey?: string;
  /** The form; default: the followed ticket's when the template is the same. */
  formData?: Record<string, JsonValue>;
  priority?: 'urgent' | 'high' | 'normal' | 'low';
  /**
   * Idempotency key (one line, at most 200 characters): the same key opens one follow-up of this
   * ticket, and calling again (a retry after a crash) returns that follow-up. Default: one per
   * person it is for and title.
   */
  key?: string;
};

/** A person as `org` lookups give them. */
export type OrgPerson = {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  orgUnit: { id: number; name: string } | null;
};

/** A team member holding the skills asked for, with the open work they hold now. */
export type TeamMember = OrgPerson & {
  skills: string[];
  /** Open tickets (not solved or closed) they handle. */
  openTickets: number;
  /** Open workflow tasks assigned to them. */
  openTasks: number;
};

/** People around a ticket (permission `org`). */
export type OrgApi = {
  /** A user's manager while active, or null: the manager of their org unit (or of the nearest unit above with one, never themself), else the person they report to. */
  manager(userId: number): Promise<OrgPerson | null>;
  /** A team's active members (by team id or name) who hold every skill named, least loaded first. */
  teamMembers(query: {
    team: string | number;
    skills?: string[];
  }): Promise<{ team: { id: number; name: string }; members: TeamMember[] }>;
};

/** A notice to people (permission `notify`), about the ticket of the call when there is one. */
export type PluginNoticeInput = {
  userIds: number[];
  /** Notification target keys (`sms.sms`, `chat_robots.wecom`); in-app always, targets as well. */
  targets?: string[];
  subject: string;
  text: string;
  /** The same key sends a notice once per person (default: once per call). */
  key?: string;
};

export type NotifyResult = {
  /** How many people it reached in-app. */
  notified: number;
  /** The targets it went out through (each delivery's result shows on the ticket's timeline). */
  targets: string[];
  /** Targets named that are not installed and enabled. */
  unknownTargets: string[];
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
  /** People around a ticket (permission `org: true`). */
  org: OrgApi;
  /** Sends a notice to people through the server's notifier (permission `notify: true`). */
  notify: (notice: PluginNoticeInput) => Promise<NotifyResult>;
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
