/**
 * What an overlay adds to the drawing: a tone for a node or an edge (a diff's added, removed and
 * changed; a run's or a simulation's steps) and short badges (times, who acted, waiting counts).
 */
export type NodeTone =
  | 'added'
  | 'removed'
  | 'changed'
  | 'ran'
  | 'waiting'
  | 'failed'
  | 'current'
  | 'hot'
  | 'idle';
export type NodeDecoration = { tone?: NodeTone; badges?: string[]; title?: string };
export type EdgeTone = 'added' | 'removed' | 'ran' | 'current';
export type EdgeDecoration = { tone: EdgeTone; isAnimated?: boolean };

export type Decorations = {
  nodes: ReadonlyMap<string, NodeDecoration>;
  edges: ReadonlyMap<string, EdgeDecoration>;
};

export const NO_DECORATIONS: Decorations = { nodes: new Map(), edges: new Map() };

/** A compact duration: 45 s, 12 min, 3.5 h, 2.1 d. */
export function shortDuration(
  seconds: number,
  units: { s: string; min: string; h: string; d: string },
): string {
  if (seconds < 60) return `${Math.round(seconds)} ${units.s}`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} ${units.min}`;
  if (seconds < 86_400) return `${Math.round((seconds / 3_600) * 10) / 10} ${units.h}`;
  return `${Math.round((seconds / 86_400) * 10) / 10} ${units.d}`;
}
