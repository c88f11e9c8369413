import { expect } from 'vitest';
import type { Clock } from '../clock.ts';
import type { Effect } from '../effects.ts';
import type { WorkflowEvent } from '../events.ts';
import type { InstanceState, TaskState } from '../instance-state.ts';
import type { Interpreter, StepOutcome } from '../interpreter.ts';
import { checkInstanceInvariants } from '../invariants.ts';

/** Freezes a value deeply, so a test fails if the interpreter changes a state it was given. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Drives an interpreter like the persistence layer would: stores each state as JSON, hands it back
 * frozen, and checks the invariants after every event.
 */
export class Driver {
  state: InstanceState;
  effects: Effect[] = [];
  last: StepOutcome;
  now: number;

  constructor(
    readonly interpreter: Interpreter,
    input: { ticket?: Record<string, unknown>; form?: Record<string, unknown> } = {},
    at = '2025-01-06T09:00:00Z',
    readonly extraClock: Partial<Clock> = {},
  ) {
    this.now = Date.parse(at);
    this.last = interpreter.start({ instanceId: 'i1', ...input }, this.clock());
    this.state = this.store(this.last);
  }

  clock(): Clock {
    const now = this.now;
    return { now: () => now, ...this.extraClock };
  }

  private store(r: StepOutcome): InstanceState {
    this.effects = r.effects;
    const problems = checkInstanceInvariants(r.state);
    expect(problems, problems.join('\n')).toEqual([]);
    return deepFreeze(JSON.parse(JSON.stringify(r.state)) as InstanceState);
  }

  send(event: WorkflowEvent, after = 0): StepOutcome {
    this.now += after;
    this.last = this.interpreter.handle(this.state, event, this.clock());
    this.state = this.store(this.last);
    return this.last;
  }

  task(nodeId: string): TaskState {
    const tasks = Object.values(this.state.tasks).filter((t) => t.nodeId === nodeId);
    expect(
      tasks.map((t) => t.nodeId),
      `open tasks: ${Object.values(this.state.tasks).map((t) => t.nodeId)}`,
    ).toEqual([nodeId]);
    return tasks[0] as TaskState;
  }

  openTaskNodes(): string[] {
    return Object.values(this.state.tasks)
      .map((t) => t.nodeId)
      .sort();
  }

  complete(nodeId: string, output: Record<string, unknown> = {}, actor = 'agent-1'): StepOutcome {
    return this.send({
      type: 'human_action',
      taskId: this.task(nodeId).taskId,
      action: 'complete',
      output,
      actor,
    });
  }

  effectTypes(): string[] {
    return this.effects.map((e) => e.type);
  }

  path(): string[] {
    return this.state.trace.filter((t) => t.kind === 'step').map((t) => t.nodeId);
  }
}
