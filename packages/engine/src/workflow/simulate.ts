import type { AssigneeRule, WorkflowGraph } from '@docket/core';
import { type Duration, durationMs, virtualClock } from './clock.ts';
import { type Effect, HTTP_RESPONSE_EVENT, SUB_WORKFLOW_ENDED_EVENT } from './effects.ts';
import type { WorkflowEvent } from './events.ts';
import type { HttpResponsePayload } from './executors/index.ts';
import type { InstanceState, InstanceStatus, TaskState, TimerPurpose, TraceEntry } from './instance-state.ts';
import { createInterpreter, type InterpreterOptions, type StepOutcome } from './interpreter.ts';

/** What the script does with a human step's task; `after` lets virtual time pass first. */
export type SimulatedAction = { after?: Duration; actor?: string } & (
  | { action: 'complete'; output?: Record<string, unknown> }
  | { action: 'transfer'; to: AssigneeRule; reason: string }
  | { action: 'return'; reason: string }
  | { action: 'reject'; reason: string }
);

/**
 * Chooses each human step's action: a function of the open task, or a list of actions per node id
 * (used in order; once a list runs out, or for a node not listed, the task is completed with no
 * data).
 */
export type SimulationScript =
  | ((task: TaskState, state: InstanceState) => SimulatedAction)
  | Record<string, SimulatedAction | SimulatedAction[]>;

export type SimulationOptions = InterpreterOptions & {
  /** Virtual start time; 2025-01-06T09:00:00Z (a Monday morning) when absent. */
  startAt?: string;
  /** Business time; calendar time when absent. */
  addBusinessTime?: (from: number, duration: Duration, calendarId?: string) => number;
  /** Answers HTTP calls the workflow makes; every call succeeds with an empty body when absent. */
  respondHttp?: (effect: Extract<Effect, { type: 'http_request' }>) => HttpResponsePayload;
  /** Answers sub-workflows the workflow waits for; each ends solved with no output when absent. */
  respondSubWorkflow?: (effect: Extract<Effect, { type: 'start_sub_workflow' }>) => {
    status: string;
    output?: unknown;
  };
  /** Events the simulation may handle before it stops (a guard against endless loops). */
  maxEvents?: number;
};

export type FiredTimer = { timerId: string; nodeId: string; purpose: TimerPurpose; dueAt: string };

export type SimulationResult = {
  /** `incomplete` when the script or the event budget ran out before the instance ended. */
  status: InstanceStatus | 'incomplete';
  endStatus?: InstanceState['endStatus'];
  /** Node ids in the order tokens entered them. */
  path: string[];
  trace: TraceEntry[];
  /** Timers that fired, in virtual-time order. */
  timersFired: FiredTimer[];
  /** Timers still scheduled when the simulation stopped. */
  timersPending: FiredTimer[];
  effects: Effect[];
  /** Events the simulation fed the instance, and whether each applied. */
  events: { at: string; event: WorkflowEvent; outcome: StepOutcome['outcome'] }[];
  state: InstanceState;
};

const DEFAULT_START = '2025-01-06T09:00:00.000Z';

/**
 * Runs a workflow against sample data with a virtual clock, nothing touching real tickets: the
 * script acts on each human task; timers fire when virtual time reaches them; HTTP calls and
 * sub-workflows are answered by the options. Returns the path, the node trace and the timers.
 */
export function simulate(
  graph: WorkflowGraph,
  sampleInput: { ticket?: Record<string, unknown>; form?: Record<string, unknown> },
  script: SimulationScript,
  options: SimulationOptions = {},
): SimulationResult {
  const interpreter = createInterpreter(graph, options);
  const clock = virtualClock(Date.parse(options.startAt ?? DEFAULT_START), options.addBusinessTime);
  const effects: Effect[] = [];
  const events: SimulationResult['events'] = [];
  const timersFired: FiredTimer[] = [];
  const used = new Map<string, number>();
  const pendingCalls: Effect[] = [];

  const take = (r: StepOutcome): InstanceState => {
    effects.push(...r.effects);
    for (const e of r.effects)
      if (e.type === 'http_request' || (e.type === 'start_sub_workflow' && e.reply)) pendingCalls.push(e);
    return r.state;
  };
  let state = take(interpreter.start({ instanceId: 'simulation', ...sampleInput }, clock));

  const feed = (event: WorkflowEvent): void => {
    const r = interpreter.handle(state, event, clock);
    events.push({ at: new Date(clock.now()).toISOString(), event, outcome: r.outcome });
    if (r.outcome === 'refused')
      throw new Error(
        `The script's ${describe(event)} was refused: ${r.errors.map((e) => e.message).join(' ')}`,
      );
    state = take(r);
  };

  /** Fires every timer due up to `until`, earliest first. */
  const fireTimersUntil = (until: number): void => {
    for (;;) {
      const next = Object.values(state.timers).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
      if (!next || Date.parse(next.dueAt) > until || isEnded(state)) return;
      clock.set(Date.parse(next.dueAt));
      timersFired.push({
        timerId: next.timerId,
        nodeId: next.nodeId,
        purpose: next.purpose,
        dueAt: next.dueAt,
      });
      feed({ type: 'timer_fired', timerId: next.timerId, version: next.version });
    }
  };

  const maxEvents = options.maxEvents ?? 1_000;
  let incomplete = false;
  while (!isEnded(state) && state.status !== 'failed') {
    if (events.length >= maxEvents) {
      incomplete = true;
      break;
    }
    const call = pendingCalls.shift();
    if (call) {
      if (call.type === 'http_request') {
        const payload = options.respondHttp?.(call) ?? { ok: true, status: 200, body: null };
        feed({ type: 'outside_event', name: HTTP_RESPONSE_EVENT, key: call.reply.key, payload });
      } else if (call.type === 'start_sub_workflow' && call.reply) {
        const payload = options.respondSubWorkflow?.(call) ?? { status: 'completed', output: {} };
        feed({ type: 'outside_event', name: SUB_WORKFLOW_ENDED_EVENT, key: call.reply.key, payload });
      }
      continue;
    }
    const task = Object.values(state.tasks).sort((a, b) =>
      a.taskId.localeCompare(b.taskId, 'en', { numeric: true }),
    )[0];
    if (task) {
      const choice = choose(script, task, state, used);
      if (choice.after) {
        // time passes before the assignee acts: timers due meanwhile fire first
        const actAt = clock.now() + durationMs(choice.after);
        fireTimersUntil(actAt);
        clock.set(actAt);
      }
      // a timer may have moved the ticket on; act only if the task is still open
      if (!state.tasks[task.taskId]) continue;
      const { after: _after, ...action } = choice;
      feed({ type: 'human_action', taskId: task.taskId, ...action } as WorkflowEvent);
      continue;
    }
    const nextTimer = Object.values(state.timers).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
    if (nextTimer) {
      fireTimersUntil(Date.parse(nextTimer.dueAt));
      continue;
    }
    incomplete = true; // waiting on an outside event the simulation cannot produce
    break;
  }

  return {
    status: incomplete ? 'incomplete' : state.status,
    ...(state.endStatus ? { endStatus: state.endStatus } : {}),
    path: state.trace.filter((t) => t.kind === 'step').map((t) => t.nodeId),
    trace: state.trace,
    timersFired,
    timersPending: Object.values(state.timers).map((t) => ({
      timerId: t.timerId,
      nodeId: t.nodeId,
      purpose: t.purpose,
      dueAt: t.dueAt,
    })),
    effects,
    events,
    state,
  };
}

const isEnded = (s: InstanceState): boolean => s.status === 'completed' || s.status === 'cancelled';

function choose(
  script: SimulationScript,
  task: TaskState,
  state: InstanceState,
  used: Map<string, number>,
): SimulatedAction {
  if (typeof script === 'function') return script(task, state);
  const entry = script[task.nodeId];
  if (entry === undefined) return { action: 'complete' };
  if (!Array.isArray(entry)) return entry;
  const i = used.get(task.nodeId) ?? 0;
  used.set(task.nodeId, i + 1);
  return entry[i] ?? { action: 'complete' };
}

function describe(event: WorkflowEvent): string {
  return event.type === 'human_action' ? `"${event.action}" on task ${event.taskId}` : event.type;
}
