import { type NodeTypeRegistry, readPointer } from './define-node-type.ts';
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from './graph.ts';
import { uniqueNodeId } from './graph-edits.ts';
import { coreNodeTypeRegistry } from './node-types.ts';
import { celFieldsOf } from './workflow-cel.ts';

/**
 * Part of a workflow on the clipboard: nodes and the edges between them. Plain JSON, so it can go
 * through the system clipboard from one workflow (or one browser tab) to another.
 */
export type WorkflowFragment = {
  kind: 'docket.workflow-fragment';
  version: 1;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
};

/** The selected nodes and the edges among them (edges to nodes left behind are not copied). */
export function copyFragment(graph: WorkflowGraph, nodeIds: readonly string[]): WorkflowFragment {
  const ids = new Set(nodeIds);
  return {
    kind: 'docket.workflow-fragment',
    version: 1,
    nodes: structuredClone(graph.nodes.filter((n) => ids.has(n.id))),
    edges: structuredClone(graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target))),
  };
}

/** Reads a fragment from clipboard text; undefined for anything else (text copied elsewhere). */
export function parseFragment(text: string): WorkflowFragment | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const f = value as Partial<WorkflowFragment> | null;
  if (f?.kind !== 'docket.workflow-fragment' || !Array.isArray(f.nodes) || !Array.isArray(f.edges))
    return undefined;
  const isNode = (n: unknown): n is WorkflowNode => {
    const x = n as WorkflowNode | null;
    return (
      !!x &&
      typeof x.id === 'string' &&
      typeof x.type === 'string' &&
      typeof x.typeVersion === 'number' &&
      typeof x.position?.x === 'number' &&
      typeof x.position?.y === 'number'
    );
  };
  const isEdge = (e: unknown): e is WorkflowEdge => {
    const x = e as WorkflowEdge | null;
    return (
      !!x &&
      typeof x.id === 'string' &&
      typeof x.source === 'string' &&
      typeof x.target === 'string' &&
      typeof x.sourcePort === 'string'
    );
  };
  if (!f.nodes.every(isNode) || !f.edges.every(isEdge)) return undefined;
  return { kind: 'docket.workflow-fragment', version: 1, nodes: f.nodes, edges: f.edges };
}

export type PasteResult = {
  graph: WorkflowGraph;
  /** The pasted nodes' new ids, in fragment order (the designer selects them). */
  nodeIds: string[];
  /** Old id to new id. */
  idMap: Record<string, string>;
};

/**
 * Pastes a fragment with fresh node and edge ids, moved by `offset`. References among the pasted
 * nodes follow their new ids: a human step's `rejectTo`, and `steps.<id>` in CEL fields. A node
 * of a type this registry does not know is pasted as it is (validation names it), never dropped.
 */
export function pasteFragment(
  graph: WorkflowGraph,
  fragment: Pick<WorkflowFragment, 'nodes' | 'edges'>,
  options: { offset?: { x: number; y: number }; nodeTypes?: NodeTypeRegistry } = {},
): PasteResult {
  const offset = options.offset ?? { x: 40, y: 40 };
  const nodeTypes = options.nodeTypes ?? coreNodeTypeRegistry;
  const idMap: Record<string, string> = {};
  let working: WorkflowGraph = { nodes: [...graph.nodes], edges: [...graph.edges] };
  for (const node of fragment.nodes) {
    const id = uniqueNodeId(working, node.id);
    idMap[node.id] = id;
    // reserve the id before the next one is chosen
    working = { ...working, nodes: [...working.nodes, { ...node, id }] };
  }
  const renamed = (id: string) => idMap[id] ?? id;
  const pasted: WorkflowNode[] = fragment.nodes.map((node) => {
    const config = renameReferences(structuredClone(node.config), node, idMap, nodeTypes);
    return {
      ...structuredClone(node),
      id: renamed(node.id),
      config,
      position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
    };
  });
  const usedEdgeIds = new Set(graph.edges.map((e) => e.id));
  const edges: WorkflowEdge[] = [];
  for (const e of fragment.edges) {
    if (!(e.source in idMap) || !(e.target in idMap)) continue;
    const source = renamed(e.source);
    const target = renamed(e.target);
    const base = `${source}.${e.sourcePort}->${target}`;
    let id = base;
    for (let i = 2; usedEdgeIds.has(id); i++) id = `${base}#${i}`;
    usedEdgeIds.add(id);
    edges.push({ id, source, sourcePort: e.sourcePort, target });
  }
  return {
    graph: { ...graph, nodes: [...graph.nodes, ...pasted], edges: [...graph.edges, ...edges] },
    nodeIds: pasted.map((n) => n.id),
    idMap,
  };
}

function renameReferences(
  config: unknown,
  node: WorkflowNode,
  idMap: Record<string, string>,
  nodeTypes: NodeTypeRegistry,
): unknown {
  if (config === null || typeof config !== 'object') return config;
  const c = config as Record<string, unknown>;
  if (typeof c.rejectTo === 'string' && idMap[c.rejectTo]) c.rejectTo = idMap[c.rejectTo];
  const def = nodeTypes.get(node.type);
  if (!def) return config;
  const changed = Object.entries(idMap).filter(([from, to]) => from !== to);
  if (changed.length === 0) return config;
  for (const field of celFieldsOf(def, config)) {
    let text = field.expression;
    for (const [from, to] of changed)
      text = text.replace(new RegExp(`\\bsteps\\.${escapeRegExp(from)}\\b`, 'g'), `steps.${to}`);
    if (text !== field.expression) writePointer(config, field.pointer, text);
  }
  return config;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function writePointer(root: unknown, pointer: string, value: unknown): void {
  const cut = pointer.lastIndexOf('/');
  if (cut < 0) return;
  const last = pointer
    .slice(cut + 1)
    .replace(/~1/g, '/')
    .replace(/~0/g, '~');
  const parent = readPointer(root, pointer.slice(0, cut));
  if (parent !== null && typeof parent === 'object') (parent as Record<string, unknown>)[last] = value;
}
