import { type ChannelDefinition, changeLocaleOf, describeChange, namesNeeded } from '@docket/core';
import { GraphQLError } from 'graphql';
import { maySeeInternals, requireSignedIn } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import type { Ctx } from '../graphql/context.ts';
import { PriorityEnum, StatusCategoryEnum } from '../graphql/enums.ts';
import { LocalizedNameRef, servedNames } from '../graphql/localized-names.ts';
import { OrgUnitRef, TeamRef } from '../org/org-refs.ts';
import { TemplateRef, TemplateVersionRef } from '../templates/templates.schema.ts';
import { CustomerRef, UserRef } from '../users/users.schema.ts';
import { assignTicket, postMessage, updateTicket } from './change-ticket.ts';
import { createTicket } from './create-ticket.ts';
import { listTickets, type TicketPage } from './list-tickets.ts';
import { findVisibleTicket, ticketTimeline } from './ticket-repository.ts';
import type { TicketEventRow, TicketRow } from './ticket-row.ts';

/** The entry's sentence (describeChange), with the names of the people, teams and units it names. */
async function sentenceOf(
  e: TicketEventRow,
  locale: string | null | undefined,
  loaders: Pick<Ctx['loaders'], 'user' | 'team' | 'orgUnit'>,
) {
  const lang = changeLocaleOf(locale);
  const names = new Map<string, string>();
  await Promise.all(
    namesNeeded(e.diff).map(async ({ kind, id }) => {
      const row = await (kind === 'user'
        ? loaders.user
        : kind === 'team'
          ? loaders.team
          : loaders.orgUnit
      ).load(id);
      if (row) names.set(`${kind}:${id}`, row.name);
    }),
  );
  return describeChange(e, lang, (kind, id) => names.get(`${kind}:${id}`));
}

/** The fields of a change a customer may see: what their portal shows of the ticket. */
const PUBLIC_DIFF_FIELDS = new Set(['title', 'description', 'status', 'statusName', 'priority', 'formData']);

function publicDiff(diff: unknown): unknown {
  if (!diff || typeof diff !== 'object') return diff ?? null;
  const kept = Object.entries(diff as Record<string, unknown>).filter(([k]) => PUBLIC_DIFF_FIELDS.has(k));
  return kept.length ? Object.fromEntries(kept) : null;
}

const TicketEventRef = builder.objectRef<TicketEventRow>('TicketEvent').implement({
  description: 'One entry of the audit trail: who did what, when, through which channel, and what changed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.exposeString('kind', { description: 'created, updated, assigned, reply, note, …' }),
    actorKind: t.exposeString('actor_kind'),
    actorUser: t.field({
      type: UserRef,
      nullable: true,
      resolve: (e, _a, ctx) =>
        e.actor_kind === 'user' && e.actor_id ? ctx.loaders.user.load(e.actor_id) : null,
    }),
    actorCustomer: t.field({
      type: CustomerRef,
      nullable: true,
      resolve: (e, _a, ctx) =>
        e.actor_kind === 'customer' && e.actor_id ? ctx.loaders.customer.load(e.actor_id) : null,
    }),
    viaApiToken: t.boolean({ resolve: (e) => e.via_token_id !== null }),
    channel: t.string({
      description: 'The key of the channel it came through (see channels).',
      resolve: (e) => e.channel,
    }),
    isPublic: t.exposeBoolean('is_public'),
    body: t.string({
      nullable: true,
      description:
        'What was said (a reply, a note, a reason). An `updated` or `cc.changed` entry says what changed in a sentence, in `locale` (en or zh-CN).',
      args: { locale: t.arg.string({ defaultValue: 'en' }) },
      resolve: (e, a, ctx) =>
        e.body ??
        (e.kind === 'updated' || e.kind === 'cc.changed' ? sentenceOf(e, a.locale, ctx.loaders) : null),
    }),
    summary: t.string({
      nullable: true,
      description:
        'One sentence for entries that change fields or hand work on: what changed, or from whom to whom and why; for `files.refused`, one line per attachment a channel did not keep and why; in `locale` (en or zh-CN). In zh-CN also for SLA entries and for notices sent through an outside target (`notification.*`: whom it reached, why not the others), whose English is their body. Null for other kinds.',
      args: { locale: t.arg.string({ defaultValue: 'en' }) },
      resolve: (e, a, ctx) => sentenceOf(e, a.locale, ctx.loaders),
    }),
    diff: t.field({
      type: 'JSON',
      nullable: true,
      description:
        'Changed fields as {field: {from, to}}. Customers see only the fields their portal shows (no internal ids).',
      resolve: (e, _a, ctx) => (maySeeInternals(ctx.principal) ? e.diff : publicDiff(e.diff)),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.created_at }),
  }),
});

export const TicketRef = builder.objectRef<TicketRow>('Ticket').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number'),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    status: t.field({ type: StatusCategoryEnum, resolve: (r) => r.status }),
    statusName: t.exposeString('status_name', {
      nullable: true,
      description: 'The named status within the category ("Waiting for parts"), if any.',
    }),
    priority: t.field({ type: PriorityEnum, resolve: (r) => r.priority }),
    channel: t.string({
      description: 'The key of the channel the ticket came in through (see channels).',
      resolve: (r) => r.channel,
    }),
    formData: t.field({ type: 'JSON', resolve: (r) => r.form_data }),
    customFields: t.field({
      type: 'JSON',
      nullable: true,
      description:
        "Fields beyond the form and the ticket's own that workflow steps (set fields) and plugins wrote, by name. Staff only (null for customers).",
      resolve: async (r, _a, ctx) =>
        maySeeInternals(ctx.principal)
          ? ((await ctx.loaders.customFieldsOfTicket.load(String(r.id))) ?? {})
          : null,
    }),
    template: t.field({
      type: TemplateRef,
      resolve: (r, _a, ctx) => ctx.loaders.template.load(r.template_id).then((x) => x!),
    }),
    templateVersion: t.field({
      type: TemplateVersionRef,
      description: 'The version the ticket was created from; its form schema validates the ticket.',
      resolve: (r, _a, ctx) => ctx.loaders.templateVersion.load(r.template_version_id).then((x) => x!),
    }),
    requester: t.field({
      type: CustomerRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.requester_id ? ctx.loaders.customer.load(r.requester_id) : null),
    }),
    creator: t.field({
      type: UserRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.creator_user_id ? ctx.loaders.user.load(r.creator_user_id) : null),
    }),
    assignee: t.field({
      type: UserRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.assignee_id ? ctx.loaders.user.load(r.assignee_id) : null),
    }),
    team: t.field({
      type: TeamRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.team_id ? ctx.loaders.team.load(r.team_id) : null),
    }),
    orgUnit: t.field({
      type: OrgUnitRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.org_unit_id ? ctx.loaders.orgUnit.load(r.org_unit_id) : null),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updated_at }),
    solvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.solved_at }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.closed_at }),
    timeline: t.field({
      type: [TicketEventRef],
      description: 'The audit trail, oldest first. Customers see public entries only.',
      resolve: (r, _a, ctx) =>
        ticketTimeline(ctx.em, r.id, { isInternalIncluded: maySeeInternals(ctx.principal) }),
    }),
  }),
});

const SlaFilterEnum = builder.enumType('TicketSlaFilter', { values: ['breached', 'at_risk'] as const });

export const TicketFilterInput = builder.inputType('TicketFilter', {
  fields: (t) => ({
    status: t.field({ type: [StatusCategoryEnum] }),
    priority: t.field({ type: [PriorityEnum] }),
    templateId: t.idList(),
    assigneeId: t.id(),
    teamId: t.id(),
    orgUnitId: t.id({ description: 'This org unit and everything below it.' }),
    channel: t.stringList({ description: 'Channel keys (see channels).' }),
    requesterId: t.id(),
    requesterTier: t.stringList({
      description:
        "The requester's customer tier, any of these; an empty string for tickets without a requester.",
    }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
    text: t.string({ description: 'Full-text search over title, description and form text.' }),
    statusName: t.stringList({ description: 'Named statuses (see ticketStatuses).' }),
    teamIds: t.idList({ description: 'Any of these teams.' }),
    isUnassigned: t.boolean({ description: 'Only tickets nobody is assigned to.' }),
    sla: t.field({
      type: SlaFilterEnum,
      description: 'breached: an SLA clock past its due time; at_risk: one due within 30 minutes.',
    }),
  }),
});
const TicketSortFieldEnum = builder.enumType('TicketSortField', {
  values: ['CREATED_AT', 'UPDATED_AT', 'PRIORITY', 'RELEVANCE'] as const,
});
const SortDirectionEnum = builder.enumType('SortDirection', { values: ['ASC', 'DESC'] as const });
const TicketOrderInput = builder.inputType('TicketOrder', {
  fields: (t) => ({
    field: t.field({ type: TicketSortFieldEnum, required: true }),
    direction: t.field({ type: SortDirectionEnum, required: true }),
  }),
});

const RequesterInput = builder.inputType('RequesterInput', {
  description: 'Finds the customer by email, then phone; creates one when neither matches.',
  fields: (t) => ({ name: t.string(), email: t.string(), phone: t.string() }),
});

const CreateTicketInput = builder.inputType('CreateTicketInput', {
  fields: (t) => ({
    templateKey: t.string(),
    templateId: t.int(),
    title: t.string({ required: true }),
    description: t.string(),
    formData: t.field({ type: 'JSON', description: "Checked against the template's published form schema." }),
    priority: t.field({ type: PriorityEnum, description: "Defaults to the template's default priority." }),
    channel: t.string({
      description: 'The key of the channel the request came through (phone, email, …; see channels).',
    }),
    requesterId: t.int(),
    requester: t.field({ type: RequesterInput }),
    orgUnitId: t.int(),
    teamId: t.int(),
    assigneeId: t.int(),
  }),
});

const ChannelRef = builder.objectRef<ChannelDefinition>('Channel').implement({
  description:
    'A way tickets come in (phone, email, the web form, a chat, a partner system): the core ones and those channel plugins add.',
  fields: (t) => ({
    key: t.exposeString('key'),
    title: t.string({
      description: 'What people call it, in `locale` (en or zh-CN) where the channel gives that title.',
      args: { locale: t.arg.string() },
      resolve: (c, a) => (a.locale ? c.titles?.[a.locale] : undefined) ?? c.title,
    }),
    titles: t.field({
      type: [LocalizedNameRef],
      description:
        "The title in other languages (en, zh-CN), from the channel's display data; `title` stands in for a language not listed.",
      resolve: (c) => servedNames(c.titles),
    }),
    description: t.string({ nullable: true, resolve: (c) => c.description ?? null }),
    isInbound: t.exposeBoolean('isInbound', { description: 'Tickets can be created through it.' }),
  }),
});

builder.queryFields((t) => ({
  channels: t.field({
    type: [ChannelRef],
    description: 'Every channel the server knows, the core ones first.',
    resolve: (_r, _a, ctx) => {
      requireSignedIn(ctx.principal);
      return ctx.services.registries.channels.values();
    },
  }),
  tickets: t.connection(
    {
      type: TicketRef,
      description: 'Tickets the caller may see, newest first unless ordered otherwise.',
      args: {
        filter: t.arg({ type: TicketFilterInput }),
        orderBy: t.arg({ type: TicketOrderInput }),
      },
      resolve: (_r, a, ctx) => {
        if (a.last != null || a.before != null)
          throw new GraphQLError('Page forward with first and after; last and before are not supported.');
        return listTickets(ctx.em, ctx.principal, {
          filter: a.filter,
          orderBy: a.orderBy,
          first: a.first,
          after: a.after,
        }) as never;
      },
    },
    {
      name: 'TicketConnection',
      fields: (c) => ({
        totalCount: c.int({
          description: 'Every matching ticket, counted exactly (reads all of them: slow on a long list).',
          resolve: (conn) => (conn as unknown as TicketPage).totalCount(),
        }),
        countUpTo: c.int({
          description:
            'The matching tickets counted up to `upTo + 1` and no further: a number above `upTo` means "more than upTo". Reads at most that many rows.',
          args: { upTo: c.arg.int({ required: true }) },
          resolve: (conn, a) => (conn as unknown as TicketPage).countUpTo(a.upTo),
        }),
      }),
    },
  ),
  ticket: t.field({
    type: TicketRef,
    nullable: true,
    description: 'Null when the ticket does not exist or the caller may not see it.',
    args: { id: t.arg.id(), number: t.arg.string() },
    resolve: (_r, a, ctx) =>
      findVisibleTicket(ctx.em, ctx.principal, { id: a.id, number: a.number }).catch((e) => {
        if ((e as Error).name === 'NotFoundError') return null;
        throw e;
      }),
  }),
}));

builder.mutationFields((t) => ({
  createTicket: t.field({
    type: TicketRef,
    errors: mutationErrors,
    args: { input: t.arg({ type: CreateTicketInput, required: true }) },
    resolve: (_r, a, ctx) => createTicket(ctx.services, ctx.em, ctx.principal, ctx.channel, a.input),
  }),
  updateTicket: t.field({
    type: TicketRef,
    errors: mutationErrors,
    args: {
      id: t.arg.id({ required: true }),
      title: t.arg.string(),
      description: t.arg.string(),
      priority: t.arg({ type: PriorityEnum }),
      status: t.arg({ type: StatusCategoryEnum }),
      statusName: t.arg.string({
        description:
          'A named status (ticketStatuses); sets its category too. An empty string clears the name. A category alone clears a name of another category.',
      }),
      formData: t.arg({ type: 'JSON' }),
    },
    resolve: (_r, a, ctx) => updateTicket(ctx.services, ctx.em, ctx.principal, ctx.channel, a),
  }),
  assignTicket: t.field({
    type: TicketRef,
    errors: mutationErrors,
    description: 'Omitted fields stay; an explicit null clears.',
    args: {
      id: t.arg.id({ required: true }),
      assigneeId: t.arg.int(),
      teamId: t.arg.int(),
      orgUnitId: t.arg.int(),
    },
    resolve: (_r, a, ctx) => assignTicket(ctx.services, ctx.em, ctx.principal, ctx.channel, a),
  }),
  replyToTicket: t.field({
    type: TicketRef,
    errors: mutationErrors,
    description: 'A public reply the customer sees.',
    args: { id: t.arg.id({ required: true }), body: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) =>
      postMessage(ctx.services, ctx.em, ctx.principal, ctx.channel, {
        id: a.id,
        body: a.body,
        isPublic: true,
      }),
  }),
  addNote: t.field({
    type: TicketRef,
    errors: mutationErrors,
    description: 'An internal note, hidden from the customer.',
    args: { id: t.arg.id({ required: true }), body: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) =>
      postMessage(ctx.services, ctx.em, ctx.principal, ctx.channel, {
        id: a.id,
        body: a.body,
        isPublic: false,
      }),
  }),
}));
