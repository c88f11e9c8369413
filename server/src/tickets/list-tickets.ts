import type { Channel, Principal, Priority, StatusCategory } from '@docket/core';
import { fieldError, ValidationFailed } from '@docket/core';
import { type EntityManager, escapeLike, query, queryOne } from '@docket/db';
import { requireSignedIn, ticketScope } from '../access/policy.ts';
import { type TicketRow, ticketColumns } from './ticket-row.ts';

export type TicketFilter = {
  status?: StatusCategory[] | null;
  priority?: Priority[] | null;
  templateId?: (number | string)[] | null;
  assigneeId?: number | string | null;
  teamId?: number | string | null;
  /** The org unit and everything below it. */
  orgUnitId?: number | string | null;
  channel?: Channel[] | null;
  requesterId?: number | string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  /** Full text over title, description and form text. */
  text?: string | null;
  /** Named statuses (ticket_status names). */
  statusName?: string[] | null;
  /** Any of these teams (a person's teams: the team queue view). */
  teamIds?: (number | string)[] | null;
  /** Only tickets nobody is assigned to. */
  isUnassigned?: boolean | null;
  /** By SLA: a clock past its due time, or one due within the next 30 minutes. */
  sla?: 'breached' | 'at_risk' | null;
};

/** How soon a running clock's due time must be for its ticket to be about to breach. */
export const AT_RISK_SECONDS = 30 * 60;

// An open clock (not ended) whose due time passed (marked or not yet) / lies within the window.
const OPEN_CLOCK = `from ticket_sla s, jsonb_each(s.state->'clocks') c
  where s.ticket_id = t.id and c.value->>'endedAt' is null`;
const SLA_SQL = {
  breached: `exists (select 1 ${OPEN_CLOCK} and (c.value->>'breachedAt' is not null
     or (c.value->>'pausedAt' is null and (c.value->>'dueAt')::timestamptz <= now())))`,
  at_risk: `exists (select 1 ${OPEN_CLOCK} and c.value->>'breachedAt' is null and c.value->>'pausedAt' is null
     and (c.value->>'dueAt')::timestamptz > now()
     and (c.value->>'dueAt')::timestamptz <= now() + interval '${AT_RISK_SECONDS} seconds')`,
} as const;
export type TicketSortField = 'CREATED_AT' | 'UPDATED_AT' | 'PRIORITY';
export type TicketOrder = { field: TicketSortField; direction: 'ASC' | 'DESC' };

const SORT_SQL: Record<TicketSortField, string> = {
  CREATED_AT: 't.created_at',
  UPDATED_AT: 't.updated_at',
  PRIORITY: "(case t.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end)",
};
const SORT_CAST: Record<TicketSortField, string> = {
  CREATED_AT: 'timestamptz',
  UPDATED_AT: 'timestamptz',
  PRIORITY: 'int',
};

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

type Cursor = { k: string | number; id: number };
const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString()) as Cursor;
    if (typeof c.id === 'number' && (typeof c.k === 'string' || typeof c.k === 'number')) return c;
  } catch {}
  throw new ValidationFailed([
    fieldError('/after', 'bad_cursor', 'The cursor is not one this list returned.'),
  ]);
}

/** Builds the WHERE clause: the principal's scope first, then the filters. */
function whereOf(p: Principal, f: TicketFilter): { sql: string; params: unknown[] } {
  const scope = ticketScope(p, 't');
  const parts = [scope.sql];
  const params = [...scope.params];
  const inList = (col: string, values: unknown[]) => {
    parts.push(`${col} in (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  if (f.status?.length) inList('t.status', f.status);
  if (f.priority?.length) inList('t.priority', f.priority);
  if (f.channel?.length) inList('t.channel', f.channel);
  if (f.templateId?.length) inList('t.template_id', f.templateId.map(Number));
  if (f.assigneeId != null) inList('t.assignee_id', [Number(f.assigneeId)]);
  if (f.teamId != null) inList('t.team_id', [Number(f.teamId)]);
  if (f.requesterId != null) inList('t.requester_id', [Number(f.requesterId)]);
  if (f.statusName?.length) inList('t.status_name', f.statusName);
  if (f.teamIds) {
    if (f.teamIds.length) inList('t.team_id', f.teamIds.map(Number));
    else parts.push('false');
  }
  if (f.isUnassigned) parts.push('t.assignee_id is null');
  if (f.sla) parts.push(SLA_SQL[f.sla]);
  if (f.orgUnitId != null) {
    parts.push(
      `t.org_path like (select replace(replace(replace(path, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' from org_unit where id = ?)`,
    );
    params.push(Number(f.orgUnitId));
  }
  if (f.createdAfter) {
    parts.push('t.created_at >= ?');
    params.push(f.createdAfter);
  }
  if (f.createdBefore) {
    parts.push('t.created_at < ?');
    params.push(f.createdBefore);
  }
  const text = f.text?.trim();
  if (text) {
    if (CJK.test(text)) {
      // The 'simple' parser keeps a run of CJK characters as one word; match them as substrings.
      parts.push("(t.title || ' ' || t.description || ' ' || t.form_text) ilike ?");
      params.push(`%${escapeLike(text)}%`);
    } else {
      parts.push("t.search @@ websearch_to_tsquery('simple', ?)");
      params.push(text);
    }
  }
  return { sql: parts.join(' and '), params };
}

export type TicketPage = {
  edges: { cursor: string; node: TicketRow }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: () => Promise<number>;
};

export const MAX_PAGE = 100;

/** One page of the tickets a principal may see, newest first by default (keyset pagination). */
export async function listTickets(
  em: EntityManager,
  principal: Principal | null,
  args: {
    filter?: TicketFilter | null;
    orderBy?: TicketOrder | null;
    first?: number | null;
    after?: string | null;
  },
): Promise<TicketPage> {
  const p = requireSignedIn(principal);
  const first = args.first ?? 25;
  if (first < 0 || first > MAX_PAGE)
    throw new ValidationFailed([
      fieldError('/first', 'out_of_range', `Ask for 0 to ${MAX_PAGE} tickets per page.`),
    ]);
  const order = args.orderBy ?? { field: 'CREATED_AT', direction: 'DESC' };
  const where = whereOf(p, args.filter ?? {});
  const key = SORT_SQL[order.field];
  const dir = order.direction === 'ASC' ? 'asc' : 'desc';
  const parts = [where.sql];
  const params = [...where.params];
  if (args.after) {
    const c = decodeCursor(args.after);
    parts.push(`(${key}, t.id) ${dir === 'asc' ? '>' : '<'} (?::${SORT_CAST[order.field]}, ?)`);
    params.push(c.k, c.id);
  }
  const rows = await query<TicketRow & { _k: string | number }>(
    em,
    `select ${ticketColumns('t')}, ${order.field === 'PRIORITY' ? key : `${key}::text`} as _k
       from ticket t where ${parts.join(' and ')}
      order by ${key} ${dir}, t.id ${dir} limit ?`,
    [...params, first + 1],
  );
  const hasNextPage = rows.length > first;
  const page = rows.slice(0, first);
  const edges = page.map(({ _k, ...node }) => ({
    cursor: encodeCursor({ k: _k, id: Number(node.id) }),
    node,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: async () =>
      Number(
        (
          await queryOne<{ n: string }>(
            em,
            `select count(*) as n from ticket t where ${where.sql}`,
            where.params,
          )
        )?.n ?? 0,
      ),
  };
}

/** How many tickets a principal may see under each of several filters (the desk's view counts). */
export async function countTickets(
  em: EntityManager,
  principal: Principal | null,
  filters: TicketFilter[],
): Promise<number[]> {
  const p = requireSignedIn(principal);
  if (filters.length === 0) return [];
  const wheres = filters.map((f) => whereOf(p, f));
  const row = await queryOne<Record<string, string>>(
    em,
    `select ${wheres.map((w, i) => `count(*) filter (where ${w.sql}) as c${i}`).join(', ')} from ticket t
      where ${ticketScope(p, 't').sql}`,
    [...wheres.flatMap((w) => w.params), ...ticketScope(p, 't').params],
  );
  return wheres.map((_w, i) => Number(row?.[`c${i}`] ?? 0));
}
