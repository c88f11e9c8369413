import { validateWorkflow } from '@docket/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from './events.ts';
import type { InstanceState } from './instance-state.ts';
import { isLive } from './instance-state.ts';
import { createInterpreter } from './interpreter.ts';
import { checkInstanceInvariants } from './invariants.ts';
import {
  actionArbitrary,
  graphArbitrary,
  inputArbitrary,
  mutations,
  type RandomAction,
  randomContext,
} from './testing/random-graphs.ts';

/** Turns a random choice into an event against the current state (undefined when nothing fits). */
function eventFor(
  a: RandomAction,
  s: InstanceState,
  previous: WorkflowEvent | undefined,
): WorkflowEvent | undefined {
  const tasks = Object.values(s.tasks).sort((x, y) => x.taskId.localeCompare(y.taskId));
  const pick = <T>(list: T[], i: number): T | undefined => list[i % Math.max(1, list.length)];
  switch (a.kind) {
    case 'complete': {
      const t = pick(tasks, a.pick);
      return (
        t && {
          type: 'human_action',
          taskId: t.taskId,
          action: 'complete',
          output: { ok: a.ok, again: a.again },
          actor: 'u1',
        }
      );
    }
    case 'transfer': {
      const t = pick(tasks, a.pick);
      return (
        t && {
          type: 'human_action',
          taskId: t.taskId,
          action: 'transfer',
          to: { kind: 'user', userId: 'u2' },
          reason: 'busy',
        }
      );
    }
    case 'return':
    case 'reject': {
      const t = pick(tasks, a.pick);
      return t && { type: 'human_action', taskId: t.taskId, action: a.kind, reason: 'because' };
    }
    case 'timer': {
      const timers = Object.values(s.timers).sort((x, y) => x.timerId.localeCompare(y.timerId));
      const t = pick(timers, a.pick);
      return t && { type: 'timer_fired', timerId: t.timerId, version: a.stale ? t.version - 1 : t.version };
    }
    case 'http': {
      const waits = Object.values(s.tokens).flatMap((t) =>
        t.status === 'waiting' && t.wait?.kind === 'event' ? [t.wait] : [],
      );
      const w = pick(waits, a.pick);
      return (
        w && {
          type: 'outside_event',
          name: w.name,
          key: w.key,
          payload: a.ok ? { ok: true, status: 200 } : { ok: false, status: 500 },
        }
      );
    }
    case 'repeat':
      return previous;
  }
}

describe('interpreter properties', () => {
  it('random valid graphs are valid', () => {
    fc.assert(
      fc.property(graphArbitrary, (g) => {
        expect(validateWorkflow(g, randomContext)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('random valid graphs under random actions always end or wait, with no token lost or duplicated', () => {
    fc.assert(
      fc.property(
        graphArbitrary,
        inputArbitrary,
        fc.array(actionArbitrary, { maxLength: 80 }),
        (g, input, actions) => {
          const interpreter = createInterpreter(g, { context: randomContext });
          const check = (s: InstanceState) => {
            expect(checkInstanceInvariants(s)).toEqual([]);
            expect(['waiting', 'completed']).toContain(s.status);
            const live = Object.values(s.tokens).filter(isLive);
            if (s.status === 'waiting')
              // something can move it on: a task, a timer or an outside event
              expect(
                Object.keys(s.tasks).length +
                  Object.keys(s.timers).length +
                  live.filter((t) => t.wait?.kind === 'event').length,
              ).toBeGreaterThan(0);
          };
          let now = Date.parse('2025-01-06T09:00:00Z');
          let state = interpreter.start({ instanceId: 'p', ...input }, { now: () => now }).state;
          check(state);
          let previous: WorkflowEvent | undefined;
          for (const a of actions) {
            if (state.status !== 'waiting') break;
            const event = eventFor(a, state, previous);
            if (!event) continue;
            now += 60_000;
            const before = JSON.stringify(state);
            const r = interpreter.handle(state, event, { now: () => now });
            expect(JSON.stringify(state)).toBe(before); // the given state is never changed
            if (r.outcome !== 'applied') {
              expect(r.state).toBe(state);
              expect(r.effects).toEqual([]);
              continue;
            }
            // what was stored is what comes back: plain JSON
            state = JSON.parse(JSON.stringify(r.state)) as InstanceState;
            expect(state).toEqual(r.state);
            check(state);
            previous = event;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps going to an end when every task is completed and every timer fires', () => {
    fc.assert(
      fc.property(graphArbitrary, inputArbitrary, (g, input) => {
        const interpreter = createInterpreter(g, { context: randomContext });
        let now = 0;
        let state = interpreter.start({ instanceId: 'p', ...input }, { now: () => now }).state;
        for (let i = 0; i < 500 && state.status === 'waiting'; i++) {
          const task = Object.values(state.tasks)[0];
          const timer = Object.values(state.timers).find((t) => t.purpose === 'timer');
          const wait = Object.values(state.tokens).find(
            (t) => t.status === 'waiting' && t.wait?.kind === 'event',
          )?.wait;
          now += 3_600_000;
          const event: WorkflowEvent | undefined = task
            ? {
                type: 'human_action',
                taskId: task.taskId,
                action: 'complete',
                output: { ok: true, again: false },
              }
            : timer
              ? { type: 'timer_fired', timerId: timer.timerId, version: timer.version }
              : wait?.kind === 'event'
                ? { type: 'outside_event', name: wait.name, key: wait.key, payload: { ok: true } }
                : undefined;
          if (!event) break;
          state = interpreter.handle(state, event, { now: () => now }).state;
        }
        expect(state.status).toBe('completed');
      }),
      { numRuns: 200 },
    );
  });
});

describe('validation properties', () => {
  const names = Object.keys(mutations);

  it('rejects random invalid graphs, naming the node at fault', () => {
    fc.assert(
      fc.property(graphArbitrary, fc.constantFrom(...names), fc.nat(), (g, name, pick) => {
        const broken = structuredClone(g);
        const nodeId = mutations[name]?.(broken, pick);
        fc.pre(nodeId !== undefined);
        const problems = validateWorkflow(broken, randomContext);
        expect(problems.length).toBeGreaterThan(0);
        expect(
          problems.map((p) => p.nodeId),
          `${name} should name "${nodeId}": ${JSON.stringify(problems, null, 1)}`,
        ).toContain(nodeId);
        for (const p of problems) expect(p.nodeId, p.message).toBeTruthy();
      }),
      { numRuns: 500 },
    );
  });
});
