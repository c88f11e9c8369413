import { describe, expect, it } from 'vitest';
import {
  addNode,
  connect,
  deleteElements,
  disconnect,
  emptyGraph,
  moveNode,
  setNodeLabel,
  updateNodeConfig,
} from './graph-edits.ts';
import { humanStepNode } from './node-types.ts';
import { diffPaths, diffWorkflows } from './workflow-diff.ts';

const v1 = () => {
  let g = emptyGraph();
  g = addNode(g, { type: 'start', id: 'start', position: { x: 0, y: 0 } });
  g = addNode(g, { type: 'human_step', id: 'review', position: { x: 0, y: 100 } });
  g = addNode(g, { type: 'end', id: 'done', position: { x: 0, y: 200 } });
  g = connect(g, { source: 'start', target: 'review' });
  return connect(g, { source: 'review', target: 'done' });
};

describe('diffWorkflows', () => {
  it('finds nothing between a graph and itself, or when only ids of edges differ', () => {
    const g = v1();
    expect(diffWorkflows(g, g).hasChanges).toBe(false);
    const renamed = { ...g, edges: g.edges.map((e, i) => ({ ...e, id: `e${i}` })) };
    expect(diffWorkflows(g, renamed).hasChanges).toBe(false);
  });

  it('names added, removed and changed nodes and edges, and the config fields that changed', () => {
    const before = v1();
    let after = disconnect(before, 'review.out->done');
    after = addNode(after, { type: 'timer', id: 'wait', position: { x: 0, y: 150 } });
    after = connect(after, { source: 'review', target: 'wait' });
    after = connect(after, { source: 'wait', target: 'done' });
    after = updateNodeConfig(after, 'review', {
      ...humanStepNode.defaultConfig,
      assignee: { kind: 'team', teamId: 'Warehouse', strategy: 'round_robin' },
      timeLimit: { amount: 2, unit: 'hours', time: 'business' },
    });
    after = setNodeLabel(after, 'done', 'Finished');
    after = moveNode(after, 'start', { x: 10, y: 0 });
    after = deleteElements(after, { nodeIds: ['start'] });
    const d = diffWorkflows(before, after);
    expect(d.hasChanges).toBe(true);
    expect(d.nodes.added.map((n) => n.id)).toEqual(['wait']);
    expect(d.nodes.removed.map((n) => n.id)).toEqual(['start']);
    expect(d.nodes.changed).toEqual([
      {
        id: 'review',
        configPaths: [
          '/assignee/kind',
          '/assignee/roleId',
          '/assignee/strategy',
          '/assignee/teamId',
          '/timeLimit',
        ],
        isTypeChanged: false,
        isLabelChanged: false,
        isMoved: false,
      },
      { id: 'done', configPaths: [], isTypeChanged: false, isLabelChanged: true, isMoved: false },
    ]);
    expect(d.edges.removed.map((e) => e.id)).toEqual(['start.out->review', 'review.out->done']);
    expect(d.edges.added.map((e) => `${e.source}->${e.target}`)).toEqual(['review->wait', 'wait->done']);
  });

  it('lists a node that only moved apart from real changes', () => {
    const before = v1();
    const d = diffWorkflows(before, moveNode(before, 'review', { x: 300, y: 100 }));
    expect(d.nodes.moved).toEqual(['review']);
    expect(d.nodes.changed).toEqual([]);
    expect(d.hasChanges).toBe(false);
  });

  it('points at array items and escaped keys', () => {
    expect(diffPaths({ a: [1, 2] }, { a: [1, 3, 4] }, '')).toEqual(['/a/1', '/a/2']);
    expect(diffPaths({ 'x/y': 1 }, { 'x/y': 2 }, '')).toEqual(['/x~1y']);
    expect(diffPaths('a', { b: 1 }, '/c')).toEqual(['/c']);
  });
});
