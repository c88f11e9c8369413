import {
  fieldError,
  type Principal,
  SLA_METRICS,
  type SlaMetric,
  type StaffPrincipal,
  ValidationFailed,
} from '@docket/core';
import type { EntityManager } from '@docket/db';
import { mayReportOnOrgUnit, requireReportReader, ticketScope } from '../access/policy.ts';
import type { TicketFilter } from '../tickets/list-tickets.ts';
import {
  REPORT_GROUPINGS,
  type ReportGrouping,
  type ReportRow,
  readOrgUnitPlace,
  readTicketReport,
} from './reports-repository.ts';

export type ReportInput = {
  from: Date;
  to: Date;
  groupBy: string;
  /** Only the tickets of this org unit's subtree. */
  orgUnitId?: number | string | null;
};

/** One SLA metric's targets decided in the period: met, breached, and the share met (null when none). */
export type SlaAttainment = { metric: SlaMetric; met: number; breached: number; attainment: number | null };

export type ReportGroup = {
  key: string | null;
  label: string | null;
  created: number;
  solved: number;
  reopened: number;
  backlog: number;
  /** Seconds (wall-clock) the backlog's tickets had been open at the end of the period. */
  backlogAgeP50: number | null;
  backlogAgeMax: number | null;
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  resolutionP50: number | null;
  resolutionP90: number | null;
  sla: SlaAttainment[];
  transfers: number;
  returns: number;
  rejects: number;
  urges: number;
  csatAverage: number | null;
  csatCount: number;
  /** Ratings of 1, 2, 3, 4 and 5 (five-point scale) given in the period. */
  csatDistribution: number[];
  csatGood: number;
  csatBad: number;
  csatAsked: number;
  /** Of the ratings asked for in the period, the share given (null when none was asked). */
  csatResponseRate: number | null;
  followUpRated: number;
  followUpAverage: number | null;
  followUpBad: number;
  /** The desk list's filter for the tickets created in the period in this group; null when it cannot say. */
  ticketsFilter: TicketFilter | null;
};

export type TicketReport = {
  from: Date;
  to: Date;
  groupBy: ReportGrouping;
  groups: ReportGroup[];
  totals: ReportGroup;
};

const MAX_DAYS = 366;
const DAY = 86_400_000;

/** Refuses a bad period or grouping, naming the field. */
function checkInput(input: ReportInput): ReportGrouping {
  const errors = [];
  const valid = (d: Date) => d instanceof Date && !Number.isNaN(d.getTime());
  if (!valid(input.from)) errors.push(fieldError('/from', 'invalid', 'The period needs a start date.'));
  if (!valid(input.to)) errors.push(fieldError('/to', 'invalid', 'The period needs an end date.'));
  if (errors.length === 0) {
    if (input.from.getTime() > input.to.getTime())
      errors.push(fieldError('/to', 'before_from', 'The end of the period comes before its start.'));
    else if (input.to.getTime() - input.from.getTime() > MAX_DAYS * DAY)
      errors.push(fieldError('/to', 'too_long', `A report covers at most ${MAX_DAYS} days.`));
  }
  const grouping = (REPORT_GROUPINGS as readonly string[]).includes(input.groupBy)
    ? (input.groupBy as ReportGrouping)
    : null;
  if (!grouping)
    errors.push(fieldError('/groupBy', 'unknown', `Group by one of ${REPORT_GROUPINGS.join(', ')}.`));
  if (input.orgUnitId != null && !/^[1-9][0-9]{0,9}$/.test(String(input.orgUnitId)))
    errors.push(fieldError('/orgUnitId', 'invalid', 'An org unit is named by its numeric id.'));
  if (errors.length > 0 || !grouping) throw new ValidationFailed(errors);
  return grouping;
}

/** The path of the org unit a report is narrowed to, once the caller may see it; null for none. */
async function orgPathOf(em: EntityManager, staff: StaffPrincipal, id: ReportInput['orgUnitId']) {
  if (id == null) return null;
  const unit = await readOrgUnitPlace(em, Number(id));
  if (!unit)
    throw new ValidationFailed([fieldError('/orgUnitId', 'not_found', `There is no org unit ${id}.`)]);
  if (!mayReportOnOrgUnit(staff, unit.path))
    throw new ValidationFailed([
      fieldError(
        '/orgUnitId',
        'out_of_scope',
        `${unit.name} lies outside the tickets you may see: pick a unit within your own.`,
      ),
    ]);
  return unit.path;
}

function filterOf(grouping: ReportGrouping | null, row: ReportRow, input: ReportInput): TicketFilter | null {
  const period: TicketFilter = {
    createdAfter: input.from,
    createdBefore: input.to,
    ...(input.orgUnitId != null ? { orgUnitId: String(input.orgUnitId) } : {}),
  };
  if (grouping === null) return period;
  // Tickets without a requester have no tier: the desk's '' stands for them.
  if (grouping === 'customer_tier') return { ...period, requesterTier: [row.key ?? ''] };
  if (row.key === null || row.key === '')
    return grouping === 'category' && row.template_ids
      ? { ...period, templateId: row.template_ids.map(String) }
      : null;
  switch (grouping) {
    case 'template':
      return { ...period, templateId: [row.key] };
    case 'category':
      return { ...period, templateId: (row.template_ids ?? []).map(String) };
    case 'team':
      return { ...period, teamId: row.key };
    case 'agent':
      return { ...period, assigneeId: row.key };
    case 'org_unit':
      return { ...period, orgUnitId: row.key };
    case 'channel':
      return { ...period, channel: [row.key] };
    case 'priority':
      return { ...period, priority: [row.key as never] };
  }
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

function groupOf(grouping: ReportGrouping | null, row: ReportRow, input: ReportInput): ReportGroup {
  return {
    key: row.key === '' ? null : row.key,
    label: row.label === '' ? null : row.label,
    created: Number(row.created),
    solved: Number(row.solved),
    reopened: Number(row.reopened),
    backlog: Number(row.backlog),
    backlogAgeP50: num(row.backlog_age_p50),
    backlogAgeMax: num(row.backlog_age_max),
    firstResponseP50: num(row.first_response_p50),
    firstResponseP90: num(row.first_response_p90),
    resolutionP50: num(row.resolution_p50),
    resolutionP90: num(row.resolution_p90),
    sla: SLA_METRICS.map((metric) => {
      const met = Number(row[`${metric}_met`]);
      const breached = Number(row[`${metric}_breached`]);
      return { metric, met, breached, attainment: met + breached > 0 ? met / (met + breached) : null };
    }),
    transfers: Number(row.transfers),
    returns: Number(row.returns),
    rejects: Number(row.rejects),
    urges: Number(row.urges),
    csatAverage: num(row.csat_average),
    csatCount: Number(row.csat_count),
    csatDistribution: [row.csat_1, row.csat_2, row.csat_3, row.csat_4, row.csat_5].map(Number),
    csatGood: Number(row.csat_good),
    csatBad: Number(row.csat_bad),
    csatAsked: Number(row.csat_asked),
    csatResponseRate: Number(row.csat_asked) > 0 ? Number(row.csat_answered) / Number(row.csat_asked) : null,
    followUpRated: Number(row.follow_up_rated),
    followUpAverage: num(row.follow_up_average),
    followUpBad: Number(row.follow_up_bad),
    ticketsFilter: filterOf(grouping, row, input),
  };
}

/** The ticket report over a period, grouped, over the tickets the caller's scope allows. */
export async function ticketReport(
  em: EntityManager,
  principal: Principal | null,
  input: ReportInput,
  now: Date = new Date(),
): Promise<TicketReport> {
  const staff = requireReportReader(principal);
  const grouping = checkInput(input);
  const orgPath = await orgPathOf(em, staff, input.orgUnitId);
  const rows = await readTicketReport(em, {
    scope: ticketScope(staff, 't'),
    grouping,
    from: input.from,
    to: input.to,
    now,
    orgPath,
  });
  const total = rows.find((r) => r.key === '*')!;
  return {
    from: input.from,
    to: input.to,
    groupBy: grouping,
    groups: rows.filter((r) => r !== total).map((r) => groupOf(grouping, r, input)),
    totals: groupOf(null, total, input),
  };
}
