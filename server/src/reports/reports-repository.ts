import { REPORT_GROUPINGS, type ReportGrouping, SLA_METRICS, type SlaMetric } from '@docket/core';
import { type EntityManager, escapeLike, query } from '@docket/db';
import type { SqlCondition } from '../access/policy.ts';

export { REPORT_GROUPINGS, type ReportGrouping };

/** Per SLA metric: targets met and breached in the period (one of each per clock cycle). */
type SlaColumns = { [M in SlaMetric as `${M}_met` | `${M}_breached`]: number };

/** One group's figures as the database answers them (times in seconds of the SLA clocks' time). */
export type ReportRow = SlaColumns & {
  key: string | null;
  label: string | null;
  template_ids: number[] | null;
  created: number;
  solved: number;
  reopened: number;
  backlog: number;
  backlog_age_p50: number | null;
  backlog_age_max: number | null;
  first_response_p50: number | null;
  first_response_p90: number | null;
  resolution_p50: number | null;
  resolution_p90: number | null;
  transfers: number;
  returns: number;
  rejects: number;
  urges: number;
  csat_asked: number;
  csat_answered: number;
  csat_count: number;
  csat_average: number | null;
  csat_1: number;
  csat_2: number;
  csat_3: number;
  csat_4: number;
  csat_5: number;
  csat_good: number;
  csat_bad: number;
  follow_up_rated: number;
  follow_up_average: number | null;
  follow_up_bad: number;
};

/**
 * How each grouping places a ticket (alias `t`): the joins it needs, its key and label. An org
 * unit counts every ticket of its subtree, so a ticket lands in each unit above it.
 */
const GROUPS: Record<ReportGrouping, { joins: string; key: string; label: string }> = {
  template: {
    // The name its admins gave it (its newest published version's, else the draft's), with its key.
    joins: `join (select tt.id, tt.key, coalesce(nullif(v.content->>'name', ''), tt.draft->>'name', '') as name
                    from ticket_template tt
                    left join ticket_template_version v on v.template_id = tt.id and v.version = tt.latest_version) g
              on g.id = t.template_id`,
    key: 't.template_id::text',
    label: "case when g.name in ('', g.key) then g.key else g.name || ' (' || g.key || ')' end",
  },
  category: {
    // Each version's category read once, not its whole form per ticket.
    joins: `join (select v.id, coalesce(v.content->'categoryPath'->>0, '') as category
                    from ticket_template_version v) g on g.id = t.template_version_id`,
    key: 'g.category',
    label: 'g.category',
  },
  team: { joins: 'left join team g on g.id = t.team_id', key: 't.team_id::text', label: 'g.name' },
  agent: {
    joins: 'left join app_user g on g.id = t.assignee_id',
    key: 't.assignee_id::text',
    label: 'g.name',
  },
  org_unit: {
    // A path lists the ids of the units above and at the ticket's (/1/2/4/): each found by id,
    // and counted when its own path starts the ticket's.
    joins: `cross join lateral unnest(string_to_array(trim(both '/' from t.org_path), '/')) u(id)
      join org_unit g on g.id::text = u.id and starts_with(t.org_path, g.path)`,
    key: 'g.id::text',
    label: 'g.name',
  },
  channel: { joins: '', key: 't.channel', label: 't.channel' },
  priority: { joins: '', key: 't.priority', label: 't.priority' },
  customer_tier: {
    joins: 'left join customer g on g.id = t.requester_id',
    key: "coalesce(g.tier, '')",
    label: "coalesce(g.tier, '')",
  },
};

const DONE = "('solved', 'closed')";
/** Placeholders of the period, in the SQL below: `:from` and `:to` (each becomes a bound `?`). */
const IN = (col: string) => `${col} >= :from::timestamptz and ${col} < :to::timestamptz`;
/** Whether the element at `i` (1-based) of an instants array falls in the period. */
const AT_IN = (arr: string, i: number) => `coalesce(${IN(`${arr}[${i}]`)}, false)`;
/**
 * How many of an array's instants fall in the period (0 for none: the arrays are null when
 * empty). Most tickets have one or two of each, read directly; longer arrays are unnested.
 */
const COUNT_IN = (arr: string) =>
  `case when ${arr} is null then 0
    when cardinality(${arr}) = 1 then ${AT_IN(arr, 1)}::int
    when cardinality(${arr}) = 2 then ${AT_IN(arr, 1)}::int + ${AT_IN(arr, 2)}::int
    else (select count(*) from unnest(${arr}) x(at) where ${IN('x.at')}) end`;
const ANY_IN = (arr: string) => `(${COUNT_IN(arr)} > 0)`;

/**
 * Recomputes the facts of every ticket marked dirty (and unmarks them) in one statement: the
 * ticket's columns, and from its audit trail and clocks the instants and times a report reads.
 * First response and resolution are the clocks' own time (business hours where the policy counts
 * them, pauses left out); a ticket without clocks counts wall-clock time.
 */
const REFRESH_SQL = `
  with gone as (delete from report_dirty_ticket returning ticket_id),
    dirty as (select distinct ticket_id from gone)
  insert into report_ticket_fact as f (ticket_id, template_id, template_version_id, team_id, assignee_id,
    creator_user_id, participant_ids, requester_id, org_path, channel, priority, created_at, last_event_at,
    first_response_seconds, is_done, status_changed_at, status_ats, status_dones, solved_ats, reopened_ats,
    resolution_ats, resolution_seconds, transfer_ats, return_ats, reject_ats, urge_ats, sla_ats, sla_marks)
  select t.id, t.template_id, t.template_version_id, t.team_id, t.assignee_id, t.creator_user_id,
    t.participant_ids, t.requester_id, t.org_path, t.channel, t.priority, t.created_at,
    coalesce(e.last_event_at, t.created_at),
    coalesce(
      (select (h->>'consumedSeconds')::float8
         from jsonb_array_elements(s.state->'clocks'->'first_response'->'history') h
        where h->>'kind' in ('met', 'stop') and h->>'reason' = 'agent_public_reply' limit 1),
      case when s.state is null then extract(epoch from e.first_reply_at - t.created_at)::float8 end),
    coalesce(e.status_dones[cardinality(e.status_dones)], false),
    e.status_ats[cardinality(e.status_ats)],
    e.status_ats, e.status_dones, e.solved_ats, e.reopened_ats,
    case when s.state is null then e.solved_ats else rz.ats end,
    case when s.state is null
      then (select array_agg(extract(epoch from a - t.created_at)::float8 order by a) from unnest(e.solved_ats) a)
      else rz.seconds end,
    e.transfer_ats, e.return_ats, e.reject_ats, e.urge_ats, k.ats, k.marks
  from dirty d
  join ticket t on t.id = d.ticket_id
  left join ticket_sla s on s.ticket_id = t.id
  cross join lateral (
    select
      max(e.created_at) as last_event_at,
      min(e.created_at) filter (where e.kind = 'reply' and e.actor_kind = 'user' and e.is_public) as first_reply_at,
      array_agg(e.created_at order by e.created_at, e.id) filter (where e.diff->'status' is not null) as status_ats,
      array_agg(coalesce(e.diff->'status'->>'to' in ${DONE}, false) order by e.created_at, e.id)
        filter (where e.diff->'status' is not null) as status_dones,
      array_agg(e.created_at order by e.created_at, e.id) filter (where e.diff->'status'->>'to' = 'solved') as solved_ats,
      array_agg(e.created_at order by e.created_at, e.id)
        filter (where e.diff->'status'->>'from' in ${DONE} and e.diff->'status'->>'to' not in ${DONE}) as reopened_ats,
      array_agg(e.created_at) filter (where e.kind = 'task.transferred') as transfer_ats,
      array_agg(e.created_at) filter (where e.kind = 'task.returned') as return_ats,
      array_agg(e.created_at) filter (where e.kind = 'task.rejected') as reject_ats,
      array_agg(e.created_at) filter (where e.kind = 'ticket.urged') as urge_ats
    from ticket_event e where e.ticket_id = t.id
  ) e
  cross join lateral (
    select array_agg((h.v->>'at')::timestamptz order by h.n) as ats,
           array_agg((h.v->>'consumedSeconds')::float8 order by h.n) as seconds
      from jsonb_array_elements(s.state->'clocks'->'resolution'->'history') with ordinality h(v, n)
     where h.v->>'kind' in ('met', 'stop')
  ) rz
  cross join lateral (
    select array_agg((h->>'at')::timestamptz) as ats, array_agg(c.key || ':' || (h->>'kind')) as marks
      from jsonb_each(coalesce(s.state->'clocks', '{}'::jsonb)) c
      cross join lateral jsonb_array_elements(c.value->'history') h
     where h->>'kind' in ('met', 'breached')
  ) k
  on conflict (ticket_id) do update set
    template_id = excluded.template_id, template_version_id = excluded.template_version_id,
    team_id = excluded.team_id, assignee_id = excluded.assignee_id, creator_user_id = excluded.creator_user_id,
    participant_ids = excluded.participant_ids, requester_id = excluded.requester_id,
    org_path = excluded.org_path, channel = excluded.channel, priority = excluded.priority,
    created_at = excluded.created_at, last_event_at = excluded.last_event_at,
    first_response_seconds = excluded.first_response_seconds, is_done = excluded.is_done,
    status_changed_at = excluded.status_changed_at, status_ats = excluded.status_ats,
    status_dones = excluded.status_dones, solved_ats = excluded.solved_ats, reopened_ats = excluded.reopened_ats,
    resolution_ats = excluded.resolution_ats, resolution_seconds = excluded.resolution_seconds,
    transfer_ats = excluded.transfer_ats, return_ats = excluded.return_ats, reject_ats = excluded.reject_ats,
    urge_ats = excluded.urge_ats, sla_ats = excluded.sla_ats, sla_marks = excluded.sla_marks`;

/**
 * Brings the rollup up to date with every committed change: the facts of the tickets marked dirty.
 * One refresh at a time (a transaction lock), so two never take the same dirty rows in different
 * orders; a change committing meanwhile stays marked for the next. When no ticket is marked, it
 * only looks (no transaction, no lock).
 */
export async function refreshReportFacts(em: EntityManager): Promise<void> {
  const dirty = await query(em, 'select 1 from report_dirty_ticket limit 1', []);
  if (dirty.length === 0) return;
  await em.transactional(async (tx) => {
    await query(tx, "select pg_advisory_xact_lock(hashtext('report_ticket_fact'))", []);
    await query(tx, REFRESH_SQL, []);
  });
}

const SLA_COLUMNS = SLA_METRICS.flatMap((m) => [`${m}_met`, `${m}_breached`]);
/**
 * The SLA marks (sla_marks beside sla_ats) read once per ticket: whether its first two instants
 * fall in the period and their marks (most tickets have one or two), and the longer arrays whole.
 */
const SLA_READ = `${AT_IN('t.sla_ats', 1)} as sla_in1, ${AT_IN('t.sla_ats', 2)} as sla_in2,
        t.sla_marks[1] as sla_mark1, t.sla_marks[2] as sla_mark2,
        case when cardinality(t.sla_ats) > 2 then t.sla_ats end as sla_more_ats,
        case when cardinality(t.sla_ats) > 2 then t.sla_marks end as sla_more_marks`;
/** Per metric and outcome, the ticket's SLA marks in the period (from SLA_READ's columns). */
const slaPerTicket = SLA_METRICS.flatMap((m) => [`${m}:met`, `${m}:breached`])
  .map(
    (mark) => `(t.sla_in1 and t.sla_mark1 = '${mark}')::int + (t.sla_in2 and t.sla_mark2 = '${mark}')::int
        + case when t.sla_more_ats is null then 0 else (select count(*)::int
            from unnest(t.sla_more_ats, t.sla_more_marks) with ordinality u(at, mark, i)
           where u.i > 2 and ${IN('u.at')} and u.mark = '${mark}') end as ${mark.replace(':', '_')}`,
  )
  .join(',\n      ');

/** The columns the groupings and their joins read (as they would the ticket's). */
const GROUPING_COLUMNS =
  't.template_id, t.template_version_id, t.team_id, t.assignee_id, t.requester_id, t.org_path, t.channel, t.priority';

/**
 * One narrow row per ticket that counts in the period, each figure worked out once: whether it was
 * done at the end of the period (its current state, unless its status changed since), the
 * instants in the period, the first response (for tickets created in the period) and the
 * resolution clock's time at its last end in the period (for tickets solved in the period). Each
 * level is fenced (offset 0) so the planner neither recomputes a figure per use nor carries the
 * facts' arrays through the grouping's sort.
 */
function ticketFiguresSql(scopeSql: string): string {
  return `
    select ${GROUPING_COLUMNS}, t.is_created, t.is_solved, t.is_reopened, t.is_done_at_to,
      t.transfers, t.returns, t.rejects, t.urges,
      ${slaPerTicket},
      case when not t.is_done_at_to
        then extract(epoch from least(:to::timestamptz, :now::timestamptz) - t.created_at)::float8 end as backlog_age,
      case when t.is_created then t.first_response_seconds end as first_response,
      case when not t.is_solved then null
        when cardinality(t.resolution_ats) = 1 then case when ${AT_IN('t.resolution_ats', 1)} then t.resolution_seconds[1] end
        else (select u.seconds from unnest(t.resolution_ats, t.resolution_seconds) u(at, seconds)
          where ${IN('u.at')} order by u.at desc limit 1) end as resolution
    from (
      select ${GROUPING_COLUMNS}, t.created_at, t.last_event_at, t.first_response_seconds,
        t.resolution_ats, t.resolution_seconds,
        ${IN('t.created_at')} as is_created,
        coalesce(case when t.status_changed_at is null or t.status_changed_at < :to::timestamptz then t.is_done
          else (select u.done from unnest(t.status_ats, t.status_dones) u(at, done)
                 where u.at < :to::timestamptz order by u.at desc limit 1) end, false) as is_done_at_to,
        ${ANY_IN('t.solved_ats')} as is_solved,
        ${ANY_IN('t.reopened_ats')} as is_reopened,
        ${COUNT_IN('t.transfer_ats')} as transfers,
        ${COUNT_IN('t.return_ats')} as returns,
        ${COUNT_IN('t.reject_ats')} as rejects,
        ${COUNT_IN('t.urge_ats')} as urges,
        ${SLA_READ}
      from report_ticket_fact t
      where ${scopeSql} and t.created_at < :to::timestamptz
      offset 0
    ) t
    where t.is_created or t.last_event_at >= :from::timestamptz or not t.is_done_at_to
    offset 0`;
}

/** The figures that add up (counts and sums) over the narrow rows (alias `t`), in FIGURES' order. */
const SUMMED = [
  'created',
  'solved',
  'reopened',
  'backlog',
  'transfers',
  'returns',
  'rejects',
  'urges',
  ...SLA_METRICS.flatMap((m) => [`${m}_met`, `${m}_breached`]),
];

/**
 * The org units' figures without copying a ticket to every unit above it: the narrow rows (alias
 * `t`, materialised once) are first summed per ticket path (a few hundred paths at most), and each
 * unit adds up the paths its own path starts. The medians and 90th percentiles cannot be added
 * up: they are taken exactly over the values alone (three numbers per ticket that has one), each
 * placed in its units through the paths' small map by a hash join. The totals read each row once.
 */
function orgRolledUpSql(rowsSql: string): string {
  return `
    with t as materialized (${rowsSql}),
    p as (
      select t.org_path, array_agg(distinct t.template_id) as template_ids,
        count(*) filter (where t.is_created)::int as created,
        count(*) filter (where t.is_solved)::int as solved,
        count(*) filter (where t.is_reopened)::int as reopened,
        count(*) filter (where not t.is_done_at_to)::int as backlog,
        max(t.backlog_age) as backlog_age_max,
        ${SUMMED.slice(4)
          .map((c) => `coalesce(sum(t.${c}), 0)::int as ${c}`)
          .join(',\n        ')}
      from t group by t.org_path),
    m as (select p.org_path, g.id from p join org_unit g on starts_with(p.org_path, g.path)),
    c as (
      select m.id, max(p.backlog_age_max) as backlog_age_max,
        ${SUMMED.map((c) => `sum(p.${c})::int as ${c}`).join(',\n        ')}
      from p join m on m.org_path = p.org_path group by m.id),
    k as (
      select m.id, array_agg(distinct x.id) as template_ids
      from p join m on m.org_path = p.org_path cross join unnest(p.template_ids) x(id) group by m.id),
    q as (
      select m.id,
        percentile_cont(0.5) within group (order by v.backlog_age) as backlog_age_p50,
        percentile_cont(0.5) within group (order by v.first_response) as first_response_p50,
        percentile_cont(0.9) within group (order by v.first_response) as first_response_p90,
        percentile_cont(0.5) within group (order by v.resolution) as resolution_p50,
        percentile_cont(0.9) within group (order by v.resolution) as resolution_p90
      from (select t.org_path, t.backlog_age, t.first_response, t.resolution from t
             where t.backlog_age is not null or t.first_response is not null or t.resolution is not null) v
      join m on m.org_path = v.org_path group by m.id)
    (select c.id::text as key, g.name as label, k.template_ids,
       c.created, c.solved, c.reopened, c.backlog,
       q.backlog_age_p50, c.backlog_age_max,
       q.first_response_p50, q.first_response_p90, q.resolution_p50, q.resolution_p90,
       ${SUMMED.slice(4)
         .map((col) => `c.${col}`)
         .join(', ')}
     from c join org_unit g on g.id = c.id left join k on k.id = c.id left join q on q.id = c.id)
    union all
    select '*', null::text, ${FIGURES} from t
    order by 2 nulls last, 1`;
}

/** The figures' aggregates over the narrow rows (alias `t`). */
const FIGURES = `
      array_agg(distinct t.template_id) as template_ids,
      count(*) filter (where t.is_created)::int as created,
      count(*) filter (where t.is_solved)::int as solved,
      count(*) filter (where t.is_reopened)::int as reopened,
      count(*) filter (where not t.is_done_at_to)::int as backlog,
      percentile_cont(0.5) within group (order by t.backlog_age) as backlog_age_p50,
      max(t.backlog_age) as backlog_age_max,
      percentile_cont(0.5) within group (order by t.first_response) as first_response_p50,
      percentile_cont(0.9) within group (order by t.first_response) as first_response_p90,
      percentile_cont(0.5) within group (order by t.resolution) as resolution_p50,
      percentile_cont(0.9) within group (order by t.resolution) as resolution_p90,
      coalesce(sum(t.transfers), 0)::int as transfers,
      coalesce(sum(t.returns), 0)::int as returns,
      coalesce(sum(t.rejects), 0)::int as rejects,
      coalesce(sum(t.urges), 0)::int as urges,
      ${SLA_COLUMNS.map((c) => `coalesce(sum(t.${c}), 0)::int as ${c}`).join(',\n      ')}`;

/**
 * The ratings: asked for in the period (and of those, answered), given in the period (the average
 * over the 1-5 scale, the distribution, good and bad), and those asked after a follow-up step.
 * Read from the ratings themselves, beside the facts' columns for scope and group (alias `t`).
 */
function ratedSql(scopeSql: string): string {
  return `
    select ${GROUPING_COLUMNS}, r.asked_at, r.rated_at, r.scale, r.score, r.is_bad, r.reason
    from csat_rating r
    join report_ticket_fact t on t.ticket_id = r.ticket_id
    where ${scopeSql} and (${IN('r.asked_at')} or ${IN('r.rated_at')})`;
}

const rated = IN('t.rated_at');
const RATINGS = `
      array_agg(distinct t.template_id) as template_ids,
      count(*) filter (where ${IN('t.asked_at')})::int as csat_asked,
      count(*) filter (where ${IN('t.asked_at')} and t.rated_at is not null)::int as csat_answered,
      count(*) filter (where ${rated})::int as csat_count,
      (sum(t.score) filter (where ${rated} and t.scale = 'five'))::float8
        / nullif(count(*) filter (where ${rated} and t.scale = 'five'), 0) as csat_average,
      ${[1, 2, 3, 4, 5].map((n) => `count(*) filter (where ${rated} and t.scale = 'five' and t.score = ${n})::int as csat_${n}`).join(',\n      ')},
      count(*) filter (where ${rated} and t.scale = 'good_bad' and not t.is_bad)::int as csat_good,
      count(*) filter (where ${rated} and t.scale = 'good_bad' and t.is_bad)::int as csat_bad,
      count(*) filter (where ${rated} and t.reason like 'step:%')::int as follow_up_rated,
      (sum(t.score) filter (where ${rated} and t.reason like 'step:%' and t.scale = 'five'))::float8
        / nullif(count(*) filter (where ${rated} and t.reason like 'step:%' and t.scale = 'five'), 0) as follow_up_average,
      count(*) filter (where ${rated} and t.reason like 'step:%' and t.is_bad)::int as follow_up_bad`;

/**
 * One statement for a grouping's rows and the totals (key '*'): the rows (`rowsSql`, alias `t`)
 * are read once. A grouping that places each row in one group totals in the same pass (grouping
 * sets); the org units (the ratings' grouping; the figures roll up by path in orgRolledUpSql)
 * count a row in every unit above it, so their totals read the rows again from a materialised
 * CTE, each row once.
 */
function groupedSql(rowsSql: string, aggregates: string, grouping: ReportGrouping): string {
  const g = GROUPS[grouping];
  if (grouping === 'org_unit')
    return `
    with t as materialized (${rowsSql})
    (select ${g.key} as key, ${g.label} as label, ${aggregates}
       from t ${g.joins} group by ${g.key}, ${g.label})
    union all
    select '*', null::text, ${aggregates} from t
    order by 2 nulls last, 1`;
  return `
    select case when grouping(${g.key}) = 1 then '*' else ${g.key} end as key, ${g.label} as label, ${aggregates}
    from (${rowsSql}) t ${g.joins}
    group by grouping sets ((${g.key}, ${g.label}), ())
    order by 2 nulls last, 1`;
}

/** Where the caller's scope goes in the SQL text. */
const SCOPE = ':scope';

/** Replaces the `:from`, `:to` and `:unit` placeholders with bound parameters and puts the scope (with its own `?`s) in place. */
function bind(
  sql: string,
  {
    scope,
    from,
    to,
    now,
    orgPath,
  }: { scope: SqlCondition; from: Date; to: Date; now: Date; orgPath: string | null },
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const f = from.toISOString();
  const tt = to.toISOString();
  const text = sql.replace(/:from\b|:to\b|:now\b|:unit\b|:scope\b/g, (m) => {
    if (m === ':from') params.push(f);
    else if (m === ':to') params.push(tt);
    else if (m === ':now') params.push(now.toISOString());
    else if (m === ':unit') params.push(`${escapeLike(orgPath ?? '')}%`);
    else {
      params.push(...scope.params);
      return scope.sql;
    }
    return '?';
  });
  return { sql: text, params };
}

/**
 * The report over [from, to) for the tickets the scope lets through (and, when given, only those
 * of an org unit's subtree), one row per group plus a row with key '*' for the totals (each ticket
 * once, even when an org unit grouping counts it in several units). Read from the rollup, brought
 * up to date first; ratings from the ratings themselves.
 *
 * created: created in the period; solved: a change to solved in the period; reopened: a change
 * from solved or closed back to work in the period; backlog: created before `to` and not solved or
 * closed at `to` (its age at `to`, or now in a period not over yet; wall-clock); first response: for tickets created in the period,
 * the first response clock's time up to the first public staff reply; resolution: the resolution
 * clock's time at its last end in the period, for tickets solved in the period (both in the clock's
 * time: business hours where the ticket's policy counts them, pauses left out; a ticket without
 * clocks counts wall-clock time); SLA: targets met and breached in the period per metric;
 * transfers, returns, rejects, urges: audit entries in the period; CSAT: ratings given in the
 * period (the average over the 1-5 scale, the distribution), asked in the period and answered;
 * follow-up: ratings asked after a follow-up step. Groups with nothing to show are left out.
 */
export async function readTicketReport(
  em: EntityManager,
  input: {
    scope: SqlCondition;
    grouping: ReportGrouping;
    from: Date;
    to: Date;
    /** The backlog's age is counted up to `to`, or up to now while the period lasts. */
    now: Date;
    /** Only the subtree of the org unit at this path. */
    orgPath: string | null;
  },
): Promise<ReportRow[]> {
  await refreshReportFacts(em);
  const scopeSql = input.orgPath === null ? SCOPE : `${SCOPE} and t.org_path like :unit`;
  const { figures, ratings } = await em.transactional(async (tx) => {
    // A report is one long scan: compiling it (JIT) costs more than it saves, and its sorts fit in
    // memory with a little more than the default.
    await query(tx, 'set local jit = off', []);
    await query(tx, "set local work_mem = '64MB'", []);
    const read = async <T>(sql: string) => {
      const bound = bind(sql, input);
      return query<T>(tx, bound.sql, bound.params);
    };
    return {
      figures: await read<FigureRow>(
        input.grouping === 'org_unit'
          ? orgRolledUpSql(ticketFiguresSql(scopeSql))
          : groupedSql(ticketFiguresSql(scopeSql), FIGURES, input.grouping),
      ),
      ratings: await read<RatingRow>(groupedSql(ratedSql(scopeSql), RATINGS, input.grouping)),
    };
  });
  const isTotal = (r: { key: string | null }) => r.key === '*';
  const groups = mergeRows(
    figures.filter((r) => !isTotal(r)),
    ratings.filter((r) => !isTotal(r)),
  ).filter(hasAnyFigure);
  // Both statements always answer a totals row (an aggregate over no rows is one row of zeros).
  return [...groups, ...mergeRows(figures.filter(isTotal), ratings.filter(isTotal))];
}

type RatingRow = Pick<
  ReportRow,
  'key' | 'label' | 'template_ids' | Extract<keyof ReportRow, `csat_${string}` | `follow_up_${string}`>
>;
type FigureRow = Omit<ReportRow, Exclude<keyof RatingRow, 'key' | 'label' | 'template_ids'>>;

const NO_RATINGS: Omit<RatingRow, 'key' | 'label' | 'template_ids'> = {
  csat_asked: 0,
  csat_answered: 0,
  csat_count: 0,
  csat_average: null,
  csat_1: 0,
  csat_2: 0,
  csat_3: 0,
  csat_4: 0,
  csat_5: 0,
  csat_good: 0,
  csat_bad: 0,
  follow_up_rated: 0,
  follow_up_average: null,
  follow_up_bad: 0,
};
const NO_FIGURES: Omit<FigureRow, 'key' | 'label' | 'template_ids'> = {
  created: 0,
  solved: 0,
  reopened: 0,
  backlog: 0,
  backlog_age_p50: null,
  backlog_age_max: null,
  first_response_p50: null,
  first_response_p90: null,
  resolution_p50: null,
  resolution_p90: null,
  transfers: 0,
  returns: 0,
  rejects: 0,
  urges: 0,
  ...(Object.fromEntries(
    SLA_METRICS.flatMap((m) => [`${m}_met`, `${m}_breached`]).map((k) => [k, 0]),
  ) as SlaColumns),
};

/** One row per group from both queries (the figures' order first; groups with ratings only after). */
function mergeRows(figures: FigureRow[], ratings: RatingRow[]): ReportRow[] {
  const rated = new Map(ratings.map((r) => [r.key, r]));
  const rows: ReportRow[] = figures.map((f) => {
    const r = rated.get(f.key);
    rated.delete(f.key);
    const templateIds = [...new Set([...(f.template_ids ?? []), ...(r?.template_ids ?? [])])];
    return { ...NO_RATINGS, ...r, ...f, template_ids: templateIds };
  });
  for (const r of rated.values()) rows.push({ ...NO_FIGURES, ...r });
  return rows;
}

/** Whether a group has anything to show (tickets merely touched in the period add nothing). */
const hasAnyFigure = (r: ReportRow): boolean =>
  r.created + r.solved + r.reopened + r.backlog + r.transfers + r.returns + r.rejects + r.urges > 0 ||
  r.csat_asked + r.csat_count > 0 ||
  SLA_METRICS.some((m) => r[`${m}_met`] + r[`${m}_breached`] > 0);

/** An org unit's name and path, or null when there is none with this id. */
export async function readOrgUnitPlace(
  em: EntityManager,
  id: number,
): Promise<{ name: string; path: string } | null> {
  return (
    (
      await query<{ name: string; path: string }>(em, 'select name, path from org_unit where id = ?', [id])
    )[0] ?? null
  );
}
