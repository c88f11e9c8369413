import type { AnyNodeTypeDefinition, PortDefinition, WorkflowNode } from '@docket/core';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
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
  const title = node.label || def?.title || node.type;
  const color = def ? (CATEGORY_COLORS[def.category] ?? '#8c8c8c') : '#cf1322';
  const classes = [
    'wf-node',
    selected ? 'wf-node-selected' : '',
    problems.length > 0 ? 'wf-node-problem' : '',
    def ? '' : 'wf-node-unknown',
    deco?.tone ? `wf-tone-${deco.tone}` : '',
  ].join(' ');
  return (
    <div className={classes} data-testid={`wf-node-${node.id}`} title={deco?.title}>
      {data.hasInput ? (
        <Handle type="target" position={Position.Top} id="in" className="wf-handle-in" />
      ) : null}
      <div className="wf-node-head" style={{ borderTopColor: color }}>
        <span className="wf-node-title">{title}</span>
        <span className="wf-node-type">{def ? def.title : t('nodes.unknown.badge')}</span>
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
              {p.label}
            </span>
          ))}
        </div>
      ) : null}
      {ports.map((p, i) => (
        <Handle
          key={p.id}
          type="source"
          position={Position.Bottom}
          id={p.id}
          className="wf-handle-out"
          title={p.label}
          style={{ left: `${((i + 0.5) / ports.length) * 100}%` }}
        />
      ))}
    </div>
  );
});
