import { emptyGraph, type WorkflowGraph } from '@docket/core';
import { describe, expect, it } from 'vitest';
import { DraftSync, type LocalDraft, type LocalDraftStore, type SaveOutcome } from './draft-sync.ts';

const graphWith = (n: number): WorkflowGraph => ({
  nodes: Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    type: 'end',
    typeVersion: 1,
    config: { status: 'solved' },
    position: { x: 0, y: i },
  })),
  edges: [],
});

function harness(answers: SaveOutcome<string[]>[]) {
  const timers: { f: () => void; at: number }[] = [];
  let now = 0;
  const local = new Map<string, LocalDraft>();
  const store: LocalDraftStore = {
    read: (k) => local.get(k),
    write: (k, d) => local.set(k, d),
    remove: (k) => local.delete(k),
  };
  const saves: { graph: WorkflowGraph; expected: string }[] = [];
  const saved: string[][] = [];
  const sync = new DraftSync<string[]>({
    key: 'returns',
    updatedAt: 'T0',
    local: store,
    save: async (graph, expected) => {
      saves.push({ graph, expected });
      const answer = answers.shift();
      if (!answer) throw new Error('fetch failed');
      return answer;
    },
    onSaved: (problems) => saved.push(problems),
    delayMs: 800,
    retryMs: 5_000,
    now: () => now,
    setTimer: (f, ms) => {
      const t = { f, at: now + ms };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      const i = timers.indexOf(h as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const advance = async (ms: number) => {
    now += ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers.splice(timers.indexOf(due), 1);
      due.f();
      await new Promise((r) => setTimeout(r, 0));
    }
    await new Promise((r) => setTimeout(r, 0));
  };
  return { sync, local, saves, saved, advance };
}

describe('draft autosave', () => {
  it('keeps every change in the browser at once and saves the last one after a quiet moment', async () => {
    const h = harness([{ kind: 'saved', updatedAt: 'T1', problems: ['p'] }]);
    h.sync.changed(graphWith(1));
    await h.advance(300);
    h.sync.changed(graphWith(2));
    expect(h.local.get('returns')?.graph.nodes).toHaveLength(2);
    expect(h.sync.getState().status).toBe('unsaved');
    await h.advance(500);
    expect(h.saves).toHaveLength(0);
    await h.advance(300);
    expect(h.saves.map((s) => [s.graph.nodes.length, s.expected])).toEqual([[2, 'T0']]);
    expect(h.sync.getState()).toMatchObject({ status: 'saved', updatedAt: 'T1' });
    expect(h.saved).toEqual([['p']]);
    // saved: the browser's copy is no longer needed
    expect(h.local.has('returns')).toBe(false);
  });

  it('says the server is down, keeps the draft here, and saves it once the server answers again', async () => {
    const answers: SaveOutcome<string[]>[] = [];
    const h = harness(answers);
    h.sync.changed(graphWith(3));
    await h.advance(800);
    expect(h.sync.getState()).toMatchObject({ status: 'offline', message: 'fetch failed' });
    expect(h.local.get('returns')?.graph.nodes).toHaveLength(3);
    // still down at the first retry; a change meanwhile waits for the next retry
    await h.advance(5_000);
    expect(h.saves).toHaveLength(2);
    h.sync.changed(graphWith(4));
    expect(h.sync.getState().status).toBe('offline');
    // back up: the next retry saves the newest draft
    answers.push({ kind: 'saved', updatedAt: 'T2', problems: [] });
    await h.advance(5_000);
    expect(h.saves.map((s) => s.graph.nodes.length)).toEqual([3, 3, 4]);
    expect(h.sync.getState()).toMatchObject({ status: 'saved', updatedAt: 'T2', message: undefined });
    expect(h.local.has('returns')).toBe(false);
  });

  it('never overwrites a draft another admin saved meanwhile: it stops, keeps both, and lets the person choose', async () => {
    const h = harness([
      { kind: 'conflict', message: 'The draft was changed at T5' },
      { kind: 'saved', updatedAt: 'T6', problems: [] },
    ]);
    h.sync.changed(graphWith(2));
    await h.advance(800);
    expect(h.sync.getState()).toMatchObject({ status: 'conflict', message: 'The draft was changed at T5' });
    // further edits stay here, and nothing is sent while the person decides
    h.sync.changed(graphWith(5));
    await h.advance(10_000);
    expect(h.saves).toHaveLength(1);
    expect(h.local.get('returns')?.graph.nodes).toHaveLength(5);
    // keep mine, over the version the person has now seen
    await h.sync.resolve({ keep: 'mine', serverUpdatedAt: 'T5', graph: graphWith(5) });
    expect(h.saves.at(-1)).toMatchObject({ expected: 'T5' });
    expect(h.sync.getState()).toMatchObject({ status: 'saved', updatedAt: 'T6' });
  });

  it('starts again from the server after taking their version', async () => {
    const h = harness([
      { kind: 'conflict', message: 'changed' },
      { kind: 'saved', updatedAt: 'T9', problems: [] },
    ]);
    h.sync.changed(emptyGraph());
    await h.advance(800);
    await h.sync.resolve({ keep: 'theirs', serverUpdatedAt: 'T8' });
    expect(h.sync.getState().status).toBe('saved');
    h.sync.changed(graphWith(1));
    await h.advance(800);
    expect(h.saves.at(-1)?.expected).toBe('T8');
  });
});
