import type { CalendarDefinition, SlaPolicy as SlaPolicyData } from '@docket/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { indexDefinition } from './index-definition.ts';
import { Ticket } from './tickets.ts';

/**
 * SLA: business calendars and ordered policies (each kept as the JSON the core validates), the
 * clocks of each ticket (the SLA engine's state as one JSON document) and the urges (催单) people
 * made. Clocks and urges are written by hand-tuned SQL in server/src/sla.
 */

export const BusinessCalendar = defineEntity({
  name: 'BusinessCalendar',
  tableName: 'business_calendar',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** How SLA policies and workflow nodes name the calendar. */
    key: p.text().unique(),
    name: p.text(),
    definition: p.json<CalendarDefinition>(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date()),
  },
});
export type BusinessCalendar = InferEntity<typeof BusinessCalendar>;

/** A policy as stored: id, name and position are columns; the rest is one JSON document. */
export type SlaPolicyDefinition = Omit<SlaPolicyData, 'id' | 'name' | 'position'>;

export const SlaPolicy = defineEntity({
  name: 'SlaPolicy',
  tableName: 'sla_policy',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text(),
    /** Policies are tried in position order (then id); the first whose condition holds applies. */
    position: p.integer(),
    /** The rest of the policy as the core validates it: condition, calendar key, pause statuses, targets, actions. */
    definition: p.json<SlaPolicyDefinition>(),
    isActive: p.boolean().default(true),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date()),
  },
  indexes: [
    indexDefinition(
      'CREATE INDEX sla_policy_position_idx ON public.sla_policy USING btree ("position", id) WHERE is_active',
    ),
  ],
});
export type SlaPolicy = InferEntity<typeof SlaPolicy>;

export const TicketSla = defineEntity({
  name: 'TicketSla',
  tableName: 'ticket_sla',
  properties: {
    ticket: () => p.manyToOne(Ticket).ref().primary().deleteRule('no action').updateRule('no action'),
    policy: () => p.manyToOne(SlaPolicy).ref().nullable().deleteRule('no action').updateRule('no action'),
    state: p.json<Record<string, unknown>>(),
    updatedAt: p.datetime().defaultRaw('now()'),
    /** The earliest due time of a running clock (not ended, paused or breached), written with the state (migration _sla_next_due). */
    nextDueAt: p.datetime().nullable(),
    /** The earliest instant a clock that has not ended breached or will breach while it runs. */
    breachAt: p.datetime().nullable(),
  },
  indexes: [
    'CREATE INDEX ticket_sla_next_due_idx ON public.ticket_sla USING btree (next_due_at) WHERE (next_due_at IS NOT NULL)',
    'CREATE INDEX ticket_sla_breach_idx ON public.ticket_sla USING btree (breach_at) WHERE (breach_at IS NOT NULL)',
  ].map(indexDefinition),
});
export type TicketSla = InferEntity<typeof TicketSla>;

export const TicketUrge = defineEntity({
  name: 'TicketUrge',
  tableName: 'ticket_urge',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).ref().deleteRule('no action').updateRule('no action'),
    urgedBy: p.text(),
    stepId: p.text(),
    note: p.text().nullable(),
    urgedAt: p.datetime(),
    notified: p
      .array<number>((i) => Number(i))
      .columnType('int[]')
      .defaultRaw("'{}'::integer[]"),
  },
  indexes: [{ name: 'ticket_urge_ticket_idx', properties: ['ticket', 'id'] }],
});
export type TicketUrge = InferEntity<typeof TicketUrge>;
