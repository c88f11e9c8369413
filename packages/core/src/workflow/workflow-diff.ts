import { escapePointerToken } from './define-node-type.ts';
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from './graph.ts';

/** How a node differs between two versions: which config fields (JSON pointers) and what else. */
export type NodeChange = {
  id: string;
  /** Config fields added, removed or changed, as JSON pointers into the config ("/assignee/teamId"). */
  configPaths: string[];
  isTypeChanged: boolean;
  isLabelChanged: boolean;
  isMoved: boolean;
};

export type WorkflowDiff = {
  nodes: {
    /** In `after` only. */
    added: WorkflowNode[];
    /** In `before` only. */
    removed: WorkflowNode[];
    /** In both, different in type, label or config (moves alone are listed in `moved`). */
    changed: NodeChange[];
    /** In both, only at another place on the canvas. */
    moved: string[];
  };
  edges: {
    added: WorkflowEdge[];
    removed: WorkflowEdge[];
  };
  /** Whether anything but positions differs. */
  hasChanges: boolean;
};

/**
 * What changed from one version of a workflow to another. Nodes pair up by id; edges pair up by
 * what they connect (source, port, target), so an edge drawn again under a new id is unchanged.
 */
export function diffWorkflows(before: WorkflowGraph, after: WorkflowGraph): WorkflowDiff {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const added = after.nodes.filter((n) => !beforeNodes.has(n.id));
  const removed = before.nodes.filter((n) => !afterNodes.has(n.id));
  const changed: NodeChange[] = [];
  const moved: string[] = [];
  for (const a of after.nodes) {
    const b = beforeNodes.get(a.id);
    if (!b) continue;
    const configPaths = diffPaths(b.config, a.config, '');
    const isTypeChanged = a.type !== b.type || a.typeVersion !== b.typeVersion;
    const isLabelChanged = (a.label ?? '') !== (b.label ?? '');
    const isMoved = a.position.x !== b.position.x || a.position.y !== b.position.y;
    if (configPaths.length > 0 || isTypeChanged || isLabelChanged)
      changed.push({ id: a.id, configPaths, isTypeChanged, isLabelChanged, isMoved });
    else if (isMoved) moved.push(a.id);
  }
  const key = (e: WorkflowEdge) => `${e.source}\u0000${e.sourcePort}\u0000${e.target}`;
  const beforeEdges = new Set(before.edges.map(key));
  const afterEdges = new Set(after.edges.map(key));
  const edges = {
    added: after.edges.filter((e) => !beforeEdges.has(key(e))),
    removed: before.edges.filter((e) => !afterEdges.has(key(e))),
  };
  return {
    nodes: { added, removed, changed, moved },
    edges,
    hasChanges:
      added.length + removed.length + changed.length + edges.added.length + edges.removed.length > 0,
  };
}

/** JSON pointers where two JSON values differ: the deepest object key or array item that differs. */
export function diffPaths(before: unknown, after: unknown, at: string): string[] {
  if (Object.is(before, after)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      if (i >= before.length || i >= after.length) out.push(`${at}/${i}`);
      else out.push(...diffPaths(before[i], after[i], `${at}/${i}`));
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const out: string[] = [];
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const k of [...keys].sort()) {
      const path = `${at}/${escapePointerToken(k)}`;
      if (!(k in before) || !(k in after)) out.push(path);
      else out.push(...diffPaths(before[k], after[k], path));
    }
    return out;
  }
  return [at];
}
