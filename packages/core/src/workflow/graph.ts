/** A workflow as the designer saves it: nodes and the edges between their ports. Plain JSON. */
export type WorkflowGraph = {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
};

export type WorkflowNode = {
  /** Unique in the graph; conditions read a step's output as `steps.<id>`, so prefer identifiers. */
  id: string;
  type: string;
  /** The config version of the node type this config was saved with. */
  typeVersion: number;
  config: unknown;
  position: { x: number; y: number };
  /** The name the designer shows; the node type's title when absent. */
  label?: string;
};

export type WorkflowEdge = {
  id: string;
  source: string;
  /** An output port of the source node ("out", a condition branch id, "else", "error" …). */
  sourcePort: string;
  target: string;
};

/** Edges leaving each node, in graph order. */
export function outgoingEdges(graph: WorkflowGraph): Map<string, WorkflowEdge[]> {
  const out = new Map<string, WorkflowEdge[]>();
  for (const e of graph.edges) {
    const list = out.get(e.source);
    if (list) list.push(e);
    else out.set(e.source, [e]);
  }
  return out;
}

/** Edges entering each node, in graph order. */
export function incomingEdges(graph: WorkflowGraph): Map<string, WorkflowEdge[]> {
  const inc = new Map<string, WorkflowEdge[]>();
  for (const e of graph.edges) {
    const list = inc.get(e.target);
    if (list) list.push(e);
    else inc.set(e.target, [e]);
  }
  return inc;
}
