import { type FieldError, SLA_METRICS, SLA_TIME_BASES, SLA_TIME_UNITS, type SlaTarget } from '@docket/core';
import type { BusinessCalendar, SlaPolicy } from '@docket/db';
import {
  formatSlaCountdown,
  type SlaClockStatus,
  type SlaHistoryEntry,
  type SlaState,
  type SlaTargetRef,
  type UrgeRules,
} from '@docket/engine';
import { maySeeInternals, requireStaff } from '../access/policy.ts';
import { ForbiddenError } from '../errors.ts';
import { BatchLoader } from '../graphql/batch-loader.ts';
import { builder, FieldErrorRef, mutationErrors } from '../graphql/builder.ts';
import type { Ctx } from '../graphql/context.ts';
import { PriorityEnum } from '../graphql/enums.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import { TicketRef } from '../tickets/tickets.schema.ts';
import { UserRef } from '../users/users.schema.ts';
import {
  calendarDuePreview,
  createBusinessCalendar,
  type DuePreview,
  type HolidayImport,
  importCalendarHolidays,
  listBusinessCalendars,
  updateBusinessCalendar,
} from './calendar-service.ts';
import {
  createSlaPolicy,
  listSlaPolicies,
  reorderSlaPolicies,
  type SlaPolicyInput,
  updateSlaPolicy,
} from './policy-service.ts';
import { clockStatesOf } from './sla-repository.ts';
import type { SlaClockWithView } from './sla-service.ts';
import { type SlaPolicyTest, testSlaPolicies } from './test-sla-policies.ts';
import { type UrgeOutcome, updateUrgeRules, urgeRules, urgeTicket } from './urge-ticket.ts';

/* ------------------------------------------------------------------------------------------------
 * Clocks
 * ---------------------------------------------------------------------------------------------- */

const SlaMetricEnum = builder.enumType('SlaMetric', {
  description:
    'first_response: creation to the first public agent reply; next_response: oldest unanswered customer message to the next public reply; periodic_update: between public agent replies; resolution: creation to solved, paused while pending.',
  values: SLA_METRICS,
});
const SlaClockStatusEnum = builder.enumType('SlaClockStatus', {
  description:
    'running; paused (not counting: pending, or a pause status); met (ended on time); breached (past its due time, counting on or ended late); stopped (ended without an outcome).',
  values: ['running', 'paused', 'met', 'breached', 'stopped'] as const satisfies readonly SlaClockStatus[],
});
const SlaTimeUnitEnum = builder.enumType('SlaTimeUnit', { values: SLA_TIME_UNITS });
const SlaTimeBasisEnum = builder.enumType('SlaTimeBasis', {
  description: "business: the policy's calendar; calendar: every hour, 24x7.",
  values: SLA_TIME_BASES,
});

const SlaTargetRefType = builder.objectRef<SlaTarget>('SlaTarget').implement({
  fields: (t) => ({
    amount: t.exposeFloat('amount'),
    unit: t.field({ type: SlaTimeUnitEnum, resolve: (x) => x.unit }),
    time: t.field({ type: SlaTimeBasisEnum, resolve: (x) => x.time }),
  }),
});

const SlaTargetChangeRef = builder.objectRef<SlaTargetRef>('SlaTargetSnapshot').implement({
  description: 'The target a clock measured against at one time (history keeps the old and the new).',
  fields: (t) => ({
    priority: t.field({ type: PriorityEnum, resolve: (x) => x.priority }),
    targetSeconds: t.int({ nullable: true, resolve: (x) => x.targetSeconds }),
    time: t.field({ type: SlaTimeBasisEnum, nullable: true, resolve: (x) => x.time }),
    calendarKey: t.string({ nullable: true, resolve: (x) => x.calendarId }),
    dueAt: t.field({ type: 'DateTime', nullable: true, resolve: (x) => x.dueAt }),
  }),
});

const SlaHistoryEntryRef = builder.objectRef<SlaHistoryEntry>('SlaClockChange').implement({
  description: 'One change of a clock: start, pause, resume, retarget, breached, met or stop.',
  fields: (t) => ({
    kind: t.exposeString('kind'),
    at: t.field({
      type: 'DateTime',
      description: 'When it happened; for breached, the due time itself.',
      resolve: (e) => e.at,
    }),
    reason: t.exposeString('reason', {
      description: 'The event that caused it (agent_public_reply, status_changed, …) or due_time_passed.',
    }),
    version: t.exposeInt('version'),
    cycle: t.exposeInt('cycle'),
    dueAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (e) =>
        e.kind === 'start' || e.kind === 'resume' ? e.dueAt : e.kind === 'retarget' ? e.to.dueAt : null,
    }),
    consumedSeconds: t.float({
      nullable: true,
      resolve: (e) =>
        e.kind === 'pause' || e.kind === 'met' || e.kind === 'stop' ? e.consumedSeconds : null,
    }),
    noticedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'For breached: when Docket marked it (the timer job or the next change).',
      resolve: (e) => (e.kind === 'breached' ? e.noticedAt : null),
    }),
    from: t.field({
      type: SlaTargetChangeRef,
      nullable: true,
      resolve: (e) => (e.kind === 'retarget' ? e.from : null),
    }),
    to: t.field({
      type: SlaTargetChangeRef,
      nullable: true,
      resolve: (e) => (e.kind === 'retarget' ? e.to : null),
    }),
  }),
});

const SlaClockRef = builder.objectRef<SlaClockWithView>('SlaClock').implement({
  description: 'One SLA metric of a ticket, as of now.',
  fields: (t) => ({
    metric: t.field({ type: SlaMetricEnum, resolve: (c) => c.view.metric }),
    cycle: t.int({ resolve: (c) => c.view.cycle }),
    status: t.field({ type: SlaClockStatusEnum, resolve: (c) => c.view.status }),
    priority: t.field({ type: PriorityEnum, resolve: (c) => c.view.priority }),
    target: t.field({ type: SlaTargetRefType, nullable: true, resolve: (c) => c.clock.target }),
    targetSeconds: t.int({ nullable: true, resolve: (c) => c.view.targetSeconds }),
    calendarKey: t.string({
      nullable: true,
      description: 'The business calendar counted in; null for calendar time.',
      resolve: (c) => c.clock.calendarId,
    }),
    dueAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.view.dueAt }),
    businessSecondsLeft: t.float({
      nullable: true,
      description:
        "Target minus time consumed (in the target's own time), now; negative once overdue; null without a target.",
      resolve: (c) => c.view.businessSecondsLeft,
    }),
    countdown: t.string({
      nullable: true,
      description: 'businessSecondsLeft as the desk shows it: "00:20:00", "-00:05:00".',
      resolve: (c) =>
        c.view.businessSecondsLeft === null ? null : formatSlaCountdown(c.view.businessSecondsLeft),
    }),
    consumedSeconds: t.float({ resolve: (c) => c.view.consumedSeconds }),
    startedAt: t.field({ type: 'DateTime', resolve: (c) => c.view.startedAt }),
    pausedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.view.pausedAt }),
    breachedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.view.breachedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.view.endedAt }),
    history: t.field({
      type: [SlaHistoryEntryRef],
      description: 'Every change of this metric over all cycles, oldest first.',
      resolve: (c) => c.clock.history,
    }),
  }),
});

/** One batched read of ticket_sla per request. */
const stateLoaders = new WeakMap<Ctx, BatchLoader<string, { state: SlaState }>>();
function stateOf(ctx: Ctx, ticketId: string): Promise<{ state: SlaState } | null> {
  let loader = stateLoaders.get(ctx);
  if (!loader) {
    loader = new BatchLoader((ids: string[]) => clockStatesOf(ctx.em, ids));
    stateLoaders.set(ctx, loader);
  }
  return loader.load(ticketId);
}

builder.objectFields(TicketRef, (t) => ({
  slaClocks: t.field({
    type: [SlaClockRef],
    nullable: true,
    description:
      'Every SLA clock of the ticket (first response, next response, periodic update, resolution) as of now. Staff only.',
    resolve: async (ticket, _a, ctx) => {
      if (!maySeeInternals(ctx.principal)) throw new ForbiddenError('SLA clocks are for staff only.');
      const row = await stateOf(ctx, String(ticket.id));
      return row ? ctx.services.sla.viewsOf(ctx.em, row.state) : [];
    },
  }),
  slaPolicyName: t.string({
    nullable: true,
    description: 'The SLA policy the ticket is measured by; null when none applies. Staff only.',
    resolve: async (ticket, _a, ctx) => {
      if (!maySeeInternals(ctx.principal)) return null;
      return (await stateOf(ctx, String(ticket.id)))?.state.policy?.name ?? null;
    },
  }),
}));

builder.subscriptionField('ticketSlaChanged', (t) =>
  t.field({
    type: [SlaClockRef],
    description:
      "A ticket's SLA clocks: first as they are now, then again each time they change (a reply, a status or priority change, a breach, an action). Staff who may see the ticket.",
    args: { ticketId: t.arg.id({ required: true }) },
    subscribe: async (_r, a, ctx) => {
      requireStaff(ctx.principal);
      const ticketId = String(a.ticketId);
      await findVisibleTicket(ctx.em, ctx.principal, { id: ticketId });
      return clockStream(ctx, ticketId);
    },
    resolve: (clocks) => clocks,
  }),
);

async function* clockStream(ctx: Ctx, ticketId: string): AsyncGenerator<SlaClockWithView[]> {
  const changes = ctx.services.sla.pubsub.subscribe('ticketSlaChanged', ticketId)[Symbol.asyncIterator]();
  // Listening starts with the first next(), before the first snapshot goes out: no change is missed.
  let next = changes.next();
  try {
    yield await ctx.services.sla.clocksOf(ctx.em, ticketId);
    while (!(await next).done) {
      next = changes.next();
      // The ticket may have moved out of the subscriber's sight (escalated elsewhere): stop then.
      const isVisible = await findVisibleTicket(ctx.em, ctx.principal, { id: ticketId }).then(
        () => true,
        () => false,
      );
      if (!isVisible) return;
      yield await ctx.services.sla.clocksOf(ctx.em, ticketId);
    }
  } finally {
    await changes.return?.();
  }
}

/* ------------------------------------------------------------------------------------------------
 * Calendars
 * ---------------------------------------------------------------------------------------------- */

const BusinessCalendarRef = builder.objectRef<BusinessCalendar>('BusinessCalendar').implement({
  description:
    'Working time for SLA targets counted in business time: time zone, weekly hours with breaks, holidays, make-up working days.',
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key', { description: 'How SLA policies name the calendar (calendarKey).' }),
    name: t.exposeString('name'),
    timeZone: t.string({ resolve: (c) => c.definition.timeZone }),
    definition: t.field({
      type: 'JSON',
      description: '{timeZone, weeklyHours (seven lists, Sunday first), holidays, extraWorkingDays}.',
      resolve: (c) => c.definition,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
  }),
});

const HolidayImportRef = builder.objectRef<HolidayImport>('HolidayImport').implement({
  fields: (t) => ({
    calendar: t.field({ type: BusinessCalendarRef, resolve: (r) => r.calendar }),
    holidaysAdded: t.exposeInt('holidaysAdded'),
    extraWorkingDaysAdded: t.exposeInt('extraWorkingDaysAdded'),
    warnings: t.field({
      type: [FieldErrorRef],
      description: 'Events left out or read in part (timed or cancelled events), each with its pointer.',
      resolve: (r): FieldError[] => r.warnings,
    }),
  }),
});

/* ------------------------------------------------------------------------------------------------
 * Policies
 * ---------------------------------------------------------------------------------------------- */

const SlaPolicyRef = builder.objectRef<SlaPolicy>('SlaPolicy').implement({
  description:
    'Targets per priority for each metric and the actions around them. The active policy with the lowest position whose condition holds applies to a ticket.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    position: t.exposeInt('position'),
    condition: t.string({ resolve: (p) => p.definition.condition }),
    calendarKey: t.string({ nullable: true, resolve: (p) => p.definition.calendarId ?? null }),
    pauseStatuses: t.stringList({ resolve: (p) => p.definition.pauseStatuses ?? [] }),
    targets: t.field({ type: 'JSON', resolve: (p) => p.definition.targets }),
    actions: t.field({ type: 'JSON', resolve: (p) => p.definition.actions }),
    isActive: t.exposeBoolean('isActive'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
  }),
});

const SlaPolicyInputRef = builder.inputType('SlaPolicyInput', {
  description:
    'An SLA policy. Errors point into this input: /condition, /calendarKey, /targets/resolution/urgent/amount, /actions/first_response/0/offsetMinutes.',
  fields: (t) => ({
    name: t.string({ required: true }),
    position: t.int({ required: true, description: 'Lower positions are tried first.' }),
    condition: t.string({
      description:
        'CEL over ticket.{template, category, categoryPath, priority, customerTier, channel, orgUnitPath} and form; empty: always.',
    }),
    calendarKey: t.string({ description: 'The business calendar for targets counted in business time.' }),
    pauseStatuses: t.stringList({
      description: 'Named statuses that pause the resolution clock, besides pending.',
    }),
    targets: t.field({
      type: 'JSON',
      required: true,
      description: '{metric: {priority: {amount, unit: minutes|hours|days|weeks, time: business|calendar}}}',
    }),
    actions: t.field({
      type: 'JSON',
      description:
        '{metric: [{offsetMinutes, kind: notify|escalate|raise_priority|reassign|plugin, ...}]}; negative offsets run before the due time.',
    }),
    isActive: t.boolean({ description: 'Inactive policies apply to no ticket. New policies are active.' }),
  }),
});

const DuePreviewRef = builder.objectRef<DuePreview>('CalendarDuePreview').implement({
  description: 'When a target counted in a calendar falls due for a ticket created at `from`.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', resolve: (r) => r.from }),
    dueAt: t.field({ type: 'DateTime', resolve: (r) => r.dueAt }),
    targetSeconds: t.exposeInt('targetSeconds', { description: 'The target in business seconds.' }),
  }),
});

const SlaPolicyCheckRef = builder.objectRef<SlaPolicyTest['checked'][number]>('SlaPolicyCheck').implement({
  fields: (t) => ({
    policyId: t.id({ resolve: (c) => c.policy.id }),
    policyName: t.string({ resolve: (c) => c.policy.name }),
    position: t.int({ resolve: (c) => c.policy.position }),
    condition: t.string({ resolve: (c) => c.policy.condition }),
    applies: t.exposeBoolean('applies', { description: 'Whether its condition holds for the ticket.' }),
  }),
});

const SlaTestClockRef = builder.objectRef<SlaPolicyTest['clocks'][number]>('SlaTestClock').implement({
  description: 'A clock as it would start: its target at the ticket’s priority and its due time.',
  fields: (t) => ({
    metric: t.field({ type: SlaMetricEnum, resolve: (c) => c.metric }),
    priority: t.field({ type: PriorityEnum, resolve: (c) => c.priority }),
    target: t.field({ type: SlaTargetRefType, nullable: true, resolve: (c) => c.target }),
    calendarKey: t.string({ nullable: true, resolve: (c) => c.calendarId }),
    dueAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.dueAt }),
  }),
});

const SlaPolicyTestRef = builder.objectRef<SlaPolicyTest>('SlaPolicyTest').implement({
  description: 'Which policy a ticket would get, and when its targets would fall due.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
    facts: t.field({
      type: 'JSON',
      description: 'What the conditions read: ticket.{template, category, priority, …} and form.',
      resolve: (r) => r.facts,
    }),
    policyId: t.id({ nullable: true, resolve: (r) => r.policy?.id ?? null }),
    policyName: t.string({ nullable: true, resolve: (r) => r.policy?.name ?? null }),
    checked: t.field({ type: [SlaPolicyCheckRef], resolve: (r) => r.checked }),
    clocks: t.field({ type: [SlaTestClockRef], resolve: (r) => r.clocks }),
  }),
});

const SlaTestTicketInput = builder.inputType('SlaTestTicketInput', {
  description: 'A ticket described for the SLA test; what is left out reads as empty.',
  fields: (t) => ({
    templateKey: t.string(),
    categoryPath: t.stringList(),
    priority: t.field({ type: PriorityEnum }),
    customerTier: t.string(),
    channel: t.string(),
    orgUnitId: t.int(),
    form: t.field({ type: 'JSON' }),
  }),
});

/* ------------------------------------------------------------------------------------------------
 * Urging
 * ---------------------------------------------------------------------------------------------- */

const UrgeRef = builder.objectRef<UrgeOutcome>('Urge').implement({
  description: 'An urge (催单): who was told, and whether the step was past its time limit.',
  fields: (t) => ({
    id: t.exposeID('id'),
    ticket: t.field({ type: TicketRef, resolve: (u) => u.ticket }),
    urgeNumber: t.exposeInt('urgeNumber', { description: "The step's urge count, this one included." }),
    isOverdue: t.exposeBoolean('isOverdue'),
    urgedAt: t.field({ type: 'DateTime', resolve: (u) => u.urgedAt }),
    notified: t.field({
      type: [UserRef],
      description: 'The handler, and the handler’s manager once the step is past its time limit.',
      resolve: async (u, _a, ctx) =>
        (await Promise.all(u.notifiedUserIds.map((id) => ctx.loaders.user.load(id)))).filter(
          (x) => x !== null,
        ),
    }),
  }),
});

const UrgeRulesRef = builder.objectRef<UrgeRules>('UrgeRules').implement({
  fields: (t) => ({
    minMinutesBetween: t.exposeInt('minMinutesBetween', {
      description: 'One person may urge one ticket at most once per this many minutes (0: no limit).',
    }),
    managerFromUrge: t.int({
      description:
        "Once the step is past its time limit, the handler's manager is told from this urge of the step on (1: every urge past the limit).",
      resolve: (r) => r.managerFromUrge ?? 1,
    }),
  }),
});

/* ------------------------------------------------------------------------------------------------
 * Operations
 * ---------------------------------------------------------------------------------------------- */

builder.queryFields((t) => ({
  businessCalendars: t.field({
    type: [BusinessCalendarRef],
    description: 'Every business calendar, by key. Staff only.',
    resolve: (_r, _a, ctx) => listBusinessCalendars(ctx.em, ctx.principal),
  }),
  slaPolicies: t.field({
    type: [SlaPolicyRef],
    description: 'SLA policies in the order they are tried. Staff only.',
    args: { includeInactive: t.arg.boolean({ defaultValue: false }) },
    resolve: (_r, a, ctx) => listSlaPolicies(ctx.em, ctx.principal, a.includeInactive ?? false),
  }),
  calendarDuePreview: t.field({
    type: DuePreviewRef,
    errors: mutationErrors,
    description:
      'When a target would fall due for a ticket created at `from` (now when absent), counted in this calendar definition (saved or not). Staff only.',
    args: {
      definition: t.arg({ type: 'JSON', required: true }),
      amount: t.arg.float({ required: true }),
      unit: t.arg({ type: SlaTimeUnitEnum, required: true }),
      from: t.arg({ type: 'DateTime' }),
    },
    resolve: (_r, a, ctx) =>
      calendarDuePreview(ctx.principal, {
        definition: a.definition,
        amount: a.amount,
        unit: a.unit,
        from: a.from ?? new Date(ctx.services.sla.now()),
      }),
  }),
  testSlaPolicies: t.field({
    type: SlaPolicyTestRef,
    errors: mutationErrors,
    description:
      'Which active policy a ticket gets (an existing one by number, or one described) and when its targets would fall due if it were created at `at` (now when absent). Nothing is written. Needs sla.manage.',
    args: {
      ticketNumber: t.arg.string(),
      ticket: t.arg({ type: SlaTestTicketInput }),
      at: t.arg({ type: 'DateTime' }),
    },
    resolve: (_r, a, ctx) =>
      testSlaPolicies({ catalog: ctx.services.sla.catalog }, ctx.em, ctx.principal, {
        ticketNumber: a.ticketNumber ?? null,
        ticket: a.ticket
          ? { ...a.ticket, form: (a.ticket.form ?? null) as Record<string, unknown> | null }
          : null,
        at: a.at ?? new Date(ctx.services.sla.now()),
      }),
  }),
  urgeRules: t.field({
    type: UrgeRulesRef,
    description:
      'How often one person may urge a ticket, and from which urge of an overdue step the manager is told.',
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal);
      return urgeRules(ctx.em);
    },
  }),
}));

builder.mutationFields((t) => ({
  createBusinessCalendar: t.field({
    type: BusinessCalendarRef,
    errors: mutationErrors,
    description:
      'Needs sla.manage. Errors point into the input: /key, /name, /definition/weeklyHours/1/0/start.',
    args: {
      key: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      definition: t.arg({ type: 'JSON', required: true }),
    },
    resolve: (_r, a, ctx) =>
      createBusinessCalendar(ctx.services, ctx.em, ctx.principal, {
        key: a.key,
        name: a.name,
        definition: a.definition,
      }),
  }),
  updateBusinessCalendar: t.field({
    type: BusinessCalendarRef,
    errors: mutationErrors,
    description: 'Needs sla.manage. Omitted fields stay; the definition is replaced as a whole.',
    args: {
      id: t.arg.id({ required: true }),
      name: t.arg.string(),
      definition: t.arg({ type: 'JSON' }),
    },
    resolve: (_r, a, ctx) =>
      updateBusinessCalendar(ctx.services, ctx.em, ctx.principal, {
        id: a.id,
        ...(a.name != null ? { name: a.name } : {}),
        definition: a.definition,
      }),
  }),
  importCalendarHolidays: t.field({
    type: HolidayImportRef,
    errors: mutationErrors,
    description:
      'Adds an iCal (.ics) file\'s all-day events to a calendar as holidays; events whose summary matches workingDaySummary (a regular expression, e.g. "补班|上班") become make-up working days. Needs sla.manage.',
    args: {
      id: t.arg.id({ required: true }),
      ics: t.arg.string({ required: true }),
      workingDaySummary: t.arg.string(),
      replace: t.arg.boolean({
        defaultValue: false,
        description: "Drop the calendar's holidays and extra days first.",
      }),
    },
    resolve: (_r, a, ctx) => importCalendarHolidays(ctx.services, ctx.em, ctx.principal, a),
  }),
  createSlaPolicy: t.field({
    type: SlaPolicyRef,
    errors: mutationErrors,
    description: 'Needs sla.manage.',
    args: { input: t.arg({ type: SlaPolicyInputRef, required: true }) },
    resolve: (_r, a, ctx) => createSlaPolicy(ctx.services, ctx.em, ctx.principal, a.input as SlaPolicyInput),
  }),
  updateSlaPolicy: t.field({
    type: SlaPolicyRef,
    errors: mutationErrors,
    description:
      'Replaces a policy. Tickets under it pick the change up at their next change (history keeps the old due time). Needs sla.manage.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: SlaPolicyInputRef, required: true }) },
    resolve: (_r, a, ctx) =>
      updateSlaPolicy(ctx.services, ctx.em, ctx.principal, a.id, a.input as SlaPolicyInput),
  }),
  reorderSlaPolicies: t.field({
    type: [SlaPolicyRef],
    errors: { ...mutationErrors, directResult: false },
    description:
      'Puts every policy (active or not) in the order given: positions 10, 20, … Needs sla.manage.',
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_r, a, ctx) => reorderSlaPolicies(ctx.services, ctx.em, ctx.principal, a.ids),
  }),
  updateUrgeRules: t.field({
    type: UrgeRulesRef,
    errors: mutationErrors,
    description: 'Needs sla.manage. minMinutesBetween 0 to 10080 (a week); managerFromUrge 1 to 100.',
    args: {
      minMinutesBetween: t.arg.int({ required: true }),
      managerFromUrge: t.arg.int(),
    },
    resolve: (_r, a, ctx) =>
      updateUrgeRules(ctx.em, ctx.principal, {
        minMinutesBetween: a.minMinutesBetween,
        ...(a.managerFromUrge != null ? { managerFromUrge: a.managerFromUrge } : {}),
      }),
  }),
  urgeTicket: t.field({
    type: UrgeRef,
    errors: mutationErrors,
    description:
      "Urges a ticket (催单): its creator or anyone on its open step's CC list. Notifies the handler, and the handler's manager once the step is past its time limit. Refusals (not allowed, too soon, …) come back as ValidationError.",
    args: { id: t.arg.id({ required: true }), note: t.arg.string() },
    resolve: (_r, a, ctx) => urgeTicket(ctx.services, ctx.em, ctx.principal, ctx.channel, a),
  }),
}));
