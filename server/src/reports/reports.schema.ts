import { builder, mutationErrors } from '../graphql/builder.ts';
import { REPORT_GROUPINGS } from './reports-repository.ts';
import { type ReportGroup, type TicketReport, ticketReport } from './ticket-report.ts';

const ReportGroupingEnum = builder.enumType('ReportGrouping', {
  description: 'How a report groups tickets; org_unit counts the whole subtree of each unit.',
  values: REPORT_GROUPINGS,
});

const ReportGroupRef = builder.objectRef<ReportGroup>('ReportGroup').implement({
  description:
    'The figures of one group (or the totals). Times are in seconds from creation (wall-clock); null when no ticket has one.',
  fields: (t) => ({
    key: t.exposeString('key', {
      nullable: true,
      description: 'The id or value grouped by; null for none (e.g. unassigned).',
    }),
    label: t.exposeString('label', { nullable: true }),
    created: t.exposeInt('created', { description: 'Tickets created in the period.' }),
    solved: t.exposeInt('solved', { description: 'Tickets solved in the period.' }),
    reopened: t.exposeInt('reopened', {
      description: 'Tickets reopened (from solved or closed) in the period.',
    }),
    backlog: t.exposeInt('backlog', {
      description: 'Tickets open (not solved or closed) at the end of the period.',
    }),
    firstResponseP50: t.exposeFloat('firstResponseP50', { nullable: true }),
    firstResponseP90: t.exposeFloat('firstResponseP90', { nullable: true }),
    resolutionP50: t.exposeFloat('resolutionP50', { nullable: true }),
    resolutionP90: t.exposeFloat('resolutionP90', { nullable: true }),
    csatAverage: t.exposeFloat('csatAverage', {
      nullable: true,
      description: 'Average 1-5 score of ratings given in the period.',
    }),
    csatCount: t.exposeInt('csatCount', { description: 'Ratings given in the period (any scale).' }),
    ticketsFilter: t.field({
      type: 'JSON',
      nullable: true,
      description: 'A TicketFilter for the tickets list: this group’s tickets created in the period.',
      resolve: (g) => g.ticketsFilter,
    }),
  }),
});

const TicketReportRef = builder.objectRef<TicketReport>('TicketReport').implement({
  fields: (t) => ({
    from: t.field({ type: 'DateTime', resolve: (r) => r.from }),
    to: t.field({ type: 'DateTime', resolve: (r) => r.to }),
    groupBy: t.field({ type: ReportGroupingEnum, resolve: (r) => r.groupBy }),
    groups: t.field({ type: [ReportGroupRef], resolve: (r) => r.groups }),
    totals: t.field({ type: ReportGroupRef, resolve: (r) => r.totals, description: 'Each ticket once.' }),
  }),
});

const TicketReportInput = builder.inputType('TicketReportInput', {
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: true }),
    to: t.field({ type: 'DateTime', required: true, description: 'Exclusive; at most 366 days after from.' }),
    groupBy: t.string({ required: true, description: `One of ${REPORT_GROUPINGS.join(', ')}.` }),
  }),
});

builder.queryFields((t) => ({
  ticketReport: t.field({
    type: TicketReportRef,
    errors: mutationErrors,
    description:
      'Created, solved, reopened, backlog, first response and resolution times, CSAT over a period, by group; only over the tickets in the caller’s scope. Needs report.read. Bad input is refused at /from, /to or /groupBy.',
    args: { input: t.arg({ type: TicketReportInput, required: true }) },
    resolve: (_r, a, ctx) => ticketReport(ctx.em, ctx.principal, a.input),
  }),
}));
