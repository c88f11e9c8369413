import { coreNodeTypeRegistry, emptyGraph, ValidationFailed } from '@docket/core';
import { describe, expect, it } from 'vitest';
import { COALESCE_MS, EditorStore } from './editor-store.ts';

const setup = () => {
  let clock = 1_000;
  const store = new EditorStore(emptyGraph(), coreNodeTypeRegistry, () => clock);
  const tick = (ms: number) => {
    clock += ms;
  };
  store.dispatch({ kind: 'add_node', input: { type: 'start', id: 'start', position: { x: 0, y: 0 } } });
  store.dispatch({
    kind: 'add_node',
    input: { type: 'human_step', id: 'review', position: { x: 0, y: 120 } },
  });
  store.dispatch({ kind: 'add_node', input: { type: 'end', id: 'done', position: { x: 0, y: 240 } } });
  store.dispatch({ kind: 'connect', attempt: { source: 'start', sourcePort: 'out', target: 'review' } });
  store.dispatch({ kind: 'connect', attempt: { source: 'review', sourcePort: 'out', target: 'done' } });
  return { store, tick };
};

const ids = (store: EditorStore) => store.getState().graph.nodes.map((n) => n.id);

describe('the editor store', () => {
  it('undoes and redoes every command in order, back to the empty graph and forward again', () => {
    const { store } = setup();
    const full = store.getState().graph;
    expect(ids(store)).toEqual(['start', 'review', 'done']);
    expect(store.getState().graph.edges).toHaveLength(2);
    for (let i = 0; i < 5; i++) store.undo();
    expect(store.getState().graph).toEqual(emptyGraph());
    expect(store.getState().canUndo).toBe(false);
    expect(store.getState().canRedo).toBe(true);
    for (let i = 0; i < 5; i++) store.redo();
    expect(store.getState().graph).toEqual(full);
    expect(store.getState().canRedo).toBe(false);
  });

  it('drops the redo list when a new command follows an undo', () => {
    const { store } = setup();
    store.undo();
    store.dispatch({ kind: 'delete', selection: { nodeIds: ['review'] } });
    expect(store.getState().canRedo).toBe(false);
    expect(ids(store)).toEqual(['start', 'done']);
    expect(store.getState().graph.edges).toEqual([]);
    store.undo();
    expect(ids(store)).toEqual(['start', 'review', 'done']);
    expect(store.getState().graph.edges.map((e) => e.id)).toEqual(['start.out->review']);
  });

  it('refuses a connection against the port rules, with the reason, recording nothing', () => {
    const { store } = setup();
    const before = store.getState();
    expect(() =>
      store.dispatch({ kind: 'connect', attempt: { source: 'done', sourcePort: 'out', target: 'review' } }),
    ).toThrow(ValidationFailed);
    expect(() =>
      store.dispatch({ kind: 'connect', attempt: { source: 'start', sourcePort: 'out', target: 'done' } }),
    ).toThrow(/can lead to one node only/);
    expect(store.getState()).toBe(before);
    store.undo();
    expect(store.getState().graph.edges.map((e) => e.id)).toEqual(['start.out->review']);
  });

  it('undoes a run of config edits to one node as one step, but not edits far apart', () => {
    const { store, tick } = setup();
    const config = store.getState().graph.nodes[1]?.config as Record<string, unknown>;
    for (const title of ['C', 'Ch', 'Che', 'Check']) {
      tick(200);
      store.dispatch({ kind: 'update_config', nodeId: 'review', config: { ...config, title } });
    }
    tick(COALESCE_MS + 1);
    store.dispatch({ kind: 'update_config', nodeId: 'review', config: { ...config, title: 'Check twice' } });
    const title = () => (store.getState().graph.nodes[1]?.config as { title?: string } | undefined)?.title;
    expect(title()).toBe('Check twice');
    store.undo();
    expect(title()).toBe('Check');
    store.undo();
    expect(title()).toBe('Handle the ticket');
    store.redo();
    expect(title()).toBe('Check');
  });

  it('selects what it adds or pastes, and forgets selected ids that are gone', () => {
    const { store } = setup();
    expect(store.getState().selection.nodeIds).toEqual(['done']);
    store.select({ nodeIds: ['review', 'done'], edgeIds: ['review.out->done'] });
    const fragment = {
      nodes: store.getState().graph.nodes.filter((n) => n.id !== 'start'),
      edges: store.getState().graph.edges.filter((e) => e.source === 'review'),
    };
    store.dispatch({ kind: 'paste', fragment, offset: { x: 300, y: 0 } });
    expect(store.getState().selection).toEqual({ nodeIds: ['review_2', 'done_2'], edgeIds: [] });
    expect(store.getState().graph.edges.at(-1)).toMatchObject({ source: 'review_2', target: 'done_2' });
    store.undo();
    // back to the selection before the paste
    expect(store.getState().selection).toEqual({
      nodeIds: ['review', 'done'],
      edgeIds: ['review.out->done'],
    });
    store.dispatch({ kind: 'delete', selection: { nodeIds: ['done'] } });
    expect(store.getState().selection).toEqual({ nodeIds: [], edgeIds: [] });
  });

  it('moves, lays out and replaces the graph as undoable steps, and tells its listeners', () => {
    const { store } = setup();
    let heard = 0;
    const stop = store.subscribe(() => heard++);
    store.dispatch({ kind: 'move', positions: { review: { x: 50, y: 130 } } });
    store.dispatch({
      kind: 'layout',
      laidOut: { children: [{ id: 'done', width: 1, height: 1, x: 0, y: 400 }] },
    });
    const other = { nodes: [], edges: [] };
    store.dispatch({ kind: 'replace', graph: other, reason: 'theirs' });
    expect(store.getState().graph).toBe(other);
    store.undo();
    store.undo();
    expect(store.getState().graph.nodes[2]?.position).toEqual({ x: 0, y: 240 });
    store.undo();
    expect(store.getState().graph.nodes[1]?.position).toEqual({ x: 0, y: 120 });
    expect(heard).toBe(6);
    stop();
    // a move to where the node already is changes nothing and is not recorded
    const revision = store.getState().revision;
    store.dispatch({ kind: 'move', positions: { review: { x: 0, y: 120 } } });
    expect(store.getState().revision).toBe(revision);
  });
});
