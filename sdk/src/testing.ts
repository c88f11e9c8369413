/**
 * @docket/sdk/testing: run your built plugin in the same sandbox Docket's server uses (a host
 * process with one isolate per plugin, the same limits and capability checks), against a fake
 * host that answers fetches from responses you set and records every call, so a test can say
 * "it fetched X and patched the ticket with Y".
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SandboxError } from '../../packages/sandbox/src/errors.ts';
import { SandboxHost } from '../../packages/sandbox/src/sandbox-host.ts';
import type {
  FollowUpRequest,
  HostServices,
  OutgoingMail,
  PluginLimits,
  PluginNotice,
  SandboxEvent,
} from '../../packages/sandbox/src/types.ts';
import type {
  DeliverInput,
  DeliveryResult,
  InboundPayload,
  InboundResult,
  NodeRunInput,
  OutboundReply,
  SlaActionInput,
  SlaActionResult,
} from './contributions.ts';
import {
  handlerNameOf,
  type JsonValue,
  type PluginManifest,
  type PluginPermissions,
  type PluginTicketAccess,
} from './core.ts';
import type { OrgPerson, TeamMember, TicketView } from './host-api.ts';

export { SandboxError };

/** A fetch the plugin made (after its allowlist let it through). */
export type RecordedFetch = { url: string; method: string; headers: Record<string, string>; body?: string };

/** A fake answer: `json` is sent as JSON; `body` as text. */
export type FakeResponse = {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
};

export type FetchMatcher = string | RegExp | ((request: RecordedFetch) => boolean);

export type LimitsForTest = Partial<
  Pick<
    PluginLimits,
    | 'memoryMb'
    | 'cpuMs'
    | 'wallMs'
    | 'payloadInBytes'
    | 'payloadOutBytes'
    | 'hostCalls'
    | 'fetchResponseBytes'
  >
>;

export type LoadPluginOptions = {
  /** The plugin's folder (holding dist/plugin.js and dist/manifest.json). Default: the working folder. */
  dir?: string;
  /** The admin's settings (secret fields go in `secrets`). */
  config?: Record<string, JsonValue>;
  secrets?: Record<string, string>;
  /** What the admin grants. Default: everything the manifest requests. */
  grants?: PluginPermissions;
  limits?: LimitsForTest;
  /** Tickets the fake host knows, by id (a call names one with `{ ticket }`). */
  tickets?: Record<string, TicketView>;
  /** People the fake host knows for `ctx.org`: each user's manager by user id, teams by id or name. */
  org?: {
    managers?: Record<string, OrgPerson | null>;
    teams?: Record<string, { team: { id: number; name: string }; members: TeamMember[] }>;
  };
};

export type CallForTicket = {
  /** The ticket the call is for (added to the fake host's tickets when not there yet). */
  ticket?: TicketView;
  /** What the call may do with it. Default: `patch` when the plugin asks for it, else `read`. */
  access?: PluginTicketAccess;
};

/** Everything the plugin asked of the host, in order. */
export type Recorded = {
  fetches: RecordedFetch[];
  kv: { op: 'get' | 'set' | 'delete' | 'list'; key?: string; prefix?: string; value?: JsonValue }[];
  ticketReads: { ticketId: string }[];
  ticketPatches: { ticketId: string; patch: Record<string, JsonValue> }[];
  /** Mails the plugin sent through `ctx.mail.send` (the fake host accepts them all). */
  mails: OutgoingMail[];
  /** Notices sent through `ctx.notify`, with the ticket of the call. */
  notices: { ticketId: string | null; notice: PluginNotice }[];
  /** Follow-ups opened through `ctx.ticket.createFollowUp` (each gets a new fake ticket). */
  followUps: { ticketId: string; followUp: FollowUpRequest }[];
  logs: { level: string; message: string; data?: JsonValue }[];
  metrics: { name: string; value: number; tags?: Record<string, string> }[];
  /** Limit breaks, refused capabilities, restarts. */
  events: SandboxEvent[];
};

/** A loaded plugin under test. */
export type PluginUnderTest = {
  readonly manifest: PluginManifest;
  readonly recorded: Recorded;
  /** The plugin's key-value store (seed it, or check what the plugin wrote). */
  readonly kv: Map<string, JsonValue>;
  /** The fake host's tickets by id, with the plugin's patches applied. */
  readonly tickets: Map<string, TicketView>;
  /** Answer fetches whose URL equals (string), matches (RegExp) or passes (function) the matcher. */
  respond(matcher: FetchMatcher, response: FakeResponse): void;
  runNode(
    type: string,
    input: {
      config: unknown;
      inputs?: Partial<NodeRunInput<unknown>['inputs']>;
      resume?: NodeRunInput<unknown>['resume'];
    },
    options?: CallForTicket,
  ): Promise<
    { outputs: Record<string, JsonValue>; port: string | null } | { wait: { event: string; key: string } }
  >;
  runSlaAction(
    name: string,
    input: Omit<SlaActionInput<unknown>, 'ticket'>,
    options?: CallForTicket,
  ): Promise<SlaActionResult>;
  deliver(target: string, input: DeliverInput<unknown>): Promise<{ results: DeliveryResult[] }>;
  receive(channel: string, payload: InboundPayload): Promise<InboundResult>;
  poll(
    channel: string,
    input: { cursor: JsonValue | null },
  ): Promise<{ items: JsonValue[]; cursor: JsonValue | null }>;
  send(channel: string, reply: OutboundReply): Promise<{ externalId?: string }>;
  /** Any handler by its name (see handlerNameOf). */
  call<T = unknown>(handler: string, args: unknown, options?: CallForTicket): Promise<T>;
  /** Stops the sandbox. Call it when the test ends (`t.after(() => plugin.close())`). */
  close(): Promise<void>;
};

function matches(m: FetchMatcher, r: RecordedFetch): boolean {
  if (typeof m === 'string') return r.url === m;
  if (m instanceof RegExp) return m.test(r.url);
  return m(r);
}

/** Adds what a developer needs to know to an error about a capability the handler did not have. */
function explain(
  e: unknown,
  input: { manifest: PluginManifest; granted: PluginPermissions; hasTicket: boolean },
): unknown {
  if (!(e instanceof SandboxError) || e.code !== 'PLUGIN_ERROR') return e;
  const hints: string[] = [];
  const says = (name: string) =>
    new RegExp(`ctx\\.${name}\\b|reading '${name}'|${name} is not a function`).test(e.message);
  if (says('fetch') && !input.manifest.permissions.fetch?.length)
    hints.push(
      'ctx.fetch exists only when the manifest asks for it: permissions: { fetch: ["api.example.com"] }',
    );
  else if (says('fetch') && !input.granted.fetch?.length)
    hints.push('the test granted no fetch (options.grants)');
  if (says('kv') && !input.manifest.permissions.kv)
    hints.push('ctx.kv exists only when the manifest asks for it: permissions: { kv: true }');
  if (says('ticket') && !input.hasTicket)
    hints.push(
      'ctx.ticket exists only in a call made for a ticket: pass { ticket: { id, … } } as the last argument',
    );
  if (says('patch') && input.manifest.permissions.ticket !== 'patch')
    hints.push("ctx.ticket.patch exists only when the manifest asks for permissions: { ticket: 'patch' }");
  if (hints.length === 0) return e;
  return new SandboxError(e.code, `${e.message}\n  (${hints.join('; ')})`, { pluginCode: e.pluginCode });
}

/**
 * Loads the plugin built in `dir` (run `docket-plugin build` first; `docket-plugin test` does)
 * into a fresh sandbox with a recording fake host.
 */
export async function loadPlugin(options: LoadPluginOptions = {}): Promise<PluginUnderTest> {
  const dir = resolve(options.dir ?? process.cwd());
  let manifest: PluginManifest;
  let code: string;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'dist', 'manifest.json'), 'utf8')) as PluginManifest;
    code = readFileSync(join(dir, 'dist', manifest.bundle?.file ?? 'plugin.js'), 'utf8');
  } catch (e) {
    throw new Error(
      `No built plugin in ${join(dir, 'dist')} (${(e as Error).message}). Run "npx docket-plugin build" first, or test with "npx docket-plugin test", which builds.`,
    );
  }
  const recorded: Recorded = {
    fetches: [],
    kv: [],
    ticketReads: [],
    ticketPatches: [],
    mails: [],
    notices: [],
    followUps: [],
    logs: [],
    metrics: [],
    events: [],
  };
  const kv = new Map<string, JsonValue>();
  const tickets = new Map<string, TicketView>(Object.entries(options.tickets ?? {}));
  const responses: { matcher: FetchMatcher; response: FakeResponse }[] = [];
  const services: HostServices = {
    kvGet: async ({ key }) => {
      recorded.kv.push({ op: 'get', key });
      return kv.get(key) ?? null;
    },
    kvSet: async ({ key, value }) => {
      recorded.kv.push({ op: 'set', key, value });
      kv.set(key, value);
    },
    kvDelete: async ({ key }) => {
      recorded.kv.push({ op: 'delete', key });
      kv.delete(key);
    },
    kvList: async ({ prefix, limit }) => {
      recorded.kv.push({ op: 'list', prefix });
      return [...kv.entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, limit)
        .map(([key, value]) => ({ key, value }));
    },
    ticketRead: async ({ ticket }) => {
      recorded.ticketReads.push({ ticketId: ticket.id });
      const t = tickets.get(ticket.id);
      if (!t) throw new Error(`the fake host has no ticket ${ticket.id}`);
      return t as JsonValue;
    },
    ticketPatch: async ({ ticket, patch }) => {
      recorded.ticketPatches.push({ ticketId: ticket.id, patch });
      const t = { ...(tickets.get(ticket.id) ?? { id: ticket.id }), ...patch } as TicketView;
      tickets.set(ticket.id, t);
      return t as JsonValue;
    },
    log: ({ level, message, data }) => {
      recorded.logs.push({ level, message, ...(data === undefined ? {} : { data }) });
    },
    metric: ({ name, value, tags }) => {
      recorded.metrics.push({ name, value, ...(tags ? { tags } : {}) });
    },
    event: (e) => {
      if (e.kind !== 'host-started') recorded.events.push(e);
    },
    orgManager: async ({ userId }) => (options.org?.managers?.[String(userId)] ?? null) as JsonValue,
    orgTeam: async ({ team }) => {
      const t = options.org?.teams?.[team];
      if (!t) throw new Error(`the fake host has no team "${team}" (give it in loadPlugin's org.teams)`);
      return t as unknown as JsonValue;
    },
    notify: async ({ ticket, notice }) => {
      recorded.notices.push({ ticketId: ticket ? String(ticket.id) : null, notice });
      return { notified: notice.userIds.length, targets: notice.targets, unknownTargets: [] };
    },
    ticketFollowUp: async ({ ticket, followUp }) => {
      recorded.followUps.push({ ticketId: String(ticket.id), followUp });
      const id = `follow-up-${recorded.followUps.length}`;
      const t: TicketView = { id, number: id, title: followUp.title, assigneeId: followUp.forUserId };
      tickets.set(id, t);
      return t as JsonValue;
    },
    mailSend: async ({ mail }) => {
      recorded.mails.push(mail);
      return {
        messageId: mail.messageId ?? `<test-${recorded.mails.length}@docket.test>`,
        accepted: [...mail.to, ...(mail.cc ?? [])],
        rejected: [],
      };
    },
    fetch: async ({ request }) => {
      const r: RecordedFetch = {
        url: request.url,
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      };
      recorded.fetches.push(r);
      const found = [...responses].reverse().find((x) => matches(x.matcher, r));
      if (!found)
        return {
          status: 404,
          statusText: 'Not Found',
          headers: { 'content-type': 'text/plain' },
          body: `The test gave no response for ${r.method} ${r.url} (use plugin.respond(url, { json }))`,
          url: r.url,
        };
      const res = found.response;
      const isJson = res.json !== undefined;
      return {
        status: res.status ?? 200,
        statusText: '',
        headers: {
          ...(isJson ? { 'content-type': 'application/json' } : {}),
          ...Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        },
        body: isJson ? JSON.stringify(res.json) : (res.body ?? ''),
        url: r.url,
      };
    },
  };
  const host = await SandboxHost.start({ services });
  try {
    await host.load({
      id: manifest.name,
      version: manifest.version,
      code,
      manifest,
      grants: options.grants ?? manifest.permissions,
      limits: options.limits ?? {},
      config: options.config ?? {},
      secrets: options.secrets ?? {},
    });
  } catch (e) {
    await host.close();
    throw e;
  }
  const defaultAccess: PluginTicketAccess = manifest.permissions.ticket === 'patch' ? 'patch' : 'read';
  const granted = options.grants ?? manifest.permissions;
  const call = <T>(handler: string, args: unknown, opts: CallForTicket = {}): Promise<T> => {
    const t = opts.ticket;
    if (t && !tickets.has(t.id)) tickets.set(t.id, t);
    return host
      .call<T>(manifest.name, handler, args, {
        ...(t ? { ticket: { id: t.id, access: opts.access ?? defaultAccess } } : {}),
      })
      .catch((e: unknown) => {
        throw explain(e, { manifest, granted, hasTicket: t !== undefined });
      });
  };
  const ticketOf = (opts?: CallForTicket): TicketView => opts?.ticket ?? { id: '1' };
  return {
    manifest,
    recorded,
    kv,
    tickets,
    respond: (matcher, response) => {
      responses.push({ matcher, response });
    },
    runNode: (type, input, opts) => {
      const ticket = ticketOf(opts);
      return call(
        handlerNameOf.node(type),
        {
          config: input.config,
          inputs: {
            ticket: input.inputs?.ticket ?? ticket,
            form: input.inputs?.form ?? (ticket.formData as Record<string, JsonValue> | undefined) ?? {},
            steps: input.inputs?.steps ?? {},
          },
          ...(input.resume ? { resume: input.resume } : {}),
        },
        { ...opts, ticket },
      );
    },
    runSlaAction: (name, input, opts) => {
      const ticket = ticketOf(opts);
      return call(handlerNameOf.slaAction(name), { ...input, ticket }, { ...opts, ticket });
    },
    deliver: (target, input) => call(handlerNameOf.notificationTarget(target), input),
    receive: (channel, payload) => call(handlerNameOf.channelInbound(channel), payload),
    poll: (channel, input) => call(handlerNameOf.channelPoll(channel), input),
    send: (channel, reply) => call(handlerNameOf.channelSend(channel), reply),
    call,
    close: () => host.close(),
  };
}
