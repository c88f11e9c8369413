import { type EntityManager, escapeLike, query } from '@docket/db';
import type { SqlCondition } from '../access/policy.ts';

/** Reads of the audit trails: admin changes and ticket events, newest first, a page at a time. */

export type AdminChangeRow = {
  id: string;
  actor_user_id: number | null;
  actor_name: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  entity_name: string;
  diff: Record<string, unknown> | null;
  created_at: Date;
};

export type AuditFilter = {
  /** Words to find in the thing's name, the event's text or the actor's name. */
  text?: string | null;
  actorUserId?: number | null;
  from?: Date | null;
  to?: Date | null;
  /** Rows older than this id (the page before). */
  beforeId?: string | null;
  first: number;
};

const like = (text: string) => `%${escapeLike(text.trim())}%`;

/** The conditions both trails share: the period [from, to) and the page before an id. */
function addPeriodAndPage(alias: string, filter: AuditFilter, where: string[], params: unknown[]): void {
  if (filter.from) {
    where.push(`${alias}.created_at >= ?`);
    params.push(filter.from);
  }
  if (filter.to) {
    where.push(`${alias}.created_at < ?`);
    params.push(filter.to);
  }
  if (filter.beforeId) {
    where.push(`${alias}.id < ?::bigint`);
    params.push(filter.beforeId);
  }
}

export function searchAdminChanges(
  em: EntityManager,
  filter: AuditFilter & { entityType?: string | null; entityId?: string | null },
): Promise<AdminChangeRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.entityType) {
    where.push('c.entity_type = ?');
    params.push(filter.entityType);
  }
  if (filter.entityId) {
    where.push('c.entity_id = ?');
    params.push(filter.entityId);
  }
  if (filter.actorUserId != null) {
    where.push('c.actor_user_id = ?');
    params.push(filter.actorUserId);
  }
  if (filter.text?.trim()) {
    where.push('(c.entity_name ilike ? or u.name ilike ? or c.diff::text ilike ?)');
    params.push(like(filter.text), like(filter.text), like(filter.text));
  }
  addPeriodAndPage('c', filter, where, params);
  return query<AdminChangeRow>(
    em,
    `select c.id::text as id, c.actor_user_id, u.name as actor_name, c.action, c.entity_type, c.entity_id,
            c.entity_name, c.diff, c.created_at
       from admin_change c left join app_user u on u.id = c.actor_user_id
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by c.id desc limit ?`,
    [...params, filter.first],
  );
}

export type TicketEventAuditRow = {
  id: string;
  ticket_id: string;
  ticket_number: string;
  ticket_title: string;
  kind: string;
  actor_kind: string;
  actor_name: string | null;
  channel: string;
  is_public: boolean;
  body: string | null;
  diff: Record<string, unknown> | null;
  created_at: Date;
};

/** Ticket events of tickets the caller may see (scope: the policy's ticket condition on alias t). */
export function searchTicketEvents(
  em: EntityManager,
  scope: SqlCondition,
  filter: AuditFilter & { kind?: string | null; ticketNumber?: string | null },
): Promise<TicketEventAuditRow[]> {
  const where: string[] = [scope.sql];
  const params: unknown[] = [...scope.params];
  if (filter.kind) {
    where.push('e.kind = ?');
    params.push(filter.kind);
  }
  if (filter.ticketNumber?.trim()) {
    where.push('t.number = ?');
    params.push(filter.ticketNumber.trim());
  }
  if (filter.actorUserId != null) {
    where.push("e.actor_kind = 'user' and e.actor_id = ?");
    params.push(filter.actorUserId);
  }
  if (filter.text?.trim()) {
    where.push('(e.body ilike ? or e.diff::text ilike ? or t.number ilike ? or t.title ilike ?)');
    params.push(like(filter.text), like(filter.text), like(filter.text), like(filter.text));
  }
  addPeriodAndPage('e', filter, where, params);
  return query<TicketEventAuditRow>(
    em,
    `select e.id::text as id, e.ticket_id::text as ticket_id, t.number as ticket_number, t.title as ticket_title,
            e.kind, e.actor_kind,
            case e.actor_kind when 'user' then (select name from app_user where id = e.actor_id)
                              when 'customer' then (select coalesce(name, email) from customer where id = e.actor_id)
            end as actor_name,
            e.channel, e.is_public, e.body, e.diff, e.created_at
       from ticket_event e join ticket t on t.id = e.ticket_id
      where ${where.join(' and ')}
      order by e.id desc limit ?`,
    [...params, filter.first],
  );
}
