import { fieldError, ValidationFailed } from '@docket/core';
import type { Customer } from '@docket/db';
import { maySeeInternals, requireSignedIn, requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { countTickets, type TicketFilter } from '../tickets/list-tickets.ts';
import type { TicketFeedEvent } from '../tickets/ticket-feed.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import { TicketFilterInput, TicketRef } from '../tickets/tickets.schema.ts';
import { CustomerRef, UserRef } from '../users/users.schema.ts';
import {
  customerById,
  newViewId,
  type SavedView,
  savedViewsOf,
  searchCustomers,
  writeSavedViews,
} from './desk-repository.ts';
import { setTicketCc } from './ticket-cc.ts';

/**
 * What the agent desk needs besides tickets and tasks: its views with live counts, the views a
 * person saves, the requester lookup, and the live feed of ticket changes.
 */

const DeskViewCountsRef = builder
  .objectRef<{
    mine: number;
    team: number;
    unassigned: number;
    open: number;
    atRisk: number;
    breached: number;
    saved: { id: string; count: number }[];
  }>('DeskViewCounts')
  .implement({
    description: "How many open tickets each of the desk's views holds for the caller, now.",
    fields: (t) => ({
      mine: t.exposeInt('mine', { description: 'Assigned to me.' }),
      team: t.exposeInt('team', { description: 'In my teams.' }),
      unassigned: t.exposeInt('unassigned', { description: 'Nobody assigned.' }),
      open: t.exposeInt('open', { description: 'Every open ticket I may see.' }),
      atRisk: t.exposeInt('atRisk', { description: 'An SLA clock due within 30 minutes.' }),
      breached: t.exposeInt('breached', { description: 'An SLA clock past its due time.' }),
      saved: t.field({
        type: [SavedViewCountRef],
        resolve: (c) => c.saved,
      }),
    }),
  });

const SavedViewCountRef = builder.objectRef<{ id: string; count: number }>('SavedViewCount').implement({
  fields: (t) => ({ id: t.exposeID('id'), count: t.exposeInt('count') }),
});

const SavedViewRef = builder.objectRef<SavedView>('SavedView').implement({
  description: 'A view a person saved on the desk: filters, sort and columns.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    filter: t.field({ type: 'JSON', description: 'A TicketFilter.', resolve: (v) => v.filter }),
    orderBy: t.field({
      type: 'JSON',
      nullable: true,
      description: 'A TicketOrder.',
      resolve: (v) => v.orderBy,
    }),
    columns: t.exposeStringList('columns'),
  }),
});

const TicketFeedEventRef = builder.objectRef<TicketFeedEvent>('TicketFeedEvent').implement({
  description: 'A ticket the caller may see was created or changed.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'created or changed.' }),
    ticketId: t.exposeID('ticketId'),
    ticket: t.field({
      type: TicketRef,
      nullable: true,
      resolve: (e, _a, ctx) => findVisibleTicket(ctx.em, ctx.principal, { id: e.ticketId }).catch(() => null),
    }),
  }),
});

const OPEN = ['new', 'open', 'pending', 'on_hold'] as const;

/** The built-in views' filters for a staff member (the client shows the same ones). */
export function builtInViews(staff: {
  userId: number;
  teamIds: readonly number[];
}): Record<string, TicketFilter> {
  const open = { status: [...OPEN] };
  return {
    mine: { ...open, assigneeId: staff.userId },
    team: { ...open, teamIds: [...staff.teamIds] },
    unassigned: { ...open, isUnassigned: true },
    open,
    atRisk: { ...open, sla: 'at_risk' },
    breached: { ...open, sla: 'breached' },
  };
}

builder.queryFields((t) => ({
  deskViewCounts: t.field({
    type: DeskViewCountsRef,
    description:
      "Counts of the desk's views (built-in and saved) for the caller. Staff only. With upTo, each count stops at upTo + 1 (a number above upTo means more than upTo) and reads at most that many tickets.",
    args: { upTo: t.arg.int() },
    resolve: async (_r, a, ctx) => {
      const staff = requireStaff(ctx.principal, 'ticket.read');
      const builtIn = builtInViews(staff);
      const saved = await savedViewsOf(ctx.em, staff.userId);
      const names = Object.keys(builtIn);
      const counts = await countTickets(
        ctx.em,
        staff,
        [...Object.values(builtIn), ...saved.map((v) => v.filter as TicketFilter)],
        { upTo: a.upTo },
      );
      const byName = Object.fromEntries(names.map((n, i) => [n, counts[i] ?? 0]));
      return {
        ...(byName as Record<'mine' | 'team' | 'unassigned' | 'open' | 'atRisk' | 'breached', number>),
        saved: saved.map((v, i) => ({ id: v.id, count: counts[names.length + i] ?? 0 })),
      };
    },
  }),
  savedViews: t.field({
    type: [SavedViewRef],
    description: 'The views I saved on the desk.',
    resolve: (_r, _a, ctx) => savedViewsOf(ctx.em, requireStaff(ctx.principal).userId),
  }),
  customers: t.field({
    type: [CustomerRef],
    description:
      'Customers by name, email or phone (digits match however the number is written). Staff with ticket.create.',
    args: { search: t.arg.string({ required: true }), first: t.arg.int({ defaultValue: 10 }) },
    resolve: async (_r, a, ctx) => {
      requireStaff(ctx.principal, 'ticket.create');
      const text = a.search.trim();
      if (text.length < 2) return [];
      return (await searchCustomers(ctx.em, text, Math.min(a.first ?? 10, 50))) as unknown as Customer[];
    },
  }),
  customer: t.field({
    type: CustomerRef,
    nullable: true,
    description:
      'One customer by id (the requester a new ticket starts with, as from a ringing call). Staff with ticket.create.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      requireStaff(ctx.principal, 'ticket.create');
      const id = Number(a.id);
      if (!Number.isSafeInteger(id) || id < 1) return null;
      return ((await customerById(ctx.em, id)) ?? null) as unknown as Customer | null;
    },
  }),
}));

const SavedViewInput = builder.inputType('SavedViewInput', {
  fields: (t) => ({
    id: t.id({ description: 'Replace this view; a new one when absent.' }),
    name: t.string({ required: true }),
    filter: t.field({ type: TicketFilterInput, required: true }),
    orderBy: t.field({ type: 'JSON' }),
    columns: t.stringList({ required: true }),
  }),
});

builder.objectField(TicketRef, 'cc', (t) =>
  t.field({
    type: [UserRef],
    nullable: true,
    description:
      "The ticket's own CC list: staff added from the desk, who hear what the CC list hears (urges, SLA notices). The open steps' lists are on their tasks. Staff only (null for customers).",
    resolve: async (r, _a, ctx) => {
      if (!maySeeInternals(ctx.principal)) return null;
      const ids = (await ctx.loaders.ccOfTicket.load(String(r.id))) ?? [];
      const users = await Promise.all(ids.map((id) => ctx.loaders.user.load(id)));
      return users.filter((u) => u != null);
    },
  }),
);

builder.mutationFields((t) => ({
  setTicketCc: t.field({
    type: TicketRef,
    errors: mutationErrors,
    description:
      "Sets the ticket's own CC list to these staff (in this order). Whoever may change the ticket may; each person added must be active staff the caller may hand work to. The timeline says who was added and removed.",
    args: {
      id: t.arg.id({ required: true }),
      userIds: t.arg.intList({ required: true }),
    },
    resolve: (_r, a, ctx) =>
      setTicketCc(ctx.services, ctx.em, ctx.principal, ctx.channel, { id: a.id, userIds: a.userIds }),
  }),
  saveView: t.field({
    type: SavedViewRef,
    errors: mutationErrors,
    description: 'Saves one of my desk views (a new one, or the one named by id).',
    args: { view: t.arg({ type: SavedViewInput, required: true }) },
    resolve: async (_r, a, ctx) => {
      const staff = requireStaff(ctx.principal, 'ticket.read');
      const name = a.view.name.trim();
      if (!name || name.length > 60)
        throw new ValidationFailed([
          fieldError('/view/name', 'invalid', 'Name the view in 1 to 60 characters.'),
        ]);
      const views = await savedViewsOf(ctx.em, staff.userId);
      const id = a.view.id ? String(a.view.id) : newViewId();
      if (a.view.id && !views.some((v) => v.id === id)) throw new NotFoundError(`View ${id}`, '/view/id');
      if (!a.view.id && views.length >= 30)
        throw new ValidationFailed([fieldError('/view', 'too_many', 'You have 30 views; delete one first.')]);
      const view: SavedView = {
        id,
        name,
        filter: Object.fromEntries(Object.entries(a.view.filter).filter(([, v]) => v != null)),
        orderBy: (a.view.orderBy as Record<string, unknown> | null) ?? null,
        columns: a.view.columns.slice(0, 20),
      };
      const next = a.view.id ? views.map((v) => (v.id === id ? view : v)) : [...views, view];
      await writeSavedViews(ctx.em, staff.userId, next);
      return view;
    },
  }),
  deleteView: t.field({
    type: [SavedViewRef],
    description: 'Deletes one of my desk views; answers the rest.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const staff = requireStaff(ctx.principal);
      const next = (await savedViewsOf(ctx.em, staff.userId)).filter((v) => v.id !== String(a.id));
      await writeSavedViews(ctx.em, staff.userId, next);
      return next;
    },
  }),
}));

builder.subscriptionField('ticketFeed', (t) =>
  t.field({
    type: TicketFeedEventRef,
    description:
      'Tickets created or changed from now on, those the caller may see (staff by their scope, customers their own).',
    subscribe: (_r, _a, ctx) => {
      requireSignedIn(ctx.principal);
      return visibleFeed(ctx);
    },
    resolve: (e) => e,
  }),
);

async function* visibleFeed(ctx: {
  services: { feed: { subscribe(): AsyncIterable<TicketFeedEvent> } };
  em: Parameters<typeof findVisibleTicket>[0];
  principal: Parameters<typeof findVisibleTicket>[1];
}): AsyncGenerator<TicketFeedEvent> {
  for await (const event of ctx.services.feed.subscribe()) {
    const isVisible = await findVisibleTicket(ctx.em.fork(), ctx.principal, { id: event.ticketId }).then(
      () => true,
      () => false,
    );
    if (isVisible) yield event;
  }
}
