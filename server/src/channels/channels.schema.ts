import { fieldError, ValidationFailed } from '@docket/core';
import { requireStaff, ticketScope } from '../access/policy.ts';
import { builder } from '../graphql/builder.ts';
import type { Ctx } from '../graphql/context.ts';
import type { CallerEvent } from '../plugins/caller-events.ts';
import { TicketRef } from '../tickets/tickets.schema.ts';
import { emailOfUser, listInbound, type OpenTicket, openTicketsOf } from './channels-repository.ts';
import { attachmentsOfTicket } from './inbound-repository.ts';

/**
 * The channels' GraphQL: the caller ringing on an agent's desk (a phone channel's signal), the
 * inbound messages the transports kept (for admins: what is still retrying and why), and the
 * attachments mail brought to a ticket.
 */

type CallerView = CallerEvent & { visibleTickets: OpenTicket[] };

const CallerTicketRef = builder.objectRef<OpenTicket>('CallerTicket').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number'),
    title: t.exposeString('title'),
    status: t.exposeString('status'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
  }),
});

const CallerRef = builder.objectRef<CallerView>('CallerRinging').implement({
  description: 'Someone calling: the customer found by their number, and their open tickets I may see.',
  fields: (t) => ({
    channel: t.exposeString('channel'),
    phone: t.exposeString('phone', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    agentEmail: t.exposeString('agentEmail', {
      nullable: true,
      description: 'The agent taking the call, when the phone system said.',
    }),
    customerId: t.id({ nullable: true, resolve: (c) => c.customer?.id ?? null }),
    customerName: t.string({ nullable: true, resolve: (c) => c.customer?.name ?? null }),
    openTickets: t.field({ type: [CallerTicketRef], resolve: (c) => c.visibleTickets }),
    data: t.field({
      type: 'JSON',
      description: 'What the phone system sent along (the call id …).',
      resolve: (c) => c.data,
    }),
    at: t.field({ type: 'DateTime', resolve: (c) => new Date(c.at) }),
  }),
});

builder.subscriptionField('callerRinging', (t) =>
  t.field({
    type: CallerRef,
    description:
      'Calls ringing for me (the phone system named my email), or every call when everyDesk is true. Staff only.',
    args: { everyDesk: t.arg.boolean({ defaultValue: false }) },
    subscribe: async (_r, a, ctx) => {
      const staff = requireStaff(ctx.principal);
      const topic = a.everyDesk ? '*' : ((await emailOfUser(ctx.em, staff.userId)) ?? '-');
      return callerStream(ctx, topic);
    },
    resolve: (c) => c,
  }),
);

async function* callerStream(ctx: Ctx, topic: string): AsyncGenerator<CallerView> {
  const events = ctx.services.plugins.callerEvents.subscribe('caller', topic)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) return;
      const e = next.value;
      const visibleTickets = e.customer
        ? await openTicketsOf(ctx.em, e.customer.id, ticketScope(ctx.principal!))
        : [];
      yield { ...e, visibleTickets };
    }
  } finally {
    await events.return?.();
  }
}

const InboundMessageRef = builder
  .objectRef<Awaited<ReturnType<typeof listInbound>>[number]>('InboundMessage')
  .implement({
    description:
      'A message a transport took in (a mail), kept raw before a plugin saw it: pending ones are retried with backoff.',
    fields: (t) => ({
      id: t.exposeID('id'),
      transport: t.exposeString('transport'),
      status: t.exposeString('status', { description: 'pending, done or ignored.' }),
      attempts: t.exposeInt('attempts'),
      lastError: t.exposeString('last_error', { nullable: true }),
      channel: t.exposeString('channel', { nullable: true }),
      ticketId: t.exposeID('ticket_id', { nullable: true }),
      outcome: t.field({ type: 'JSON', nullable: true, resolve: (m) => m.outcome }),
      envelope: t.field({ type: 'JSON', resolve: (m) => m.envelope }),
      size: t.exposeInt('size'),
      receivedAt: t.field({ type: 'DateTime', resolve: (m) => m.received_at }),
    }),
  });

builder.queryFields((t) => ({
  inboundMessages: t.field({
    type: [InboundMessageRef],
    description: 'What the transports took in, newest first. Needs plugin.manage.',
    args: { status: t.arg.string(), first: t.arg.int({ defaultValue: 50 }) },
    resolve: (_r, a, ctx) => {
      requireStaff(ctx.principal, 'plugin.manage');
      const first = a.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 500)
        throw new ValidationFailed([fieldError('/first', 'out_of_range', 'Ask for 1 to 500 messages.')]);
      if (a.status && !['pending', 'done', 'ignored'].includes(a.status))
        throw new ValidationFailed([fieldError('/status', 'invalid', 'status is pending, done or ignored.')]);
      return listInbound(ctx.em, { status: a.status ?? null, first });
    },
  }),
}));

const AttachmentRef = builder
  .objectRef<{ id: string; filename: string; content_type: string; size: number }>('InboundAttachment')
  .implement({
    description: 'A file that came with an inbound mail.',
    fields: (t) => ({
      id: t.exposeID('id'),
      filename: t.exposeString('filename'),
      contentType: t.exposeString('content_type'),
      size: t.exposeInt('size'),
    }),
  });

builder.objectField(TicketRef, 'inboundAttachments', (t) =>
  t.field({
    type: [AttachmentRef],
    description: 'Files that came with the mails of this ticket (staff only).',
    resolve: (ticket, _a, ctx) => {
      requireStaff(ctx.principal);
      return attachmentsOfTicket(ctx.em, String(ticket.id));
    },
  }),
);
