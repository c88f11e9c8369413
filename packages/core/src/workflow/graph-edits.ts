import { fieldError, ValidationFailed } from '../field-error.ts';
import type { NodeTypeRegistry } from './define-node-type.ts';
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from './graph.ts';
import { coreNodeTypeRegistry } from './node-types.ts';

/*
 * The edits the designer makes, as pure functions: each returns a new graph and leaves the one it
 * was given untouched. They keep the graph well-formed (unique ids, edges between existing nodes);
 * whether it is a publishable workflow is validateWorkflow's job.
 */

export const emptyGraph = (): WorkflowGraph => ({ nodes: [], edges: [] });

export type AddNodeInput = {
  type: string;
  position: { x: number; y: number };
  /** When absent, a fresh id from the type ("human_step_2"). */
  id?: string;
  /** When absent, the node type's default config. */
  config?: unknown;
  label?: string;
};

/** A node id not yet used in the graph, made from a base ("human_step" -> "human_step_2"). */
export function uniqueNodeId(graph: WorkflowGraph, base: string): string {
  const used = new Set(graph.nodes.map((n) => n.id));
  const stem = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([^A-Za-z_])/, '_$1') || 'node';
  if (!used.has(stem)) return stem;
  for (let i = 2; ; i++) if (!used.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

/** Adds a node of a known type at a position, with the type's current version and default config. */
export function addNode(
  graph: WorkflowGraph,
  input: AddNodeInput,
  nodeTypes: NodeTypeRegistry = coreNodeTypeRegistry,
): WorkflowGraph {
  const def = nodeTypes.get(input.type);
  if (!def)
    throw new ValidationFailed([
      fieldError('/type', 'unknown_type', `There is no node type "${input.type}".`),
    ]);
  const id = input.id ?? uniqueNodeId(graph, input.type);
  if (graph.nodes.some((n) => n.id === id))
    throw new ValidationFailed([
      fieldError('/id', 'duplicate_node_id', `A node with the id "${id}" already exists.`),
    ]);
  const node: WorkflowNode = {
    id,
    type: def.type,
    typeVersion: def.version,
    config: structuredClone(input.config ?? def.defaultConfig),
    position: { x: input.position.x, y: input.position.y },
    ...(input.label === undefined ? {} : { label: input.label }),
  };
  return { ...graph, nodes: [...graph.nodes, node] };
}

export type ConnectInput = {
  source: string;
  target: string;
  /** "out" when absent. */
  sourcePort?: string;
  /** When absent, an id made from the ends ("a.out->b"). */
  id?: string;
};

/**
 * Connects a node's output port to another node. Connecting what is already connected returns the
 * graph unchanged. Ports are checked by validateWorkflow, so a half-configured condition can
 * already be wired.
 */
export function connect(graph: WorkflowGraph, input: ConnectInput): WorkflowGraph {
  const sourcePort = input.sourcePort ?? 'out';
  for (const [end, id] of [
    ['source', input.source],
    ['target', input.target],
  ] as const)
    if (!graph.nodes.some((n) => n.id === id))
      throw new ValidationFailed([
        fieldError(`/${end}`, 'unknown_node', `There is no node "${id}" to connect.`),
      ]);
  const existing = graph.edges.find(
    (e) => e.source === input.source && e.sourcePort === sourcePort && e.target === input.target,
  );
  if (existing) return graph;
  let id = input.id ?? `${input.source}.${sourcePort}->${input.target}`;
  if (graph.edges.some((e) => e.id === id)) {
    if (input.id !== undefined)
      throw new ValidationFailed([
        fieldError('/id', 'duplicate_edge_id', `An edge with the id "${id}" already exists.`),
      ]);
    const base = id;
    for (let i = 2; graph.edges.some((e) => e.id === id); i++) id = `${base}#${i}`;
  }
  const edge: WorkflowEdge = { id, source: input.source, sourcePort, target: input.target };
  return { ...graph, edges: [...graph.edges, edge] };
}

/** Removes one edge; an unknown id leaves the graph as it is. */
export function disconnect(graph: WorkflowGraph, edgeId: string): WorkflowGraph {
  if (!graph.edges.some((e) => e.id === edgeId)) return graph;
  return { ...graph, edges: graph.edges.filter((e) => e.id !== edgeId) };
}

/** Removes a node and every edge entering or leaving it; an unknown id leaves the graph as it is. */
export function removeNode(graph: WorkflowGraph, nodeId: string): WorkflowGraph {
  if (!graph.nodes.some((n) => n.id === nodeId)) return graph;
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => n.id !== nodeId),
    edges: graph.edges.filter((e) => e.source !== nodeId && e.target !== nodeId),
  };
}

/** Moves a node on the canvas. */
export function moveNode(
  graph: WorkflowGraph,
  nodeId: string,
  position: { x: number; y: number },
): WorkflowGraph {
  return mapNode(graph, nodeId, (n) => ({ ...n, position: { x: position.x, y: position.y } }));
}

/**
 * Replaces a node's config. Edges leaving from ports the new config no longer has (a deleted
 * condition branch) are left for validateWorkflow to report, so the designer can show them.
 */
export function updateNodeConfig(graph: WorkflowGraph, nodeId: string, config: unknown): WorkflowGraph {
  return mapNode(graph, nodeId, (n) => ({ ...n, config: structuredClone(config) }));
}

function mapNode(graph: WorkflowGraph, nodeId: string, f: (n: WorkflowNode) => WorkflowNode): WorkflowGraph {
  const i = graph.nodes.findIndex((n) => n.id === nodeId);
  const node = graph.nodes[i];
  if (!node)
    throw new ValidationFailed([fieldError('/nodeId', 'unknown_node', `There is no node "${nodeId}".`)]);
  const nodes = [...graph.nodes];
  nodes[i] = f(node);
  return { ...graph, nodes };
}

/** What to delete: nodes (with every edge entering or leaving them) and edges. */
export type Selection = { nodeIds?: readonly string[]; edgeIds?: readonly string[] };

/**
 * Deletes nodes and edges in one edit; a node's edges go with it. Ids the graph does not have are
 * ignored, and a deletion that finds nothing returns the graph unchanged.
 */
export function deleteElements(graph: WorkflowGraph, selection: Selection): WorkflowGraph {
  const nodeIds = new Set(selection.nodeIds ?? []);
  const edgeIds = new Set(selection.edgeIds ?? []);
  const nodes = graph.nodes.filter((n) => !nodeIds.has(n.id));
  const edges = graph.edges.filter(
    (e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target),
  );
  if (nodes.length === graph.nodes.length && edges.length === graph.edges.length) return graph;
  return { ...graph, nodes, edges };
}

/**
 * Moves several nodes at once (a multi-selection dragged, or an auto-layout). Nodes whose
 * position does not change keep their object, so a canvas can tell what moved.
 */
export function moveNodes(
  graph: WorkflowGraph,
  positions: Readonly<Record<string, { x: number; y: number }>>,
): WorkflowGraph {
  let isChanged = false;
  const nodes = graph.nodes.map((n) => {
    const p = positions[n.id];
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    isChanged = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  return isChanged ? { ...graph, nodes } : graph;
}

/** Names a node on the canvas; an empty label falls back to its type's title. */
export function setNodeLabel(graph: WorkflowGraph, nodeId: string, label: string): WorkflowGraph {
  const trimmed = label.trim();
  return mapNode(graph, nodeId, (n) => {
    const { label: _old, ...rest } = n;
    return trimmed ? { ...rest, label: trimmed } : rest;
  });
}
