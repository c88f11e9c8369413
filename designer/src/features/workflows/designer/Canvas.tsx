import {
  type ConnectionCheck,
  type NodeTypeRegistry,
  outputPortsOf,
  type PortDefinition,
  type WorkflowGraph,
  type WorkflowNode,
} from '@docket/core';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  getViewportForBounds,
  MarkerType,
  MiniMap,
  type NodeChange,
  type OnSelectionChangeParams,
  Position,
  ReactFlow,
  type ReactFlowState,
  useConnection,
  useReactFlow,
  useStore,
  ViewportPortal,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EditorCommand, EditorSelection } from '../editor/editor-store.ts';
import type { Decorations } from './decorations.ts';
import type { PlacedProblem } from './model.ts';
import {
  DETAIL_ZOOM,
  FAR_NODE_HEIGHT,
  type NodeCardContext,
  NodeCardContextValue,
  type WorkflowFlowNode,
  WorkflowNodeCard,
} from './WorkflowNodeCard.tsx';

export const NODE_TYPE_MIME = 'application/x-docket-node-type';

export type ConnectionAttemptCheck = (attempt: {
  source: string;
  sourcePort: string;
  target: string;
}) => ConnectionCheck;

export type CanvasProps = {
  graph: WorkflowGraph;
  nodeTypes: NodeTypeRegistry;
  selection: EditorSelection;
  problems: ReadonlyMap<string, PlacedProblem[]>;
  edgeProblemIds: ReadonlySet<string>;
  decorations: Decorations;
  /** Nodes and edges drawn faded beside the graph (what a diff removed); not editable. */
  ghost?: WorkflowGraph;
  isReadOnly: boolean;
  onCommand: (command: EditorCommand) => void;
  onSelect: (selection: EditorSelection) => void;
  onAddType: (type: string, position: { x: number; y: number }) => void;
  checkConnection: ConnectionAttemptCheck;
  describeRefusal: (check: Extract<ConnectionCheck, { isAllowed: false }>) => string;
  onRefused: (message: string) => void;
  connectOkText: string;
  /**
   * Called once, after the frame that first shows the drawing's nodes (or an empty drawing) was
   * painted: what the page draws beside the canvas can wait until then.
   */
  onDrawn?: () => void;
};

const rfNodeTypes = { workflow: WorkflowNodeCard };
const EMPTY: readonly PlacedProblem[] = [];
/** A node's size before it is measured (the width the card has; a typical height). */
const NODE_SIZE = { width: 240, height: 100 };
const isFarSelector = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;
const FIT = { padding: 0.15, maxZoom: 1 };

/**
 * The viewport that fits the whole drawing in a box of this size, from the nodes' positions: the
 * canvas opens fitted without first drawing every node at full size to measure it (a workflow of a
 * thousand nodes would draw them all twice).
 */
function fittedViewport(graph: WorkflowGraph, width: number, height: number) {
  if (graph.nodes.length === 0 || width === 0 || height === 0) return { x: 0, y: 0, zoom: 1 };
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const n of graph.nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + NODE_SIZE.width);
    maxY = Math.max(maxY, n.position.y + NODE_SIZE.height);
  }
  return getViewportForBounds(
    { x: minX, y: minY, width: maxX - minX, height: maxY - minY },
    width,
    height,
    0.05,
    FIT.maxZoom,
    FIT.padding,
  );
}
const ARROW = { type: MarkerType.ArrowClosed, width: 18, height: 18 } as const;

type CacheEntry = {
  src: WorkflowNode;
  problems: readonly PlacedProblem[];
  deco: unknown;
  def: unknown;
  isGhost: boolean;
  isReadOnly: boolean;
  edgesKey: string;
};

/** Output ports of a node: its type's, plus any its edges leave from that the type no longer has. */
function portsOf(
  node: WorkflowNode,
  usedPorts: readonly string[],
  nodeTypes: NodeTypeRegistry,
): PortDefinition[] {
  const def = nodeTypes.get(node.type);
  const ports = def ? outputPortsOf(def, node.config) : [];
  for (const port of usedPorts) if (!ports.some((p) => p.id === port)) ports.push({ id: port, label: port });
  return ports;
}

const NO_PORTS: readonly string[] = [];
const FAR_SIZE = { width: NODE_SIZE.width, height: FAR_NODE_HEIGHT };
/** A port's handle: 12 px square, its middle on the card's edge (designer.css). */
const HANDLE = 12;

/**
 * A node drawn as a bar (zoomed far out) before React Flow has measured it: the bar's size and its
 * ports where the card puts them (the input in the middle of the top edge, the outputs spread
 * evenly along the bottom one). React Flow then draws the node and its edges in one go, and finds
 * nothing changed when it measures the node (it would otherwise draw all the nodes, measure them
 * all, and only then draw the edges: a thousand-node workflow drawn twice). Should the card not
 * have this size, its measurement replaces this.
 */
function farNodeLayout(
  ports: readonly PortDefinition[],
  hasInput: boolean,
): Pick<WorkflowFlowNode, 'measured' | 'handles'> {
  const handles: NonNullable<WorkflowFlowNode['handles']> = ports.map((p, i) => ({
    id: p.id,
    type: 'source',
    position: Position.Bottom,
    x: (FAR_SIZE.width * (i + 0.5)) / ports.length - HANDLE / 2,
    y: FAR_SIZE.height - HANDLE / 2,
    width: HANDLE,
    height: HANDLE,
  }));
  if (hasInput)
    handles.push({
      id: 'in',
      type: 'target',
      position: Position.Top,
      x: FAR_SIZE.width / 2 - HANDLE / 2,
      y: -HANDLE / 2,
      width: HANDLE,
      height: HANDLE,
    });
  return { measured: FAR_SIZE, handles };
}

/** The ports each node's edges leave from, by node id, in the edges' order (one pass over the edges). */
function usedPortsBySource(graph: WorkflowGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = out.get(e.source);
    if (list) list.push(e.sourcePort);
    else out.set(e.source, [e.sourcePort]);
  }
  return out;
}

/** The React Flow canvas of a workflow: nodes from the graph, edits back as editor commands. */
export function Canvas(props: CanvasProps) {
  const { graph, nodeTypes, selection, problems, decorations, ghost, isReadOnly, onCommand, onSelect } =
    props;
  const [nodes, setNodes] = useState<WorkflowFlowNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const cache = useRef(new Map<string, CacheEntry>());
  const flow = useReactFlow();
  // The zoom the canvas opens at (set before the first nodes are made): a node's size before it
  // is measured is the size it will have at that zoom, so measuring it changes nothing and does
  // not make React Flow measure every node a second time.
  const openingZoom = useRef<number | undefined>(undefined);
  const latest = useRef(props);
  latest.current = props;

  // Nodes: a node whose source, problems, overlay and selection are unchanged keeps its object.
  useEffect(() => {
    const selected = new Set(selection.nodeIds);
    const all = ghost
      ? [...graph.nodes.map((n) => [n, false] as const), ...ghost.nodes.map((n) => [n, true] as const)]
      : graph.nodes.map((n) => [n, false] as const);
    const usedPorts = usedPortsBySource(graph);
    const ghostUsedPorts = ghost ? usedPortsBySource(ghost) : undefined;
    const initialHeight =
      (openingZoom.current ?? flow.getZoom()) < DETAIL_ZOOM ? FAR_NODE_HEIGHT : NODE_SIZE.height;
    setNodes((prev) => {
      // the zoom the new nodes are drawn at: the opening one for the first nodes (React Flow has
      // not taken its viewport yet)
      const isFarNow = (prev.length === 0 ? (openingZoom.current ?? 1) : flow.getZoom()) < DETAIL_ZOOM;
      const prevById = new Map(prev.map((n) => [n.id, n]));
      const next: WorkflowFlowNode[] = [];
      const seen = new Set<string>();
      for (const [n, isGhost] of all) {
        const id = isGhost ? `ghost:${n.id}` : n.id;
        if (seen.has(id)) continue;
        seen.add(id);
        const nodePorts = (isGhost ? ghostUsedPorts : usedPorts)?.get(n.id) ?? NO_PORTS;
        const def = nodeTypes.get(n.type);
        const p = isGhost ? EMPTY : (problems.get(n.id) ?? EMPTY);
        const deco = isGhost ? decorations.nodes.get(`ghost:${n.id}`) : decorations.nodes.get(n.id);
        const edgesKey = nodePorts.join('|');
        const old = prevById.get(id);
        const c = cache.current.get(id);
        const isSelected = selected.has(id);
        if (
          old &&
          c &&
          c.src === n &&
          c.problems === p &&
          c.deco === deco &&
          c.def === def &&
          c.isReadOnly === isReadOnly &&
          c.edgesKey === edgesKey &&
          Boolean(old.selected) === isSelected
        ) {
          next.push(old);
          continue;
        }
        const ports = portsOf(n, nodePorts, nodeTypes);
        const hasInput = def ? def.ports.hasInput : true;
        const measured = old?.measured ?? flow.getInternalNode(id)?.measured;
        const rf: WorkflowFlowNode = {
          ...(old ?? {}),
          id,
          type: 'workflow',
          position: c?.src === n && old?.dragging ? old.position : n.position,
          selected: isSelected,
          draggable: !isGhost && !isReadOnly,
          connectable: !isGhost && !isReadOnly,
          selectable: !isGhost,
          initialWidth: NODE_SIZE.width,
          initialHeight,
          // what React Flow measured of the node, kept with it (see onNodesChange); a node first
          // drawn as a bar has the bar's known size and ports (see farNodeLayout)
          ...(measured ? { measured, handles: undefined } : isFarNow ? farNodeLayout(ports, hasInput) : {}),
          data: {
            node: n,
            def,
            ports,
            hasInput,
            problems: p,
            deco,
          },
        };
        cache.current.set(id, { src: n, problems: p, deco, def, isGhost, isReadOnly, edgesKey });
        next.push(rf);
      }
      for (const id of cache.current.keys()) if (!seen.has(id)) cache.current.delete(id);
      return next;
    });
  }, [graph, ghost, nodeTypes, problems, decorations, selection, isReadOnly, flow]);

  // Edges, the same way.
  const edgeCache = useRef(
    new Map<string, { src: unknown; deco: unknown; isProblem: boolean; edge: Edge }>(),
  );
  useEffect(() => {
    const selected = new Set(selection.edgeIds);
    const all = [
      ...graph.edges.map((e) => [e, false] as const),
      ...(ghost ? ghost.edges.map((e) => [e, true] as const) : []),
    ];
    setEdges((prev) => {
      const prevById = new Map(prev.map((e) => [e.id, e]));
      const next: Edge[] = [];
      const seen = new Set<string>();
      for (const [e, isGhost] of all) {
        const id = isGhost ? `ghost:${e.id}` : e.id;
        if (seen.has(id)) continue;
        seen.add(id);
        const deco = decorations.edges.get(id);
        const isProblem = !isGhost && props.edgeProblemIds.has(e.id);
        const old = prevById.get(id);
        const c = edgeCache.current.get(id);
        const isSelected = selected.has(id);
        if (
          old &&
          c &&
          c.src === e &&
          c.deco === deco &&
          c.isProblem === isProblem &&
          Boolean(old.selected) === isSelected
        ) {
          next.push(old);
          continue;
        }
        const className = [deco ? `wf-edge-${deco.tone}` : '', isProblem ? 'wf-edge-problem' : ''].join(' ');
        const edge: Edge = {
          id,
          source:
            isGhost && !ghost?.nodes.some((n) => n.id === e.source)
              ? e.source
              : isGhost
                ? `ghost:${e.source}`
                : e.source,
          target:
            isGhost && !ghost?.nodes.some((n) => n.id === e.target)
              ? e.target
              : isGhost
                ? `ghost:${e.target}`
                : e.target,
          sourceHandle: e.sourcePort,
          targetHandle: 'in',
          selected: isSelected,
          selectable: !isGhost,
          animated: deco?.isAnimated ?? false,
          className,
          markerEnd: ARROW,
        };
        edgeCache.current.set(id, { src: e, deco, isProblem, edge });
        next.push(edge);
      }
      for (const id of edgeCache.current.keys()) if (!seen.has(id)) edgeCache.current.delete(id);
      return next;
    });
  }, [graph, ghost, decorations, selection, props.edgeProblemIds]);

  const onNodesChange = useCallback((changes: NodeChange<WorkflowFlowNode>[]) => {
    // A node's measured size is React Flow's own: it keeps it in its store and draws with it. The
    // node object carries it along for later changes to start from, set in place: a new object
    // for each node measured would have React Flow take in and draw all the nodes again (the
    // canvas opens with every node measured at once).
    const measured = new Map<string, { width: number; height: number }>();
    const rest: NodeChange<WorkflowFlowNode>[] = [];
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions && !c.setAttributes) measured.set(c.id, c.dimensions);
      else if (c.type !== 'remove') rest.push(c);
    }
    setNodes((nds) => {
      if (measured.size > 0)
        for (const n of nds) {
          const size = measured.get(n.id);
          if (size) n.measured = size;
        }
      return rest.length > 0 ? applyNodeChanges(rest, nds) : nds;
    });
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((eds) =>
      applyEdgeChanges(
        changes.filter((c) => c.type !== 'remove'),
        eds,
      ),
    );
  }, []);

  const onSelectionChange = useCallback(
    ({ nodes: n, edges: e }: OnSelectionChangeParams) => {
      onSelect({
        nodeIds: n.map((x) => x.id).filter((id) => !id.startsWith('ghost:')),
        edgeIds: e.map((x) => x.id).filter((id) => !id.startsWith('ghost:')),
      });
    },
    [onSelect],
  );

  const onNodeDragStop = useCallback(
    (_e: unknown, _node: WorkflowFlowNode, dragged: WorkflowFlowNode[]) => {
      const positions: Record<string, { x: number; y: number }> = {};
      for (const n of dragged)
        if (!n.id.startsWith('ghost:'))
          positions[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
      onCommand({ kind: 'move', positions });
    },
    [onCommand],
  );

  const isValidConnection = useCallback((c: Connection | Edge) => {
    if (!c.source || !c.target) return false;
    return latest.current.checkConnection({
      source: c.source,
      sourcePort: c.sourceHandle ?? 'out',
      target: c.target,
    }).isAllowed;
  }, []);

  const onConnect = useCallback(
    (c: Connection) => {
      onCommand({
        kind: 'connect',
        attempt: { source: c.source, sourcePort: c.sourceHandle ?? 'out', target: c.target },
      });
    },
    [onCommand],
  );

  const onConnectEnd = useCallback((_e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid !== false || !state.fromNode || !state.toNode) return;
    const check = latest.current.checkConnection({
      source: state.fromNode.id,
      sourcePort: state.fromHandle?.id ?? 'out',
      target: state.toNode.id,
    });
    if (!check.isAllowed) latest.current.onRefused(latest.current.describeRefusal(check));
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(NODE_TYPE_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(NODE_TYPE_MIME);
      if (!type) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      latest.current.onAddType(type, { x: Math.round(p.x - 120), y: Math.round(p.y - 30) });
    },
    [flow],
  );

  const defaultEdgeOptions = useMemo(() => ({ type: 'smoothstep' as const }), []);
  const box = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState<{ x: number; y: number; zoom: number } | undefined>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the opening viewport is computed once, from the drawing as it opens
  useLayoutEffect(() => {
    const rect = box.current?.getBoundingClientRect();
    const opening = fittedViewport(graph, rect?.width ?? 0, rect?.height ?? 0);
    openingZoom.current = opening.zoom;
    setViewport(opening);
  }, []);
  const cardContext = useNodeCardContext(useStore(isFarSelector));
  const isDrawn = viewport !== undefined && (nodes.length > 0 || graph.nodes.length === 0);
  useAfterPaint(isDrawn, props.onDrawn);
  if (!viewport) return <div ref={box} style={{ width: '100%', height: '100%' }} />;

  return (
    <NodeCardContextValue.Provider value={cardContext}>
      <ReactFlow<WorkflowFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={rfNodeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onSelectionChange={onSelectionChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        connectionRadius={36}
        nodesDraggable={!isReadOnly}
        nodesConnectable={!isReadOnly}
        onlyRenderVisibleElements
        minZoom={0.05}
        maxZoom={2}
        defaultViewport={viewport}
      >
        <Background gap={24} />
        <IdleMiniMap />
        <Controls showInteractive={false} />
        <ConnectionHint
          check={props.checkConnection}
          describe={props.describeRefusal}
          okText={props.connectOkText}
        />
      </ReactFlow>
    </NodeCardContextValue.Provider>
  );
}

const MINIMAP_STYLE = { width: 150, height: 100 };

/** Calls `then` once, in a task after the frame painted once `isReady` holds (the frame that shows it). */
function useAfterPaint(isReady: boolean, then: (() => void) | undefined): void {
  const latest = useRef(then);
  latest.current = then;
  const isDone = useRef(false);
  useEffect(() => {
    if (!isReady || isDone.current) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        isDone.current = true;
        latest.current?.();
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [isReady]);
}

/**
 * The minimap, drawn once the canvas has drawn its nodes and the page is idle: it draws every node
 * again (a thousand rectangles for a large workflow), which is no part of seeing the drawing open.
 */
function IdleMiniMap() {
  const [isShown, setShown] = useState(false);
  useEffect(() => {
    let frame = 0;
    let idle = 0;
    // after the frame that paints the nodes, then when the page has nothing else to do
    frame = requestAnimationFrame(() => {
      idle = requestIdleCallback(() => setShown(true), { timeout: 1_000 });
    });
    return () => {
      cancelAnimationFrame(frame);
      cancelIdleCallback(idle);
    };
  }, []);
  if (!isShown) return null;
  return <MiniMap pannable zoomable ariaLabel={null} position="top-right" style={MINIMAP_STYLE} />;
}

/** What the nodes share (see NodeCardContext): the zoom level's side of DETAIL_ZOOM, and the node words in the page's language. */
function useNodeCardContext(isFar: boolean): NodeCardContext {
  const { t } = useTranslation('workflows');
  // The words of each type and port, looked up once per language (not once per node drawn).
  const words = useMemo(() => {
    const titles = new Map<string, string>();
    const ports = new Map<string, string>();
    return {
      typeTitle: (def: { type: string; title: string }) => {
        const key = `${def.type}\0${def.title}`;
        let title = titles.get(key);
        if (title === undefined) {
          title = t(`nodeTypes.${def.type}.title` as 'nodeTypes.start.title', { defaultValue: def.title });
          titles.set(key, title);
        }
        return title;
      },
      portLabel: (label: string) => {
        let text = ports.get(label);
        if (text === undefined) {
          text = t(`ports.${label}` as 'ports.Next', { defaultValue: label });
          ports.set(label, text);
        }
        return text;
      },
      unknownBadge: t('nodes.unknown.badge'),
      problems: (count: number) => t('canvas.problems', { count }),
    };
  }, [t]);
  return useMemo(() => ({ isFar, ...words }), [isFar, words]);
}

/** While an edge is dragged over a node: whether it may go there, and why not. */
function ConnectionHint({
  check,
  describe,
  okText,
}: {
  check: ConnectionAttemptCheck;
  describe: CanvasProps['describeRefusal'];
  okText: string;
}) {
  const c = useConnection();
  if (!c.inProgress || !c.toNode || !c.fromNode) return null;
  const r = check({ source: c.fromNode.id, sourcePort: c.fromHandle.id ?? 'out', target: c.toNode.id });
  return (
    <ViewportPortal>
      <div
        className={r.isAllowed ? 'wf-connect-hint wf-connect-ok' : 'wf-connect-hint wf-connect-refused'}
        data-testid="connection-hint"
        style={{ transform: `translate(${c.to.x + 14}px, ${c.to.y + 14}px)` }}
      >
        {r.isAllowed ? okText : describe(r)}
      </div>
    </ViewportPortal>
  );
}
