import {
  type ChannelHttpMethod,
  defineCoreNodeType,
  type FromSchema,
  type JsonObject,
  type JsonSchema,
  type JsonValue,
  type NodeCategory,
  type NodeOutput,
  type NodePorts,
} from './core.ts';
import type { HostApi, TicketHostApi, TicketView } from './host-api.ts';

/** A value or a promise of it: handlers may be async or not. */
export type Awaitable<T> = T | Promise<T>;

// ---------------------------------------------------------------------------------------------
// Node types

/** What a workflow step of a plugin node type gets. */
export type NodeRunInput<TConfig> = {
  /** The node's config as the admin set it in the workflow (already migrated to this version). */
  config: TConfig;
  inputs: {
    /** The ticket's facts (number, title, status, priority, assignee, channel, fields …). */
    ticket: TicketView;
    /** The ticket's form data. */
    form: Record<string, JsonValue>;
    /** Earlier steps' outputs by node id. */
    steps: Record<string, JsonValue>;
  };
  /** Present when the step asked to wait and the outside event arrived: its name, key and payload. */
  resume?: { event: string; key: string; payload: JsonValue };
};

/** Finish the step: its outputs (readable later as `steps.<node id>`) and the port to leave by. */
export type NodeRunDone<TPort extends string> = { outputs?: JsonObject; port?: TPort };

/**
 * Wait for an outside event (`event` + `key`, e.g. `parcel.delivered` + a tracking number); the
 * step runs again with `resume` when it arrives, or leaves by its timeout port when given.
 */
export type NodeRunWait = { wait: { event: string; key: string; timeoutSeconds?: number } };

export type NodeRunResult<TPort extends string> = NodeRunDone<TPort> | NodeRunWait;

export type NodeRun<TConfig, TPort extends string> = (
  input: NodeRunInput<TConfig>,
  ctx: TicketHostApi,
) => Awaitable<NodeRunResult<TPort>>;

type PortIds<P> = P extends { readonly outputs: readonly (infer O)[] }
  ? O extends { readonly id: infer I extends string }
    ? I
    : never
  : never;

export type PluginNodeTypeInput<
  TType extends string,
  TSchema extends JsonSchema,
  TPorts extends NodePorts,
> = {
  /** `<plugin name>.<node name>`, e.g. `parcel.lookup`. */
  type: TType;
  version: number;
  title: string;
  description?: string;
  category: NodeCategory;
  configSchema: TSchema;
  defaultConfig: FromSchema<TSchema>;
  ports: TPorts;
  /** The executor may return `{ wait }` (the designer then treats the node like a timer). */
  isWaiting?: boolean;
  output?: NodeOutput;
  migrations?: readonly { version: number; description: string; up: (config: unknown) => unknown }[];
  run: NodeRun<FromSchema<TSchema>, PortIds<TPorts>>;
};

export type PluginNodeType<
  TType extends string = string,
  TConfig = unknown,
  TPort extends string = string,
> = {
  readonly kind: 'nodeType';
  readonly type: TType;
  readonly version: number;
  readonly title: string;
  readonly description?: string;
  readonly category: NodeCategory;
  readonly configSchema: JsonSchema;
  readonly defaultConfig: TConfig;
  readonly ports: NodePorts;
  readonly isWaiting: boolean;
  readonly output?: NodeOutput;
  readonly migrations: readonly { version: number; description: string; up: (config: unknown) => unknown }[];
  readonly run: NodeRun<TConfig, TPort>;
};

/**
 * A workflow node type: the same data as Docket's own node types (packages/core defineNodeType)
 * plus its executor. The config type is inferred from `configSchema` and the port ids from `ports`.
 */
export function defineNodeType<
  const TType extends string,
  const TSchema extends JsonSchema,
  const TPorts extends NodePorts,
>(
  input: PluginNodeTypeInput<TType, TSchema, TPorts>,
): PluginNodeType<TType, FromSchema<TSchema>, PortIds<TPorts>> {
  // The data half is checked exactly as core checks Docket's own node types.
  const data = defineCoreNodeType({
    type: input.type,
    version: input.version,
    title: input.title,
    ...(input.description === undefined ? {} : { description: input.description }),
    category: input.category,
    configSchema: input.configSchema,
    defaultConfig: input.defaultConfig,
    ports: input.ports,
    ...(input.isWaiting === undefined ? {} : { isWaiting: input.isWaiting }),
    ...(input.output === undefined ? {} : { output: input.output }),
    ...(input.migrations === undefined ? {} : { migrations: input.migrations }),
  });
  if (typeof input.run !== 'function') throw new Error(`node type "${input.type}": run must be a function`);
  return { kind: 'nodeType', ...data, run: input.run } as PluginNodeType<
    TType,
    FromSchema<TSchema>,
    PortIds<TPorts>
  >;
}

// ---------------------------------------------------------------------------------------------
// SLA actions

/** The SLA clock event an action runs for. */
export type SlaClockEvent = {
  metric: 'first_response' | 'next_response' | 'periodic_update' | 'resolution';
  /** The target as the policy states it, e.g. `{ amount: 4, unit: 'hours', time: 'business' }`. */
  target: { amount: number; unit: string; time: 'business' | 'calendar' };
  /** Minutes around the due time the action was set for (negative: before it). */
  offsetMinutes: number;
  /** ISO times. */
  dueAt: string;
  firedAt: string;
  /** Whether the target is breached at the firing. */
  isBreached: boolean;
};

export type SlaActionInput<TConfig> = {
  /** The action's config from the SLA policy. */
  config: TConfig;
  event: SlaClockEvent;
  /** The ticket's facts when the clock fired. */
  ticket: TicketView;
};

/** What happened, for the ticket's audit trail (a handler may also return nothing). */
// biome-ignore lint/suspicious/noConfusingVoidType: lets `run` be a function that returns nothing
export type SlaActionResult = { note?: string } | undefined | void;

export type PluginSlaAction<TName extends string = string, TConfig = unknown> = {
  readonly kind: 'slaAction';
  readonly name: TName;
  readonly title: string;
  readonly description?: string;
  readonly configSchema: JsonSchema;
  readonly run: (input: SlaActionInput<TConfig>, ctx: TicketHostApi) => Awaitable<SlaActionResult>;
};

/** An SLA action a policy can name as `{ kind: 'plugin', plugin: <plugin name>, action: <name> }`. */
export function defineSlaAction<const TName extends string, const TSchema extends JsonSchema>(input: {
  name: TName;
  title: string;
  description?: string;
  configSchema: TSchema;
  run: (input: SlaActionInput<FromSchema<TSchema>>, ctx: TicketHostApi) => Awaitable<SlaActionResult>;
}): PluginSlaAction<TName, FromSchema<TSchema>> {
  if (typeof input.run !== 'function') throw new Error(`SLA action "${input.name}": run must be a function`);
  return { kind: 'slaAction', ...input };
}

// ---------------------------------------------------------------------------------------------
// Notification targets

export type NotificationRecipient = {
  /** The server's id of the recipient (a user or customer id). */
  id: string;
  /** The address this target delivers to, resolved by the server (an email, a chat user id …). */
  address: string;
  name?: string;
  /** Both of the person's addresses the server knows (a chat robot mentions people by mobile). */
  email?: string;
  phone?: string;
};

export type RenderedMessage = {
  subject: string;
  /** Plain text. */
  text: string;
  /** HTML, when the server rendered one. */
  html?: string;
  /** The ticket the notice is about. */
  ticket?: { id: string; number?: string; title?: string; url?: string };
};

export type DeliverInput<TConfig> = {
  /** The target's config where it is used (an SLA notify action, a workflow notify node). */
  config: TConfig;
  message: RenderedMessage;
  recipients: NotificationRecipient[];
};

export type DeliveryResult = {
  recipientId: string;
  status: 'sent' | 'failed' | 'skipped';
  /** Why it failed or was skipped, in words. */
  error?: string;
  /** The outside system's id for the message. */
  externalId?: string;
};

export type PluginNotificationTarget<TName extends string = string, TConfig = unknown> = {
  readonly kind: 'notificationTarget';
  readonly name: TName;
  readonly title: string;
  readonly titles?: { en?: string; 'zh-CN'?: string };
  readonly description?: string;
  readonly addressKind: string;
  readonly configSchema: JsonSchema;
  readonly deliver: (input: DeliverInput<TConfig>, ctx: HostApi) => Awaitable<{ results: DeliveryResult[] }>;
};

/** A notification target: delivers a rendered message to resolved recipients, one result each. */
export function defineNotificationTarget<
  const TName extends string,
  const TSchema extends JsonSchema,
>(input: {
  name: TName;
  title: string;
  /** The title in the web app's other languages ({ 'zh-CN': '短信' }); `title` where one is missing. */
  titles?: { en?: string; 'zh-CN'?: string };
  description?: string;
  /** What an address is for this target ("email", "wecom user id" …). */
  addressKind: string;
  configSchema: TSchema;
  deliver: (
    input: DeliverInput<FromSchema<TSchema>>,
    ctx: HostApi,
  ) => Awaitable<{ results: DeliveryResult[] }>;
}): PluginNotificationTarget<TName, FromSchema<TSchema>> {
  if (typeof input.deliver !== 'function')
    throw new Error(`notification target "${input.name}": deliver must be a function`);
  return { kind: 'notificationTarget', ...input };
}

// ---------------------------------------------------------------------------------------------
// Channels

/** An HTTP request the host received under /channels/<plugin>/<channel>/… (verified before the plugin sees it). */
export type HttpInbound = {
  kind: 'http';
  method: ChannelHttpMethod;
  /** The path below /channels/<plugin>/<channel>, e.g. `/events`. */
  path: string;
  query: Record<string, string>;
  /** Lowercase header names. */
  headers: Record<string, string>;
  /** The raw body as text (verify signatures over it). */
  body: string;
  receivedAt: string;
};

export type MailAddress = { address: string; name?: string };

/** A mail the host's SMTP listener received and parsed. */
export type MailInbound = {
  kind: 'mail';
  messageId: string;
  inReplyTo?: string;
  references: string[];
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  text: string;
  html?: string;
  /**
   * Headers that tell an automatic mail from a person's (lowercase names): auto-submitted,
   * precedence, x-autoreply, x-auto-response-suppress, x-loop, list-id, content-type, return-path.
   */
  headers: Record<string, string>;
  /**
   * The mail's attachments (the bytes stay with the host and go to the ticket). One the host does
   * not keep (its type is not among DOCKET_FILE_TYPES, its bytes are not its type, it is larger
   * than DOCKET_MAX_FILE_BYTES, or empty) says why in `refused`, with the limit for `size`; the
   * ticket's timeline names it for the agents, and the plugin may tell the sender (`acknowledgement`).
   */
  attachments: {
    filename: string;
    contentType: string;
    size: number;
    refused?: { reason: 'type' | 'content' | 'size' | 'empty'; limit?: number };
  }[];
  /** The SMTP envelope's recipients (the mailbox it was delivered to). */
  envelopeTo: string[];
  receivedAt: string;
};

/** One item a poll fetched (the plugin's own poll handler returns them). */
export type PollInbound = { kind: 'poll'; item: JsonValue; receivedAt: string };

export type InboundPayload = HttpInbound | MailInbound | PollInbound;

export type InboundPerson = { email?: string; name?: string; phone?: string; externalId?: string };

/** A new ticket a payload asks for (of the template named, or the channel's). */
export type InboundTicket = {
  templateKey?: string;
  title: string;
  description?: string;
  formData?: Record<string, JsonValue>;
  priority?: 'urgent' | 'high' | 'normal' | 'low';
};

/**
 * A message back to the sender once their ticket or reply is written (e.g. naming the attachments
 * that were not kept): it goes out through the channel's `send` on the ticket's thread like an
 * agent's public reply (queued in the same transaction, retried), and the ticket's timeline says
 * whether it went out, and what it said.
 */
export type InboundAcknowledgement = { text: string };

/** What a payload means: a new ticket, a reply on the ticket its thread key names, or nothing. */
export type InboundResult = (
  | {
      action: 'create';
      /** The conversation's key (a mail's Message-ID, a chat thread id); replies name it. */
      threadKey: string;
      ticket: InboundTicket;
      requester: InboundPerson;
      acknowledgement?: InboundAcknowledgement;
    }
  | {
      action: 'reply';
      /** The thread the reply belongs to; or name the ticket by `ticketNumber` (its requester must be the author). */
      threadKey: string;
      ticketNumber?: string;
      reply: { text: string; html?: string };
      author: InboundPerson;
      /**
       * When set and the thread or ticket is not found (or the author is not its requester): make
       * a new ticket of this instead, on `threadKey` (default: the reply's).
       */
      orCreate?: { threadKey?: string; ticket: InboundTicket };
      acknowledgement?: InboundAcknowledgement;
    }
  | {
      /**
       * Tells agents about the person behind the payload (a phone call ringing): the host finds the
       * customer by phone or email, their open tickets, and publishes a `caller` event to the desk
       * of the agent named (by email), or to every desk.
       */
      action: 'signal';
      signal: 'caller';
      person: InboundPerson;
      agentEmail?: string;
      data?: Record<string, JsonValue>;
    }
  | { action: 'ignore'; reason: string }
) & {
  /** For HTTP payloads: the answer the host gives the sender (default 200 with no body). */
  httpResponse?: { status: number; headers?: Record<string, string>; body?: string };
};

/** An agent's public reply going back out on the channel it came from. */
export type OutboundReply = {
  threadKey: string;
  /**
   * The reply's own id, the same on every try: an idempotency key for the outside system. A
   * `send` that throws is tried again with backoff (five tries), then shown failed on the ticket.
   */
  replyId: string;
  ticket: TicketView;
  reply: { text: string; html?: string; author: { name: string } };
  /** Addresses of the ticket's requester and CCs on this channel. */
  recipients: string[];
};

export type ChannelDefinitionInput<TName extends string> = {
  name: TName;
  title: string;
  /** The title in the web app's other languages ({ 'zh-CN': '电话' }); `title` where one is missing. */
  titles?: { en?: string; 'zh-CN'?: string };
  description?: string;
  inbound: {
    http?: { methods: ChannelHttpMethod[] };
    mail?: boolean;
    poll?: { intervalSeconds: number };
  };
  /** Turns a payload the host received into a ticket, a reply, or nothing. */
  receive: (payload: InboundPayload, ctx: HostApi) => Awaitable<InboundResult>;
  /** For `inbound.poll`: fetch new items (the cursor is the plugin's own, kept by the host between polls). */
  poll?: (
    input: { cursor: JsonValue | null },
    ctx: HostApi,
  ) => Awaitable<{ items: JsonValue[]; cursor: JsonValue | null }>;
  /** Sends agents' public replies back out. */
  send?: (reply: OutboundReply, ctx: HostApi) => Awaitable<{ externalId?: string }>;
};

export type PluginChannel<TName extends string = string> = Omit<ChannelDefinitionInput<TName>, never> & {
  readonly kind: 'channel';
};

/** A channel: what inbound payloads mean, and how replies go out. The host owns every socket. */
export function defineChannel<const TName extends string>(
  input: ChannelDefinitionInput<TName>,
): PluginChannel<TName> {
  if (typeof input.receive !== 'function')
    throw new Error(`channel "${input.name}": receive must be a function`);
  if (input.inbound.poll && typeof input.poll !== 'function')
    throw new Error(`channel "${input.name}": inbound.poll needs a poll handler`);
  return { kind: 'channel', ...input };
}
