import { describe, expect, it } from 'vitest';
import { fixedClock } from './clock.ts';
import { createInterpreter } from './interpreter.ts';
import { migrateInstance } from './migrate-instance.ts';
import { end, graph, human, start } from './testing/graph-builder.ts';

const v1 = graph({ start, a: human('A'), b: human('B'), done: end() }, ['start -> a', 'a -> b', 'b -> done']);
const v2 = graph(
  { start, a: human('A'), review: human('Review'), b2: human('B, renamed'), done: end('closed') },
  ['start -> a', 'a -> review', 'review -> b2', 'b2 -> done'],
);
const clock = fixedClock('2026-11-23T09:00:00Z');

function waitingAtB() {
  const i1 = createInterpreter(v1);
  let s = i1.start({ instanceId: 'i1' }, clock).state;
  const taskA = Object.values(s.tasks)[0]!;
  s = i1.handle(
    s,
    { type: 'human_action', taskId: taskA.taskId, action: 'complete', actor: '7' },
    clock,
  ).state;
  return s;
}

describe('moving a running instance to another version', () => {
  it('maps the waiting node, keeps its open task, and runs on in the new version', () => {
    const s = waitingAtB();
    const r = migrateInstance({ state: s, from: v1, to: v2, nodeMap: { b: 'b2' } });
    expect(r.isValid).toBe(true);
    if (!r.isValid) return;
    expect(r.moved).toEqual([{ from: 'b', to: 'b2' }]);
    const task = Object.values(r.state.tasks)[0]!;
    expect(task.nodeId).toBe('b2');
    // The step before can still be returned to: "a" exists in both versions.
    const i2 = createInterpreter(v2);
    const back = i2.handle(
      r.state,
      { type: 'human_action', taskId: task.taskId, action: 'return', reason: 'x' },
      clock,
    );
    expect(back.outcome).toBe('applied');
    expect(Object.values(back.state.tasks)[0]!.nodeId).toBe('a');
    const done = i2.handle(r.state, { type: 'human_action', taskId: task.taskId, action: 'complete' }, clock);
    expect(done.state.status).toBe('completed');
    expect(done.state.endStatus).toMatchObject({ status: 'closed', nodeId: 'done' });
    // The stored state is untouched.
    expect(Object.values(s.tasks)[0]!.nodeId).toBe('b');
  });

  it('refuses, naming the node, when a waiting node has no counterpart or a different type', () => {
    const s = waitingAtB();
    const unmapped = migrateInstance({ state: s, from: v1, to: v2 });
    expect(unmapped).toEqual({
      isValid: false,
      problems: [expect.objectContaining({ path: '/nodeMap/b', code: 'unmapped' })],
    });
    const wrongType = migrateInstance({ state: s, from: v1, to: v2, nodeMap: { b: 'done' } });
    expect(wrongType.isValid).toBe(false);
    if (!wrongType.isValid)
      expect(wrongType.problems[0]).toMatchObject({ path: '/nodeMap/b', code: 'type_mismatch' });
    const ghost = migrateInstance({ state: s, from: v1, to: v2, nodeMap: { b: 'b2', zz: 'a' } });
    expect(ghost.isValid).toBe(false);
    if (!ghost.isValid)
      expect(ghost.problems[0]).toMatchObject({ path: '/nodeMap/zz', code: 'unknown_node' });
  });
});
