import type {
  AnyNodeTypeDefinition,
  AssigneeRule,
  FieldError,
  HumanAction,
  NodeConfigOf,
  Recipient,
  WorkflowNode,
} from '@docket/core';
import type { Clock } from './clock.ts';
import type { EffectDraft } from './effects.ts';
import type { HumanActionEvent, OutsideEvent } from './events.ts';
import type { InstanceState, TaskOrigin, TaskState, TimerState, Token } from './instance-state.ts';

/** What an executor sees of the step it runs. Read-only: it changes the instance only through its result. */
export type ExecutorContext<TConfig> = {
  readonly config: TConfig;
  readonly node: WorkflowNode;
  readonly instanceId: string;
  readonly token: Readonly<Token>;
  /** Unique and deterministic: instance, token, node and sequence. Use it for idempotency keys. */
  readonly stepKey: string;
  /** The clock's time for this event, in milliseconds. */
  readonly now: number;
  readonly clock: Clock;
  readonly state: Readonly<InstanceState>;
  /** Evaluates the CEL expression at this JSON pointer of the node's config. Throws on an error. */
  cel(pointer: string): unknown;
  /** Set when a return or reject brought the token back to this (human) node. */
  readonly arrival?: Arrival;
};

export type Arrival = TaskOrigin & { assignee?: AssigneeRule };

/** A task a waiting step asks the caller to create. */
export type TaskRequest = {
  title: string;
  assignee: AssigneeRule;
  cc: Recipient[];
  formSchema: Record<string, unknown>;
  uiSchema?: Record<string, unknown>;
  actions: HumanAction[];
  origin?: TaskOrigin;
};

export type WaitRequest =
  | { kind: 'task'; task: TaskRequest; timeLimitDueAt?: number }
  | { kind: 'timer'; dueAt: number }
  | { kind: 'event'; name: string; key: string };

type Common = { effects?: EffectDraft[]; input?: unknown };

/** What a step did. The interpreter turns it into token moves, waits, trace entries and effects. */
export type StepResult =
  /** Go on along the edge from `port` ("out" by default). */
  | (Common & { kind: 'next'; port?: string; output?: unknown; ticketPatch?: Record<string, unknown> })
  /** Stop here until the wait is over. */
  | (Common & { kind: 'wait'; wait: WaitRequest; memo?: unknown })
  /** Keep waiting as before (a transfer, an overdue notice, an HTTP retry). */
  | (Common & {
      kind: 'stay';
      memo?: unknown;
      task?: Partial<Pick<TaskState, 'assignee' | 'isOverdue'>>;
      event?: unknown;
    })
  /** Go back to an earlier human step (return, reject). */
  | (Common & {
      kind: 'move';
      to: string;
      arrival: Arrival;
      outcome: 'returned' | 'rejected';
      event?: unknown;
    })
  | { kind: 'split' }
  | { kind: 'join'; mode: 'all' | 'any' }
  | (Common & { kind: 'end'; status: 'solved' | 'closed'; statusName?: string })
  /** The step failed. With `port`, the token takes that edge when connected (e.g. "error") instead of stopping. */
  | (Common & { kind: 'fail'; error: string; port?: string })
  /** The event does not apply (action not allowed, form invalid): nothing changes. */
  | { kind: 'refuse'; errors: FieldError[] };

/** Why a waiting token is woken. */
export type ResumeSignal =
  | { kind: 'human_action'; event: HumanActionEvent; task: TaskState }
  | { kind: 'timer'; timer: TimerState }
  | { kind: 'event'; event: OutsideEvent };

export type ExecutorImplementation<TConfig> = {
  /** Runs when a token arrives at the node. */
  run(ctx: ExecutorContext<TConfig>): StepResult;
  /** Runs when something the waiting token waits for happens. */
  resume?(ctx: ExecutorContext<TConfig>, signal: ResumeSignal): StepResult;
};

export type Executor<TConfig = unknown> = ExecutorImplementation<TConfig> & {
  readonly type: string;
  readonly definition: AnyNodeTypeDefinition;
};

// biome-ignore lint/suspicious/noExplicitAny: a registry holds executors of any config type
export type AnyExecutor = Executor<any>;

/** Attaches behaviour to a node type, keyed by its `type`; the config type comes from the definition. */
export function defineExecutor<D extends AnyNodeTypeDefinition>(
  def: D,
  implementation: ExecutorImplementation<NodeConfigOf<D>>,
): Executor<NodeConfigOf<D>> {
  return Object.freeze({ type: def.type, definition: def, ...implementation });
}

export type ExecutorRegistry = ReadonlyMap<string, AnyExecutor>;

export function createExecutorRegistry(executors: readonly AnyExecutor[]): ExecutorRegistry {
  const map = new Map<string, AnyExecutor>();
  for (const e of executors) {
    if (map.has(e.type)) throw new Error(`two executors for node type "${e.type}"`);
    map.set(e.type, e);
  }
  return map;
}
