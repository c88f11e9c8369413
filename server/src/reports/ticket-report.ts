import { fieldError, type Principal, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import { requireReportReader, ticketScope } from '../access/policy.ts';
import type { TicketFilter } from '../tickets/list-tickets.ts';
import {
  REPORT_GROUPINGS,
  type ReportGrouping,
  type ReportRow,
  readTicketReport,
} from './reports-repository.ts';

export type ReportInput = { from: Date; to: Date; groupBy: string };

export type ReportGroup = {
  key: string | null;
  label: string | null;
  created: number;
  solved: number;
  reopened: number;
  backlog: number;
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  resolutionP50: number | null;
  resolutionP90: number | null;
  csatAverage: number | null;
  csatCount: number;
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
  if (errors.length > 0 || !grouping) throw new ValidationFailed(errors);
  return grouping;
}

function filterOf(grouping: ReportGrouping | null, row: ReportRow, input: ReportInput): TicketFilter | null {
  const period = { createdAfter: input.from, createdBefore: input.to };
  if (grouping === null) return period;
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
    firstResponseP50: num(row.first_response_p50),
    firstResponseP90: num(row.first_response_p90),
    resolutionP50: num(row.resolution_p50),
    resolutionP90: num(row.resolution_p90),
    csatAverage: num(row.csat_average),
    csatCount: Number(row.csat_count),
    ticketsFilter: filterOf(grouping, row, input),
  };
}

/** The ticket report over a period, grouped, over the tickets the caller's scope allows. */
export async function ticketReport(
  em: EntityManager,
  principal: Principal | null,
  input: ReportInput,
): Promise<TicketReport> {
  const staff = requireReportReader(principal);
  const grouping = checkInput(input);
  const rows = await readTicketReport(em, ticketScope(staff, 't'), grouping, input.from, input.to);
  const total = rows.find((r) => r.key === '*')!;
  return {
    from: input.from,
    to: input.to,
    groupBy: grouping,
    groups: rows.filter((r) => r !== total).map((r) => groupOf(grouping, r, input)),
    totals: groupOf(null, total, input),
  };
}
