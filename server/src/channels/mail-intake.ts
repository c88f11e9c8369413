import {
  type CustomerPrincipal,
  handlerNameOf,
  isPriority,
  type RefusedFile,
  refusedFilesSentence,
  ValidationFailed,
} from '@docket/core';
import { type EntityManager, forkEm, WriteBatcher } from '@docket/db';
import { SandboxError } from '@docket/sandbox';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { NotFoundError } from '../errors.ts';
import type { FileStorage } from '../files/file-storage.ts';
import { baseType, bytesMatchType, isAcceptedType } from '../files/file-types.ts';
import { applyInbound, type InboundAnswer } from '../plugins/plugin-inbound.ts';
import { ticketsOfThreads } from '../plugins/plugin-repository.ts';
import { PluginUnavailable } from '../plugins/plugin-service.ts';
import type { Services } from '../services.ts';
import { createTicket } from '../tickets/create-ticket.ts';
import { findOrCreateCustomersByEmail } from '../tickets/customers.ts';
import { SYSTEM_ACTOR } from '../tickets/ticket-store.ts';
import {
  type ClaimedInbound,
  claimInboundMany,
  dropStagedFiles,
  dueInbound,
  failInbound,
  failInboundMany,
  finishInbound,
  finishInboundMany,
  inboundTicketRows,
  insertInboundMany,
  type MailFile,
  stageMailFiles,
  takeStagedFiles,
} from './inbound-repository.ts';

/** The headers a mail channel plugin sees (enough to tell an automatic mail from a person's). */
const PASSED_HEADERS = [
  'auto-submitted',
  'precedence',
  'x-autoreply',
  'x-autorespond',
  'x-auto-response-suppress',
  'x-loop',
  'x-docket-loop',
  'list-id',
  'list-unsubscribe',
  'return-path',
  'content-type',
  'x-failed-recipients',
];

/** Batches being turned into tickets at once in one process (the database pool is shared with storing). */
const MAX_BATCHES = 2;
/** Ticket creations of one batch running at once (each holds a connection at times). */
const MAX_AT_ONCE = 16;

/** Runs `fn` over `items`, at most `limit` at once. */
async function eachAtMost<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What a transport hands in: the raw message and its SMTP envelope. */
export type MailEnvelope = { mailFrom: string | null; rcptTo: string[]; remoteAddress: string | null };

const addressesOf = (v: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(v) ? v : v ? [v] : [])
    .flatMap((a) => a.value)
    .filter((a) => a.address)
    .map((a) => ({ address: String(a.address).toLowerCase(), ...(a.name ? { name: a.name } : {}) }));

const headerText = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'value' in (v as object)) {
    const o = v as { value: unknown; params?: Record<string, string> };
    const params = Object.entries(o.params ?? {})
      .map(([k, x]) => `; ${k}=${x}`)
      .join('');
    return `${String(o.value)}${params}`;
  }
  if (typeof v === 'object' && 'text' in (v as object)) return String((v as { text: unknown }).text);
  return Array.isArray(v) ? v.map(headerText).join(', ') : String(v);
};

/** Text PostgreSQL can keep: no NUL characters (a broken mail may carry them). */
const clean = (s: string): string => s.replaceAll('\u0000', '');

/**
 * The plugin's view of a parsed mail (MailInbound of the SDK); `refused` holds, by attachment,
 * why the host does not keep it (null when it does).
 */
function payloadOf(
  mail: ParsedMail,
  envelope: MailEnvelope,
  receivedAt: Date,
  refused: readonly (RefusedFile | null)[] = [],
) {
  const from =
    addressesOf(mail.from)[0] ??
    (envelope.mailFrom ? { address: envelope.mailFrom.toLowerCase() } : { address: '' });
  const headers: Record<string, string> = {};
  for (const h of PASSED_HEADERS) {
    const v = mail.headers.get(h);
    if (v !== undefined) headers[h] = headerText(v).slice(0, 1000);
  }
  const refs =
    mail.references === undefined ? [] : Array.isArray(mail.references) ? mail.references : [mail.references];
  return {
    kind: 'mail' as const,
    messageId:
      mail.messageId ?? `<inbound-${receivedAt.getTime()}-${Math.random().toString(36).slice(2)}@docket>`,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    references: refs.slice(0, 100),
    from,
    to: addressesOf(mail.to),
    cc: addressesOf(mail.cc),
    subject: clean(mail.subject ?? '').slice(0, 500),
    text: clean(mail.text ?? '').slice(0, 200_000),
    ...(typeof mail.html === 'string' ? { html: clean(mail.html).slice(0, 400_000) } : {}),
    headers,
    attachments: mail.attachments.map((a, i) => {
      const no = refused[i];
      return {
        filename: a.filename ?? 'attachment',
        contentType: a.contentType,
        size: a.size,
        ...(no
          ? { refused: { reason: no.reason, ...(no.limit !== undefined ? { limit: no.limit } : {}) } }
          : {}),
      };
    }),
    envelopeTo: envelope.rcptTo.map((r) => r.toLowerCase()),
    receivedAt: receivedAt.toISOString(),
  };
}

/**
 * Mail in: each message the SMTP listener acknowledges is stored raw first (so nothing
 * acknowledged is lost), then turned into tickets
 * in batches: one claim for the batch, each mail parsed and handed to the enabled email channel
 * plugin (calls in arrival order, all of a batch at once unless one answers another in the same
 * batch), the new threads' requesters found or made in one lookup, their tickets written by the
 * ticket store's shared inserts, each with its thread and its mail marked done in its statement
 * (so a crash cannot leave a ticket whose mail a retry would make again), and the rest of the
 * batch (ignored, or found threaded already) marked in one statement.
 * Replies, caller signals and anything unusual go one by one after the batch's new tickets (so a
 * reply to a mail of the same batch finds its ticket). A failure (no mail channel enabled, the
 * plugin failing, the ticket refused) leaves the message pending with its reason, and a sweep
 * retries it with backoff (5 s doubling, at most hourly) until it goes through. Several server
 * processes may sweep: a try claims its messages with a lease.
 */
export class MailIntake {
  private sweeper: NodeJS.Timeout | undefined;
  private isSweeping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Messages waiting for a batch (at most MAX_BATCHES run at once). */
  private readonly waiting: string[] = [];
  /** When each waiting message was queued (ms, performance.now()). */
  private readonly queuedAt = new Map<string, number>();
  /** The plugin stage of the batch before: batches call the plugin in the order their mail came. */
  /** Settles once every batch started so far has had its plugin answers (batches ask in the order they started). */
  private pluginTurn: Promise<void> = Promise.resolve();
  /**
   * Settles once every batch started so far has written its new tickets (and their threads): a
   * reply waits for it, so that it finds a ticket an earlier batch is still writing.
   */
  private createsDone: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  /**
   * Received messages stored together: mails whose DATA ends while a store runs go in the next
   * statement (one row each), so a burst costs a statement per batch, not per mail.
   */
  private readonly stores: WriteBatcher<Parameters<typeof insertInboundMany>[1][number], string>;
  /** Where the batches' wall time went, summed (logged at close, read by the intake benchmark). */
  readonly stages = { tries: 0, batches: 0, queuedMs: 0, claimMs: 0, parseMs: 0, pluginMs: 0, ticketMs: 0 };

  constructor(
    private readonly services: Services,
    /** Where attachments are stored, as files like uploaded ones (served by GET /files/<id>). */
    private readonly storage: FileStorage,
    options: { batchSize?: number } = {},
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 64);
    this.stores = new WriteBatcher((rows) => insertInboundMany(forkEm(services.db), rows), {
      maxInFlight: 2,
      maxBatch: 64,
    });
  }

  /**
   * Stores a received message; resolves (and only then may SMTP say 250) once it is committed.
   * `receivedAt` is when its DATA ended.
   */
  async accept(raw: Buffer, envelope: MailEnvelope, receivedAt = new Date()): Promise<string> {
    return this.stores.submit({
      transport: 'smtp',
      envelope: envelope as unknown as Record<string, unknown>,
      raw,
      receivedAt,
    });
  }

  /** Tries a message soon, in the background, with the others waiting; the sweep catches what this misses. */
  kick(id: string): void {
    this.waiting.push(id);
    this.queuedAt.set(id, performance.now());
    this.pump();
  }

  private pump(): void {
    while (this.inFlight.size < MAX_BATCHES && this.waiting.length > 0) {
      const ids = this.waiting.splice(0, this.batchSize);
      const now = performance.now();
      for (const id of ids) {
        const queued = this.queuedAt.get(id);
        if (queued !== undefined) this.stages.queuedMs += now - queued;
        this.queuedAt.delete(id);
      }
      const p = this.processBatch(ids).catch((e) =>
        this.services.log('error', 'inbound mail failed', { ids, error: String((e as Error)?.stack ?? e) }),
      );
      this.inFlight.add(p);
      void p.finally(() => {
        this.inFlight.delete(p);
        this.pump();
      });
    }
  }

  /** One try of one message: done, ignored, or left pending with the reason. */
  process(id: string): Promise<void> {
    return this.processBatch([id]);
  }

  /** One try of each of these messages: each ends done, ignored, or pending with its reason. */
  async processBatch(ids: string[]): Promise<void> {
    const earlier = this.createsDone;
    let written!: () => void;
    const mine = new Promise<void>((resolve) => {
      written = resolve;
    });
    this.createsDone = Promise.all([earlier, mine]).then(() => undefined);
    const askAfter = this.pluginTurn;
    let asked!: () => void;
    const myTurn = new Promise<void>((resolve) => {
      asked = resolve;
    });
    this.pluginTurn = Promise.all([askAfter, myTurn]).then(() => undefined);
    try {
      await this.tryBatch(ids, { earlier, written, askAfter, asked });
    } finally {
      asked();
      written();
    }
  }

  private async tryBatch(
    ids: string[],
    turns: { earlier: Promise<void>; written: () => void; askAfter: Promise<void>; asked: () => void },
  ): Promise<void> {
    const { services, stages } = this;
    const em = forkEm(services.db);
    let at = performance.now();
    const lap = (stage: 'claimMs' | 'parseMs' | 'pluginMs' | 'ticketMs') => {
      const now = performance.now();
      stages[stage] += now - at;
      at = now;
    };
    const claimed = await claimInboundMany(em, ids);
    lap('claimMs');
    if (claimed.length === 0) return;
    stages.tries += claimed.length;
    stages.batches++;
    try {
      await this.tryClaimed(em, claimed, turns, lap);
    } catch (e) {
      // Whatever this try did not finish is tried again after the backoff, not once the lease ends.
      await failInboundMany(
        em,
        claimed.map((m) => m.id),
        { channel: null, error: String((e as Error)?.message ?? e) },
      ).catch(() => {});
      throw e;
    }
  }

  private async tryClaimed(
    em: EntityManager,
    claimed: ClaimedInbound[],
    turns: { earlier: Promise<void>; written: () => void; askAfter: Promise<void>; asked: () => void },
    lap: (stage: 'parseMs' | 'pluginMs' | 'ticketMs') => void,
  ): Promise<void> {
    const { earlier, written } = turns;
    const { services } = this;

    const parsed: { message: ClaimedInbound; mail: ParsedMail }[] = [];
    await Promise.all(
      claimed.map(async (message) => {
        try {
          const mail = await simpleParser(message.raw, { skipImageLinks: true, skipTextToHtml: true });
          parsed.push({ message, mail });
        } catch (e) {
          await failInbound(em, message.id, {
            channel: null,
            error: `the mail could not be parsed: ${(e as Error).message}`,
          });
        }
      }),
    );
    parsed.sort((a, b) => (BigInt(a.message.id) < BigInt(b.message.id) ? -1 : 1));
    lap('parseMs');
    if (parsed.length === 0) return;

    const target = services.plugins.mailChannels()[0];
    if (!target) {
      for (const { message } of parsed)
        await failInbound(em, message.id, { channel: null, error: 'no enabled plugin channel takes mail' });
      return;
    }
    const key = `${target.plugin}.${target.channel}`;
    await turns.askAfter;
    const answered = await this.callPlugin(em, target, key, parsed);
    turns.asked();
    lap('pluginMs');

    // New threads with a requester's email: together. Everything else: one by one, after them.
    const creates: Answered[] = [];
    const ignored: Answered[] = [];
    const alone: Answered[] = [];
    const threads = new Set<string>();
    for (const a of answered) {
      const x = a.answer;
      if (
        x?.action === 'create' &&
        !x.acknowledgement?.text &&
        x.ticket?.templateKey &&
        x.requester?.email &&
        !threads.has(String(x.threadKey))
      ) {
        threads.add(String(x.threadKey));
        creates.push(a);
      } else if (x?.action === 'ignore') ignored.push(a);
      // One with a message back to its sender goes alone: the message is queued with its ticket.
      else alone.push(a);
    }
    const finished: Parameters<typeof finishInboundMany>[1]['rows'] = ignored.map((a) => ({
      id: a.message.id,
      status: 'ignored',
      ticketId: null,
      threadKey: null,
      outcome: { action: 'ignore', reason: (a.answer as { reason?: string }).reason ?? '' },
    }));
    if (creates.length) {
      const known = await ticketsOfThreads(em, key, [...threads]);
      // Attachments are stored as files on no ticket, until the statement that writes theirs takes them.
      const withFiles = creates.filter(
        (a) => a.files.length > 0 && !known.has(String((a.answer as CreateAnswer).threadKey)),
      );
      await eachAtMost(withFiles, 4, (a) =>
        stageMailFiles(em, this.storage, { messageId: a.message.id, files: a.files }),
      );
      const people = await findOrCreateCustomersByEmail(
        em,
        creates.map((a) => {
          const r = (a.answer as CreateAnswer).requester;
          return { email: String(r.email), name: r.name ?? null };
        }),
      );
      await eachAtMost(creates, MAX_AT_ONCE, async (a) => {
        const x = a.answer as CreateAnswer;
        const threadKey = String(x.threadKey);
        if (known.has(threadKey)) {
          // The thread has its ticket already (the same mail sent again): this mail is done with it.
          finished.push({
            id: a.message.id,
            status: 'done',
            ticketId: known.get(threadKey) ?? null,
            threadKey: null,
            outcome: { action: 'create' },
          });
          return;
        }
        const email = String(x.requester.email).trim().toLowerCase();
        const customerId = people.get(email);
        if (customerId === undefined) {
          alone.push(a);
          return;
        }
        const requester: CustomerPrincipal = {
          kind: 'customer',
          customerId,
          name: x.requester.name ?? x.requester.email ?? 'Customer',
        };
        try {
          // The ticket, its thread, the mail marked done, its attachments and those it did not
          // keep on its timeline: one statement.
          await createTicket(
            services,
            forkEm(services.db),
            requester,
            key,
            {
              templateKey: x.ticket.templateKey!,
              title: x.ticket.title,
              description: x.ticket.description ?? null,
              formData: x.ticket.formData ?? {},
              ...(isPriority(x.ticket.priority) ? { priority: x.ticket.priority } : {}),
              channel: key,
            },
            {
              rows: inboundTicketRows({
                messageId: a.message.id,
                channel: key,
                plugin: target.plugin,
                threadKey,
                outcome: { action: 'create' },
                ...(a.refused.length ? { refused: refusedEntry(a.refused) } : {}),
              }),
            },
          );
        } catch (e) {
          if ((e as { constraint?: string }).constraint === 'plugin_thread_pkey') {
            // Another try (another process) wrote this thread's ticket meanwhile: nothing of ours was.
            await dropStagedFiles(em, this.storage, a.message.id);
            finished.push({
              id: a.message.id,
              status: 'done',
              ticketId: (await ticketsOfThreads(em, key, [threadKey])).get(threadKey) ?? null,
              threadKey: null,
              outcome: { action: 'create' },
            });
            return;
          }
          const fields = e instanceof ValidationFailed ? ` ${JSON.stringify(e.errors)}` : '';
          await failInbound(em, a.message.id, {
            channel: key,
            error: `${String((e as Error)?.message ?? e)}${fields}`.slice(0, 4000),
          });
          if (!(e instanceof ValidationFailed) && !(e instanceof NotFoundError))
            services.log('warn', 'an inbound mail could not become a ticket', {
              id: a.message.id,
              error: String((e as Error)?.message ?? e),
            });
        }
      });
    }
    await finishInboundMany(em, { channel: key, plugin: target.plugin, rows: finished });
    written();

    // Replies and the rest, once earlier batches' new tickets are written too.
    if (alone.length) await earlier;
    for (const a of alone.sort((x, y) => (BigInt(x.message.id) < BigInt(y.message.id) ? -1 : 1)))
      await this.applyOne(em, target, key, a).catch((e) =>
        services.log('error', 'inbound mail failed', {
          id: a.message.id,
          error: String((e as Error)?.stack ?? e),
        }),
      );
    lap('ticketMs');
  }

  /**
   * The plugin's answer for each mail, in arrival order after the batch before: all at once,
   * except that a mail answering another mail of this batch waits for that one's answer (the
   * plugin threads it by what it remembered). A call that fails leaves its mail pending.
   */
  private async callPlugin(
    em: EntityManager,
    target: { plugin: string; channel: string },
    key: string,
    parsed: { message: ClaimedInbound; mail: ParsedMail }[],
  ): Promise<Answered[]> {
    const { services } = this;
    const answered: Answered[] = [];
    const waves: (typeof parsed)[] = [];
    const waveOf = new Map<string, number>();
    for (const p of parsed) {
      const refs = [p.mail.inReplyTo, ...[p.mail.references ?? []].flat()].filter(
        (r): r is string => typeof r === 'string',
      );
      const after = Math.max(-1, ...refs.map((r) => waveOf.get(r) ?? -1));
      const wave = waves[after + 1] ?? [];
      wave.push(p);
      waves[after + 1] = wave;
      if (p.mail.messageId) waveOf.set(p.mail.messageId, after + 1);
    }
    // A wave's calls start in one turn, so they travel to the sandbox in one message.
    for (const wave of waves)
      await Promise.all(
        wave.map(async ({ message, mail }) => {
          try {
            const { files, refused, verdicts } = filesOf(mail, services.config.files);
            const answer = await services.plugins.call<InboundAnswer>(
              target.plugin,
              handlerNameOf.channelInbound(target.channel),
              payloadOf(mail, message.envelope as unknown as MailEnvelope, message.receivedAt, verdicts),
            );
            answered.push({
              message,
              answer,
              files,
              refused,
              ...(mail.messageId ? { messageKey: mail.messageId } : {}),
            });
          } catch (e) {
            const why =
              e instanceof SandboxError
                ? `${e.message} (${e.code})`
                : e instanceof PluginUnavailable
                  ? e.message
                  : String((e as Error)?.message ?? e);
            await failInbound(em, message.id, { channel: key, error: `the plugin failed: ${why}` });
          }
        }),
      );
    return answered;
  }

  /** What a plugin's answer for one mail becomes, applied alone (a reply, a signal, a refusal). */
  private async applyOne(
    em: EntityManager,
    target: { plugin: string; channel: string },
    key: string,
    { message, answer, files, refused, messageKey }: Answered,
  ): Promise<void> {
    const id = message.id;
    let outcome: Awaited<ReturnType<typeof applyInbound>>;
    try {
      // Stored first, on no ticket: the transaction that records the ticket or reply takes them.
      if (files.length) await stageMailFiles(em, this.storage, { messageId: id, files });
      outcome = await applyInbound(this.services, em, {
        plugin: target.plugin,
        channel: target.channel,
        answer,
        ...(messageKey ? { messageKey } : {}),
        onTicket: async (tx, ticketId) => {
          if (files.length) await takeStagedFiles(tx, { messageId: id, ticketId });
          if (refused.length) {
            const entry = refusedEntry(refused);
            await this.services.tickets.append(tx, [
              {
                ticketId,
                kind: 'files.refused',
                body: entry.body,
                diff: entry.diff,
                isPublic: false,
                actor: { ...SYSTEM_ACTOR, channel: key },
              },
            ]);
          }
          // The plugin's message back to the sender (which attachments were not kept), queued
          // with the ticket or reply: it goes out on the thread like an agent's public reply.
          const acknowledgement =
            answer.action === 'create' || answer.action === 'reply'
              ? answer.acknowledgement?.text
              : undefined;
          if (acknowledgement)
            await this.services.plugins.queueAcknowledgement(tx, {
              plugin: target.plugin,
              channel: target.channel,
              ticketId,
              text: acknowledgement,
            });
          await finishInbound(tx, id, {
            status: 'done',
            channel: key,
            ticketId,
            outcome: { action: answer.action },
          });
        },
      });
    } catch (e) {
      // Kept pending, with why, for the next try.
      await failInbound(em, id, { channel: key, error: String((e as Error)?.message ?? e).slice(0, 500) });
      throw e;
    }
    if (files.length && (!outcome.ok || outcome.action === 'ignore' || outcome.action === 'signal'))
      // No ticket took them (a retry stores them again): nothing is left on disk for no one.
      await dropStagedFiles(em, this.storage, id);
    if (outcome.ok && (outcome.action === 'ignore' || outcome.action === 'signal'))
      await em.transactional((tx) =>
        finishInbound(tx, id, {
          status: 'ignored',
          channel: key,
          // A repeat of a reply names the ticket it was posted on.
          ticketId: outcome.ticketId ?? null,
          outcome: { action: outcome.action, reason: outcome.reason ?? '' },
        }),
      );
    else if (!outcome.ok && outcome.status === 409)
      // A try that created the ticket but died before it could say so: the thread has it.
      await em.transactional((tx) =>
        finishInbound(tx, id, {
          status: 'done',
          channel: key,
          ticketId: null,
          outcome: { action: 'create' },
        }),
      );
    else if (!outcome.ok)
      await failInbound(em, id, {
        channel: key,
        error: `${outcome.error}${outcome.fields ? ` ${JSON.stringify(outcome.fields)}` : ''}`,
      });
  }

  /** Retries due messages every `everyMs` (and once now). */
  startSweeping(everyMs = 5_000): void {
    const sweep = async () => {
      if (this.isSweeping) return;
      this.isSweeping = true;
      try {
        const due = await dueInbound(forkEm(this.services.db), 50);
        for (let i = 0; i < due.length; i += this.batchSize)
          await this.processBatch(due.slice(i, i + this.batchSize));
      } catch (e) {
        this.services.log('warn', 'inbound mail sweep failed', { error: String((e as Error)?.message ?? e) });
      } finally {
        this.isSweeping = false;
      }
    };
    this.sweeper = setInterval(() => void sweep(), everyMs);
    this.sweeper.unref();
    void sweep();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.waiting.length = 0;
    this.queuedAt.clear();
    await Promise.allSettled([...this.inFlight]);
    if (this.stages.tries > 0) this.services.log('info', 'mail intake stages', { ...this.stages });
  }
}

type CreateAnswer = Extract<InboundAnswer, { action: 'create' }>;
type Answered = {
  message: ClaimedInbound;
  answer: InboundAnswer;
  /** The attachments kept as files. */
  files: MailFile[];
  /** Those not kept (their ticket's timeline says which and why). */
  refused: RefusedFile[];
  /** The mail's own Message-ID, when it has one (a reply keeps it, so the same mail is posted once). */
  messageKey?: string;
};

/**
 * A mail's attachments, split as the upload route would take them (DOCKET_FILE_TYPES,
 * DOCKET_MAX_FILE_BYTES): those kept as files, and those refused with why (and, by attachment in
 * the mail's order, the refusal or null, for the plugin's view of the mail).
 */
export function filesOf(
  mail: Pick<ParsedMail, 'attachments'>,
  limits: { maxBytes: number; types: readonly string[] },
): { files: MailFile[]; refused: RefusedFile[]; verdicts: (RefusedFile | null)[] } {
  const files: MailFile[] = [];
  const refused: RefusedFile[] = [];
  /** By attachment, in the mail's order: why it is not kept, or null. */
  const verdicts: (RefusedFile | null)[] = [];
  for (const a of mail.attachments) {
    const filename = a.filename ?? 'attachment';
    const contentType = baseType(a.contentType || 'application/octet-stream');
    const size = a.content.length;
    const reason: RefusedFile['reason'] | null = !isAcceptedType(contentType, limits.types)
      ? 'type'
      : size > limits.maxBytes
        ? 'size'
        : size === 0
          ? 'empty'
          : !bytesMatchType(contentType, a.content)
            ? 'content'
            : null;
    if (reason === null) {
      files.push({ filename, contentType: a.contentType, content: a.content });
      verdicts.push(null);
    } else {
      const no: RefusedFile = {
        name: filename.slice(0, 200),
        contentType,
        size,
        reason,
        ...(reason === 'size' ? { limit: limits.maxBytes } : {}),
      };
      refused.push(no);
      verdicts.push(no);
    }
  }
  return { files, refused, verdicts };
}

/** The timeline entry naming the attachments not kept: its English body, and its diff (for zh-CN). */
function refusedEntry(refused: RefusedFile[]): {
  body: string;
  diff: { refused: { from: null; to: RefusedFile[] } };
} {
  const diff = { refused: { from: null, to: refused } };
  return { body: refusedFilesSentence(diff, 'en') ?? '', diff };
}
