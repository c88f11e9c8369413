import { type EntityManager, query } from '@docket/db';
import type { SqlCondition } from '../access/policy.ts';

export const REPORT_GROUPINGS = [
  'template',
  'category',
  'team',
  'agent',
  'org_unit',
  'channel',
  'priority',
] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

/** One group's figures as the database answers them (times in seconds, wall-clock). */
export type ReportRow = {
  key: string | null;
  label: string | null;
  template_ids: number[] | null;
  created: number;
  solved: number;
  reopened: number;
  backlog: number;
  first_response_p50: number | null;
  first_response_p90: number | null;
  resolution_p50: number | null;
  resolution_p90: number | null;
  csat_average: number | null;
  csat_count: number;
};

/**
 * How each grouping places a ticket (alias `t`): the joins it needs, its key and label. An org
 * unit counts every ticket of its subtree, so a ticket lands in each unit above it.
 */
const GROUPS: Record<ReportGrouping, { joins: string; key: string; label: string }> = {
  template: {
    joins: 'join ticket_template g on g.id = t.template_id',
    key: 't.template_id::text',
    label: 'g.key',
  },
  category: {
    joins: 'join ticket_template_version g on g.id = t.template_version_id',
    key: "coalesce(g.content->'categoryPath'->>0, '')",
    label: "coalesce(g.content->'categoryPath'->>0, '')",
  },
  team: { joins: 'left join team g on g.id = t.team_id', key: 't.team_id::text', label: 'g.name' },
  agent: {
    joins: 'left join app_user g on g.id = t.assignee_id',
    key: 't.assignee_id::text',
    label: 'g.name',
  },
  org_unit: {
    joins:
      "join org_unit g on t.org_path like replace(replace(replace(g.path, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'",
    key: 'g.id::text',
    label: 'g.name',
  },
  channel: { joins: '', key: 't.channel', label: 't.channel' },
  priority: { joins: '', key: 't.priority', label: 't.priority' },
};

const DONE = "('solved', 'closed')";

/**
 * The report over [from, to) for the tickets the scope lets through, one row per group plus a
 * row with key '*' for the totals (each ticket once, even when an org unit grouping counts it in
 * several units). created: created in the period; solved: a change to solved in the period;
 * reopened: a change from solved or closed back to work in the period; backlog: created before
 * `to` and not solved or closed at `to`; first response: creation to the first public staff
 * reply, for tickets created in the period; resolution: creation to the last solve in the
 * period; CSAT: ratings given in the period (the average over the 1-5 scale).
 */
export async function readTicketReport(
  em: EntityManager,
  scope: SqlCondition,
  grouping: ReportGrouping,
  from: Date,
  to: Date,
): Promise<ReportRow[]> {
  const g = GROUPS[grouping];
  const figures = (keyExpr: string, labelExpr: string, joins: string, groupBy: string) => `
    select ${keyExpr} as key, ${labelExpr} as label,
      array_agg(distinct t.template_id) as template_ids,
      count(*) filter (where t.created_at >= ?::timestamptz and t.created_at < ?::timestamptz)::int as created,
      count(*) filter (where m.solved_at is not null)::int as solved,
      count(*) filter (where m.reopened)::int as reopened,
      count(*) filter (where t.created_at < ?::timestamptz and coalesce(m.status_at_to, 'new') not in ${DONE})::int as backlog,
      percentile_cont(0.5) within group (order by m.first_response) as first_response_p50,
      percentile_cont(0.9) within group (order by m.first_response) as first_response_p90,
      percentile_cont(0.5) within group (order by m.resolution) as resolution_p50,
      percentile_cont(0.9) within group (order by m.resolution) as resolution_p90,
      sum(m.csat_sum)::float8 / nullif(sum(m.csat_five), 0) as csat_average,
      coalesce(sum(m.csat_count), 0)::int as csat_count
    from ticket t
    ${joins}
    cross join lateral (
      select
        (select max(e.created_at) from ticket_event e
          where e.ticket_id = t.id and e.diff->'status'->>'to' = 'solved'
            and e.created_at >= ?::timestamptz and e.created_at < ?::timestamptz) as solved_at,
        exists (select 1 from ticket_event e
          where e.ticket_id = t.id and e.diff->'status'->>'from' in ${DONE}
            and e.diff->'status'->>'to' not in ${DONE}
            and e.created_at >= ?::timestamptz and e.created_at < ?::timestamptz) as reopened,
        (select e.diff->'status'->>'to' from ticket_event e
          where e.ticket_id = t.id and e.diff->'status' is not null and e.created_at < ?::timestamptz
          order by e.created_at desc, e.id desc limit 1) as status_at_to,
        case when t.created_at >= ?::timestamptz and t.created_at < ?::timestamptz then
          (select extract(epoch from min(e.created_at) - t.created_at)::float8 from ticket_event e
            where e.ticket_id = t.id and e.kind = 'reply' and e.actor_kind = 'user' and e.is_public)
        end as first_response,
        (select extract(epoch from max(e.created_at) - t.created_at)::float8 from ticket_event e
          where e.ticket_id = t.id and e.diff->'status'->>'to' = 'solved'
            and e.created_at >= ?::timestamptz and e.created_at < ?::timestamptz) as resolution,
        (select sum(r.score) filter (where r.scale = 'five') from csat_rating r
          where r.ticket_id = t.id and r.rated_at >= ?::timestamptz and r.rated_at < ?::timestamptz) as csat_sum,
        (select count(*) filter (where r.scale = 'five') from csat_rating r
          where r.ticket_id = t.id and r.rated_at >= ?::timestamptz and r.rated_at < ?::timestamptz) as csat_five,
        (select count(*) from csat_rating r
          where r.ticket_id = t.id and r.rated_at >= ?::timestamptz and r.rated_at < ?::timestamptz) as csat_count
    ) m
    where ${scope.sql}
      and (t.created_at < ?::timestamptz)
      and (t.created_at >= ?::timestamptz or m.solved_at is not null or m.reopened
        or coalesce(m.status_at_to, 'new') not in ${DONE}
        or m.csat_count > 0)
    ${groupBy}`;
  const f = from.toISOString();
  const tt = to.toISOString();
  const params = [
    f,
    tt, // created
    tt, // backlog
    f,
    tt,
    f,
    tt,
    tt,
    f,
    tt,
    f,
    tt,
    f,
    tt,
    f,
    tt,
    f,
    tt, // lateral
    ...scope.params,
    tt,
    f,
  ];
  const grouped = figures(g.key, g.label, g.joins, `group by ${g.key}, ${g.label} order by 2 nulls last, 1`);
  const totals = figures("'*'", 'null::text', '', '');
  const rows = await query<ReportRow>(em, grouped, params);
  const total = await query<ReportRow>(em, totals, params);
  return [...rows, ...total];
}
