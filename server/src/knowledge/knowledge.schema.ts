import type { DescriptionTemplate, KbArticle, Macro } from '@docket/db';
import { maySeeInternals } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { TicketRef } from '../tickets/tickets.schema.ts';
import {
  kbArticle,
  linkKbArticle,
  publishKbArticle,
  saveKbArticle,
  searchKb,
  suggestKb,
} from './articles.ts';
import {
  descriptionTemplates,
  renderDescriptionTemplate,
  saveDescriptionTemplate,
} from './description-templates.ts';
import type { KbArticleRow, KbHit } from './knowledge-repository.ts';
import { applyMacro, macros, saveMacro } from './macros.ts';

/** An article as the entity or as a search row. */
type ArticleLike = KbArticle | KbArticleRow;
const pick = <K extends keyof KbArticle & string>(a: ArticleLike, entity: K, column: keyof KbArticleRow) =>
  (entity in a ? (a as KbArticle)[entity] : (a as KbArticleRow)[column]) as KbArticle[K];

const KbVisibilityEnum = builder.enumType('KbVisibility', {
  description: 'internal: staff only; public: also customers on the portal.',
  values: ['internal', 'public'] as const,
});

export const KbArticleRef = builder.objectRef<ArticleLike>('KbArticle').implement({
  description:
    'A knowledge-base article: its draft, and what is published (search, suggestions and the portal read that).',
  fields: (t) => ({
    id: t.id({ resolve: (a) => a.id }),
    categoryPath: t.string({ resolve: (a) => pick(a, 'categoryPath', 'category_path') }),
    visibility: t.field({ type: KbVisibilityEnum, resolve: (a) => a.visibility }),
    title: t.string({ nullable: true, description: 'The published title.', resolve: (a) => a.title ?? null }),
    body: t.string({ nullable: true, description: 'The published body.', resolve: (a) => a.body ?? null }),
    publishedVersion: t.int({
      nullable: true,
      resolve: (a) => pick(a, 'publishedVersion', 'published_version'),
    }),
    publishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (a) => pick(a, 'publishedAt', 'published_at'),
    }),
    draftTitle: t.string({
      nullable: true,
      description: 'Staff only.',
      resolve: (a, _x, ctx) => (maySeeInternals(ctx.principal) ? pick(a, 'draftTitle', 'draft_title') : null),
    }),
    draftBody: t.string({
      nullable: true,
      description: 'Staff only.',
      resolve: (a, _x, ctx) => (maySeeInternals(ctx.principal) ? pick(a, 'draftBody', 'draft_body') : null),
    }),
  }),
});

const KbHitRef = builder.objectRef<KbHit>('KbHit').implement({
  description: 'An article found, with how well it matches (higher is better).',
  fields: (t) => ({
    article: t.field({ type: KbArticleRef, resolve: (h) => h }),
    rank: t.float({ resolve: (h) => h.rank }),
  }),
});

const DescriptionTemplateRef = builder.objectRef<DescriptionTemplate>('DescriptionTemplate').implement({
  description:
    'Text to start a ticket description from, with placeholders ({{requester.name}}, {{ticket.number}}, {{form.<field>}}).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    body: t.exposeString('body'),
    isPersonal: t.boolean({ resolve: (d) => d.ownerUser != null }),
  }),
});

const MacroRef = builder.objectRef<Macro>('Macro').implement({
  description: 'A canned reply (with placeholders) and field changes, applied to a ticket in one click.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    reply: t.exposeString('reply'),
    isPublicReply: t.exposeBoolean('isPublicReply'),
    changes: t.field({ type: 'JSON', resolve: (m) => m.changes }),
    isShared: t.boolean({ resolve: (m) => m.ownerUser == null }),
  }),
});

const RenderedTextRef = builder.objectRef<{ text: string; missing: string[] }>('RenderedText').implement({
  fields: (t) => ({
    text: t.exposeString('text'),
    missing: t.exposeStringList('missing', { description: 'Placeholders with no value (left as written).' }),
  }),
});

builder.objectField(TicketRef, 'articles', (t) =>
  t.field({
    type: [KbArticleRef],
    description: 'Knowledge-base articles used on this ticket.',
    resolve: async (r, _a, ctx) => (await ctx.loaders.articlesOfTicket.load(String(r.id))) ?? [],
  }),
);

builder.queryFields((t) => ({
  kbArticle: t.field({
    type: KbArticleRef,
    nullable: true,
    description: 'Staff read any article; customers and visitors published public ones.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => kbArticle(ctx.em, ctx.principal, a.id),
  }),
  kbSearch: t.field({
    type: [KbHitRef],
    description: 'Published articles matching every word (Chinese too), best first.',
    args: { text: t.arg.string({ required: true }), categoryPath: t.arg.string(), first: t.arg.int() },
    resolve: (_r, a, ctx) => searchKb(ctx.em, ctx.principal, a),
  }),
  kbSuggestions: t.field({
    type: [KbHitRef],
    description: 'Articles to suggest while a ticket title or a reply is typed (any shared word counts).',
    args: {
      text: t.arg.string({ required: true }),
      first: t.arg.int({ description: '1 to 50; default 5.' }),
    },
    resolve: (_r, a, ctx) => suggestKb(ctx.em, ctx.principal, a),
  }),
  descriptionTemplates: t.field({
    type: [DescriptionTemplateRef],
    description: "A ticket template's public description templates, then the caller's personal ones.",
    args: { templateKey: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => descriptionTemplates(ctx.em, ctx.principal, a.templateKey),
  }),
  renderDescriptionTemplate: t.field({
    type: RenderedTextRef,
    description: 'A description template filled from a ticket, or from the values of one being entered.',
    args: { id: t.arg.id({ required: true }), ticketId: t.arg.id(), values: t.arg({ type: 'JSON' }) },
    resolve: (_r, a, ctx) =>
      renderDescriptionTemplate(ctx.em, ctx.principal, {
        id: a.id,
        ticketId: a.ticketId ?? null,
        values: (a.values ?? null) as never,
      }),
  }),
  macros: t.field({
    type: [MacroRef],
    description: 'The shared macros and the caller’s own.',
    resolve: (_r, _a, ctx) => macros(ctx.em, ctx.principal),
  }),
}));

const KbArticleInputRef = builder.inputType('KbArticleInput', {
  fields: (t) => ({
    id: t.id({ description: 'Absent: a new article.' }),
    title: t.string({ required: true }),
    body: t.string({ required: true }),
    categoryPath: t.string({ description: 'Up to four levels: "家电/空调".' }),
    visibility: t.field({ type: KbVisibilityEnum }),
  }),
});

const DescriptionTemplateInputRef = builder.inputType('DescriptionTemplateInput', {
  fields: (t) => ({
    id: t.id(),
    templateKey: t.string({
      description: 'A public one of this ticket template (template.manage); absent: personal.',
    }),
    name: t.string({ required: true }),
    body: t.string({ required: true }),
  }),
});

const MacroInputRef = builder.inputType('MacroInput', {
  fields: (t) => ({
    id: t.id(),
    name: t.string({ required: true }),
    reply: t.string(),
    isPublicReply: t.boolean(),
    changes: t.field({ type: 'JSON', description: '{status, statusName, priority, assigneeId, teamId}' }),
    isShared: t.boolean({ description: 'For every agent (template.manage); otherwise the caller’s own.' }),
  }),
});

builder.mutationFields((t) => ({
  saveKbArticle: t.field({
    type: KbArticleRef,
    errors: mutationErrors,
    description: 'Creates an article or changes its draft. Needs template.manage.',
    args: { input: t.arg({ type: KbArticleInputRef, required: true }) },
    resolve: (_r, a, ctx) => saveKbArticle(ctx.em, ctx.principal, a.input),
  }),
  publishKbArticle: t.field({
    type: KbArticleRef,
    errors: mutationErrors,
    description: 'Publishes the draft as the next version. Needs template.manage.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => publishKbArticle(ctx.em, ctx.principal, a.id),
  }),
  linkKbArticle: t.field({
    type: KbArticleRef,
    errors: mutationErrors,
    description: 'Records that a published article was used on a ticket (once; on the timeline).',
    args: { articleId: t.arg.id({ required: true }), ticketId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => linkKbArticle(ctx.services, ctx.em, ctx.principal, ctx.channel, a),
  }),
  saveDescriptionTemplate: t.field({
    type: DescriptionTemplateRef,
    errors: mutationErrors,
    args: { input: t.arg({ type: DescriptionTemplateInputRef, required: true }) },
    resolve: (_r, a, ctx) => saveDescriptionTemplate(ctx.em, ctx.principal, a.input),
  }),
  saveMacro: t.field({
    type: MacroRef,
    errors: mutationErrors,
    args: { input: t.arg({ type: MacroInputRef, required: true }) },
    resolve: (_r, a, ctx) => saveMacro(ctx.em, ctx.principal, a.input),
  }),
  applyMacro: t.field({
    type: TicketRef,
    errors: mutationErrors,
    description: 'Posts the macro’s reply and makes its changes on the ticket, all or nothing.',
    args: { macroId: t.arg.id({ required: true }), ticketId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => applyMacro(ctx.services, ctx.em, ctx.principal, ctx.channel, a),
  }),
}));
