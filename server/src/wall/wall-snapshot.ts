import type { Priority, StatusCategory } from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { type WallViewer, wallRootPath, wallScope } from '../access/policy.ts';
import { AT_RISK_SECONDS } from '../tickets/list-tickets.ts';

/**
 * The live wall's figures at one instant, every one within the viewer's scope (wallScope):
 * today's created and solved (the day in DOCKET_TIME_ZONE), open tickets by status, region and
 * team, the tickets about to breach and breached, today's ratings and an hourly trend.
 */

export const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const satisfies StatusCategory[];
/** How many tickets each of the wall's lists (about to breach, breached) names. */
export const WALL_LIST_SIZE = 8;

export type WallTicket = {
  id: string;
  number: string;
  title: string;
  priority: Priority;
  /** The SLA metric whose clock is due (first_response, resolution, ...). */
  metric: string;
  dueAt: Date;
};

export type WallGroup = {
  /** The org unit's or team's id; null for tickets on the wall's root unit itself, or in no team. */
  id: string | null;
  name: string | null;
  open: number;
  atRisk: number;
  breached: number;
};

export type WallSnapshot = {
  at: Date;
  /** Midnight today in the server's time zone: "today" starts there. */
  dayStart: Date;
  timeZone: string;
  /** The org unit a wall token shows (null for a staff member's own scope). */
  scopeName: string | null;
  createdToday: number;
  solvedToday: number;
  openByStatus: { status: StatusCategory; count: number }[];
  open: number;
  /** Open tickets with a running clock due within AT_RISK_SECONDS and none breached. */
  atRisk: number;
  /** Open tickets with a clock past its due time. */
  breached: number;
  atRiskTickets: WallTicket[];
  breachedTickets: WallTicket[];
  /** Open tickets by the org units one level below the wall's root. */
  byRegion: WallGroup[];
  byTeam: WallGroup[];
  csat: { count: number; average: number | null; satisfiedShare: number | null };
  /** Tickets created and solved in each hour since dayStart (hour 0 is midnight). */
  trend: { hour: number; created: number; solved: number }[];
  /** When the figures change by the clock alone (a ticket comes due soon, or breaches). */
  nextChangeAt: Date | null;
};

const OPEN_SQL = `t.status in (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`;
// By the instants the clocks row carries (migration _sla_next_due, each with its index), as the
// desk's SLA views read them: a ticket is breached once its breach_at has passed (a clock that has
// not ended breached, or ran past its due time, marked or not yet); it is about to breach when the
// earliest due time of its running clocks (next_due_at) falls within the window and it is not
// breached (a running clock overdue but not yet marked makes breach_at past as well).
const BREACHED = 's.breach_at <= now()';
const AT_RISK = `(s.next_due_at > now() and s.next_due_at <= now() + interval '${AT_RISK_SECONDS} seconds'
  and not coalesce(s.breach_at <= now(), false))`;
/** The clock a listed ticket shows: its breached one (the latest due first), or its next due. */
const LISTED_CLOCK = {
  breached: `c.value->>'endedAt' is null and (c.value->>'breachedAt' is not null
    or (c.value->>'pausedAt' is null and (c.value->>'dueAt')::timestamptz <= now()))`,
  atRisk: `c.value->>'endedAt' is null and c.value->>'breachedAt' is null and c.value->>'pausedAt' is null
    and (c.value->>'dueAt')::timestamptz = s.next_due_at`,
} as const;

type GroupRow = {
  gs: number;
  gt: number;
  gr: number;
  status: StatusCategory | null;
  team_id: number | null;
  region: string | null;
  open: number;
  breached: number;
  at_risk: number;
  next_change: Date | null;
};

type ListRow = {
  id: string;
  number: string;
  title: string;
  priority: Priority;
  metric: string;
  due_at: Date;
};

export async function wallSnapshot(
  em: EntityManager,
  viewer: WallViewer,
  timeZone: string,
): Promise<WallSnapshot> {
  const scope = wallScope(viewer, 't');
  const rootPath = wallRootPath(viewer);
  const day = await queryOne<{ start: Date; now: Date }>(
    em,
    `select (date_trunc('day', now() at time zone ?) at time zone ?) as start, now() as now`,
    [timeZone, timeZone],
  );
  const dayStart = new Date(day!.start);
  // The region column: the path's id one level below the root (/1/2/7/ split on "/": '', 1, 2, 7).
  const regionPart = (rootPath ? rootPath.split('/').filter(Boolean).length : 1) + 2;
  // The few tickets a list names, found through the clocks' instants (an index range), each with
  // the clock it shows read from its state.
  const list = (which: 'breached' | 'atRisk', order: 'asc' | 'desc') =>
    query<ListRow>(
      em,
      `select t.id::text as id, t.number, t.title, t.priority, c.metric, c.due_at
         from ticket_sla s
         join ticket t on t.id = s.ticket_id
         cross join lateral (
           select c.key as metric, (c.value->>'dueAt')::timestamptz as due_at
             from jsonb_each(s.state->'clocks') c
            where ${LISTED_CLOCK[which]}
            order by (c.value->>'dueAt')::timestamptz ${order} limit 1) c
        where ${which === 'breached' ? BREACHED : AT_RISK} and ${scope.sql} and ${OPEN_SQL}
        order by ${which === 'breached' ? 's.breach_at' : 's.next_due_at'} ${order}, t.id limit ${WALL_LIST_SIZE}`,
      scope.params,
    );
  const [trendRows, groupRows, breachedRows, atRiskRows, csatRow, scopeRow] = await Promise.all([
    query<{ hour: number; created: number; solved: number }>(
      em,
      `select hour, sum(created)::int as created, sum(solved)::int as solved from (
         select floor(extract(epoch from t.created_at - ?::timestamptz) / 3600)::int as hour, 1 as created, 0 as solved
           from ticket t where ${scope.sql} and t.created_at >= ?
         union all
         select floor(extract(epoch from t.solved_at - ?::timestamptz) / 3600)::int, 0, 1
           from ticket t where ${scope.sql} and t.solved_at >= ?
       ) x group by hour order by hour`,
      [dayStart, ...scope.params, dayStart, dayStart, ...scope.params, dayStart],
    ),
    query<GroupRow>(
      em,
      `with o as (
         select t.id, t.status, t.team_id, nullif(split_part(t.org_path, '/', ${regionPart}), '') as region
           from ticket t where ${scope.sql} and ${OPEN_SQL}
       )
       select grouping(o.status) as gs, grouping(o.team_id) as gt, grouping(o.region) as gr,
              o.status, o.team_id, o.region,
              count(*)::int as open,
              (count(*) filter (where ${BREACHED}))::int as breached,
              (count(*) filter (where ${AT_RISK}))::int as at_risk,
              min(case when s.next_due_at - interval '${AT_RISK_SECONDS} seconds' > now()
                       then s.next_due_at - interval '${AT_RISK_SECONDS} seconds' else s.next_due_at end)
                filter (where s.next_due_at > now()) as next_change
         from o left join ticket_sla s on s.ticket_id = o.id
        group by grouping sets ((o.status), (o.team_id), (o.region), ())`,
      scope.params,
    ),
    list('breached', 'desc'),
    list('atRisk', 'asc'),
    queryOne<{ n: number; average: string | null; good: number; judged: number }>(
      em,
      `select count(*)::int as n, avg(r.score) filter (where r.scale = 'five') as average,
              (count(*) filter (where r.is_bad = false))::int as good,
              (count(*) filter (where r.is_bad is not null))::int as judged
         from csat_rating r join ticket t on t.id = r.ticket_id
        where ${scope.sql} and r.rated_at >= ? and r.score is not null`,
      [...scope.params, dayStart],
    ),
    rootPath
      ? queryOne<{ name: string }>(em, 'select name from org_unit where path = ?', [rootPath])
      : Promise.resolve(undefined),
  ]);

  const total = groupRows.find((r) => r.gs === 1 && r.gt === 1 && r.gr === 1);
  const regionRows = groupRows.filter((r) => r.gr === 0);
  const teamRows = groupRows.filter((r) => r.gt === 0);
  const [regionNames, teamNames] = await Promise.all([
    namesOf(
      em,
      'org_unit',
      regionRows.map((r) => r.region),
    ),
    namesOf(
      em,
      'team',
      teamRows.map((r) => r.team_id),
    ),
  ]);
  const scopeName = viewer.kind === 'token' ? (scopeRow?.name ?? null) : null;
  const group = (id: string | number | null, name: string | null, r: GroupRow): WallGroup => ({
    id: id == null ? null : String(id),
    name,
    open: r.open,
    atRisk: r.at_risk,
    breached: r.breached,
  });
  const byOpen = (a: WallGroup, b: WallGroup) =>
    b.open - a.open || (a.name ?? '').localeCompare(b.name ?? '');
  const statusCounts = new Map(groupRows.filter((r) => r.gs === 0).map((r) => [r.status, r.open]));
  const hours = new Map(trendRows.map((r) => [r.hour, r]));
  const currentHour = Math.max(
    0,
    Math.floor((new Date(day!.now).getTime() - dayStart.getTime()) / 3_600_000),
  );
  const trend = Array.from({ length: Math.min(currentHour, 23) + 1 }, (_v, hour) => ({
    hour,
    created: hours.get(hour)?.created ?? 0,
    solved: hours.get(hour)?.solved ?? 0,
  }));
  return {
    at: new Date(day!.now),
    dayStart,
    timeZone,
    scopeName,
    createdToday: trendRows.reduce((n, r) => n + r.created, 0),
    solvedToday: trendRows.reduce((n, r) => n + r.solved, 0),
    openByStatus: OPEN_STATUSES.map((status) => ({ status, count: statusCounts.get(status) ?? 0 })),
    open: total?.open ?? 0,
    atRisk: total?.at_risk ?? 0,
    breached: total?.breached ?? 0,
    breachedTickets: firstPerTicket(breachedRows),
    atRiskTickets: firstPerTicket(atRiskRows),
    byRegion: regionRows
      .map((r) =>
        group(r.region, r.region == null ? (scopeRow?.name ?? null) : (regionNames.get(r.region) ?? null), r),
      )
      .sort(byOpen),
    byTeam: teamRows
      .map((r) => group(r.team_id, r.team_id == null ? null : (teamNames.get(String(r.team_id)) ?? null), r))
      .sort(byOpen),
    csat: {
      count: csatRow?.n ?? 0,
      average: csatRow?.average == null ? null : Math.round(Number(csatRow.average) * 100) / 100,
      satisfiedShare:
        csatRow && csatRow.judged > 0 ? Math.round((csatRow.good / csatRow.judged) * 1000) / 1000 : null,
    },
    trend,
    nextChangeAt: total?.next_change ? new Date(total.next_change) : null,
  };
}

/** A ticket once (its first clock in the list's order), at most WALL_LIST_SIZE of them. */
function firstPerTicket(rows: ListRow[]): WallTicket[] {
  const seen = new Set<string>();
  const out: WallTicket[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push({ ...r, dueAt: new Date(r.due_at) });
    if (out.length === WALL_LIST_SIZE) break;
  }
  return out;
}

async function namesOf(
  em: EntityManager,
  table: 'org_unit' | 'team',
  ids: (string | number | null)[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id) => id != null).map(Number))].filter(Number.isInteger);
  if (wanted.length === 0) return new Map();
  const rows = await query<{ id: number; name: string }>(
    em,
    `select id, name from ${table} where id in (${wanted.map(() => '?').join(', ')})`,
    wanted,
  );
  return new Map(rows.map((r) => [String(r.id), r.name]));
}
