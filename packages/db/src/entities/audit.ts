import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { indexDefinition } from './index-definition.ts';

/**
 * The admin audit trail: who changed which configuration (a user, role, org unit, team, token,
 * calendar, SLA policy, status or template), when, and what changed. Append-only; written in the
 * transaction of the change itself. Ticket changes have their own trail (ticket_event).
 */
export const ADMIN_CHANGE_ACTIONS = ['create', 'update', 'delete'] as const;

export const AdminChange = defineEntity({
  name: 'AdminChange',
  tableName: 'admin_change',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    /** The staff member who made the change; null for the system (seeding, plugins). */
    actorUserId: p.integer().nullable(),
    action: p.enum([...ADMIN_CHANGE_ACTIONS]),
    /** user, role, org_unit, team, api_token, calendar, sla_policy, ticket_status, template, urge_rules */
    entityType: p.text(),
    entityId: p.text(),
    /** The thing's name as it was after the change, so the trail reads without joins. */
    entityName: p.text(),
    /** Changed fields, { field: { from, to } }; for a create, the new values under "to". */
    diff: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    indexDefinition(
      'CREATE INDEX admin_change_created_idx ON public.admin_change USING btree (created_at DESC, id DESC)',
    ),
    indexDefinition(
      'CREATE INDEX admin_change_entity_idx ON public.admin_change USING btree (entity_type, entity_id)',
    ),
  ],
});
export type AdminChange = InferEntity<typeof AdminChange>;
