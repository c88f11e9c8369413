import { ACTOR_KINDS, PRIORITIES, STATUS_CATEGORIES } from '@docket/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Customer, OrgUnit, Team, User } from './access.ts';
import { indexDefinition } from './index-definition.ts';
import { TicketTemplate, TicketTemplateVersion } from './templates.ts';

/**
 * Named statuses, tickets and their audit trail. Tickets are written and listed by hand-tuned SQL
 * (server/src/tickets); these entities say what the tables are, for the schema comparison and the
 * migrations generated from it.
 */

/** A named status ("Waiting for parts") inside one of the fixed status categories. Its name is its key. */
export const TicketStatus = defineEntity({
  name: 'TicketStatus',
  tableName: 'ticket_status',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text().unique(),
    category: p.enum([...STATUS_CATEGORIES]),
    position: p.integer().default(0),
    isActive: p.boolean().default(true),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['name', 'category'] }],
});
export type TicketStatus = InferEntity<typeof TicketStatus>;

export const Ticket = defineEntity({
  name: 'Ticket',
  tableName: 'ticket',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    number: p.text().unique(),
    template: () => p.manyToOne(TicketTemplate).ref().deleteRule('no action').updateRule('no action'),
    templateVersion: () =>
      p.manyToOne(TicketTemplateVersion).ref().deleteRule('no action').updateRule('no action'),
    title: p.text(),
    description: p.text().default(''),
    /** A named status within the category, or null (the category alone). */
    statusName: p.text().nullable(),
    /**
     * The named status must belong to the ticket's category: a foreign key over (status_name,
     * status) onto ticket_status (name, category). Declared between the two columns it shares with
     * them so that each keeps its own nullability, default and check. It declares the constraint
     * and nothing else: MikroORM 6 cannot load a relation onto a key other than the target's
     * primary key, so the server's ORM drops it (CONSTRAINT_ONLY_RELATIONS); statusName and status
     * are read and written.
     */
    namedStatus: () =>
      p
        .manyToOne(TicketStatus)
        .ref()
        .joinColumns('status_name', 'status')
        .referencedColumnNames('name', 'category')
        .foreignKeyName('ticket_status_name_fkey')
        .deleteRule('no action')
        .updateRule('no action'),
    status: p.enum([...STATUS_CATEGORIES]).default('new'),
    priority: p.enum([...PRIORITIES]),
    formData: p.json<Record<string, unknown>>().defaultRaw("'{}'::jsonb"),
    /** The form's text values, for full-text search. */
    formText: p.text().default('').hidden(),
    customFields: p.json<Record<string, unknown>>().defaultRaw("'{}'::jsonb"),
    requester: () => p.manyToOne(Customer).ref().nullable().deleteRule('no action').updateRule('no action'),
    creatorUser: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    assignee: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    team: () => p.manyToOne(Team).ref().nullable().deleteRule('no action').updateRule('no action'),
    orgUnit: () => p.manyToOne(OrgUnit).ref().nullable().deleteRule('no action').updateRule('no action'),
    /** The org unit's path, copied so that data scopes are one index range. */
    orgPath: p.text().default('/'),
    /** Staff who held one of the ticket's workflow tasks: they keep seeing it. */
    participantIds: p
      .array<number>((i) => Number(i))
      .columnType('int[]')
      .defaultRaw("'{}'::integer[]"),
    /** Staff on the ticket's own CC list (added from the desk); they hear what the CC list hears. */
    ccUserIds: p
      .array<number>((i) => Number(i))
      .columnType('int[]')
      .defaultRaw("'{}'::integer[]"),
    channel: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
    solvedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    search: p
      .text()
      .columnType('tsvector')
      .generated(
        // The CJK bigrams of docket_cjk_grams() sit beside the ordinary words; the title weighs A (migration _search).
        `(setweight(to_tsvector('simple'::regconfig, ((title || ' '::text) || docket_cjk_grams(title))), 'A'::"char") || to_tsvector('simple'::regconfig, ((((description || ' '::text) || form_text) || ' '::text) || docket_cjk_grams(((description || ' '::text) || form_text))))) stored`,
      )
      .lazy(true, false)
      .hidden(),
  },
  indexes: [
    'CREATE INDEX ticket_created_idx ON public.ticket USING btree (created_at DESC, id DESC)',
    'CREATE INDEX ticket_status_created_idx ON public.ticket USING btree (status, created_at DESC, id DESC)',
    'CREATE INDEX ticket_org_path_created_idx ON public.ticket USING btree (org_path text_pattern_ops, created_at DESC, id DESC)',
    'CREATE INDEX ticket_assignee_idx ON public.ticket USING btree (assignee_id, created_at DESC) WHERE (assignee_id IS NOT NULL)',
    'CREATE INDEX ticket_team_idx ON public.ticket USING btree (team_id, created_at DESC) WHERE (team_id IS NOT NULL)',
    'CREATE INDEX ticket_requester_idx ON public.ticket USING btree (requester_id, created_at DESC) WHERE (requester_id IS NOT NULL)',
    'CREATE INDEX ticket_creator_idx ON public.ticket USING btree (creator_user_id, created_at DESC) WHERE (creator_user_id IS NOT NULL)',
    'CREATE INDEX ticket_template_idx ON public.ticket USING btree (template_id, created_at DESC)',
    'CREATE INDEX ticket_search_idx ON public.ticket USING gin (search)',
    'CREATE INDEX ticket_participants_idx ON public.ticket USING gin (participant_ids)',
    // The live wall's "solved today" (migration _wall).
    'CREATE INDEX ticket_solved_at_idx ON public.ticket USING btree (solved_at) WHERE (solved_at IS NOT NULL)',
    // The desk's default order, most recently changed first (migration _desk_updated_index).
    'CREATE INDEX ticket_updated_idx ON public.ticket USING btree (updated_at DESC, id DESC)',
  ].map(indexDefinition),
});
export type Ticket = InferEntity<typeof Ticket>;

/** The audit trail: append-only, one row per change, reply or note. */
export const TicketEvent = defineEntity({
  name: 'TicketEvent',
  tableName: 'ticket_event',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).ref().deleteRule('no action').updateRule('no action'),
    kind: p.text(),
    actorKind: p.enum([...ACTOR_KINDS]),
    /** A user's or customer's id, as actorKind says; null for the system. */
    actorId: p.integer().nullable(),
    viaTokenId: p.integer().nullable(),
    channel: p.text(),
    isPublic: p.boolean().default(true),
    body: p.text().nullable(),
    diff: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'ticket_event_ticket_idx', properties: ['ticket', 'id'] }],
});
export type TicketEvent = InferEntity<typeof TicketEvent>;
