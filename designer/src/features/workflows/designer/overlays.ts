import { diffWorkflows, type WorkflowGraph } from '@docket/core';
import type { TFunction } from 'i18next';
import type { Decorations, EdgeDecoration, NodeDecoration } from './decorations.ts';

/*
 * Overlays turn what the server says about runs (a simulation's trace, a ticket's instance, a
 * workflow's statistics) and what changed between versions into decorations of the drawing.
 * Pure functions; the words come in as arguments.
 */

/** What the canvas shows instead of the draft for a while: a diff, a version, a simulation, a run. */
export type Overlay = {
  key: string;
  title: string;
  graph: WorkflowGraph;
  ghost?: WorkflowGraph;
  decorations: Decorations;
};

/** The words a diff overlay labels its changes with. */
export const diffWords = (t: TFunction<'workflows'>) => ({
  changed: (fields: string) => t('diff.changed', { fields }),
  added: t('diff.added'),
  removed: t('diff.removed'),
  label: t('diff.label'),
  type: t('diff.type'),
});

export type TraceStep = {
  kind?: string;
  nodeId?: string;
  tokenId?: string;
  startedAt?: string;
  endedAt?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  event?: unknown;
};

export const traceSteps = (trace: unknown): TraceStep[] =>
  (Array.isArray(trace) ? (trace as TraceStep[]) : []).filter(
    (s) => s && s.kind === 'step' && typeof s.nodeId === 'string',
  );

/** Edges a run went along: from each step to the next step of the same token (or its children). */
export function ranEdges(graph: WorkflowGraph, steps: readonly TraceStep[]): Set<string> {
  const ran = new Set<string>();
  const entered = new Set(steps.map((s) => s.nodeId));
  const pairs = new Set<string>();
  for (let i = 1; i < steps.length; i++) pairs.add(`${steps[i - 1]?.nodeId}\u0000${steps[i]?.nodeId}`);
  for (const e of graph.edges)
    if (
      pairs.has(`${e.source}\u0000${e.target}`) ||
      (entered.has(e.source) && entered.has(e.target) && isFollowed(steps, e.source, e.target))
    )
      ran.add(e.id);
  return ran;
}

function isFollowed(steps: readonly TraceStep[], from: string, to: string): boolean {
  const a = steps.findIndex((s) => s.nodeId === from);
  return a >= 0 && steps.slice(a + 1).some((s) => s.nodeId === to);
}

export type DiffWords = {
  changed: (fields: string) => string;
  added: string;
  removed: string;
  label: string;
  type: string;
};

/** The drawing of `after` with what changed since `before`: added, changed (which fields), removed as ghosts. */
export function diffOverlay(
  before: WorkflowGraph,
  after: WorkflowGraph,
  words: DiffWords,
): {
  graph: WorkflowGraph;
  ghost: WorkflowGraph;
  decorations: Decorations;
  counts: { added: number; removed: number; changed: number; edgesAdded: number; edgesRemoved: number };
} {
  const d = diffWorkflows(before, after);
  const nodes = new Map<string, NodeDecoration>();
  const edges = new Map<string, EdgeDecoration>();
  for (const n of d.nodes.added) nodes.set(n.id, { tone: 'added', badges: [words.added] });
  for (const c of d.nodes.changed) {
    const fields = [
      ...c.configPaths.map((p) => p.replace(/^\//, '').replace(/\//g, '.')),
      ...(c.isLabelChanged ? [words.label] : []),
      ...(c.isTypeChanged ? [words.type] : []),
    ];
    nodes.set(c.id, {
      tone: 'changed',
      badges: [words.changed(fields.join(', '))],
      title: fields.join('\n'),
    });
  }
  for (const n of d.nodes.removed) nodes.set(`ghost:${n.id}`, { tone: 'removed', badges: [words.removed] });
  for (const e of d.edges.added) edges.set(e.id, { tone: 'added' });
  for (const e of d.edges.removed) edges.set(`ghost:${e.id}`, { tone: 'removed' });
  // removed edges keep their ends: a removed node is drawn where it was
  const ghost: WorkflowGraph = { nodes: d.nodes.removed, edges: d.edges.removed };
  return {
    graph: after,
    ghost,
    decorations: { nodes, edges },
    counts: {
      added: d.nodes.added.length,
      removed: d.nodes.removed.length,
      changed: d.nodes.changed.length,
      edgesAdded: d.edges.added.length,
      edgesRemoved: d.edges.removed.length,
    },
  };
}

/** A simulation (or a run) replayed up to step `upTo`: the nodes done, the one being entered, the edges taken. */
export function pathOverlay(input: {
  graph: WorkflowGraph;
  steps: readonly TraceStep[];
  upTo: number;
  badgesOf: (nodeId: string, steps: TraceStep[]) => string[];
  waitingAt?: readonly string[];
  failedAt?: readonly string[];
}): Decorations {
  const shown = input.steps.slice(0, input.upTo + 1);
  const nodes = new Map<string, NodeDecoration>();
  const byNode = new Map<string, TraceStep[]>();
  for (const s of shown) {
    const list = byNode.get(s.nodeId as string) ?? [];
    list.push(s);
    byNode.set(s.nodeId as string, list);
  }
  const current = shown.at(-1)?.nodeId;
  for (const [id, steps] of byNode)
    nodes.set(id, {
      tone: input.failedAt?.includes(id)
        ? 'failed'
        : input.waitingAt?.includes(id)
          ? 'waiting'
          : id === current && input.upTo < input.steps.length - 1
            ? 'current'
            : 'ran',
      badges: input.badgesOf(id, steps),
    });
  for (const n of input.graph.nodes) if (!nodes.has(n.id)) nodes.set(n.id, { tone: 'idle' });
  const edges = new Map<string, EdgeDecoration>();
  for (const id of ranEdges(input.graph, shown)) edges.set(id, { tone: 'ran', isAnimated: true });
  return { nodes, edges };
}
