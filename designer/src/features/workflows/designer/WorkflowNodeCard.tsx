import type { AnyNodeTypeDefinition, PortDefinition, WorkflowNode } from '@docket/core';
import { Handle, type Node, type NodeProps, Position, type ReactFlowState, useStore } from '@xyflow/react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
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
const isFarSelector = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;

/**
 * A node on the canvas: its type's colour and title, its view's lines, its problems, what an
 * overlay says of it, an input at the top and its output ports along the bottom. Memoised: while
 * one node is dragged, the others do not render again.
 */
export const WorkflowNodeCard = memo(function WorkflowNodeCard({
  data,
  selected,
}: NodeProps<WorkflowFlowNode>) {
  const { t } = useTranslation('workflows');
  const { node, def, ports, problems, deco } = data;
  const View = viewOf(node.type);
  const isCore = (def as { source?: string } | undefined)?.source === 'core';
  const typeTitle = def
    ? isCore
      ? t(`nodeTypes.${def.type}.title` as 'nodeTypes.start.title', { defaultValue: def.title })
      : def.title
    : '';
  const title = node.label || typeTitle || node.type;
  const color = def ? (CATEGORY_COLORS[def.category] ?? '#8c8c8c') : '#cf1322';
  const isFar = useStore(isFarSelector);
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
      <div className={classes} data-testid={`wf-node-${node.id}`}>
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
        <span className="wf-node-type">{def ? typeTitle : t('nodes.unknown.badge')}</span>
      </div>
      <div className="wf-node-body">
        <View node={node} def={def} />
      </div>
      {problems.length > 0 ? (
        <div className="wf-node-problems" data-testid={`wf-node-problems-${node.id}`}>
          {t('canvas.problems', { count: problems.length })}: {problems[0]?.message}
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
              {isCore ? t(`ports.${p.label}` as 'ports.Next', { defaultValue: p.label }) : p.label}
            </span>
          ))}
        </div>
      ) : null}
      {outputs}
    </div>
  );
});
