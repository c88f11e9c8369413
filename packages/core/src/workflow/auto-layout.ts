import { type NodeTypeRegistry, outputPortsOf } from './define-node-type.ts';
import type { WorkflowGraph } from './graph.ts';
import { moveNodes } from './graph-edits.ts';
import { coreNodeTypeRegistry } from './node-types.ts';

/*
 * Auto-layout in two pure halves around a layered-graph layout engine (the designer runs elkjs):
 * layoutInput turns a workflow into the engine's JSON graph, applyLayout reads the positions back
 * as one edit. Neither knows the engine's code, so both are tested without it.
 */

export type LayoutPort = { id: string; layoutOptions?: Record<string, string> };
export type LayoutNode = {
  id: string;
  width: number;
  height: number;
  x?: number;
  y?: number;
  ports?: LayoutPort[];
  layoutOptions?: Record<string, string>;
};
export type LayoutEdge = { id: string; sources: string[]; targets: string[] };
/** ELK's JSON graph format (the subset a workflow needs). */
export type LayoutGraph = {
  id: string;
  layoutOptions: Record<string, string>;
  children: LayoutNode[];
  edges: LayoutEdge[];
};

export type LayoutInputOptions = {
  /** Each node's size on the canvas; 240 x 96 when unknown. */
  sizeOf?: (nodeId: string) => { width: number; height: number } | undefined;
  nodeTypes?: NodeTypeRegistry;
  /** Space between layers (rows) and between nodes of a row. */
  spacing?: { layers: number; nodes: number };
};

const DEFAULT_SIZE = { width: 240, height: 96 };

/** Port ids as the layout sees them: unique in the whole graph. */
export const layoutPortId = (nodeId: string, portId: string): string => `${nodeId}\u0000${portId}`;

/**
 * The workflow as a top-to-bottom layered graph: every node with its size, its output ports in
 * the order the node shows them (so a condition's branches stay left to right in their order),
 * and every edge between nodes that exist. Edges from ports a node no longer has still count.
 */
export function layoutInput(graph: WorkflowGraph, options: LayoutInputOptions = {}): LayoutGraph {
  const nodeTypes = options.nodeTypes ?? coreNodeTypeRegistry;
  const spacing = options.spacing ?? { layers: 72, nodes: 56 };
  const ids = new Set(graph.nodes.map((n) => n.id));
  const children: LayoutNode[] = graph.nodes.map((n) => {
    const size = options.sizeOf?.(n.id) ?? DEFAULT_SIZE;
    const def = nodeTypes.get(n.type);
    const portIds = def ? outputPortsOf(def, n.config).map((p) => p.id) : [];
    for (const e of graph.edges)
      if (e.source === n.id && !portIds.includes(e.sourcePort)) portIds.push(e.sourcePort);
    return {
      id: n.id,
      width: size.width,
      height: size.height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
      ports: portIds.map((p, i) => ({
        id: layoutPortId(n.id, p),
        layoutOptions: { 'elk.port.side': 'SOUTH', 'elk.port.index': String(portIds.length - 1 - i) },
      })),
    };
  });
  const edges: LayoutEdge[] = graph.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target)
    .map((e) => ({ id: e.id, sources: [layoutPortId(e.source, e.sourcePort)], targets: [e.target] }));
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(spacing.layers),
      'elk.spacing.nodeNode': String(spacing.nodes),
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
    },
    children,
    edges,
  };
}

/**
 * Moves every node the layout placed to its position (rounded to whole pixels), as one edit.
 * Nodes the layout left out keep their place.
 */
export function applyLayout(graph: WorkflowGraph, laidOut: Pick<LayoutGraph, 'children'>): WorkflowGraph {
  const positions: Record<string, { x: number; y: number }> = {};
  for (const c of laidOut.children)
    if (typeof c.x === 'number' && typeof c.y === 'number' && Number.isFinite(c.x) && Number.isFinite(c.y))
      positions[c.id] = { x: Math.round(c.x), y: Math.round(c.y) };
  return moveNodes(graph, positions);
}
