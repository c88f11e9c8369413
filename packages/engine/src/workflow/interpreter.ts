import {
  type CelEnvironment,
  type CompiledCel,
  compileCel,
  coreNodeTypeRegistry,
  createCelEnvironment,
  type FieldError,
  fieldError,
  migrateWorkflow,
  readPointer,
  ValidationFailed,
  type WorkflowContext,
  type WorkflowEdge,
  type WorkflowGraph,
  type WorkflowNode,
  workflowCelVariables,
} from '@docket/core';
import type { Clock } from './clock.ts';
import type {
  AnyExecutor,
  Arrival,
  ExecutorContext,
  ExecutorRegistry,
  ResumeSignal,
  StepResult,
  WaitRequest,
} from './define-executor.ts';
import type { Effect, EffectDraft } from './effects.ts';
import type { WorkflowEvent } from './events.ts';
import { coreExecutorRegistry } from './executors/index.ts';
import { type InstanceState, isLive, type Token, type TraceEntry } from './instance-state.ts';
import { cloneJson } from './json-clone.ts';

export type InterpreterOptions = {
  /** Field types for CEL (typed evaluation, as validated at publish) and the node types in use. */
  context?: WorkflowContext;
  executors?: ExecutorRegistry;
  /** Steps one event may run before the engine calls it a runaway loop. */
  maxStepsPerEvent?: number;
};

export type StartInput = {
  /** The caller's id for the instance; every step key and timer id starts with it. */
  instanceId: string;
  ticket?: Record<string, unknown>;
  form?: Record<string, unknown>;
};

/**
 * `applied`: the state changed (store it and perform the effects, in one transaction).
 * `ignored`: the event no longer applies — a stale timer, a task already closed, a repeated event.
 * `refused`: the event is not allowed (action not allowed, form data invalid); `errors` say why.
 * In both latter cases `state` is the state given, unchanged, and there are no effects.
 */
export type StepOutcome = {
  state: InstanceState;
  effects: Effect[];
  outcome: 'applied' | 'ignored' | 'refused';
  errors: FieldError[];
  /** The keys of the steps this event ran, in order. */
  stepKeys: string[];
};

export type Interpreter = {
  /** The graph as it runs: every node config migrated to its node type's current version. */
  readonly graph: WorkflowGraph;
  start(input: StartInput, clock: Clock): StepOutcome;
  handle(state: InstanceState, event: WorkflowEvent, clock: Clock): StepOutcome;
};

type CompiledNode = {
  node: WorkflowNode;
  executor: AnyExecutor;
  /** Edges by source port. */
  out: Map<string, WorkflowEdge[]>;
  cel: Map<string, CompiledCel>;
};

/**
 * Prepares a graph to run: migrates node configs, pairs each node with its executor. Throws
 * ValidationFailed when a node cannot run at all (unknown type, no executor, no start node); other
 * problems are validateWorkflow's to report before publishing.
 */
export function createInterpreter(graph: WorkflowGraph, options: InterpreterOptions = {}): Interpreter {
  const nodeTypes = options.context?.nodeTypes ?? coreNodeTypeRegistry;
  const executors = options.executors ?? coreExecutorRegistry;
  const migrated = migrateWorkflow(graph, nodeTypes);
  if (migrated.problems.length > 0) throw new ValidationFailed(migrated.problems);
  const nodes = new Map<string, CompiledNode>();
  const errors: FieldError[] = [];
  migrated.graph.nodes.forEach((node, i) => {
    const executor = executors.get(node.type);
    if (!executor) {
      errors.push(
        fieldError(
          `/nodes/${i}/type`,
          'no_executor',
          `Node "${node.id}": nothing can run nodes of type "${node.type}".`,
        ),
      );
      return;
    }
    nodes.set(node.id, { node, executor, out: new Map(), cel: new Map() });
  });
  for (const e of migrated.graph.edges) {
    const n = nodes.get(e.source);
    if (!n) continue;
    const list = n.out.get(e.sourcePort);
    if (list) list.push(e);
    else n.out.set(e.sourcePort, [e]);
  }
  const startNode = migrated.graph.nodes.find((n) => n.type === 'start');
  if (!startNode) errors.push(fieldError('/nodes', 'no_start', 'The workflow has no start node.'));
  if (errors.length > 0) throw new ValidationFailed(errors);
  const context = options.context;
  const isTyped = context?.ticket !== undefined || context?.form !== undefined;
  const env = createCelEnvironment(
    isTyped ? workflowCelVariables(migrated.graph, context ?? {}, nodeTypes) : undefined,
  );
  const program: Program = {
    graph: migrated.graph,
    nodes,
    startNodeId: (startNode as WorkflowNode).id,
    env,
    maxSteps: options.maxStepsPerEvent ?? 10_000,
  };
  return {
    graph: migrated.graph,
    start: (input, clock) => new Run(program, freshState(program, input, clock.now()), clock).start(),
    handle: (state, event, clock) => new Run(program, copyState(state), clock).handle(state, event),
  };
}

const cache = new WeakMap<WorkflowGraph, Interpreter>();

function interpreterFor(graph: WorkflowGraph, options?: InterpreterOptions): Interpreter {
  if (options) return createInterpreter(graph, options);
  let i = cache.get(graph);
  if (!i) {
    i = createInterpreter(graph);
    cache.set(graph, i);
  }
  return i;
}

/** Starts an instance of a graph (untyped CEL, core executors unless options say otherwise). */
export function start(
  graph: WorkflowGraph,
  input: StartInput,
  clock: Clock,
  options?: InterpreterOptions,
): StepOutcome {
  return interpreterFor(graph, options).start(input, clock);
}

/** Hands one event to an instance of a graph. */
export function handle(
  graph: WorkflowGraph,
  state: InstanceState,
  event: WorkflowEvent,
  clock: Clock,
  options?: InterpreterOptions,
): StepOutcome {
  return interpreterFor(graph, options).handle(state, event, clock);
}

type Program = {
  graph: WorkflowGraph;
  nodes: Map<string, CompiledNode>;
  startNodeId: string;
  env: CelEnvironment;
  maxSteps: number;
};

function freshState(p: Program, input: StartInput, now: number): InstanceState {
  const at = new Date(now).toISOString();
  return {
    instanceId: input.instanceId,
    status: 'waiting',
    seq: 0,
    tokenCounter: 1,
    ticket: cloneJson(input.ticket ?? {}),
    form: cloneJson(input.form ?? {}),
    steps: {},
    tokens: { t1: { id: 't1', nodeId: p.startNodeId, status: 'active', frames: [], history: [] } },
    frames: {},
    tasks: {},
    timers: {},
    trace: [],
    startedAt: at,
    updatedAt: at,
  };
}

const frameKeyOf = (frames: readonly string[]): string => frames.join('/');

/**
 * The working copy of a state for one event: everything deep-copied except the trace, which only
 * grows; the few entries an event changes are copied when it changes them (Run.entryAt).
 */
function copyState(state: InstanceState): InstanceState {
  const { trace, ...rest } = state;
  return { ...cloneJson(rest), trace: trace.slice() };
}

/** One call of start or handle: works on its own copy of the state. */
class Run {
  readonly effects: Effect[] = [];
  readonly stepKeys: string[] = [];
  readonly queue: Token[] = [];
  /** Trace entries this run copied (the rest are shared with the state it was given). */
  readonly ownEntries = new Set<number>();
  readonly now: number;
  readonly nowIso: string;
  steps = 0;

  constructor(
    readonly p: Program,
    readonly s: InstanceState,
    readonly clock: Clock,
  ) {
    this.now = clock.now();
    this.nowIso = new Date(this.now).toISOString();
  }

  start(): StepOutcome {
    const first = this.s.tokens.t1 as Token;
    this.queue.push(first);
    this.drain();
    return this.finish();
  }

  handle(original: InstanceState, event: WorkflowEvent): StepOutcome {
    const s = this.s;
    const ignore = (code: string, message: string): StepOutcome => ({
      state: original,
      effects: [],
      outcome: 'ignored',
      errors: [fieldError('', code, message)],
      stepKeys: [],
    });
    if (s.status === 'completed' || s.status === 'cancelled')
      return ignore(
        'instance_ended',
        `The instance has ${s.status === 'completed' ? 'ended' : 'been cancelled'}.`,
      );

    switch (event.type) {
      case 'human_action': {
        const task = s.tasks[event.taskId];
        if (!task)
          return ignore(
            'task_closed',
            `Task "${event.taskId}" is not open (already acted on, or never existed).`,
          );
        const token = s.tokens[task.tokenId];
        if (token?.status !== 'waiting') return ignore('task_closed', `Task "${event.taskId}" is not open.`);
        return this.resume(original, token, { kind: 'human_action', event, task });
      }
      case 'timer_fired': {
        const timer = s.timers[event.timerId];
        if (!timer || timer.version !== event.version)
          return ignore(
            'stale_timer',
            `Timer "${event.timerId}" version ${event.version} no longer applies.`,
          );
        const token = s.tokens[timer.tokenId];
        if (token?.status !== 'waiting')
          return ignore('stale_timer', `Timer "${event.timerId}" no longer applies.`);
        delete s.timers[timer.timerId];
        return this.resume(original, token, { kind: 'timer', timer });
      }
      case 'outside_event': {
        const token = Object.values(s.tokens).find(
          (t) =>
            t.status === 'waiting' &&
            t.wait?.kind === 'event' &&
            t.wait.name === event.name &&
            t.wait.key === event.key,
        );
        if (!token)
          return ignore('not_waiting', `Nothing waits for "${event.name}" with key "${event.key}".`);
        return this.resume(original, token, { kind: 'event', event });
      }
      case 'retry': {
        const failed = Object.values(s.tokens).filter(
          (t) => t.status === 'failed' && (event.tokenId === undefined || t.id === event.tokenId),
        );
        if (failed.length === 0) return ignore('nothing_failed', 'No failed step to retry.');
        for (const t of failed) {
          t.status = 'active';
          delete t.error;
          delete t.memo;
          this.queue.push(t);
        }
        this.drain();
        return this.finish();
      }
      case 'cancel': {
        for (const t of Object.values(s.tokens)) if (isLive(t)) this.cancelToken(t, event.reason);
        s.frames = {};
        s.status = 'cancelled';
        return this.finish();
      }
    }
  }

  resume(original: InstanceState, token: Token, signal: ResumeSignal): StepOutcome {
    const n = this.p.nodes.get(token.nodeId) as CompiledNode;
    const seq = ++this.s.seq;
    const stepKey = this.stepKey(token, n.node.id, seq);
    let result: StepResult;
    try {
      result = n.executor.resume
        ? n.executor.resume(this.context(n, token, stepKey), signal)
        : {
            kind: 'refuse',
            errors: [
              fieldError('/type', 'unexpected_event', `Node "${n.node.id}" does not wait for events.`),
            ],
          };
    } catch (e) {
      result = { kind: 'fail', error: messageOf(e) };
    }
    if (result.kind === 'refuse')
      return { state: original, effects: [], outcome: 'refused', errors: result.errors, stepKeys: [] };
    this.stepKeys.push(stepKey);
    const open = this.entryAt(token.traceIndex);
    const actor = signal.kind === 'human_action' ? signal.event.actor : undefined;

    if (result.kind === 'stay') {
      this.emit(result.effects, stepKey);
      if (result.memo !== undefined) token.memo = result.memo;
      if (result.task && token.wait?.kind === 'task') {
        const task = this.s.tasks[token.wait.taskId];
        if (task) Object.assign(task, result.task);
      }
      this.s.trace.push({
        kind: 'event',
        stepKey,
        seq,
        tokenId: token.id,
        nodeId: n.node.id,
        nodeType: n.node.type,
        startedAt: this.nowIso,
        endedAt: this.nowIso,
        ...(result.event === undefined ? {} : { event: result.event }),
      });
      return this.finish();
    }

    if (result.kind === 'move') {
      const reason = result.arrival.reason;
      this.finishWait(token, result.outcome, actor, reason);
      if (open) {
        open.endedAt = this.nowIso;
        open.event = result.event;
      }
      this.emit(result.effects, stepKey);
      const target = this.p.nodes.get(result.to);
      if (!target) {
        this.failToken(token, `There is no node "${result.to}" to go back to.`, open, stepKey);
        return this.finish();
      }
      const at = token.history.map((h) => h.nodeId).lastIndexOf(result.to);
      token.history = at < 0 ? token.history : token.history.slice(0, at);
      token.nodeId = result.to;
      token.status = 'active';
      delete token.memo;
      delete token.traceIndex;
      this.runToken(token, result.arrival);
      this.drain();
      return this.finish();
    }

    // the token leaves the node it waited at
    const taskId = token.wait?.kind === 'task' ? token.wait.taskId : undefined;
    this.finishWait(token, result.kind === 'fail' ? 'cancelled' : 'completed', actor);
    if (signal.kind === 'human_action' && result.kind === 'next' && taskId)
      token.history.push({
        nodeId: n.node.id,
        taskId,
        ...(actor ? { completedBy: actor } : {}),
        frameKey: frameKeyOf(token.frames),
      });
    const entry = open ?? this.openEntry(token, n, stepKey, seq);
    if (signal.kind === 'human_action')
      entry.event = { action: signal.event.action, ...(actor ? { actor } : {}) };
    else if (signal.kind === 'timer')
      entry.event = { timer: signal.timer.timerId, dueAt: signal.timer.dueAt };
    else entry.event = { name: signal.event.name, key: signal.event.key };
    this.apply(token, n, result, entry, stepKey);
    this.drain();
    return this.finish();
  }

  drain(): void {
    while (this.queue.length > 0) {
      const token = this.queue.shift() as Token;
      if (token.status !== 'active') continue;
      if (++this.steps > this.p.maxSteps) {
        this.failToken(
          token,
          `Ran ${this.p.maxSteps} steps without waiting: a loop with no human step or timer?`,
          undefined,
          this.stepKey(token, token.nodeId, this.s.seq),
        );
        continue;
      }
      this.runToken(token);
    }
  }

  runToken(token: Token, arrival?: Arrival): void {
    const n = this.p.nodes.get(token.nodeId);
    if (!n) {
      this.failToken(
        token,
        `There is no node "${token.nodeId}".`,
        undefined,
        this.stepKey(token, token.nodeId, this.s.seq),
      );
      return;
    }
    const seq = ++this.s.seq;
    const stepKey = this.stepKey(token, n.node.id, seq);
    this.stepKeys.push(stepKey);
    const entry = this.openEntry(token, n, stepKey, seq);
    let result: StepResult;
    try {
      result = n.executor.run(this.context(n, token, stepKey, arrival));
    } catch (e) {
      result = { kind: 'fail', error: messageOf(e) };
    }
    this.apply(token, n, result, entry, stepKey);
  }

  /** The trace entry a token's open step wrote, copied before this run changes it. */
  entryAt(index: number | undefined): TraceEntry | undefined {
    if (index === undefined) return undefined;
    const entry = this.s.trace[index];
    if (!entry || this.ownEntries.has(index)) return entry;
    const own = { ...entry };
    this.s.trace[index] = own;
    this.ownEntries.add(index);
    return own;
  }

  openEntry(token: Token, n: CompiledNode, stepKey: string, seq: number): TraceEntry {
    const entry: TraceEntry = {
      kind: 'step',
      stepKey,
      seq,
      tokenId: token.id,
      nodeId: n.node.id,
      nodeType: n.node.type,
      startedAt: this.nowIso,
    };
    token.traceIndex = this.s.trace.push(entry) - 1;
    this.ownEntries.add(token.traceIndex);
    return entry;
  }

  apply(token: Token, n: CompiledNode, result: StepResult, entry: TraceEntry, stepKey: string): void {
    // a resumed step keeps the input it was entered with; what woke it is in entry.event
    if ('input' in result && result.input !== undefined && entry.input === undefined)
      entry.input = result.input;
    if ('effects' in result) this.emit(result.effects, stepKey);
    switch (result.kind) {
      case 'next': {
        entry.endedAt = this.nowIso;
        if (result.output !== undefined) {
          entry.output = result.output;
          this.s.steps[n.node.id] = result.output;
        }
        if (result.ticketPatch && Object.keys(result.ticketPatch).length > 0) {
          for (const [field, value] of Object.entries(result.ticketPatch))
            setPath(this.s.ticket, field, value);
          this.effects.push({ type: 'set_ticket_fields', fields: result.ticketPatch, stepKey });
        }
        this.follow(token, n, result.port ?? 'out', entry, stepKey);
        return;
      }
      case 'wait':
        this.startWait(token, n, result.wait, stepKey);
        if (result.memo !== undefined) token.memo = result.memo;
        return;
      case 'split': {
        entry.endedAt = this.nowIso;
        const edges = n.out.get('out') ?? [];
        if (edges.length === 0) {
          this.failToken(token, 'The parallel split has no branches.', entry, stepKey);
          return;
        }
        const frameId = `f${this.s.seq}`;
        const parentFrameId = token.frames.at(-1);
        this.s.frames[frameId] = {
          id: frameId,
          splitNodeId: n.node.id,
          branches: edges.length,
          ...(parentFrameId === undefined ? {} : { parentFrameId }),
          arrived: [],
        };
        token.status = 'done';
        token.endedBy = 'split';
        const children = edges.map((e) => this.newToken(token, e.target, [...token.frames, frameId]));
        entry.output = { frame: frameId, tokens: children.map((c) => c.id) };
        this.queue.push(...children);
        return;
      }
      case 'join': {
        entry.endedAt = this.nowIso;
        const frameId = token.frames.at(-1);
        const frame = frameId === undefined ? undefined : this.s.frames[frameId];
        if (!frame || frameId === undefined) {
          this.failToken(token, 'This join was reached outside any parallel branch.', entry, stepKey);
          return;
        }
        if (result.mode === 'all') {
          frame.arrived.push(token.id);
          if (frame.arrived.length < frame.branches) {
            entry.output = { arrived: frame.arrived.length, of: frame.branches };
            token.status = 'done';
            token.endedBy = 'join';
            return;
          }
        } else {
          for (const t of Object.values(this.s.tokens))
            if (t.id !== token.id && isLive(t) && t.frames.includes(frameId))
              this.cancelToken(t, `join "${n.node.id}" continued`);
          // frames nested inside the cancelled branches close with them
          const nested = Object.keys(this.s.frames).filter(
            (id) => id !== frameId && this.isInside(id, frameId),
          );
          for (const id of nested) delete this.s.frames[id];
        }
        delete this.s.frames[frameId];
        entry.output = { frame: frameId, mode: result.mode };
        token.frames = token.frames.slice(0, -1);
        const outer = frameKeyOf(token.frames);
        token.history = token.history.filter(
          (h) => h.frameKey === outer || outer.startsWith(`${h.frameKey}/`) || h.frameKey === '',
        );
        this.follow(token, n, 'out', entry, stepKey);
        return;
      }
      case 'end': {
        entry.endedAt = this.nowIso;
        entry.output = {
          status: result.status,
          ...(result.statusName ? { statusName: result.statusName } : {}),
        };
        token.status = 'done';
        token.endedBy = 'end';
        for (const t of Object.values(this.s.tokens))
          if (t.id !== token.id && isLive(t)) this.cancelToken(t, 'the workflow ended');
        this.s.frames = {};
        this.s.status = 'completed';
        this.s.endStatus = {
          status: result.status,
          ...(result.statusName ? { statusName: result.statusName } : {}),
          nodeId: n.node.id,
        };
        this.effects.push({
          type: 'end_instance',
          status: result.status,
          ...(result.statusName ? { statusName: result.statusName } : {}),
          nodeId: n.node.id,
          stepKey,
        });
        this.queue.length = 0;
        return;
      }
      case 'fail': {
        const edges = result.port === undefined ? undefined : n.out.get(result.port);
        if (result.port !== undefined && edges && edges.length > 0) {
          entry.error = result.error;
          entry.endedAt = this.nowIso;
          const output = { error: result.error };
          entry.output = output;
          this.s.steps[n.node.id] = output;
          this.follow(token, n, result.port, entry, stepKey);
          return;
        }
        this.failToken(token, result.error, entry, stepKey);
        return;
      }
      case 'stay':
      case 'move':
      case 'refuse':
        this.failToken(
          token,
          `The "${n.node.type}" executor answered "${result.kind}" to a token arriving.`,
          entry,
          stepKey,
        );
        return;
    }
  }

  /** Frame `inner` is `outer` or nested inside it. */
  isInside(inner: string, outer: string): boolean {
    let f = this.s.frames[inner];
    while (f) {
      if (f.id === outer) return true;
      f = f.parentFrameId === undefined ? undefined : this.s.frames[f.parentFrameId];
    }
    return false;
  }

  follow(token: Token, n: CompiledNode, port: string, entry: TraceEntry, stepKey: string): void {
    const edge = n.out.get(port)?.[0];
    if (!edge) {
      this.failToken(token, `Output "${port}" of node "${n.node.id}" leads nowhere.`, entry, stepKey);
      return;
    }
    token.nodeId = edge.target;
    token.status = 'active';
    delete token.memo;
    delete token.traceIndex;
    this.queue.push(token);
  }

  startWait(token: Token, n: CompiledNode, wait: WaitRequest, stepKey: string): void {
    token.status = 'waiting';
    const seq = this.s.seq;
    switch (wait.kind) {
      case 'task': {
        const taskId = stepKey;
        const dueAt =
          wait.timeLimitDueAt === undefined ? undefined : new Date(wait.timeLimitDueAt).toISOString();
        this.s.tasks[taskId] = {
          taskId,
          nodeId: n.node.id,
          tokenId: token.id,
          ...wait.task,
          createdAt: this.nowIso,
          ...(dueAt ? { dueAt } : {}),
        };
        this.effects.push({
          type: 'create_task',
          taskId,
          nodeId: n.node.id,
          tokenId: token.id,
          ...wait.task,
          ...(dueAt ? { dueAt } : {}),
          stepKey,
        });
        token.wait = { kind: 'task', taskId };
        if (dueAt) this.schedule(token, n, 'time_limit', dueAt, seq, stepKey);
        return;
      }
      case 'timer': {
        const timerId = this.schedule(token, n, 'timer', new Date(wait.dueAt).toISOString(), seq, stepKey);
        token.wait = { kind: 'timer', timerId, version: seq };
        return;
      }
      case 'event':
        token.wait = { kind: 'event', name: wait.name, key: wait.key };
        return;
    }
  }

  /**
   * Timer ids are stable per token, node and purpose; the version is the step that scheduled it,
   * so a job left over from an earlier visit to the same node fires as a no-op.
   */
  schedule(
    token: Token,
    n: CompiledNode,
    purpose: 'timer' | 'time_limit',
    dueAt: string,
    version: number,
    stepKey: string,
  ): string {
    const timerId = `${this.s.instanceId}/${token.id}/${n.node.id}/${purpose}`;
    this.s.timers[timerId] = { timerId, version, tokenId: token.id, nodeId: n.node.id, purpose, dueAt };
    this.effects.push({ type: 'schedule_timer', timerId, version, dueAt, purpose, stepKey });
    return timerId;
  }

  /** Closes what a token waited on: its task and its timers. */
  finishWait(
    token: Token,
    outcome: 'completed' | 'returned' | 'rejected' | 'cancelled',
    actor?: string,
    reason?: string,
  ): void {
    const stepKey = this.stepKeys.at(-1) ?? this.stepKey(token, token.nodeId, this.s.seq);
    if (token.wait?.kind === 'task' && this.s.tasks[token.wait.taskId]) {
      delete this.s.tasks[token.wait.taskId];
      this.effects.push({
        type: 'close_task',
        taskId: token.wait.taskId,
        nodeId: token.nodeId,
        outcome,
        ...(actor ? { actor } : {}),
        ...(reason ? { reason } : {}),
        stepKey,
      });
    }
    for (const timer of Object.values(this.s.timers))
      if (timer.tokenId === token.id) {
        delete this.s.timers[timer.timerId];
        this.effects.push({ type: 'cancel_timer', timerId: timer.timerId, version: timer.version, stepKey });
      }
    delete token.wait;
  }

  cancelToken(token: Token, reason: string): void {
    if (token.status === 'waiting') this.finishWait(token, 'cancelled');
    const open = this.entryAt(token.traceIndex);
    if (open && open.endedAt === undefined) {
      open.endedAt = this.nowIso;
      open.event = { cancelled: reason };
    }
    token.status = 'cancelled';
    token.endedBy = 'cancel';
    delete token.traceIndex;
    delete token.memo;
  }

  failToken(token: Token, error: string, entry: TraceEntry | undefined, stepKey: string): void {
    token.status = 'failed';
    token.error = error;
    if (entry) {
      entry.error = error;
      entry.endedAt = this.nowIso;
    }
    this.effects.push({ type: 'instance_failed', nodeId: token.nodeId, tokenId: token.id, error, stepKey });
  }

  newToken(parent: Token, nodeId: string, frames: string[]): Token {
    const id = `t${++this.s.tokenCounter}`;
    const token: Token = {
      id,
      nodeId,
      status: 'active',
      frames,
      history: parent.history.map((h) => ({ ...h })),
      parentId: parent.id,
    };
    this.s.tokens[id] = token;
    return token;
  }

  emit(drafts: EffectDraft[] | undefined, stepKey: string): void {
    if (drafts) for (const d of drafts) this.effects.push({ ...d, stepKey });
  }

  stepKey(token: Token, nodeId: string, seq: number): string {
    return `${this.s.instanceId}/${token.id}/${nodeId}/${seq}`;
  }

  context(n: CompiledNode, token: Token, stepKey: string, arrival?: Arrival): ExecutorContext<unknown> {
    const s = this.s;
    const p = this.p;
    const now = this.now;
    return {
      config: n.node.config,
      node: n.node,
      instanceId: s.instanceId,
      token,
      stepKey,
      now,
      clock: this.clock,
      state: s,
      ...(arrival ? { arrival } : {}),
      cel(pointer) {
        let compiled = n.cel.get(pointer);
        if (!compiled) {
          const expression = readPointer(n.node.config, pointer);
          if (typeof expression !== 'string')
            throw new Error(`No expression at ${pointer} of node "${n.node.id}".`);
          compiled = compileCel(p.env, expression);
          n.cel.set(pointer, compiled);
        }
        return compiled.evaluate({ ticket: s.ticket, form: s.form, steps: s.steps, now });
      },
    };
  }

  finish(): StepOutcome {
    const s = this.s;
    if (s.status !== 'completed' && s.status !== 'cancelled')
      s.status = Object.values(s.tokens).some((t) => t.status === 'failed') ? 'failed' : 'waiting';
    s.updatedAt = this.nowIso;
    return { state: s, effects: this.effects, outcome: 'applied', errors: [], stepKeys: this.stepKeys };
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
