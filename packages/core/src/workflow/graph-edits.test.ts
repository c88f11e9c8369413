import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../field-error.ts';
import {
  addNode,
  connect,
  deleteElements,
  disconnect,
  emptyGraph,
  moveNode,
  moveNodes,
  removeNode,
  setNodeLabel,
  uniqueNodeId,
  updateNodeConfig,
} from './graph-edits.ts';
import { humanStepNode } from './node-types.ts';

const base = () => {
  let g = emptyGraph();
  g = addNode(g, { type: 'start', id: 'start', position: { x: 0, y: 0 } });
  g = addNode(g, { type: 'human_step', position: { x: 200, y: 0 } });
  g = addNode(g, { type: 'end', id: 'end', position: { x: 400, y: 0 } });
  g = connect(g, { source: 'start', target: 'human_step' });
  g = connect(g, { source: 'human_step', target: 'end' });
  return g;
};

describe('graph edits', () => {
  it('adds a node with its type version and a copy of the default config', () => {
    const g = base();
    const node = g.nodes[1];
    expect(node).toMatchObject({
      id: 'human_step',
      type: 'human_step',
      typeVersion: 1,
      position: { x: 200, y: 0 },
    });
    expect(node?.config).toEqual(humanStepNode.defaultConfig);
    expect(node?.config).not.toBe(humanStepNode.defaultConfig);
  });

  it('makes fresh ids', () => {
    const g = base();
    expect(uniqueNodeId(g, 'human_step')).toBe('human_step_2');
    expect(addNode(g, { type: 'human_step', position: { x: 0, y: 0 } }).nodes.at(-1)?.id).toBe(
      'human_step_2',
    );
  });

  it('refuses unknown types and taken ids', () => {
    expect(() => addNode(emptyGraph(), { type: 'nope', position: { x: 0, y: 0 } })).toThrow(ValidationFailed);
    expect(() => addNode(base(), { type: 'end', id: 'end', position: { x: 0, y: 0 } })).toThrow(
      /already exists/,
    );
  });

  it('connects ports, and connecting twice changes nothing', () => {
    const g = base();
    expect(g.edges).toEqual([
      { id: 'start.out->human_step', source: 'start', sourcePort: 'out', target: 'human_step' },
      { id: 'human_step.out->end', source: 'human_step', sourcePort: 'out', target: 'end' },
    ]);
    expect(connect(g, { source: 'start', target: 'human_step' })).toBe(g);
    expect(() => connect(g, { source: 'start', target: 'ghost' })).toThrow(/ghost/);
  });

  it('removes a node with every edge entering or leaving it, leaving the input untouched', () => {
    const g = base();
    const after = removeNode(g, 'human_step');
    expect(after.nodes.map((n) => n.id)).toEqual(['start', 'end']);
    expect(after.edges).toEqual([]);
    expect(g.nodes).toHaveLength(3);
    expect(g.edges).toHaveLength(2);
    expect(removeNode(g, 'ghost')).toBe(g);
  });

  it('disconnects, moves and reconfigures', () => {
    const g = base();
    expect(disconnect(g, 'start.out->human_step').edges).toHaveLength(1);
    expect(moveNode(g, 'end', { x: 9, y: 9 }).nodes[2]?.position).toEqual({ x: 9, y: 9 });
    const cfg = { ...humanStepNode.defaultConfig, title: 'Check' };
    const updated = updateNodeConfig(g, 'human_step', cfg);
    expect(updated.nodes[1]?.config).toEqual(cfg);
    expect(g.nodes[1]?.config).toEqual(humanStepNode.defaultConfig);
  });

  it('deletes a selection of nodes and edges in one edit, with the edges of deleted nodes', () => {
    const g = base();
    const after = deleteElements(g, { nodeIds: ['end'], edgeIds: ['start.out->human_step'] });
    expect(after.nodes.map((n) => n.id)).toEqual(['start', 'human_step']);
    expect(after.edges).toEqual([]);
    expect(deleteElements(g, { nodeIds: ['ghost'], edgeIds: ['none'] })).toBe(g);
    expect(g.nodes).toHaveLength(3);
  });

  it('moves several nodes at once, keeping the objects of nodes that stay', () => {
    const g = base();
    const after = moveNodes(g, { start: { x: 5, y: 6 }, end: { x: 400, y: 0 }, ghost: { x: 1, y: 1 } });
    expect(after.nodes[0]?.position).toEqual({ x: 5, y: 6 });
    expect(after.nodes[1]).toBe(g.nodes[1]);
    expect(after.nodes[2]).toBe(g.nodes[2]);
    expect(moveNodes(g, { end: { x: 400, y: 0 } })).toBe(g);
  });

  it('names a node, and an empty name falls back to the type title', () => {
    const named = setNodeLabel(base(), 'human_step', '  Review ');
    expect(named.nodes[1]?.label).toBe('Review');
    expect('label' in (setNodeLabel(named, 'human_step', ' ').nodes[1] ?? {})).toBe(false);
    expect(() => setNodeLabel(named, 'ghost', 'x')).toThrow(/ghost/);
  });
});
