import type { Channel, Principal, Priority, StatusCategory } from '@docket/core';
import { fieldError, ValidationFailed } from '@docket/core';
import { type EntityManager, query, queryOne, textSearch } from '@docket/db';
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
  /** The requester's customer tier, any of these; '' for tickets without a requester. */
  requesterTier?: string[] | null;
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

// By the instants the clocks row carries (migration _sla_next_due), each an index range:
// breached: a clock that has not ended breached, or ran past its due time (marked or not yet);
// at risk: a running clock falls due within the window (the exact test, on the few rows the
// range leaves, skips a ticket whose earliest running clock is overdue and not yet marked).
const SLA_SQL = {
  breached: 'exists (select 1 from ticket_sla s where s.ticket_id = t.id and s.breach_at <= now())',
  at_risk: `exists (select 1 from ticket_sla s where s.ticket_id = t.id
     and s.next_due_at <= now() + interval '${AT_RISK_SECONDS} seconds'
     and exists (select 1 from jsonb_each(s.state->'clocks') c where c.value->>'endedAt' is null
       and c.value->>'breachedAt' is null and c.value->>'pausedAt' is null
       and (c.value->>'dueAt')::timestamptz > now()
       and (c.value->>'dueAt')::timestamptz <= now() + interval '${AT_RISK_SECONDS} seconds'))`,
} as const;
/** RELEVANCE: best match of filter.text first (title words count more than the rest). */
export type TicketSortField = 'CREATED_AT' | 'UPDATED_AT' | 'PRIORITY' | 'RELEVANCE';
export type TicketOrder = { field: TicketSortField; direction: 'ASC' | 'DESC' };

const SORT_SQL: Record<Exclude<TicketSortField, 'RELEVANCE'>, string> = {
  CREATED_AT: 't.created_at',
  UPDATED_AT: 't.updated_at',
  PRIORITY: "(case t.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end)",
};
const SORT_CAST: Record<TicketSortField, string> = {
  CREATED_AT: 'timestamptz',
  UPDATED_AT: 'timestamptz',
  PRIORITY: 'int',
  RELEVANCE: 'float8',
};

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
function whereOf(
  p: Principal,
  f: TicketFilter,
): {
  sql: string;
  params: unknown[];
  /** The conditions besides the search text, and the search text's own. */
  base: { sql: string; params: unknown[] };
  text: { sql: string; params: unknown[] } | null;
  rank: { sql: string; params: unknown[] } | null;
} {
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
  if (f.requesterTier?.length) {
    const tiers = f.requesterTier.filter((x) => x !== '');
    const either = [
      ...(tiers.length < f.requesterTier.length ? ['t.requester_id is null'] : []),
      ...(tiers.length
        ? [
            `t.requester_id in (select c.id from customer c where c.tier in (${tiers.map(() => '?').join(', ')}))`,
          ]
        : []),
    ];
    parts.push(`(${either.join(' or ')})`);
    params.push(...tiers);
  }
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
  const text = f.text
    ? textSearch({
        vectorSql: 't.search',
        text: f.text,
      })
    : null;
  const base = { sql: parts.join(' and '), params: [...params] };
  if (text) {
    parts.push(text.where.sql);
    params.push(...text.where.params);
  }
  return { sql: parts.join(' and '), params, base, text: text?.where ?? null, rank: text?.rank ?? null };
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
  /** The count, stopping at `upTo + 1`. */
  countUpTo: (upTo: number) => Promise<number>;
};

export const MAX_PAGE = 100;
/** The most a capped count (upTo) reads. */
export const MAX_COUNT_UP_TO = 100_000;
/** How many tickets in list order a search looks through before it asks the search index. */
const SEARCH_WINDOW = 10_000;

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
  if (order.field === 'RELEVANCE' && !where.rank)
    throw new ValidationFailed([
      fieldError('/orderBy/field', 'needs_text', 'Sorting by relevance needs a search text (filter.text).'),
    ]);
  // The sort key, with its own bindings (the rank repeats the search query).
  const key =
    order.field === 'RELEVANCE' && where.rank
      ? { sql: `${where.rank.sql}::float8`, params: where.rank.params }
      : { sql: SORT_SQL[order.field as Exclude<TicketSortField, 'RELEVANCE'>], params: [] };
  const isNumericKey = order.field === 'PRIORITY' || order.field === 'RELEVANCE';
  const dir = order.direction === 'ASC' ? 'asc' : 'desc';
  const cursor: { sql: string; params: unknown[] }[] = [];
  if (args.after) {
    const c = decodeCursor(args.after);
    cursor.push({
      sql: `(${key.sql}, t.id) ${dir === 'asc' ? '>' : '<'} (?::${SORT_CAST[order.field]}, ?)`,
      params: [...key.params, c.k, c.id],
    });
  }
  const select = `select ${ticketColumns('t')}, ${isNumericKey ? key.sql : `${key.sql}::text`} as _k`;
  const orderSql = `order by ${key.sql} ${dir}, t.id ${dir}`;
  type Row = TicketRow & { _k: string | number };
  let rows: Row[] | undefined;
  if (where.text && order.field === 'CREATED_AT') {
    // Newest (or oldest) first with a search text: look through the first SEARCH_WINDOW tickets
    // in that order before asking the search index. A common word fills the page from there in a
    // few milliseconds; a rare one goes to the index, which then has few rows to fetch. (The
    // planner cannot tell the two apart: it multiplies the frequencies of a phrase's bigrams.)
    const inner = [where.base, ...cursor];
    const found = await query<Row>(
      em,
      `${select} from (select * from ticket t where ${inner.map((c) => c.sql).join(' and ')}
                          ${orderSql} limit ${SEARCH_WINDOW}) t
        where ${where.text.sql} ${orderSql} limit ?`,
      [
        ...key.params,
        ...inner.flatMap((c) => c.params),
        ...key.params,
        ...where.text.params,
        ...key.params,
        first + 1,
      ],
    );
    if (found.length > first) rows = found;
  }
  const all = [{ sql: where.sql, params: where.params }, ...cursor];
  rows ??= await query<Row>(
    em,
    `${select} from ticket t where ${all.map((c) => c.sql).join(' and ')} ${orderSql} limit ?`,
    [...key.params, ...all.flatMap((c) => c.params), ...key.params, first + 1],
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
    countUpTo: async (upTo: number) => (await countTickets(em, p, [args.filter ?? {}], { upTo }))[0] ?? 0,
  };
}

/**
 * How many tickets a principal may see under each of several filters (the desk's view counts), in
 * one statement. With `upTo`, each count stops at `upTo + 1` (so "more than upTo" is all a caller
 * learns of a long list): each filter then reads at most that many rows along its own index
 * instead of every ticket in scope.
 */
export async function countTickets(
  em: EntityManager,
  principal: Principal | null,
  filters: TicketFilter[],
  options: { upTo?: number | null } = {},
): Promise<number[]> {
  const p = requireSignedIn(principal);
  if (filters.length === 0) return [];
  const wheres = filters.map((f) => whereOf(p, f));
  const upTo = options.upTo;
  if (upTo != null) {
    if (!Number.isInteger(upTo) || upTo < 0 || upTo > MAX_COUNT_UP_TO)
      throw new ValidationFailed([
        fieldError('/upTo', 'out_of_range', `Count up to 0 to ${MAX_COUNT_UP_TO} tickets.`),
      ]);
    const row = await queryOne<Record<string, string>>(
      em,
      `select ${wheres
        .map(
          (w, i) =>
            `(select count(*) from (select 1 from ticket t where ${w.sql} limit ${upTo + 1}) x) as c${i}`,
        )
        .join(', ')}`,
      wheres.flatMap((w) => w.params),
    );
    return wheres.map((_w, i) => Number(row?.[`c${i}`] ?? 0));
  }
  const row = await queryOne<Record<string, string>>(
    em,
    `select ${wheres.map((w, i) => `count(*) filter (where ${w.sql}) as c${i}`).join(', ')} from ticket t
      where ${ticketScope(p, 't').sql}`,
    [...wheres.flatMap((w) => w.params), ...ticketScope(p, 't').params],
  );
  return wheres.map((_w, i) => Number(row?.[`c${i}`] ?? 0));
}
