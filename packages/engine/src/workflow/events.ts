import type { AssigneeRule } from '@docket/core';

/** Something that happened to an instance from outside: the only way its state changes. */
export type WorkflowEvent = HumanActionEvent | TimerFiredEvent | OutsideEvent | RetryEvent | CancelEvent;

/** An assignee acted on a human step's task. The server checked role and data scope already. */
export type HumanActionEvent = {
  type: 'human_action';
  taskId: string;
  /** The user who acted; recorded, and where a return leads back to. */
  actor?: string;
} & (
  | { action: 'complete'; output?: Record<string, unknown> }
  | { action: 'transfer'; to: AssigneeRule; reason: string }
  | { action: 'return'; reason: string }
  | { action: 'reject'; reason: string }
);

/** A timer job came due. A timer that no longer applies (other version, gone) is a no-op. */
export type TimerFiredEvent = { type: 'timer_fired'; timerId: string; version: number };

/** Anything else a token may wait for: an HTTP response, a sub-workflow's end, a named event. */
export type OutsideEvent = { type: 'outside_event'; name: string; key: string; payload?: unknown };

/** Runs failed steps again (after the cause was fixed): one token, or every failed token. */
export type RetryEvent = { type: 'retry'; tokenId?: string };

/** Stops the instance: open tasks are closed and timers cancelled. */
export type CancelEvent = { type: 'cancel'; reason: string; actor?: string };
