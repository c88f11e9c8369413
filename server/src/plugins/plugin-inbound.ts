import { type CustomerPrincipal, isPriority, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import { postMessage } from '../tickets/change-ticket.ts';
import { createTicket } from '../tickets/create-ticket.ts';
import { findOrCreateCustomer } from '../tickets/customers.ts';
import type { CallerEvent } from './caller-events.ts';
import {
  callerOf,
  claimThreadKey,
  recordThread,
  requesterOfTicketNumber,
  ticketOfThread,
} from './plugin-repository.ts';

/**
 * What a channel plugin's `receive` answered, applied by the host the same way whichever
 * transport brought the payload (a webhook, a mail): a new ticket for the requester (found or
 * made by email or phone), a reply on the ticket its thread key (or ticket number) names, a
 * caller signal for the desk, or nothing.
 */

type Person = { email?: string; name?: string; phone?: string };
type NewTicket = {
  templateKey?: string;
  title: string;
  description?: string;
  formData?: Record<string, unknown>;
  priority?: string;
};

export type InboundAnswer =
  | {
      action: 'create';
      threadKey: string;
      ticket: NewTicket;
      requester: Person;
      /** A message back to the sender on the ticket's thread, queued with the ticket. */
      acknowledgement?: { text: string };
    }
  | {
      action: 'reply';
      threadKey: string;
      ticketNumber?: string;
      reply: { text: string };
      author: Person;
      orCreate?: { threadKey?: string; ticket: NewTicket };
      /** A message back to the sender on the ticket's thread, queued with the reply (or its new ticket). */
      acknowledgement?: { text: string };
    }
  | {
      action: 'signal';
      signal: 'caller';
      person: Person;
      agentEmail?: string;
      data?: Record<string, unknown>;
    }
  | { action: 'ignore'; reason?: string };

/** What applying an answer came to. */
export type InboundOutcome =
  | { ok: true; action: 'create' | 'reply' | 'signal' | 'ignore'; ticketId?: string; reason?: string }
  | { ok: false; status: number; error: string; fields?: unknown };

async function customer(em: EntityManager, who: Person | undefined): Promise<CustomerPrincipal | null> {
  if (!who || (!who.email && !who.phone)) return null;
  const id = await em.transactional((tx) =>
    findOrCreateCustomer(tx, { name: who.name ?? null, email: who.email ?? null, phone: who.phone ?? null }),
  );
  return { kind: 'customer', customerId: id, name: who.name ?? who.email ?? who.phone ?? 'Customer' };
}

/**
 * Applies a plugin's answer for the channel `<plugin>.<channel>`. `onTicket` runs in the
 * transaction that records the new ticket and its thread, or the reply (the mail intake marks
 * its mail done and keeps its attachments there).
 */
export async function applyInbound(
  services: Services,
  em: EntityManager,
  input: {
    plugin: string;
    channel: string;
    answer: InboundAnswer | null | undefined;
    onTicket?: (tx: EntityManager, ticketId: string) => Promise<void>;
    /**
     * The inbound message's own key (a mail's Message-ID): a reply keeps it as a key of its
     * ticket's thread, in its transaction, and the same message again is not posted twice.
     */
    messageKey?: string;
  },
): Promise<InboundOutcome> {
  const { plugin, answer } = input;
  const key = `${plugin}.${input.channel}`;
  const create = async (threadKey: string, t: NewTicket, who: Person): Promise<InboundOutcome> => {
    const requester = await customer(em, who);
    if (!requester)
      return { ok: false, status: 422, error: 'The plugin gave the new ticket no requester email or phone.' };
    if (!t?.templateKey)
      return {
        ok: false,
        status: 422,
        error: 'The plugin named no template (ticket.templateKey) for the new ticket.',
      };
    if (await ticketOfThread(em, key, threadKey))
      return { ok: false, status: 409, error: `The thread "${threadKey}" has a ticket already.` };
    // The ticket, its thread and what the caller records with it (the mail done) commit as one:
    // a crash leaves none of them, and a retry finds the thread taken rather than make another.
    const taken = new Error('thread taken');
    const row = await em
      .transactional(async (tx) => {
        const created = await createTicket(services, tx, requester, key, {
          templateKey: t.templateKey,
          title: t.title,
          description: t.description ?? null,
          formData: t.formData ?? {},
          ...(isPriority(t.priority) ? { priority: t.priority } : {}),
          channel: key,
        });
        await recordThread(tx, { channel: key, plugin, threadKey, ticketId: created.id });
        // Another process's ticket took the thread meanwhile: this one is not written.
        if ((await ticketOfThread(tx, key, threadKey)) !== String(created.id)) throw taken;
        await input.onTicket?.(tx, String(created.id));
        return created;
      })
      .catch((e) => {
        if (e === taken) return null;
        throw e;
      });
    if (!row) return { ok: false, status: 409, error: `The thread "${threadKey}" has a ticket already.` };
    return { ok: true, action: 'create', ticketId: String(row.id) };
  };
  try {
    if (answer?.action === 'create')
      return await create(String(answer.threadKey), answer.ticket, answer.requester);
    if (answer?.action === 'reply') {
      const author = await customer(em, answer.author);
      if (!author)
        return { ok: false, status: 422, error: 'The plugin gave the reply no author email or phone.' };
      let ticketId = await ticketOfThread(em, key, String(answer.threadKey));
      if (!ticketId && answer.ticketNumber) {
        // A ticket named by its number takes replies only from its own requester.
        const t = await requesterOfTicketNumber(em, String(answer.ticketNumber));
        if (t && t.requesterId === author.customerId) ticketId = t.id;
      }
      if (!ticketId) {
        if (answer.orCreate)
          return await create(
            String(answer.orCreate.threadKey ?? answer.threadKey),
            answer.orCreate.ticket,
            answer.author,
          );
        return { ok: false, status: 404, error: `No ticket came in on the thread "${answer.threadKey}".` };
      }
      let isRepeat = false;
      try {
        // The reply, its message's key and what the caller records with it (the mail done)
        // commit as one: a crash between them leaves none, so a retry cannot post the reply
        // twice, nor can the same message sent again.
        await em.transactional(async (tx) => {
          if (
            input.messageKey &&
            !(await claimThreadKey(tx, { channel: key, plugin, threadKey: input.messageKey, ticketId }))
          ) {
            isRepeat = true;
            return;
          }
          await postMessage(services, tx, author, key, {
            id: ticketId,
            body: answer.reply?.text ?? '',
            isPublic: true,
          });
          await input.onTicket?.(tx, String(ticketId));
        });
      } catch (e) {
        // Not the ticket's requester (someone else answering on the thread): their own ticket, when asked.
        if (e instanceof NotFoundError && answer.orCreate)
          return await create(
            String(answer.orCreate.threadKey ?? answer.threadKey),
            answer.orCreate.ticket,
            answer.author,
          );
        throw e;
      }
      if (isRepeat)
        return {
          ok: true,
          action: 'ignore',
          ticketId: String(ticketId),
          reason: `the message ${input.messageKey} was posted on the ticket already`,
        };
      return { ok: true, action: 'reply', ticketId: String(ticketId) };
    }
    if (answer?.action === 'signal') {
      if (answer.signal !== 'caller')
        return {
          ok: false,
          status: 502,
          error: `The plugin sent the signal "${String(answer.signal)}"; Docket knows "caller".`,
        };
      const facts = await callerOf(em, answer.person ?? {});
      const event: CallerEvent = {
        ...facts,
        channel: key,
        agentEmail: answer.agentEmail?.toLowerCase() ?? null,
        data: answer.data ?? {},
        at: new Date().toISOString(),
      };
      services.plugins.callerEvents.publish('caller', event.agentEmail ?? '*', event);
      if (event.agentEmail) services.plugins.callerEvents.publish('caller', '*', event);
      return { ok: true, action: 'signal' };
    }
    if (answer?.action === 'ignore') return { ok: true, action: 'ignore', reason: answer.reason ?? '' };
    return {
      ok: false,
      status: 502,
      error: `The plugin answered ${JSON.stringify((answer as { action?: unknown } | null)?.action)}; expected create, reply, signal or ignore.`,
    };
  } catch (e) {
    if (e instanceof ValidationFailed) return { ok: false, status: 422, error: e.message, fields: e.errors };
    if (e instanceof NotFoundError) return { ok: false, status: 404, error: e.message };
    throw e;
  }
}
