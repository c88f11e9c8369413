import type {
  AnyNodeTypeDefinition,
  NodeCategory,
  NodeTypeRegistry,
  PortDefinition,
  WorkflowEdge,
  WorkflowGraph,
  WorkflowNode,
} from '@docket/core';
import { type FragmentOf, type ResultOf, readFragment } from '../../../graphql/graphql.ts';
import { type NodeTypeFields, ProblemFields } from './operations.ts';

/** A node type as the server describes it (workflowNodeTypes), the core's and plugins' alike. */
export type ServerNodeType = ResultOf<typeof NodeTypeFields>;

/** A node type served by the API as the core's definition shape, so the core's graph edits take it. */
export function definitionOf(row: ServerNodeType): AnyNodeTypeDefinition & { source: string } {
  const output =
    row.outputSchema != null
      ? { output: { schema: row.outputSchema as Record<string, unknown> } }
      : row.outputConfigPointer
        ? { output: { configPointer: row.outputConfigPointer } }
        : {};
  return {
    type: row.type ?? '',
    version: row.version ?? 1,
    title: row.title ?? row.type ?? '',
    ...(row.description ? { description: row.description } : {}),
    category: (row.category ?? 'action') as NodeCategory,
    configSchema: (row.configSchema ?? { type: 'object' }) as Record<string, unknown>,
    defaultConfig: row.defaultConfig ?? {},
    ports: {
      hasInput: row.hasInput ?? true,
      outputs: (row.outputs ?? []).map(
        (p): PortDefinition => ({
          id: p.id ?? '',
          label: p.label ?? p.id ?? '',
          ...(p.isRequired ? { isRequired: true } : {}),
          ...(p.allowsMany ? { allowsMany: true } : {}),
        }),
      ),
      ...(row.dynamicOutputs
        ? {
            dynamicOutputs: {
              pointer: row.dynamicOutputs.pointer ?? '',
              idProperty: row.dynamicOutputs.idProperty ?? 'id',
              ...(row.dynamicOutputs.labelProperty
                ? { labelProperty: row.dynamicOutputs.labelProperty }
                : {}),
              ...(row.dynamicOutputs.isRequired ? { isRequired: true } : {}),
            },
          }
        : {}),
    },
    isWaiting: row.isWaiting ?? false,
    ...output,
    migrations: [],
    source: row.source ?? 'core',
  };
}

export function registryOf(rows: readonly ServerNodeType[]): NodeTypeRegistry {
  return new Map(rows.map((r) => [r.type ?? '', definitionOf(r)]));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A graph read from JSON (the server's draft, a version, a copy kept in this browser). Anything
 * that is not a node or an edge is left out; nodes of any type are kept, known or not.
 */
export function graphOf(json: unknown): WorkflowGraph {
  if (!isObject(json)) return { nodes: [], edges: [] };
  const nodes: WorkflowNode[] = (Array.isArray(json.nodes) ? json.nodes : []).flatMap((n: unknown) => {
    if (!isObject(n) || typeof n.id !== 'string' || typeof n.type !== 'string') return [];
    const p = isObject(n.position) ? n.position : {};
    return [
      {
        id: n.id,
        type: n.type,
        typeVersion: typeof n.typeVersion === 'number' ? n.typeVersion : 1,
        config: n.config ?? {},
        position: { x: Number(p.x) || 0, y: Number(p.y) || 0 },
        ...(typeof n.label === 'string' && n.label ? { label: n.label } : {}),
      },
    ];
  });
  const edges: WorkflowEdge[] = (Array.isArray(json.edges) ? json.edges : []).flatMap((e: unknown) => {
    if (
      !isObject(e) ||
      typeof e.id !== 'string' ||
      typeof e.source !== 'string' ||
      typeof e.target !== 'string'
    )
      return [];
    return [
      {
        id: e.id,
        source: e.source,
        sourcePort: typeof e.sourcePort === 'string' ? e.sourcePort : 'out',
        target: e.target,
      },
    ];
  });
  return { nodes, edges };
}

/** A problem of the draft, placed: on a node (and a field of its config) or on an edge. */
export type PlacedProblem = {
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  /** A JSON pointer into the node's config ("/assignee/teamId"); absent for the node as a whole. */
  configPath?: string;
};

/**
 * The server's draftProblems placed on the graph they were computed for: `/nodes/3/config/x`
 * names node 3's field x, `/edges/2` the third edge.
 */
export function placeProblems(
  problems: readonly FragmentOf<typeof ProblemFields>[],
  graph: WorkflowGraph,
): PlacedProblem[] {
  return problems.map((masked) => {
    const p = readFragment(ProblemFields, masked);
    const path = p.path ?? '';
    const base = { code: p.code ?? '', message: p.message ?? '' };
    const config = /^(?:\/graph)?\/nodes\/(\d+)\/config(\/.*)?$/.exec(path);
    const edge = /^(?:\/graph)?\/edges\/(\d+)/.exec(path);
    const nodeId = p.nodeId ?? undefined;
    if (config) {
      const node = graph.nodes[Number(config[1])];
      return { ...base, nodeId: nodeId ?? node?.id, configPath: config[2] ?? '' };
    }
    if (edge) {
      const e = graph.edges[Number(edge[1])];
      return { ...base, ...(nodeId ? { nodeId } : {}), ...(e ? { edgeId: e.id } : {}) };
    }
    return { ...base, ...(nodeId ? { nodeId } : {}) };
  });
}

/** Problems by node id (and those of no node under ''). */
export function problemsByNode(problems: readonly PlacedProblem[]): Map<string, PlacedProblem[]> {
  const out = new Map<string, PlacedProblem[]>();
  for (const p of problems) {
    const key = p.nodeId ?? '';
    const list = out.get(key);
    if (list) list.push(p);
    else out.set(key, [p]);
  }
  return out;
}
