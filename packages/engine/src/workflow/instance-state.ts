import type { AssigneeRule, HumanAction, Recipient } from '@docket/core';

/**
 * A workflow instance as plain JSON: the persistence layer stores it as it is and hands it back to
 * `handle` with the next event. Nothing in here refers to code or to the database.
 */
export type InstanceState = {
  instanceId: string;
  status: InstanceStatus;
  /** Set when the instance reached an end node. */
  endStatus?: { status: 'solved' | 'closed'; statusName?: string; nodeId: string };
  /** Counts every step; a step's key ends with it, so replaying the same event gives the same keys. */
  seq: number;
  tokenCounter: number;
  /** The ticket's fields as the workflow sees them (its input, changed by set-fields nodes). */
  ticket: Record<string, unknown>;
  /** The ticket's form data. */
  form: Record<string, unknown>;
  /** Each step's latest output, by node id: what conditions read as `steps.<id>`. */
  steps: Record<string, unknown>;
  tokens: Record<string, Token>;
  /** Open parallel regions: one per split activation, closed by its join. */
  frames: Record<string, Frame>;
  /** Open human tasks. */
  tasks: Record<string, TaskState>;
  /** Scheduled timers. */
  timers: Record<string, TimerState>;
  trace: TraceEntry[];
  startedAt: string;
  updatedAt: string;
};

export type InstanceStatus = 'waiting' | 'failed' | 'completed' | 'cancelled';

export type TokenStatus = 'active' | 'waiting' | 'failed' | 'done' | 'cancelled';

/** A position in the graph. Parallel splits create one per branch; joins merge them again. */
export type Token = {
  id: string;
  nodeId: string;
  status: TokenStatus;
  /** Open parallel frames this token is inside, outermost first. */
  frames: string[];
  /** Human steps this token completed, oldest first: where return and reject lead back to. */
  history: HumanRecord[];
  wait?: Wait;
  /** Per-step scratch data an executor keeps between its run and resume (e.g. HTTP attempts). */
  memo?: unknown;
  error?: string;
  /** The index in `trace` of the step this token is in (open while it waits). */
  traceIndex?: number;
  parentId?: string;
  /** Why a done token stopped: it split, merged at a join, or reached an end. */
  endedBy?: 'split' | 'join' | 'end' | 'cancel';
};

export type HumanRecord = {
  nodeId: string;
  taskId: string;
  completedBy?: string;
  /** The token's frames when the step completed; return may not cross a parallel split. */
  frameKey: string;
};

export type Frame = {
  id: string;
  splitNodeId: string;
  branches: number;
  parentFrameId?: string;
  /** Tokens that reached the join so far (mode all). */
  arrived: string[];
};

export type Wait =
  | { kind: 'task'; taskId: string }
  | { kind: 'timer'; timerId: string; version: number }
  | { kind: 'event'; name: string; key: string };

export type TaskState = {
  taskId: string;
  nodeId: string;
  tokenId: string;
  title: string;
  assignee: AssigneeRule;
  cc: Recipient[];
  formSchema: Record<string, unknown>;
  uiSchema?: Record<string, unknown>;
  actions: HumanAction[];
  createdAt: string;
  dueAt?: string;
  isOverdue?: boolean;
  /** How the task came about when not by the normal flow: returned or rejected to this step. */
  origin?: TaskOrigin;
};

export type TaskOrigin = {
  action: 'return' | 'reject';
  fromNodeId: string;
  reason: string;
  actor?: string;
};

export type TimerPurpose = 'timer' | 'time_limit';

export type TimerState = {
  timerId: string;
  version: number;
  tokenId: string;
  nodeId: string;
  purpose: TimerPurpose;
  dueAt: string;
};

/**
 * One step of one token at one node, as the execution history shows it (`kind: 'step'`), or
 * something that happened at a waiting step without moving the token on (`kind: 'event'`: a
 * transfer, an overdue notice, an HTTP retry).
 */
export type TraceEntry = {
  kind: 'step' | 'event';
  stepKey: string;
  seq: number;
  tokenId: string;
  nodeId: string;
  nodeType: string;
  startedAt: string;
  /** Absent while the step waits. */
  endedAt?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  /** What ended a waiting step, or what happened at it (transfer, overdue). */
  event?: unknown;
};

export const isLive = (t: Token): boolean =>
  t.status === 'active' || t.status === 'waiting' || t.status === 'failed';
