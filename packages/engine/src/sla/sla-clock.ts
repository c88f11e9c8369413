import {
  addBusinessSeconds,
  type BusinessCalendar,
  businessSecondsBetween,
  calendarTime,
  isOpenCategory,
  SLA_METRICS,
  type SlaAction,
  type SlaMetric,
  type SlaPolicy,
  type SlaTarget,
  slaTargetSeconds,
} from '@docket/core';
import type {
  SlaClock,
  SlaClockStatus,
  SlaClockView,
  SlaEvent,
  SlaFiring,
  SlaHistoryEntry,
  SlaReason,
  SlaResult,
  SlaScheduledFiring,
  SlaState,
  SlaTargetRef,
  SlaTimerFired,
  SlaTimerResult,
} from './sla-state.ts';

/**
 * The SLA clocks of a ticket as a pure state machine.
 *
 *   const sla = createSlaEngine({ calendars });                 // compiled calendars by id
 *   const { state, scheduled, fired } = sla.applySlaEvent(stored, event);
 *   const timer = sla.onTimer(stored, { metric, version, actionIndex, now });
 *
 * The caller stores `state`, enqueues `scheduled` and runs `fired`, in one transaction.
 *
 * Metrics (DESIGN.md): first_response from creation to the first public agent reply;
 * next_response from the oldest unanswered customer message to the next public agent reply (once
 * first_response is over); periodic_update from each public agent reply to the next; resolution
 * from creation to solved, paused while the status category is pending or the named status is one
 * of the policy's pause statuses. Solving the ticket ends every clock: resolution is met (or
 * breached), the response clocks stop (or stay breached). Reopening resumes resolution.
 *
 * Every metric is measured even without a target (the clock then only measures), so a priority or
 * policy change that brings a target re-targets a clock that has run from its true start. A
 * re-target keeps the time consumed and recounts it in the new calendar, so the due time is where
 * it would be had the target applied from the start. A breach is final: re-targeting leaves a
 * breached clock as it is. A running clock is breached exactly at its due time: a reply at or
 * after dueAt is late.
 *
 * Actions fire when the clock's consumed time reaches target + offset (in the target's own time),
 * at most once per cycle; a change of the policy's actions for a metric re-arms them. Events may
 * arrive late or out of order: an event older than the state counts at the state's instant.
 */

export type SlaEngineOptions = {
  /** Compiled business calendars by id; needed for targets counted in business time. */
  calendars?: ReadonlyMap<string, BusinessCalendar>;
};

export type SlaEngine = {
  /** Applies one event. `state` is null only for ticket_created. */
  applySlaEvent(state: SlaState | null, event: SlaEvent): SlaResult;
  /** Brings the clocks to `now`: marks breaches and returns the actions due by then. */
  dueActions(state: SlaState, now: Date): SlaResult;
  /** A timer job fired: nothing when its version is stale, else what dueActions gives. */
  onTimer(state: SlaState, timer: SlaTimerFired): SlaTimerResult;
  /** Target minus consumed time at `now` (negative when overdue); null without a target. */
  businessSecondsLeft(clock: SlaClock, now: Date): number | null;
  /** The status at `now`: a running clock past its due time reads as breached before any job marks it. */
  statusAt(clock: SlaClock, now: Date): SlaClockStatus;
  /** Everything the desk shows about a clock at `now`. */
  clockAt(clock: SlaClock, now: Date): SlaClockView;
};

const RESPONSE_METRICS = ['first_response', 'next_response', 'periodic_update'] as const;

function parseInstant(text: string): number {
  const ms = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new RangeError(`"${text}" is not an instant; use ISO 8601, e.g. 2026-06-01T09:00:00Z.`);
  return ms;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const isOpen = (clock: SlaClock | undefined): clock is SlaClock =>
  clock !== undefined && clock.endedAt === null;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Whether the resolution clock counts in the ticket's current status under the policy. */
function isWorking(state: SlaState): boolean {
  const { category, status } = state.ticket;
  if (!isOpenCategory(category) || category === 'pending') return false;
  return status === null || !(state.policy?.pauseStatuses ?? []).includes(status);
}

/** One call's scratch: the state being built and the instant it is at. */
type Work = { state: SlaState; at: string; atMs: number; fired: SlaFiring[] };

/** A transition of one clock and why. */
type ClockChange = { clock: SlaClock; reason: SlaReason };

export function createSlaEngine(options: SlaEngineOptions = {}): SlaEngine {
  const calendars = options.calendars ?? new Map<string, BusinessCalendar>();

  function calendarOf(clock: Pick<SlaClock, 'calendarId'>): BusinessCalendar {
    if (clock.calendarId === null) return calendarTime;
    const calendar = calendars.get(clock.calendarId);
    if (!calendar)
      throw new Error(
        `The SLA policy counts business time in calendar "${clock.calendarId}", which was not given to the SLA engine.`,
      );
    return calendar;
  }

  /** Business ms in [from, to) in the calendar. */
  const betweenMs = (calendar: BusinessCalendar, span: { from: number; to: number }): number =>
    Math.round(businessSecondsBetween(calendar, new Date(span.from), new Date(span.to)) * 1000);

  /** The instant `ms` business ms after `from` in the calendar. */
  const addMs = (calendar: BusinessCalendar, step: { from: number; ms: number }): number =>
    addBusinessSeconds(calendar, new Date(step.from), step.ms / 1000).getTime();

  /** Consumed ms in the closed segments. */
  function closedMs(clock: SlaClock, calendar: BusinessCalendar): number {
    let sum = 0;
    for (const s of clock.segments)
      if (s.to !== null) sum += betweenMs(calendar, { from: parseInstant(s.from), to: parseInstant(s.to) });
    return sum;
  }

  /**
   * The instant the clock's consumed time reaches `ms`: in the past when a closed segment reaches
   * it, ahead when the open one will, null when the clock is not counting and has not reached it.
   */
  function instantWhenConsumed(clock: SlaClock, ms: number): number | null {
    const calendar = calendarOf(clock);
    let remaining = Math.max(0, ms);
    for (const s of clock.segments) {
      const from = parseInstant(s.from);
      if (s.to === null) return addMs(calendar, { from, ms: remaining });
      const length = betweenMs(calendar, { from, to: parseInstant(s.to) });
      if (remaining <= length) return addMs(calendar, { from, ms: remaining });
      remaining -= length;
    }
    return null;
  }

  /** Recomputes consumed time, due time and status of an open clock from its segments. */
  function settle(clock: SlaClock): void {
    const calendar = calendarOf(clock);
    const last = clock.segments.at(-1);
    const counting = last !== undefined && last.to === null;
    clock.runningSince = counting ? last.from : null;
    clock.consumedSeconds = closedMs(clock, calendar) / 1000;
    if (clock.breachedAt === null && clock.targetSeconds !== null) {
      const due = instantWhenConsumed(clock, clock.targetSeconds * 1000);
      clock.dueAt = due === null ? null : iso(due);
    } else if (clock.breachedAt === null) clock.dueAt = null;
    clock.status = counting ? (clock.breachedAt === null ? 'running' : 'breached') : 'paused';
  }

  function record(clock: SlaClock, entry: DistributiveOmit<SlaHistoryEntry, 'version' | 'cycle'>): void {
    clock.version += 1;
    clock.history.push({ ...entry, version: clock.version, cycle: clock.cycle } as SlaHistoryEntry);
  }

  /** The target the policy gives a metric at the ticket's priority. */
  function targetFor(
    state: SlaState,
    metric: SlaMetric,
  ): Pick<SlaClock, 'target' | 'targetSeconds' | 'calendarId'> {
    const policy = state.policy;
    const target: SlaTarget | undefined = policy?.targets[metric]?.[state.ticket.priority];
    if (!policy || !target) return { target: null, targetSeconds: null, calendarId: null };
    const calendarId = target.time === 'business' ? (policy.calendarId ?? null) : null;
    calendarOf({ calendarId });
    return { target: { ...target }, targetSeconds: slaTargetSeconds(target), calendarId };
  }

  const refOf = (clock: SlaClock): SlaTargetRef => ({
    priority: clock.priority,
    targetSeconds: clock.targetSeconds,
    time: clock.target?.time ?? null,
    calendarId: clock.calendarId,
    dueAt: clock.dueAt,
  });

  const actionsOf = (state: SlaState, metric: SlaMetric): SlaAction[] => state.policy?.actions[metric] ?? [];

  /** When an action fires: once consumed time reaches target + offset (or at the start, when that is earlier). */
  function fireInstant(clock: SlaClock, action: SlaAction): number | null {
    if (clock.targetSeconds === null) return null;
    return instantWhenConsumed(clock, (clock.targetSeconds + action.offsetMinutes * 60) * 1000);
  }

  /* ---------------------------------------------------------------------------------------------
   * Transitions
   * ------------------------------------------------------------------------------------------- */

  function startCycle(
    w: Work,
    start: { metric: SlaMetric; from: string; reason: SlaReason; counting: boolean },
  ): void {
    const { metric, from, reason, counting } = start;
    const previous = w.state.clocks[metric];
    const clock: SlaClock = {
      metric,
      cycle: (previous?.cycle ?? 0) + 1,
      version: previous?.version ?? 0,
      status: 'running',
      startedAt: from,
      priority: w.state.ticket.priority,
      ...targetFor(w.state, metric),
      segments: counting ? [{ from, to: null }] : [],
      consumedSeconds: 0,
      runningSince: null,
      pausedAt: counting ? null : from,
      dueAt: null,
      breachedAt: null,
      endedAt: null,
      firedActions: [],
      history: previous?.history ?? [],
    };
    settle(clock);
    w.state.clocks[metric] = clock;
    record(clock, {
      kind: 'start',
      at: from,
      reason,
      targetSeconds: clock.targetSeconds,
      dueAt: clock.dueAt,
    });
  }

  function pause(w: Work, { clock, reason }: ClockChange): void {
    const last = clock.segments.at(-1);
    if (last === undefined || last.to !== null) return;
    last.to = w.at;
    clock.pausedAt = w.at;
    settle(clock);
    record(clock, { kind: 'pause', at: w.at, reason, consumedSeconds: clock.consumedSeconds });
  }

  function resume(w: Work, { clock, reason }: ClockChange): void {
    const last = clock.segments.at(-1);
    if (last !== undefined && last.to === null) return;
    clock.segments.push({ from: w.at, to: null });
    clock.pausedAt = null;
    settle(clock);
    record(clock, { kind: 'resume', at: w.at, reason, dueAt: clock.dueAt });
  }

  /** Ends the cycle: met when fulfilled in time with a target, breached when late, else stopped. */
  function end(w: Work, { clock, reason, fulfilled }: ClockChange & { fulfilled: boolean }): void {
    const last = clock.segments.at(-1);
    if (last !== undefined && last.to === null) last.to = w.at;
    clock.runningSince = null;
    clock.pausedAt = null;
    clock.endedAt = w.at;
    clock.consumedSeconds = closedMs(clock, calendarOf(clock)) / 1000;
    clock.status =
      clock.breachedAt !== null ? 'breached' : fulfilled && clock.targetSeconds !== null ? 'met' : 'stopped';
    record(clock, {
      kind: clock.status === 'met' ? 'met' : 'stop',
      at: w.at,
      reason,
      consumedSeconds: clock.consumedSeconds,
    });
  }

  /** A solved ticket was reopened: the resolution clock counts on (or waits, in a pausing status). */
  function reopen(w: Work, clock: SlaClock): void {
    clock.endedAt = null;
    if (isWorking(w.state)) clock.segments.push({ from: w.at, to: null });
    else clock.pausedAt = w.at;
    settle(clock);
    record(clock, { kind: 'resume', at: w.at, reason: 'reopened', dueAt: clock.dueAt });
  }

  /**
   * Applies the policy's current target for the ticket's priority. Keeps the consumed time
   * (recounted in the new calendar). Records old and new targets and due times when they differ
   * (or always when `force`, e.g. because the metric's actions changed).
   */
  function retarget(w: Work, { clock, reason, force }: ClockChange & { force: boolean }): void {
    if (clock.endedAt !== null) return;
    const next = targetFor(w.state, clock.metric);
    const priority = w.state.ticket.priority;
    if (clock.breachedAt !== null) {
      if (force) record(clock, { kind: 'retarget', at: w.at, reason, from: refOf(clock), to: refOf(clock) });
      return;
    }
    const same =
      next.targetSeconds === clock.targetSeconds &&
      next.calendarId === clock.calendarId &&
      next.target?.time === clock.target?.time;
    if (same && !force) {
      clock.priority = priority;
      return;
    }
    const from = refOf(clock);
    clock.priority = priority;
    clock.target = next.target;
    clock.targetSeconds = next.targetSeconds;
    clock.calendarId = next.calendarId;
    settle(clock);
    record(clock, { kind: 'retarget', at: w.at, reason, from, to: refOf(clock) });
  }

  function maybeStartNextResponse(w: Work, reason: SlaReason): void {
    const { ticket, clocks } = w.state;
    if (ticket.unansweredSince === null || !isOpenCategory(ticket.category)) return;
    if (isOpen(clocks.first_response) || isOpen(clocks.next_response)) return;
    startCycle(w, { metric: 'next_response', from: ticket.unansweredSince, reason, counting: true });
  }

  /**
   * Marks breaches by the work's instant and, with `fire`, runs every action due by then.
   * Before an event only breaches are marked (so a late reply is late); actions fire after it, so
   * a warning whose job ran late is dropped when the event ended its clock.
   */
  function catchUp(w: Work, fire: boolean): void {
    for (const metric of SLA_METRICS) {
      const clock = w.state.clocks[metric];
      if (!isOpen(clock) || clock.targetSeconds === null) continue;
      if (clock.breachedAt === null && clock.dueAt !== null && parseInstant(clock.dueAt) <= w.atMs) {
        clock.breachedAt = clock.dueAt;
        if (clock.status === 'running') clock.status = 'breached';
        record(clock, { kind: 'breached', at: clock.dueAt, reason: 'due_time_passed', noticedAt: w.at });
      }
      if (!fire) continue;
      actionsOf(w.state, metric).forEach((action, actionIndex) => {
        if (clock.firedActions.includes(actionIndex)) return;
        const at = fireInstant(clock, action);
        if (at === null || at > w.atMs) return;
        clock.firedActions.push(actionIndex);
        w.fired.push({
          metric,
          cycle: clock.cycle,
          clockVersion: clock.version,
          actionIndex,
          action: structuredClone(action),
          dueAt: clock.dueAt,
          fireAt: iso(at),
          key: `${w.state.policy?.id ?? 'none'}:${metric}:${clock.cycle}:${actionIndex}`,
        });
      });
    }
  }

  /** The jobs an open clock needs for its current version, after `afterMs`. */
  function pendingFirings(clock: SlaClock, at: { state: SlaState; afterMs: number }): SlaScheduledFiring[] {
    const { state, afterMs } = at;
    if (clock.endedAt !== null || clock.targetSeconds === null) return [];
    const out: SlaScheduledFiring[] = [];
    const base = { metric: clock.metric, clockVersion: clock.version };
    if (clock.status === 'running' && clock.dueAt !== null)
      out.push({ ...base, fireAt: clock.dueAt, actionIndex: null });
    actionsOf(state, clock.metric).forEach((action, actionIndex) => {
      if (clock.firedActions.includes(actionIndex)) return;
      const at = fireInstant(clock, action);
      if (at !== null && at > afterMs) out.push({ ...base, fireAt: iso(at), actionIndex });
    });
    return out;
  }

  /* ---------------------------------------------------------------------------------------------
   * Events
   * ------------------------------------------------------------------------------------------- */

  function created(event: Extract<SlaEvent, { type: 'ticket_created' }>): Work {
    const atMs = parseInstant(event.at);
    const at = iso(atMs);
    const category = event.category ?? 'new';
    const state: SlaState = {
      ticket: {
        createdAt: at,
        priority: event.priority,
        category,
        status: event.status ?? null,
        firstAgentReplyAt: null,
        lastAgentReplyAt: null,
        unansweredSince: null,
      },
      policy: event.policy === null ? null : structuredClone(event.policy),
      clocks: {},
      updatedAt: at,
    };
    const w: Work = { state, at, atMs, fired: [] };
    if (isOpenCategory(category))
      startCycle(w, { metric: 'first_response', from: at, reason: event.type, counting: true });
    startCycle(w, { metric: 'resolution', from: at, reason: event.type, counting: isWorking(state) });
    const resolution = state.clocks.resolution;
    if (!isOpenCategory(category) && resolution)
      end(w, { clock: resolution, reason: event.type, fulfilled: true });
    return w;
  }

  function apply(w: Work, event: Exclude<SlaEvent, { type: 'ticket_created' }>): void {
    const { state } = w;
    const { ticket, clocks } = state;
    switch (event.type) {
      case 'agent_public_reply': {
        ticket.firstAgentReplyAt ??= w.at;
        ticket.lastAgentReplyAt = w.at;
        ticket.unansweredSince = null;
        for (const metric of RESPONSE_METRICS) {
          const clock = clocks[metric];
          if (isOpen(clock)) end(w, { clock, reason: event.type, fulfilled: true });
        }
        if (isOpenCategory(ticket.category))
          startCycle(w, { metric: 'periodic_update', from: w.at, reason: event.type, counting: true });
        return;
      }
      case 'customer_message': {
        ticket.unansweredSince ??= w.at;
        maybeStartNextResponse(w, event.type);
        return;
      }
      case 'status_changed': {
        const wasOpen = isOpenCategory(ticket.category);
        const wasWorking = isWorking(state);
        ticket.category = event.category;
        ticket.status = event.status ?? null;
        const nowOpen = isOpenCategory(ticket.category);
        const resolution = clocks.resolution;
        if (wasOpen && !nowOpen) {
          if (isOpen(resolution)) end(w, { clock: resolution, reason: event.type, fulfilled: true });
          for (const metric of RESPONSE_METRICS) {
            const clock = clocks[metric];
            if (isOpen(clock)) end(w, { clock, reason: event.type, fulfilled: false });
          }
          ticket.unansweredSince = null;
        } else if (!wasOpen && nowOpen) {
          if (resolution && !isOpen(resolution)) reopen(w, resolution);
          maybeStartNextResponse(w, event.type);
        } else if (nowOpen && isOpen(resolution) && wasWorking !== isWorking(state)) {
          if (isWorking(state)) resume(w, { clock: resolution, reason: event.type });
          else pause(w, { clock: resolution, reason: event.type });
        }
        return;
      }
      case 'priority_changed': {
        if (event.priority === ticket.priority) return;
        ticket.priority = event.priority;
        for (const metric of SLA_METRICS) {
          const clock = clocks[metric];
          if (isOpen(clock)) retarget(w, { clock, reason: event.type, force: false });
        }
        return;
      }
      case 'policy_changed': {
        const before: SlaPolicy | null = state.policy;
        const wasWorking = isWorking(state);
        state.policy = event.policy === null ? null : structuredClone(event.policy);
        for (const metric of SLA_METRICS) {
          const clock = clocks[metric];
          if (!isOpen(clock)) continue;
          const actionsChanged = !sameJson(before?.actions[metric] ?? [], actionsOf(state, metric));
          if (actionsChanged) clock.firedActions = [];
          retarget(w, { clock, reason: event.type, force: actionsChanged });
        }
        const resolution = clocks.resolution;
        if (isOpen(resolution) && wasWorking !== isWorking(state)) {
          if (isWorking(state)) resume(w, { clock: resolution, reason: event.type });
          else pause(w, { clock: resolution, reason: event.type });
        }
        return;
      }
    }
  }

  /* ---------------------------------------------------------------------------------------------
   * Calls
   * ------------------------------------------------------------------------------------------- */

  function begin(state: SlaState, at: string): Work {
    const atMs = Math.max(parseInstant(at), parseInstant(state.updatedAt));
    return { state: structuredClone(state), at: iso(atMs), atMs, fired: [] };
  }

  function finish(w: Work, before: SlaState | null): SlaResult {
    w.state.updatedAt = w.at;
    const changed: SlaMetric[] = [];
    const scheduled: SlaScheduledFiring[] = [];
    for (const metric of SLA_METRICS) {
      const clock = w.state.clocks[metric];
      if (!clock || clock.version === (before?.clocks[metric]?.version ?? 0)) continue;
      changed.push(metric);
      scheduled.push(...pendingFirings(clock, { state: w.state, afterMs: w.atMs }));
    }
    const byFireAt = (a: { fireAt: string }, b: { fireAt: string }): number =>
      parseInstant(a.fireAt) - parseInstant(b.fireAt);
    return { state: w.state, scheduled: scheduled.sort(byFireAt), fired: w.fired.sort(byFireAt), changed };
  }

  function applySlaEvent(state: SlaState | null, event: SlaEvent): SlaResult {
    if (event.type === 'ticket_created') {
      if (state !== null) throw new Error('The ticket already has SLA clocks; ticket_created comes once.');
      const w = created(event);
      catchUp(w, true);
      return finish(w, null);
    }
    if (state === null)
      throw new Error(`${event.type} needs the ticket's SLA state; start it with ticket_created.`);
    const w = begin(state, event.at);
    catchUp(w, false);
    apply(w, event);
    catchUp(w, true);
    return finish(w, state);
  }

  function dueActions(state: SlaState, now: Date): SlaResult {
    const w = begin(state, now.toISOString());
    catchUp(w, true);
    return finish(w, state);
  }

  function onTimer(state: SlaState, timer: SlaTimerFired): SlaTimerResult {
    const clock = state.clocks[timer.metric];
    if (!clock || clock.version !== timer.version)
      return { state, scheduled: [], fired: [], changed: [], stale: true };
    const result = dueActions(state, timer.now);
    const after = result.state.clocks[timer.metric];
    // A job that ran early (clock skew) is still owed: hand it back to the queue.
    if (after && after.version === timer.version) {
      const owed = pendingFirings(after, {
        state: result.state,
        afterMs: parseInstant(result.state.updatedAt),
      }).find((f) => f.actionIndex === timer.actionIndex);
      if (owed) result.scheduled.push(owed);
    }
    return { ...result, stale: false };
  }

  function consumedMsAt(clock: SlaClock, now: Date): number {
    const base = Math.round(clock.consumedSeconds * 1000);
    if (clock.runningSince === null) return base;
    const since = parseInstant(clock.runningSince);
    return base + betweenMs(calendarOf(clock), { from: since, to: Math.max(since, now.getTime()) });
  }

  function businessSecondsLeft(clock: SlaClock, now: Date): number | null {
    if (clock.targetSeconds === null) return null;
    return (clock.targetSeconds * 1000 - consumedMsAt(clock, now)) / 1000;
  }

  function statusAt(clock: SlaClock, now: Date): SlaClockStatus {
    if (clock.status === 'running' && clock.dueAt !== null && parseInstant(clock.dueAt) <= now.getTime())
      return 'breached';
    return clock.status;
  }

  function clockAt(clock: SlaClock, now: Date): SlaClockView {
    const status = statusAt(clock, now);
    return {
      metric: clock.metric,
      cycle: clock.cycle,
      status,
      priority: clock.priority,
      targetSeconds: clock.targetSeconds,
      dueAt: clock.dueAt,
      breachedAt: clock.breachedAt ?? (status === 'breached' ? clock.dueAt : null),
      businessSecondsLeft: businessSecondsLeft(clock, now),
      consumedSeconds: consumedMsAt(clock, now) / 1000,
      startedAt: clock.startedAt,
      pausedAt: clock.pausedAt,
      endedAt: clock.endedAt,
      version: clock.version,
    };
  }

  return { applySlaEvent, dueActions, onTimer, businessSecondsLeft, statusAt, clockAt };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A countdown as the desk shows it: "00:20:00" for 1200 seconds left, "-00:05:00" five minutes
 * overdue; hours go past 24 ("27:30:00"). A fraction of a second left counts as a second.
 */
export function formatSlaCountdown(seconds: number): string {
  const whole = seconds >= 0 ? Math.ceil(seconds) : -Math.floor(-seconds);
  const abs = Math.abs(whole);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const text = `${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}:${pad(abs % 60)}`;
  return whole < 0 ? `-${text}` : text;
}
