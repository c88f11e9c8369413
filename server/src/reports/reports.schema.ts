import { builder, mutationErrors } from '../graphql/builder.ts';
import { REPORT_GROUPINGS } from './reports-repository.ts';
import { type ReportGroup, type SlaAttainment, type TicketReport, ticketReport } from './ticket-report.ts';

const ReportGroupingEnum = builder.enumType('ReportGrouping', {
  description: 'How a report groups tickets; org_unit counts the whole subtree of each unit.',
  values: REPORT_GROUPINGS,
});

const SlaAttainmentRef = builder.objectRef<SlaAttainment>('SlaAttainment').implement({
  description:
    'One SLA metric in a period: targets met and breached (one per clock cycle), and the share met.',
  fields: (t) => ({
    metric: t.exposeString('metric', {
      description: 'first_response, next_response, periodic_update or resolution.',
    }),
    met: t.exposeInt('met', { description: 'Clocks that ended on time in the period.' }),
    breached: t.exposeInt('breached', { description: 'Clocks whose due time passed in the period.' }),
    attainment: t.exposeFloat('attainment', {
      nullable: true,
      description: 'met / (met + breached), from 0 to 1; null when no target was decided.',
    }),
  }),
});

const ReportGroupRef = builder.objectRef<ReportGroup>('ReportGroup').implement({
  description:
    "The figures of one group (or the totals). First response and resolution are in seconds of the SLA clocks' time: business hours where the ticket's policy counts them, pauses left out; null when no ticket has one.",
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
    backlogAgeP50: t.exposeFloat('backlogAgeP50', {
      nullable: true,
      description: 'Median seconds (wall-clock) the backlog had been open at the end of the period.',
    }),
    backlogAgeMax: t.exposeFloat('backlogAgeMax', { nullable: true, description: 'The oldest, in seconds.' }),
    firstResponseP50: t.exposeFloat('firstResponseP50', {
      nullable: true,
      description: 'Tickets created in the period: clock time to the first public staff reply.',
    }),
    firstResponseP90: t.exposeFloat('firstResponseP90', { nullable: true }),
    resolutionP50: t.exposeFloat('resolutionP50', {
      nullable: true,
      description: 'Tickets solved in the period: clock time up to the last solve.',
    }),
    resolutionP90: t.exposeFloat('resolutionP90', { nullable: true }),
    sla: t.field({
      type: [SlaAttainmentRef],
      description: 'Per SLA metric, targets met and breached in the period.',
      resolve: (g) => g.sla,
    }),
    transfers: t.exposeInt('transfers', { description: 'Steps transferred in the period.' }),
    returns: t.exposeInt('returns', { description: 'Steps returned in the period.' }),
    rejects: t.exposeInt('rejects', { description: 'Steps rejected in the period.' }),
    urges: t.exposeInt('urges', { description: 'Urges (催单) in the period.' }),
    csatAverage: t.exposeFloat('csatAverage', {
      nullable: true,
      description: 'Average 1-5 score of ratings given in the period.',
    }),
    csatCount: t.exposeInt('csatCount', { description: 'Ratings given in the period (any scale).' }),
    csatDistribution: t.exposeIntList('csatDistribution', {
      description: 'Ratings of 1, 2, 3, 4 and 5 (the five-point scale) given in the period.',
    }),
    csatGood: t.exposeInt('csatGood', { description: 'Good ratings (good/bad scale) given in the period.' }),
    csatBad: t.exposeInt('csatBad', { description: 'Bad ratings (good/bad scale) given in the period.' }),
    csatAsked: t.exposeInt('csatAsked', { description: 'Ratings asked for in the period.' }),
    csatResponseRate: t.exposeFloat('csatResponseRate', {
      nullable: true,
      description: 'Of the ratings asked for in the period, the share given so far (0 to 1).',
    }),
    followUpRated: t.exposeInt('followUpRated', {
      description: 'Ratings given in the period after a follow-up visit step.',
    }),
    followUpAverage: t.exposeFloat('followUpAverage', {
      nullable: true,
      description: 'Their average 1-5 score.',
    }),
    followUpBad: t.exposeInt('followUpBad', { description: 'Those marked bad.' }),
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
    orgUnitId: t.id({
      description: "Only the tickets of this org unit's subtree; it must lie within the caller's scope.",
    }),
  }),
});

builder.queryFields((t) => ({
  ticketReport: t.field({
    type: TicketReportRef,
    errors: mutationErrors,
    description:
      'Created, solved, reopened, backlog and its age, first response and resolution times (business time), SLA attainment, transfers, returns, rejects, urges, CSAT and follow-up ratings over a period, by group; only over the tickets in the caller’s scope. Needs report.read. Bad input is refused at /from, /to, /groupBy or /orgUnitId (unknown, or outside the caller’s scope).',
    args: { input: t.arg({ type: TicketReportInput, required: true }) },
    resolve: (_r, a, ctx) => ticketReport(ctx.em, ctx.principal, a.input, new Date(ctx.services.clock.now())),
  }),
}));
