import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Customer } from './access.ts';
import { TicketTemplate } from './templates.ts';
import { Ticket } from './tickets.ts';

/** How a template's tickets are rated: five stars or good/bad. */
export const CSAT_SCALES = ['five', 'good_bad'] as const;
/** What a bad rating does: nothing more, reopen the ticket, or notify the handler's manager. */
export const CSAT_BAD_ACTIONS = ['nothing', 'reopen', 'notify_manager'] as const;

/** Satisfaction settings of one ticket template (none stored: no rating is asked for). */
export const CsatPolicy = defineEntity({
  name: 'CsatPolicy',
  tableName: 'csat_policy',
  properties: {
    template: () => p.manyToOne(TicketTemplate).ref().primary().deleteRule('cascade').updateRule('no action'),
    isEnabled: p.boolean().default(true),
    scale: p.enum([...CSAT_SCALES]).default('five'),
    onBad: p.enum([...CSAT_BAD_ACTIONS]).default('nothing'),
    /** A workflow node whose step, when completed, asks for a rating again (a follow-up visit). */
    afterStep: p.text().nullable(),
    expiresInHours: p.integer().default(168),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
export type CsatPolicy = InferEntity<typeof CsatPolicy>;

/**
 * A rating asked for (when its ticket was solved, or a follow-up step completed) and, once given,
 * its score and comment. Its link carries the id, signed; it works once, until expires_at.
 */
export const CsatRating = defineEntity({
  name: 'CsatRating',
  tableName: 'csat_rating',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).ref().deleteRule('no action').updateRule('no action'),
    customer: () => p.manyToOne(Customer).ref().nullable().deleteRule('no action').updateRule('no action'),
    /** 'solved', or 'step:<node id>'. */
    reason: p.text(),
    scale: p.enum([...CSAT_SCALES]),
    /** 1-5, or 1 (good) and 0 (bad). */
    score: p.integer().nullable(),
    isBad: p.boolean().nullable(),
    comment: p.text().nullable(),
    askedAt: p.datetime().defaultRaw('now()'),
    expiresAt: p.datetime(),
    ratedAt: p.datetime().nullable(),
  },
  indexes: [
    { name: 'csat_rating_ticket_idx', properties: ['ticket', 'id'] },
    { name: 'csat_rating_rated_idx', properties: ['ratedAt'] },
  ],
});
export type CsatRating = InferEntity<typeof CsatRating>;
