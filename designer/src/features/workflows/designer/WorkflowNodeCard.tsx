import type { AnyNodeTypeDefinition, PortDefinition, WorkflowNode } from '@docket/core';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { createContext, memo, useContext } from 'react';
import { viewOf } from '../node-views/core-views.tsx';
import type { NodeDecoration } from './decorations.ts';
import type { PlacedProblem } from './model.ts';

export type WorkflowNodeData = {
  node: WorkflowNode;
  def: AnyNodeTypeDefinition | undefined;
  ports: PortDefinition[];
  hasInput: boolean;
  problems: readonly PlacedProblem[];
  deco: NodeDecoration | undefined;
};

export type WorkflowFlowNode = Node<WorkflowNodeData, 'workflow'>;

const CATEGORY_COLORS: Record<string, string> = {
  trigger: '#52c41a',
  human: '#1677ff',
  logic: '#fa8c16',
  flow: '#722ed1',
  action: '#13c2c2',
  end: '#595959',
};

/** Below this zoom a node's text is unreadable: it is drawn as a coloured bar with its name. */
export const DETAIL_ZOOM = 0.45;
/** A node's height drawn as a bar (zoomed far out); its width is the card's, 240 px (designer.css). */
export const FAR_NODE_HEIGHT = 96;
const FAR_STYLE = { height: FAR_NODE_HEIGHT } as const;

/**
 * What every node on the canvas shares: whether the view is zoomed far out, and the words nodes
 * are labelled with. The canvas provides it once, so a thousand nodes do not each subscribe to the
 * zoom and to the language (a node draws again only when the zoom crosses DETAIL_ZOOM).
 */
export type NodeCardContext = {
  isFar: boolean;
  typeTitle: (def: AnyNodeTypeDefinition) => string;
  portLabel: (label: string) => string;
  unknownBadge: string;
  problems: (count: number) => string;
};

export const NodeCardContextValue = createContext<NodeCardContext>({
  isFar: false,
  typeTitle: (def) => def.title,
  portLabel: (label) => label,
  unknownBadge: '?',
  problems: (count) => String(count),
});

/**
 * A node on the canvas: its type's colour and title, its view's lines, its problems, what an
 * overlay says of it, an input at the top and its output ports along the bottom. Memoised: while
 * one node is dragged, the others do not render again.
 */
export const WorkflowNodeCard = memo(function WorkflowNodeCard({
  data,
  selected,
}: NodeProps<WorkflowFlowNode>) {
  const shared = useContext(NodeCardContextValue);
  const { isFar } = shared;
  const { node, def, ports, problems, deco } = data;
  const View = viewOf(node.type);
  const isCore = (def as { source?: string } | undefined)?.source === 'core';
  const typeTitle = def ? (isCore ? shared.typeTitle(def) : def.title) : '';
  const title = node.label || typeTitle || node.type;
  const color = def ? (CATEGORY_COLORS[def.category] ?? '#8c8c8c') : '#cf1322';
  const classes = [
    'wf-node',
    isFar ? 'wf-node-far' : '',
    selected ? 'wf-node-selected' : '',
    problems.length > 0 ? 'wf-node-problem' : '',
    def ? '' : 'wf-node-unknown',
    deco?.tone ? `wf-tone-${deco.tone}` : '',
  ].join(' ');
  const outputs = ports.map((p, i) => (
    <Handle
      key={p.id}
      type="source"
      position={Position.Bottom}
      id={p.id}
      className="wf-handle-out"
      title={p.label}
      style={{ left: `${((i + 0.5) / ports.length) * 100}%` }}
    />
  ));
  if (isFar)
    // Zoomed far out (a whole large workflow in view): the name only, the same ports.
    return (
      <div className={classes} style={FAR_STYLE} data-testid={`wf-node-${node.id}`}>
        {data.hasInput ? (
          <Handle type="target" position={Position.Top} id="in" className="wf-handle-in" />
        ) : null}
        <div className="wf-node-head" style={{ borderTopColor: color }}>
          <span className="wf-node-title">{title}</span>
        </div>
        {outputs}
      </div>
    );
  return (
    <div className={classes} data-testid={`wf-node-${node.id}`} title={deco?.title}>
      {data.hasInput ? (
        <Handle type="target" position={Position.Top} id="in" className="wf-handle-in" />
      ) : null}
      <div className="wf-node-head" style={{ borderTopColor: color }}>
        <span className="wf-node-title">{title}</span>
        <span className="wf-node-type">{def ? typeTitle : shared.unknownBadge}</span>
      </div>
      <div className="wf-node-body">
        <View node={node} def={def} />
      </div>
      {problems.length > 0 ? (
        <div className="wf-node-problems" data-testid={`wf-node-problems-${node.id}`}>
          {shared.problems(problems.length)}: {problems[0]?.message}
        </div>
      ) : null}
      {deco?.badges?.length ? (
        <div className="wf-node-badges">
          {deco.badges.map((b) => (
            <span key={b} className="wf-node-badge">
              {b}
            </span>
          ))}
        </div>
      ) : null}
      {ports.length > 0 ? (
        <div className="wf-node-ports">
          {ports.map((p) => (
            <span key={p.id} className="wf-node-port">
              {isCore ? shared.portLabel(p.label) : p.label}
            </span>
          ))}
        </div>
      ) : null}
      {outputs}
    </div>
  );
});
