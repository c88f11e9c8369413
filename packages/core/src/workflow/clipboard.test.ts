import { describe, expect, it } from 'vitest';
import { copyFragment, parseFragment, pasteFragment } from './clipboard.ts';
import { addNode, connect, emptyGraph } from './graph-edits.ts';
import { humanStepNode } from './node-types.ts';
import { validateWorkflow } from './validate-workflow.ts';

const source = () => {
  let g = emptyGraph();
  g = addNode(g, { type: 'start', id: 'start', position: { x: 0, y: 0 } });
  g = addNode(g, {
    type: 'human_step',
    id: 'dispatch',
    position: { x: 0, y: 100 },
    config: { ...humanStepNode.defaultConfig, title: 'Dispatch' },
  });
  g = addNode(g, {
    type: 'human_step',
    id: 'store',
    position: { x: 0, y: 200 },
    config: {
      ...humanStepNode.defaultConfig,
      title: 'Store',
      rejectTo: 'dispatch',
      formSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
    },
  });
  g = addNode(g, {
    type: 'condition',
    id: 'check',
    position: { x: 0, y: 300 },
    config: { branches: [{ id: 'ok', label: 'OK', when: 'steps.store.ok == true' }] },
  });
  g = addNode(g, { type: 'end', id: 'done', position: { x: 0, y: 400 } });
  g = connect(g, { source: 'start', target: 'dispatch' });
  g = connect(g, { source: 'dispatch', target: 'store' });
  g = connect(g, { source: 'store', target: 'check' });
  g = connect(g, { source: 'check', sourcePort: 'ok', target: 'done' });
  return connect(g, { source: 'check', sourcePort: 'else', target: 'done' });
};

describe('copy and paste', () => {
  it('copies the selected nodes and only the edges among them', () => {
    const f = copyFragment(source(), ['store', 'check', 'done']);
    expect(f.nodes.map((n) => n.id)).toEqual(['store', 'check', 'done']);
    expect(f.edges.map((e) => e.id)).toEqual(['store.out->check', 'check.ok->done', 'check.else->done']);
  });

  it('pastes with fresh ids, shifted, with references among the pasted nodes following them', () => {
    const g = source();
    const f = copyFragment(g, ['dispatch', 'store', 'check']);
    const r = pasteFragment(g, f, { offset: { x: 400, y: 0 } });
    expect(r.nodeIds).toEqual(['dispatch_2', 'store_2', 'check_2']);
    expect(r.graph.nodes).toHaveLength(g.nodes.length + 3);
    const store2 = r.graph.nodes.find((n) => n.id === 'store_2');
    expect(store2?.position).toEqual({ x: 400, y: 200 });
    expect((store2?.config as { rejectTo?: string } | undefined)?.rejectTo).toBe('dispatch_2');
    const check2 = r.graph.nodes.find((n) => n.id === 'check_2');
    expect(check2?.config).toEqual({
      branches: [{ id: 'ok', label: 'OK', when: 'steps.store_2.ok == true' }],
    });
    expect(
      r.graph.edges.slice(g.edges.length).map((e) => `${e.source}.${e.sourcePort}->${e.target}`),
    ).toEqual(['dispatch_2.out->store_2', 'store_2.out->check_2']);
    // the original is untouched
    expect((g.nodes[2]?.config as { rejectTo?: string } | undefined)?.rejectTo).toBe('dispatch');
    // pasted twice: fresh ids again
    expect(pasteFragment(r.graph, f).nodeIds).toEqual(['dispatch_3', 'store_3', 'check_3']);
  });

  it('pastes into another workflow, keeping ids that are free there', () => {
    const f = copyFragment(source(), ['store', 'check', 'done']);
    const other = addNode(emptyGraph(), { type: 'start', id: 'start', position: { x: 0, y: 0 } });
    const r = pasteFragment(other, parseFragment(JSON.stringify(f)) ?? f);
    expect(r.nodeIds).toEqual(['store', 'check', 'done']);
    const problems = validateWorkflow(r.graph).map((p) => p.code);
    // rejectTo still names "dispatch", which this workflow lacks: validation says so
    expect(problems).toContain('unknown_node');
  });

  it('reads clipboard text that is a fragment, and nothing else', () => {
    expect(parseFragment('hello')).toBeUndefined();
    expect(parseFragment('{"kind":"other"}')).toBeUndefined();
    expect(
      parseFragment(JSON.stringify({ kind: 'docket.workflow-fragment', nodes: [{ id: 1 }], edges: [] })),
    ).toBe(undefined);
    const f = copyFragment(source(), ['done']);
    expect(parseFragment(JSON.stringify(f))).toEqual(f);
  });

  it('keeps a node of an unknown type as it is', () => {
    const g = emptyGraph();
    const r = pasteFragment(g, {
      nodes: [{ id: 'x', type: 'gone.type', typeVersion: 3, config: { a: 1 }, position: { x: 0, y: 0 } }],
      edges: [],
    });
    expect(r.graph.nodes[0]).toEqual({
      id: 'x',
      type: 'gone.type',
      typeVersion: 3,
      config: { a: 1 },
      position: { x: 40, y: 40 },
    });
  });
});
