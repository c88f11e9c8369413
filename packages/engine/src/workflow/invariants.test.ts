import { describe, expect, it } from 'vitest';
import { fixedClock } from './clock.ts';
import type { InstanceState, Token } from './instance-state.ts';
import { createInterpreter } from './interpreter.ts';
import { checkInstanceInvariants } from './invariants.ts';
import { end, graph, human, start } from './testing/graph-builder.ts';

const parallel = graph(
  {
    start,
    split: { type: 'parallel_split' },
    a: human('A'),
    b: human('B'),
    join: { type: 'parallel_join', config: { mode: 'all' } },
    done: end(),
  },
  ['start -> split', 'split -> a', 'split -> b', 'a -> join', 'b -> join', 'join -> done'],
);

function started(): InstanceState {
  return createInterpreter(parallel).start({ instanceId: 'i' }, fixedClock(0)).state;
}

const waiting = (s: InstanceState): Token[] => Object.values(s.tokens).filter((t) => t.status === 'waiting');

describe('checkInstanceInvariants', () => {
  it('holds for a sound state', () => {
    expect(checkInstanceInvariants(started())).toEqual([]);
  });

  it('catches a lost token', () => {
    const s = started();
    const lost = waiting(s)[0] as Token;
    delete s.tokens[lost.id];
    expect(checkInstanceInvariants(s)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/1 live tokens where the open parallel frames account for 2/),
        expect.stringMatching(/belongs to no token waiting on it/),
      ]),
    );
  });

  it('catches a duplicated token', () => {
    const s = started();
    const t = waiting(s)[0] as Token;
    s.tokens.t9 = { ...t, id: 't9' };
    expect(checkInstanceInvariants(s)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/3 live tokens/),
        expect.stringMatching(/token t9 waits on task .* which is not its open task/),
      ]),
    );
  });

  it('catches a branch counted twice at its join', () => {
    const s = started();
    const frame = Object.values(s.frames)[0];
    frame?.arrived.push('t2');
    expect(checkInstanceInvariants(s).join('\n')).toMatch(/accounts for 3/);
  });

  it('catches a timer nobody waits for and an ended instance with open work', () => {
    const s = started();
    s.timers.x = {
      timerId: 'x',
      version: 1,
      tokenId: 'gone',
      nodeId: 'a',
      purpose: 'timer',
      dueAt: '2025-01-01T00:00:00Z',
    };
    expect(checkInstanceInvariants(s)).toContain('timer x belongs to no waiting token');
    s.status = 'completed';
    expect(checkInstanceInvariants(s).join('\n')).toMatch(/completed instance has live tokens/);
  });
});
