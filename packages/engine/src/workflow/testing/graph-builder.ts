import {
  coreNodeTypeRegistry,
  type HumanStepConfig,
  type WorkflowEdge,
  type WorkflowGraph,
  type WorkflowNode,
} from '@docket/core';

/*
 * Compact graphs for tests: nodes by id with a type and config overrides, edges written as
 * "a -> b" or "a.port -> b".
 */

export type NodeSpec = { type: string; config?: Record<string, unknown> };

export function graph(nodes: Record<string, NodeSpec>, edges: string[]): WorkflowGraph {
  const list: WorkflowNode[] = Object.entries(nodes).map(([id, spec], i) => {
    const def = coreNodeTypeRegistry.get(spec.type);
    if (!def) throw new Error(`unknown node type ${spec.type}`);
    return {
      id,
      type: spec.type,
      typeVersion: def.version,
      config: { ...structuredClone(def.defaultConfig), ...spec.config },
      position: { x: i * 200, y: 0 },
    };
  });
  const edgeList: WorkflowEdge[] = edges.map((text, i) => {
    const m = /^\s*([^\s.]+)(?:\.(\S+))?\s*->\s*(\S+)\s*$/.exec(text);
    if (!m) throw new Error(`bad edge "${text}"`);
    const [, source, port, target] = m as unknown as [string, string, string | undefined, string];
    return { id: `e${i + 1}`, source, sourcePort: port ?? 'out', target };
  });
  return { nodes: list, edges: edgeList };
}

export const start: NodeSpec = { type: 'start', config: { trigger: 'ticket_created' } };
export const end = (status: 'solved' | 'closed' = 'solved'): NodeSpec => ({
  type: 'end',
  config: { status },
});

export function human(title: string, config: Partial<HumanStepConfig> = {}): NodeSpec {
  return {
    type: 'human_step',
    config: {
      title,
      assignee: { kind: 'team', teamId: 'support', strategy: 'round_robin' },
      formSchema: { type: 'object', properties: {} },
      actions: ['complete', 'transfer', 'return', 'reject'],
      ...config,
    },
  };
}

export const condition = (branches: { id: string; when: string }[]): NodeSpec => ({
  type: 'condition',
  config: { branches },
});
