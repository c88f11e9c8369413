import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './access.ts';
import { indexDefinition } from './index-definition.ts';
import { TicketTemplate } from './templates.ts';
import { Ticket } from './tickets.ts';

export const KB_VISIBILITIES = ['internal', 'public'] as const;

/**
 * A knowledge-base article: its draft (always editable) and its published content (title, body:
 * what search, suggestions and the portal read), with the version number it was published as.
 */
export const KbArticle = defineEntity({
  name: 'KbArticle',
  tableName: 'kb_article',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** Categories as a path, "家电/空调"; '' for none. */
    categoryPath: p.text().default(''),
    visibility: p.enum([...KB_VISIBILITIES]).default('internal'),
    draftTitle: p.text(),
    draftBody: p.text().default(''),
    publishedVersion: p.integer().nullable(),
    title: p.text().nullable(),
    body: p.text().nullable(),
    publishedAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
    search: p
      .text()
      .columnType('tsvector')
      .generated(
        // The published title (weighing A) and body with their CJK bigrams, as ticket.search.
        `(setweight(to_tsvector('simple'::regconfig, ((COALESCE(title, ''::text) || ' '::text) || docket_cjk_grams(COALESCE(title, ''::text)))), 'A'::"char") || to_tsvector('simple'::regconfig, ((COALESCE(body, ''::text) || ' '::text) || docket_cjk_grams(COALESCE(body, ''::text))))) stored`,
      )
      .lazy(true, false)
      .hidden(),
  },
  indexes: [
    indexDefinition('CREATE INDEX kb_article_search_idx ON public.kb_article USING gin (search)'),
    { name: 'kb_article_category_idx', properties: ['categoryPath'] },
  ],
});
export type KbArticle = InferEntity<typeof KbArticle>;

/** A published version of an article, kept as it was. */
export const KbArticleVersion = defineEntity({
  name: 'KbArticleVersion',
  tableName: 'kb_article_version',
  properties: {
    article: () => p.manyToOne(KbArticle).ref().primary().deleteRule('cascade').updateRule('no action'),
    version: p.integer().primary(),
    title: p.text(),
    body: p.text(),
    categoryPath: p.text(),
    visibility: p.enum([...KB_VISIBILITIES]),
    publishedBy: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    publishedAt: p.datetime().defaultRaw('now()'),
  },
});
export type KbArticleVersion = InferEntity<typeof KbArticleVersion>;

/** An article used on a ticket. */
export const KbArticleTicket = defineEntity({
  name: 'KbArticleTicket',
  tableName: 'kb_article_ticket',
  properties: {
    article: () => p.manyToOne(KbArticle).ref().primary().deleteRule('cascade').updateRule('no action'),
    ticket: () => p.manyToOne(Ticket).ref().primary().deleteRule('no action').updateRule('no action'),
    linkedBy: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    linkedAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'kb_article_ticket_ticket_idx', properties: ['ticket'] }],
});
export type KbArticleTicket = InferEntity<typeof KbArticleTicket>;

/**
 * A description template: public ones belong to a ticket template (kept by admins), personal
 * ones to an agent. Its body holds placeholders ({{requester.name}}, {{ticket.number}}, {{form.x}}).
 */
export const DescriptionTemplate = defineEntity({
  name: 'DescriptionTemplate',
  tableName: 'description_template',
  properties: {
    id: p.integer().primary().autoincrement(),
    template: () =>
      p.manyToOne(TicketTemplate).ref().nullable().deleteRule('cascade').updateRule('no action'),
    ownerUser: () => p.manyToOne(User).ref().nullable().deleteRule('cascade').updateRule('no action'),
    name: p.text(),
    body: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    { name: 'description_template_template_idx', properties: ['template'] },
    { name: 'description_template_owner_idx', properties: ['ownerUser'] },
  ],
});
export type DescriptionTemplate = InferEntity<typeof DescriptionTemplate>;

/** A macro: a canned reply (with placeholders) and field changes applied in one click; shared when it has no owner. */
export const Macro = defineEntity({
  name: 'Macro',
  tableName: 'macro',
  properties: {
    id: p.integer().primary().autoincrement(),
    ownerUser: () => p.manyToOne(User).ref().nullable().deleteRule('cascade').updateRule('no action'),
    name: p.text(),
    reply: p.text().default(''),
    isPublicReply: p.boolean().default(true),
    /** { status?, statusName?, priority?, assigneeId?, teamId? } */
    changes: p.json<Record<string, unknown>>().defaultRaw("'{}'::jsonb"),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
export type Macro = InferEntity<typeof Macro>;
