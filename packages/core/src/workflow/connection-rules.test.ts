import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../field-error.ts';
import { checkConnection, connectChecked } from './connection-rules.ts';
import { createNodeTypeRegistry } from './define-node-type.ts';
import { addNode, connect, emptyGraph, updateNodeConfig } from './graph-edits.ts';
import { coreNodeTypes } from './node-types.ts';

const graph = () => {
  let g = emptyGraph();
  g = addNode(g, { type: 'start', id: 'start', position: { x: 0, y: 0 } });
  g = addNode(g, { type: 'human_step', id: 'review', label: 'Review', position: { x: 0, y: 100 } });
  g = addNode(g, { type: 'condition', id: 'check', position: { x: 0, y: 200 } });
  g = addNode(g, { type: 'parallel_split', id: 'split', position: { x: 0, y: 300 } });
  g = addNode(g, { type: 'end', id: 'done', position: { x: 0, y: 400 } });
  g = addNode(g, { type: 'end', id: 'declined', position: { x: 200, y: 400 } });
  return connect(g, { source: 'start', target: 'review' });
};

describe('connection rules', () => {
  it('allows an output that is free to lead into a node that can be entered', () => {
    expect(checkConnection(graph(), { source: 'review', sourcePort: 'out', target: 'check' })).toEqual({
      isAllowed: true,
    });
    // a condition's branch ports come from its config, and "else" is always there
    expect(checkConnection(graph(), { source: 'check', sourcePort: 'if', target: 'done' }).isAllowed).toBe(
      true,
    );
    expect(checkConnection(graph(), { source: 'check', sourcePort: 'else', target: 'done' }).isAllowed).toBe(
      true,
    );
  });

  it('refuses, with a reason, what the graph would not take', () => {
    const g = graph();
    const refusal = (source: string, sourcePort: string, target: string) => {
      const r = checkConnection(g, { source, sourcePort, target });
      return r.isAllowed ? undefined : { code: r.code, message: r.message };
    };
    expect(refusal('review', 'out', 'start')).toEqual({
      code: 'no_input',
      message: 'Start "start" is where the workflow begins: nothing can lead into it.',
    });
    expect(refusal('done', 'out', 'review')).toEqual({
      code: 'no_outputs',
      message: 'End "done" ends the workflow: nothing can follow it.',
    });
    expect(refusal('check', 'maybe', 'done')).toEqual({
      code: 'unknown_port',
      message: 'Condition "check" has no output "maybe" (it has "If", "Else").',
    });
    expect(refusal('review', 'out', 'review')?.code).toBe('self_loop');
    expect(refusal('start', 'out', 'review')).toEqual({
      code: 'duplicate_edge',
      message: 'Output "Next" of Start "start" already leads to Review "review".',
    });
    expect(refusal('start', 'out', 'check')).toMatchObject({ code: 'port_taken' });
    expect(refusal('start', 'out', 'check')?.message).toMatch(
      /already leads to Review "review"; it can lead to one node only/,
    );
    expect(refusal('ghost', 'out', 'review')?.code).toBe('unknown_node');
  });

  it('lets a port that allows many (a parallel split) fan out', () => {
    let g = connect(graph(), { source: 'split', target: 'done' });
    expect(checkConnection(g, { source: 'split', sourcePort: 'out', target: 'declined' }).isAllowed).toBe(
      true,
    );
    g = connectChecked(g, { source: 'split', sourcePort: 'out', target: 'declined' });
    expect(g.edges.filter((e) => e.source === 'split')).toHaveLength(2);
  });

  it('follows a branch the config adds or removes', () => {
    let g = graph();
    g = updateNodeConfig(g, 'check', {
      branches: [
        { id: 'big', label: 'Big', when: 'true' },
        { id: 'small', label: 'Small', when: 'true' },
      ],
    });
    expect(checkConnection(g, { source: 'check', sourcePort: 'small', target: 'done' }).isAllowed).toBe(true);
    expect(checkConnection(g, { source: 'check', sourcePort: 'if', target: 'done' }).isAllowed).toBe(false);
  });

  it('refuses to wire a node whose type is not installed, and connectChecked throws the reason', () => {
    const g = graph();
    const withGhost = {
      ...g,
      nodes: [
        ...g.nodes,
        { id: 'old', type: 'gone.type', typeVersion: 1, config: {}, position: { x: 0, y: 0 } },
      ],
    };
    const r = checkConnection(withGhost, { source: 'old', sourcePort: 'out', target: 'done' });
    expect(r).toMatchObject({ isAllowed: false, code: 'unknown_type' });
    expect(() => connectChecked(g, { source: 'review', sourcePort: 'out', target: 'start' })).toThrow(
      ValidationFailed,
    );
    // a registry without end: an end node is then unknown
    const noEnd = createNodeTypeRegistry(coreNodeTypes.filter((d) => d.type !== 'end'));
    expect(checkConnection(g, { source: 'review', sourcePort: 'out', target: 'done' }, noEnd)).toMatchObject({
      isAllowed: false,
      code: 'unknown_type',
    });
  });
});
