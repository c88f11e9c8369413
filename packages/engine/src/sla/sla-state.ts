import type {
  Priority,
  SlaAction,
  SlaMetric,
  SlaPolicy,
  SlaTarget,
  SlaTimeBasis,
  StatusCategory,
} from '@docket/core';

/**
 * The SLA clocks of one ticket as plain JSON: the server stores `SlaState` as it is (one JSON
 * column per ticket) and hands it back with the next event. Instants are ISO 8601 text.
 */

/**
 * running: counting toward the due time. paused: not counting (resolution while pending or in a
 * pause status; a paused clock may already be breached, see breachedAt). met: ended on time.
 * breached: passed its due time, still counting or ended late (endedAt tells). stopped: ended
 * without an outcome (no target, or a response clock ended by solving the ticket).
 */
export type SlaClockStatus = 'running' | 'paused' | 'met' | 'breached' | 'stopped';

/** A stretch during which the clock counted; `to` is null while it still counts. */
export type SlaSegment = { from: string; to: string | null };

/** The target a clock measured against at one time, as history shows it. */
export type SlaTargetRef = {
  priority: Priority;
  targetSeconds: number | null;
  time: SlaTimeBasis | null;
  calendarId: string | null;
  dueAt: string | null;
};

/** Why a clock changed: the event, or the due time passing, or a solved ticket being reopened. */
export type SlaReason = SlaEvent['type'] | 'due_time_passed' | 'reopened';

type HistoryBase = {
  /** When it happened; for `breached` the due time itself. */
  at: string;
  /** The clock's version after this entry. */
  version: number;
  cycle: number;
  reason: SlaReason;
};

export type SlaHistoryEntry =
  | (HistoryBase & { kind: 'start'; targetSeconds: number | null; dueAt: string | null })
  | (HistoryBase & { kind: 'pause'; consumedSeconds: number })
  | (HistoryBase & { kind: 'resume'; dueAt: string | null })
  | (HistoryBase & { kind: 'retarget'; from: SlaTargetRef; to: SlaTargetRef })
  | (HistoryBase & { kind: 'breached'; noticedAt: string })
  | (HistoryBase & { kind: 'met' | 'stop'; consumedSeconds: number });

/** One metric's clock. next_response and periodic_update run in cycles; each new cycle counts up `cycle`. */
export type SlaClock = {
  metric: SlaMetric;
  /** 1 for the first span measured; a new next_response or periodic_update span is the next cycle. */
  cycle: number;
  /** Increases whenever status or dueAt changes: a timer job for an older version is stale. */
  version: number;
  status: SlaClockStatus;
  /** When the current cycle started. */
  startedAt: string;
  /** The priority whose target applies. */
  priority: Priority;
  /** The target for that priority, or null when the policy has none (the clock only measures). */
  target: SlaTarget | null;
  targetSeconds: number | null;
  /** The business calendar counted in, or null for calendar time (24x7). */
  calendarId: string | null;
  /** When the clock counted: the last one is open while it runs. Lets a new calendar recount exactly. */
  segments: SlaSegment[];
  /** Seconds of the clock's time consumed before `runningSince` (all of them when not running). */
  consumedSeconds: number;
  /** Start of the open segment, while counting. */
  runningSince: string | null;
  pausedAt: string | null;
  /** When the target is reached: null while paused short of it or without a target. Kept once breached or ended. */
  dueAt: string | null;
  /** The due time that passed while the clock was open; a breach is never undone. */
  breachedAt: string | null;
  endedAt: string | null;
  /** Indexes into the policy's actions for this metric that ran in this cycle. */
  firedActions: number[];
  /** Every start, pause, resume, re-target, breach, met and stop, over all cycles. */
  history: SlaHistoryEntry[];
};

/** What the clocks need to know about the ticket. */
export type SlaTicketState = {
  createdAt: string;
  priority: Priority;
  category: StatusCategory;
  /** The named status inside the category, when the template names one. */
  status: string | null;
  firstAgentReplyAt: string | null;
  lastAgentReplyAt: string | null;
  /** The oldest customer message no public agent reply has answered yet. */
  unansweredSince: string | null;
};

export type SlaState = {
  ticket: SlaTicketState;
  /** A copy of the policy in force (actions of fired timers are read from it), or null for none. */
  policy: SlaPolicy | null;
  clocks: { [M in SlaMetric]?: SlaClock };
  /** The latest instant applied; earlier events count as happening at this instant. */
  updatedAt: string;
};

/** What the server feeds the SLA clocks, each with its instant (ISO 8601). */
export type SlaEvent =
  | {
      type: 'ticket_created';
      at: string;
      priority: Priority;
      /** 'new' when absent. */
      category?: StatusCategory;
      status?: string | null;
      /** The policy selectPolicy chose, or null. */
      policy: SlaPolicy | null;
    }
  | { type: 'agent_public_reply'; at: string }
  | { type: 'customer_message'; at: string }
  | { type: 'status_changed'; at: string; category: StatusCategory; status?: string | null }
  | { type: 'priority_changed'; at: string; priority: Priority }
  | { type: 'policy_changed'; at: string; policy: SlaPolicy | null };

/**
 * A job the queue should hold: at `fireAt`, call onTimer with these fields. `actionIndex` null is
 * the breach itself (the clock turns breached; no action of its own). Jobs of older versions are
 * no-ops and may be deleted.
 */
export type SlaScheduledFiring = {
  metric: SlaMetric;
  clockVersion: number;
  fireAt: string;
  actionIndex: number | null;
};

/** An action to run now. */
export type SlaFiring = {
  metric: SlaMetric;
  cycle: number;
  clockVersion: number;
  actionIndex: number;
  action: SlaAction;
  dueAt: string | null;
  /** The instant the action was meant for (due time ± offset, or the clock's start when earlier). */
  fireAt: string;
  /** Stable across retries: policy, metric, cycle and action. Combine with the ticket id to deduplicate. */
  key: string;
};

export type SlaResult = {
  state: SlaState;
  /** Jobs to enqueue for the clocks that changed (in `changed`), in fireAt order. */
  scheduled: SlaScheduledFiring[];
  /**
   * Actions to run now, in fireAt order: due ones no job ran yet (on clocks still open after the
   * event; a late warning for a clock the event ended is dropped), and ones a change made due at once.
   */
  fired: SlaFiring[];
  /** Metrics whose clock changed version: persist, publish, and drop their older jobs. */
  changed: SlaMetric[];
};

/** A timer job firing. `now` is when it runs. */
export type SlaTimerFired = {
  metric: SlaMetric;
  version: number;
  actionIndex: number | null;
  now: Date;
};

export type SlaTimerResult = SlaResult & {
  /** True when the job's version is not the clock's: nothing happened. */
  stale: boolean;
};

/** A clock as the desk and the wall show it at one instant. */
export type SlaClockView = {
  metric: SlaMetric;
  cycle: number;
  status: SlaClockStatus;
  priority: Priority;
  targetSeconds: number | null;
  dueAt: string | null;
  breachedAt: string | null;
  /** Negative once overdue; null without a target. */
  businessSecondsLeft: number | null;
  consumedSeconds: number;
  startedAt: string;
  pausedAt: string | null;
  endedAt: string | null;
  version: number;
};
