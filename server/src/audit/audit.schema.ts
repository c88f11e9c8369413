import { requireAuditReader, ticketScope } from '../access/policy.ts';
import { builder } from '../graphql/builder.ts';
import {
  type AdminChangeRow,
  searchAdminChanges,
  searchTicketEvents,
  type TicketEventAuditRow,
} from './audit-repository.ts';

const AdminChangeRef = builder.objectRef<AdminChangeRow>('AdminChange').implement({
  description: 'One change an admin made to the configuration: who, when, which thing, what changed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    actorUserId: t.int({ nullable: true, resolve: (r) => r.actor_user_id }),
    actorName: t.string({
      nullable: true,
      description: 'Null for the system.',
      resolve: (r) => r.actor_name,
    }),
    action: t.exposeString('action', { description: 'create, update or delete.' }),
    entityType: t.exposeString('entity_type', {
      description:
        'user, role, org_unit, team, api_token, calendar, sla_policy, ticket_status, template, urge_rules or wall_token.',
    }),
    entityId: t.exposeString('entity_id'),
    entityName: t.exposeString('entity_name'),
    diff: t.field({
      type: 'JSON',
      nullable: true,
      description: '{field: {from, to}} for the fields that changed.',
      resolve: (r) => r.diff,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
  }),
});

const AuditTicketEventRef = builder.objectRef<TicketEventAuditRow>('AuditTicketEvent').implement({
  description: 'A ticket event as the audit search finds it, with its ticket’s number and title.',
  fields: (t) => ({
    id: t.exposeID('id'),
    ticketId: t.exposeID('ticket_id'),
    ticketNumber: t.exposeString('ticket_number'),
    ticketTitle: t.exposeString('ticket_title'),
    kind: t.exposeString('kind'),
    actorKind: t.exposeString('actor_kind'),
    actorName: t.string({ nullable: true, resolve: (r) => r.actor_name }),
    channel: t.exposeString('channel'),
    isPublic: t.exposeBoolean('is_public'),
    body: t.string({ nullable: true, resolve: (r) => r.body }),
    diff: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.diff }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
  }),
});

const MAX_PAGE = 200;
const pageSize = (first: number | null | undefined) => Math.min(Math.max(first ?? 50, 1), MAX_PAGE);

builder.queryFields((t) => ({
  adminChanges: t.field({
    type: [AdminChangeRef],
    description:
      'The admin audit trail, newest first: text matches the thing’s name, the actor’s name or the changed values. Needs audit.read.',
    args: {
      text: t.arg.string(),
      entityType: t.arg.string(),
      entityId: t.arg.string(),
      actorUserId: t.arg.int(),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      before: t.arg.id({ description: 'The id of the last change of the previous page.' }),
      first: t.arg.int({ defaultValue: 50, description: 'At most 200.' }),
    },
    resolve: (_r, a, ctx) => {
      requireAuditReader(ctx.principal);
      return searchAdminChanges(ctx.em, {
        ...a,
        beforeId: a.before == null ? null : String(a.before),
        first: pageSize(a.first),
      });
    },
  }),
  auditTicketEvents: t.field({
    type: [AuditTicketEventRef],
    description:
      'Ticket events of the tickets the caller may see, newest first: text matches the event’s words and values, the ticket’s number or title. Needs audit.read.',
    args: {
      text: t.arg.string(),
      kind: t.arg.string(),
      ticketNumber: t.arg.string(),
      actorUserId: t.arg.int(),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      before: t.arg.id(),
      first: t.arg.int({ defaultValue: 50, description: 'At most 200.' }),
    },
    resolve: (_r, a, ctx) => {
      const staff = requireAuditReader(ctx.principal);
      return searchTicketEvents(ctx.em, ticketScope(staff), {
        ...a,
        beforeId: a.before == null ? null : String(a.before),
        first: pageSize(a.first),
      });
    },
  }),
}));
