import { describe, expect, it } from 'vitest';
import { applyLayout, layoutInput, layoutPortId } from './auto-layout.ts';
import { addNode, connect, emptyGraph, updateNodeConfig } from './graph-edits.ts';

const g = () => {
  let x = emptyGraph();
  x = addNode(x, { type: 'start', id: 'start', position: { x: 0, y: 0 } });
  x = addNode(x, { type: 'condition', id: 'check', position: { x: 0, y: 0 } });
  x = updateNodeConfig(x, 'check', {
    branches: [
      { id: 'a', when: 'true' },
      { id: 'b', when: 'true' },
    ],
  });
  x = addNode(x, { type: 'end', id: 'done', position: { x: 0, y: 0 } });
  x = connect(x, { source: 'start', target: 'check' });
  x = connect(x, { source: 'check', sourcePort: 'a', target: 'done' });
  x = connect(x, { source: 'check', sourcePort: 'b', target: 'done' });
  return connect(x, { source: 'check', sourcePort: 'else', target: 'done' });
};

describe('auto-layout input and output', () => {
  it('gives the layout every node with its size and its output ports in order, and every edge by port', () => {
    const input = layoutInput(g(), {
      sizeOf: (id) => (id === 'check' ? { width: 300, height: 120 } : undefined),
    });
    expect(input.layoutOptions['elk.direction']).toBe('DOWN');
    expect(input.children.map((c) => [c.id, c.width, c.height])).toEqual([
      ['start', 240, 96],
      ['check', 300, 120],
      ['done', 240, 96],
    ]);
    const check = input.children[1];
    // branches first, else last; clockwise indexes on the south side run right to left
    expect(check?.ports?.map((p) => [p.id, p.layoutOptions?.['elk.port.index']])).toEqual([
      [layoutPortId('check', 'a'), '2'],
      [layoutPortId('check', 'b'), '1'],
      [layoutPortId('check', 'else'), '0'],
    ]);
    expect(input.children[2]?.ports).toEqual([]);
    expect(input.edges).toEqual([
      { id: 'start.out->check', sources: [layoutPortId('start', 'out')], targets: ['check'] },
      { id: 'check.a->done', sources: [layoutPortId('check', 'a')], targets: ['done'] },
      { id: 'check.b->done', sources: [layoutPortId('check', 'b')], targets: ['done'] },
      { id: 'check.else->done', sources: [layoutPortId('check', 'else')], targets: ['done'] },
    ]);
  });

  it('keeps edges from ports a node no longer has, and leaves out dangling ones', () => {
    const x = g();
    const broken = {
      ...x,
      edges: [
        ...x.edges,
        { id: 'old', source: 'check', sourcePort: 'gone', target: 'done' },
        { id: 'dangling', source: 'check', sourcePort: 'a', target: 'nowhere' },
      ],
    };
    const input = layoutInput(broken);
    expect(input.children[1]?.ports?.map((p) => p.id)).toContain(layoutPortId('check', 'gone'));
    expect(input.edges.map((e) => e.id)).not.toContain('dangling');
  });

  it('moves nodes to the laid-out positions as one edit, rounded, leaving out what was not placed', () => {
    const x = g();
    const after = applyLayout(x, {
      children: [
        { id: 'start', width: 1, height: 1, x: 10.4, y: 0 },
        { id: 'check', width: 1, height: 1, x: 12, y: 168.6 },
        { id: 'done', width: 1, height: 1 },
      ],
    });
    expect(after.nodes.map((n) => n.position)).toEqual([
      { x: 10, y: 0 },
      { x: 12, y: 169 },
      { x: 0, y: 0 },
    ]);
    expect(after.nodes[2]).toBe(x.nodes[2]);
  });
});
