import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Ticket } from './tickets.ts';

/**
 * The reports' rollup (migration _report_facts): one row of facts per ticket, recomputed by
 * server/src/reports from the ticket, its audit trail and its clocks whenever a trigger marked the
 * ticket dirty. Written and read by hand-tuned SQL only.
 */

const instants = () => p.array<string>().columnType('timestamptz[]').nullable();

export const ReportTicketFact = defineEntity({
  name: 'ReportTicketFact',
  tableName: 'report_ticket_fact',
  properties: {
    ticket: () => p.manyToOne(Ticket).ref().primary().deleteRule('cascade').updateRule('no action'),
    // Copied from the ticket: what data scopes and groupings read.
    templateId: p.integer(),
    templateVersionId: p.integer(),
    teamId: p.integer().nullable(),
    assigneeId: p.integer().nullable(),
    creatorUserId: p.integer().nullable(),
    participantIds: p
      .array<number>((i) => Number(i))
      .columnType('int[]')
      .defaultRaw("'{}'::integer[]"),
    requesterId: p.integer().nullable(),
    orgPath: p.text(),
    channel: p.text(),
    priority: p.text(),
    createdAt: p.datetime(),
    /** The latest audit entry. */
    lastEventAt: p.datetime(),
    /** The first response clock's time to the first public staff reply (seconds). */
    firstResponseSeconds: p.double().nullable(),
    /** Solved or closed now. */
    isDone: p.boolean().default(false),
    /** The last status change; before it, the state comes from statusAts and statusDones. */
    statusChangedAt: p.datetime().nullable(),
    statusAts: instants(),
    statusDones: p
      .array<boolean>((v) => v === 'true' || v === 't')
      .columnType('boolean[]')
      .nullable(),
    solvedAts: instants(),
    reopenedAts: instants(),
    /** When the resolution clock ended, and its time then (seconds), in order. */
    resolutionAts: instants(),
    resolutionSeconds: p
      .array<number>((i) => Number(i))
      .columnType('double precision[]')
      .nullable(),
    transferAts: instants(),
    returnAts: instants(),
    rejectAts: instants(),
    urgeAts: instants(),
    /** SLA targets met and breached: when, and `<metric>:met` or `<metric>:breached`. */
    slaAts: instants(),
    slaMarks: p.array<string>().columnType('text[]').nullable(),
  },
  indexes: [{ name: 'report_ticket_fact_created_idx', properties: ['createdAt'] }],
});
export type ReportTicketFact = InferEntity<typeof ReportTicketFact>;

/** Tickets whose facts are out of date (marked by triggers in the changing transaction). */
export const ReportDirtyTicket = defineEntity({
  name: 'ReportDirtyTicket',
  tableName: 'report_dirty_ticket',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    ticketId: p.bigint('string'),
  },
});
export type ReportDirtyTicket = InferEntity<typeof ReportDirtyTicket>;
