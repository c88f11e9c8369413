import {
  type AddNodeInput,
  addNode,
  applyLayout,
  type ConnectionAttempt,
  connectChecked,
  deleteElements,
  type LayoutGraph,
  moveNodes,
  type NodeTypeRegistry,
  pasteFragment,
  type Selection,
  setNodeLabel,
  updateNodeConfig,
  type WorkflowFragment,
  type WorkflowGraph,
} from '@docket/core';

/*
 * One workflow editor's state: the graph being drawn and what is selected, changed only through
 * commands. Each command runs the pure graph edits of @docket/core; undo puts back the graph the
 * command started from, redo replays the command. Framework-free (React reads it through
 * useSyncExternalStore), so its rules are tested without a browser.
 */

export type EditorCommand =
  | { kind: 'add_node'; input: AddNodeInput }
  | { kind: 'connect'; attempt: ConnectionAttempt }
  | { kind: 'delete'; selection: Selection }
  | { kind: 'move'; positions: Record<string, { x: number; y: number }> }
  | { kind: 'update_config'; nodeId: string; config: unknown }
  | { kind: 'set_label'; nodeId: string; label: string }
  | { kind: 'paste'; fragment: Pick<WorkflowFragment, 'nodes' | 'edges'>; offset: { x: number; y: number } }
  | { kind: 'layout'; laidOut: Pick<LayoutGraph, 'children'> }
  /** Replaces the whole graph: a version reverted to, another admin's draft taken. */
  | { kind: 'replace'; graph: WorkflowGraph; reason: 'revert' | 'theirs' | 'restore' };

export type EditorSelection = { nodeIds: string[]; edgeIds: string[] };

export type EditorState = {
  graph: WorkflowGraph;
  selection: EditorSelection;
  canUndo: boolean;
  canRedo: boolean;
  /** Grows with every change of the graph (commands, undo, redo, load). */
  revision: number;
};

type HistoryEntry = {
  command: EditorCommand;
  before: WorkflowGraph;
  selectionBefore: EditorSelection;
  at: number;
};

/** What a command did: the new graph and what to select afterwards (a pasted or added node). */
export function applyCommand(
  graph: WorkflowGraph,
  command: EditorCommand,
  nodeTypes: NodeTypeRegistry,
): { graph: WorkflowGraph; select?: EditorSelection } {
  switch (command.kind) {
    case 'add_node': {
      const next = addNode(graph, command.input, nodeTypes);
      const added = next.nodes.at(-1);
      return { graph: next, select: { nodeIds: added ? [added.id] : [], edgeIds: [] } };
    }
    case 'connect':
      return { graph: connectChecked(graph, command.attempt, nodeTypes) };
    case 'delete':
      return { graph: deleteElements(graph, command.selection), select: { nodeIds: [], edgeIds: [] } };
    case 'move':
      return { graph: moveNodes(graph, command.positions) };
    case 'update_config':
      return { graph: updateNodeConfig(graph, command.nodeId, command.config) };
    case 'set_label':
      return { graph: setNodeLabel(graph, command.nodeId, command.label) };
    case 'paste': {
      const r = pasteFragment(graph, command.fragment, { offset: command.offset, nodeTypes });
      return { graph: r.graph, select: { nodeIds: r.nodeIds, edgeIds: [] } };
    }
    case 'layout':
      return { graph: applyLayout(graph, command.laidOut) };
    case 'replace':
      return { graph: command.graph, select: { nodeIds: [], edgeIds: [] } };
  }
}

/** Config edits of one node within this long of each other undo as one step (typing a title). */
export const COALESCE_MS = 1_500;
const HISTORY_LIMIT = 200;

export class EditorStore {
  private state: EditorState;
  private past: HistoryEntry[] = [];
  private future: HistoryEntry[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    graph: WorkflowGraph,
    private nodeTypes: NodeTypeRegistry,
    private readonly now: () => number = Date.now,
  ) {
    this.state = {
      graph,
      selection: { nodeIds: [], edgeIds: [] },
      canUndo: false,
      canRedo: false,
      revision: 0,
    };
  }

  getState = (): EditorState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  setNodeTypes(nodeTypes: NodeTypeRegistry): void {
    this.nodeTypes = nodeTypes;
  }

  /**
   * Runs a command. A command the graph refuses (a connection against the port rules, a node id
   * taken) throws ValidationFailed with the reason, and changes nothing. A command that changes
   * nothing is not recorded.
   */
  dispatch(command: EditorCommand): void {
    const before = this.state.graph;
    const result = applyCommand(before, command, this.nodeTypes);
    if (result.graph === before && !result.select) return;
    const last = this.past.at(-1);
    const at = this.now();
    const isCoalesced =
      command.kind === 'update_config' &&
      last?.command.kind === 'update_config' &&
      last.command.nodeId === command.nodeId &&
      at - last.at < COALESCE_MS &&
      this.future.length === 0;
    if (result.graph !== before) {
      if (isCoalesced && last) {
        last.command = command;
        last.at = at;
      } else {
        this.past.push({ command, before, selectionBefore: this.state.selection, at });
        if (this.past.length > HISTORY_LIMIT) this.past.shift();
      }
      this.future = [];
    }
    this.set({
      graph: result.graph,
      selection: result.select
        ? this.keepExisting(result.select, result.graph)
        : this.keepExisting(this.state.selection, result.graph),
    });
  }

  undo(): void {
    const entry = this.past.pop();
    if (!entry) return;
    this.future.push(entry);
    this.set({ graph: entry.before, selection: this.keepExisting(entry.selectionBefore, entry.before) });
  }

  /** Replays the command undone last on the graph as it is now. */
  redo(): void {
    const entry = this.future.pop();
    if (!entry) return;
    const result = applyCommand(this.state.graph, entry.command, this.nodeTypes);
    this.past.push({
      ...entry,
      before: this.state.graph,
      selectionBefore: this.state.selection,
      at: this.now(),
    });
    this.set({
      graph: result.graph,
      selection: this.keepExisting(result.select ?? this.state.selection, result.graph),
    });
  }

  select(selection: EditorSelection): void {
    const same =
      sameIds(selection.nodeIds, this.state.selection.nodeIds) &&
      sameIds(selection.edgeIds, this.state.selection.edgeIds);
    if (same) return;
    this.state = { ...this.state, selection };
    this.emit();
  }

  /** Starts over from a graph (loaded from the server): history is cleared. */
  load(graph: WorkflowGraph): void {
    this.past = [];
    this.future = [];
    this.set({ graph, selection: { nodeIds: [], edgeIds: [] } });
  }

  private set(next: { graph: WorkflowGraph; selection: EditorSelection }): void {
    this.state = {
      graph: next.graph,
      selection: next.selection,
      canUndo: this.past.length > 0,
      canRedo: this.future.length > 0,
      revision: this.state.revision + (next.graph === this.state.graph ? 0 : 1),
    };
    this.emit();
  }

  private keepExisting(selection: EditorSelection, graph: WorkflowGraph): EditorSelection {
    const nodes = new Set(graph.nodes.map((n) => n.id));
    const edges = new Set(graph.edges.map((e) => e.id));
    return {
      nodeIds: selection.nodeIds.filter((id) => nodes.has(id)),
      edgeIds: selection.edgeIds.filter((id) => edges.has(id)),
    };
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

const sameIds = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
