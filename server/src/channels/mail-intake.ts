import { handlerNameOf } from '@docket/core';
import { forkEm } from '@docket/db';
import { SandboxError } from '@docket/sandbox';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { applyInbound, type InboundAnswer } from '../plugins/plugin-inbound.ts';
import { PluginUnavailable } from '../plugins/plugin-service.ts';
import type { Services } from '../services.ts';
import {
  claimInbound,
  dueInbound,
  failInbound,
  finishInbound,
  insertAttachments,
  insertInbound,
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

/** Tries running at once in one process: the rest wait their turn (the database pool is shared with storing). */
const MAX_PARALLEL = 8;

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

/** The plugin's view of a parsed mail (MailInbound of the SDK). */
function payloadOf(mail: ParsedMail, envelope: MailEnvelope, receivedAt: Date) {
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
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.contentType,
      size: a.size,
    })),
    envelopeTo: envelope.rcptTo.map((r) => r.toLowerCase()),
    receivedAt: receivedAt.toISOString(),
  };
}

/**
 * Mail in: each message the SMTP listener acknowledges is stored raw first (so nothing
 * acknowledged is lost), then parsed and handed to the enabled email channel plugin; what it
 * answers becomes a ticket (with the mail's attachments) or a reply, or is ignored with its
 * reason. A failure (no mail channel enabled, the plugin failing, the ticket refused) leaves the
 * message pending, and a sweep retries it with backoff (5 s doubling, at most hourly) until it
 * goes through. Several server processes may sweep: a try claims its message with a lease.
 */
export class MailIntake {
  private sweeper: NodeJS.Timeout | undefined;
  private isSweeping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Messages waiting for a free slot (at most MAX_PARALLEL tries run at once, so storing new mail never waits for connections). */
  private readonly waiting: string[] = [];
  /** When each waiting message was queued (ms, performance.now()). */
  private readonly queuedAt = new Map<string, number>();
  /** Where the tries' wall time went, summed (logged at close, read by the intake benchmark). */
  readonly stages = { tries: 0, queuedMs: 0, claimMs: 0, parseMs: 0, pluginMs: 0, ticketMs: 0 };

  constructor(private readonly services: Services) {}

  /** Stores a received message; resolves (and only then may SMTP say 250) once it is committed. */
  async accept(raw: Buffer, envelope: MailEnvelope): Promise<string> {
    return insertInbound(forkEm(this.services.db), {
      transport: 'smtp',
      envelope: envelope as unknown as Record<string, unknown>,
      raw,
    });
  }

  /** Tries a message soon, in the background (a few at a time); the sweep catches what this misses. */
  kick(id: string): void {
    if (this.inFlight.size >= MAX_PARALLEL) {
      this.waiting.push(id);
      this.queuedAt.set(id, performance.now());
      return;
    }
    const queued = this.queuedAt.get(id);
    if (queued !== undefined) {
      this.stages.queuedMs += performance.now() - queued;
      this.queuedAt.delete(id);
    }
    const p = this.process(id).catch((e) =>
      this.services.log('error', 'inbound mail failed', { id, error: String((e as Error)?.stack ?? e) }),
    );
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      const next = this.waiting.shift();
      if (next !== undefined) this.kick(next);
    });
  }

  /** One try of one message: done, ignored, or left pending with the reason. */
  async process(id: string): Promise<void> {
    const { services } = this;
    const em = forkEm(services.db);
    const stages = this.stages;
    let at = performance.now();
    const lap = (stage: 'claimMs' | 'parseMs' | 'pluginMs' | 'ticketMs') => {
      const now = performance.now();
      stages[stage] += now - at;
      at = now;
    };
    const claimed = await claimInbound(em, id);
    lap('claimMs');
    if (!claimed) return;
    stages.tries++;
    const envelope = claimed.envelope as unknown as MailEnvelope;
    let parsed: ParsedMail;
    try {
      parsed = await simpleParser(claimed.raw, { skipImageLinks: true, skipTextToHtml: true });
      lap('parseMs');
    } catch (e) {
      await failInbound(em, id, {
        channel: null,
        error: `the mail could not be parsed: ${(e as Error).message}`,
      });
      return;
    }
    const target = services.plugins.mailChannels()[0];
    if (!target) {
      await failInbound(em, id, { channel: null, error: 'no enabled plugin channel takes mail' });
      return;
    }
    const key = `${target.plugin}.${target.channel}`;
    let answer: InboundAnswer;
    try {
      answer = await services.plugins.call<InboundAnswer>(
        target.plugin,
        handlerNameOf.channelInbound(target.channel),
        payloadOf(parsed, envelope, claimed.receivedAt),
      );
      lap('pluginMs');
    } catch (e) {
      const why =
        e instanceof SandboxError
          ? `${e.message} (${e.code})`
          : e instanceof PluginUnavailable
            ? e.message
            : null;
      if (why === null) throw e;
      await failInbound(em, id, { channel: key, error: `the plugin failed: ${why}` });
      return;
    }
    const files = parsed.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.contentType,
      content: a.content,
    }));
    let outcome: Awaited<ReturnType<typeof applyInbound>>;
    try {
      outcome = await applyInbound(services, em, {
        plugin: target.plugin,
        channel: target.channel,
        answer,
        onTicket: async (tx, ticketId) => {
          if (files.length) await insertAttachments(tx, { messageId: id, ticketId, files });
          await finishInbound(tx, id, {
            status: 'done',
            channel: key,
            ticketId,
            outcome: { action: answer.action },
          });
        },
      });
      lap('ticketMs');
    } catch (e) {
      // Kept pending, with why, for the next try.
      await failInbound(em, id, { channel: key, error: String((e as Error)?.message ?? e).slice(0, 500) });
      throw e;
    }
    if (outcome.ok && (outcome.action === 'ignore' || outcome.action === 'signal'))
      await em.transactional((tx) =>
        finishInbound(tx, id, {
          status: 'ignored',
          channel: key,
          ticketId: null,
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
        for (const id of await dueInbound(forkEm(this.services.db), 50)) await this.process(id);
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
