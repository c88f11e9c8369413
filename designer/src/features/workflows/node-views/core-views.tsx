import {
  type AssigneeRule,
  assignNode,
  type ConditionConfig,
  conditionNode,
  endNode,
  followUpNode,
  type HttpRequestConfig,
  httpRequestNode,
  humanStepNode,
  type NotifyConfig,
  notifyNode,
  type ParallelJoinConfig,
  parallelJoinNode,
  parallelSplitNode,
  type SetFieldsConfig,
  type StartConfig,
  type SubWorkflowConfig,
  setFieldsNode,
  startNode,
  subWorkflowNode,
  type TimeLimit,
  type TimerConfig,
  timerNode,
} from '@docket/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { defineNodeView, type NodeViewProps, nodeViewRegistry } from './define-node-view.ts';
import { channelText, useNodeLabels } from './node-labels.ts';

/*
 * The designer's view of each core node type: a few lines that say what the node does with its
 * current config, so the drawing reads without opening the inspector. Configs are read
 * defensively: a draft may be half-filled.
 */

type WorkflowsT = TFunction<'workflows'>;

const Line = ({ children, isMuted }: { children: React.ReactNode; isMuted?: boolean }) => (
  <div className={isMuted ? 'wf-node-line wf-node-line-muted' : 'wf-node-line'}>{children}</div>
);

const Cel = ({ text }: { text: string | undefined }) => <code className="wf-node-cel">{text || '—'}</code>;

const cfg = <T,>(node: NodeViewProps['node']): Partial<T> =>
  (node.config && typeof node.config === 'object' ? node.config : {}) as Partial<T>;

export function assigneeText(t: WorkflowsT, a: Partial<AssigneeRule> | undefined): string {
  if (!a?.kind) return t('nodes.assignee.none');
  switch (a.kind) {
    case 'user':
      return t('nodes.assignee.user', { who: a.userId || '?' });
    case 'role':
      return t('nodes.assignee.role', { who: a.roleId || '?' });
    case 'org_unit':
      return t('nodes.assignee.orgUnit', { who: a.orgUnitId || '?' });
    case 'team': {
      const how = a.strategy ? t(`nodes.assignee.strategy.${a.strategy}`) : t('nodes.assignee.strategy.none');
      const skills = a.skills?.length ? t('nodes.assignee.skills', { skills: a.skills.join(', ') }) : '';
      return `${t('nodes.assignee.team', { who: a.teamId || '?', how })}${skills}`;
    }
  }
}

function durationText(t: WorkflowsT, d: Partial<TimeLimit> | undefined): string {
  if (!d?.amount || !d.unit) return '';
  const unit = t(`nodes.units.${d.unit}`, { count: d.amount });
  return t(d.time === 'calendar' ? 'nodes.duration.calendar' : 'nodes.duration.business', {
    amount: d.amount,
    unit,
  });
}

function StartView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  const c = cfg<StartConfig>(node);
  return (
    <Line>
      {c.trigger === 'event'
        ? t('nodes.start.event', { name: c.eventName || '?' })
        : t('nodes.start.ticketCreated')}
    </Line>
  );
}

function HumanStepView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  const c = cfg<{ title: string; assignee: AssigneeRule; timeLimit: TimeLimit; when: string }>(node);
  const limit = durationText(t, c.timeLimit);
  return (
    <>
      {node.type === 'follow_up' ? (
        <Line>
          {t('nodes.followUp.when')} <Cel text={c.when} />
        </Line>
      ) : null}
      <Line>{c.title || t('nodes.human.noTitle')}</Line>
      <Line isMuted>{assigneeText(t, c.assignee)}</Line>
      {limit ? <Line isMuted>{t('nodes.human.within', { limit })}</Line> : null}
    </>
  );
}

function ConditionView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  const branches = cfg<ConditionConfig>(node).branches ?? [];
  return (
    <>
      {branches.map((b, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: branch ids may repeat while being edited
        <Line key={`${b?.id}-${i}`}>
          <strong>{b?.label || b?.id}</strong> <Cel text={b?.when} />
        </Line>
      ))}
      <Line isMuted>{t('nodes.condition.else')}</Line>
    </>
  );
}

function SplitView() {
  const { t } = useTranslation('workflows');
  return <Line isMuted>{t('nodes.split.all')}</Line>;
}

function JoinView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  return (
    <Line>{cfg<ParallelJoinConfig>(node).mode === 'any' ? t('nodes.join.any') : t('nodes.join.all')}</Line>
  );
}

function TimerView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  const c = cfg<TimerConfig>(node);
  if (c.mode === 'until')
    return (
      <Line>
        {t('nodes.timer.until')} <Cel text={c.until} />
      </Line>
    );
  return <Line>{t('nodes.timer.wait', { duration: durationText(t, c as Partial<TimeLimit>) || '?' })}</Line>;
}

function SetFieldsView({ node }: NodeViewProps) {
  const fields = cfg<SetFieldsConfig>(node).fields ?? [];
  return (
    <>
      {fields.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: field names may repeat while being edited
        <Line key={`${f?.field}-${i}`}>
          <code className="wf-node-cel">
            {f?.field} = {'expression' in (f ?? {}) ? f?.expression : JSON.stringify(f?.value)}
          </code>
        </Line>
      ))}
    </>
  );
}

function AssignView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  return <Line>{assigneeText(t, cfg<{ assignee: AssigneeRule }>(node).assignee)}</Line>;
}

function NotifyView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  const labels = useNodeLabels();
  const c = cfg<NotifyConfig>(node);
  const channel = channelText(c.channel, labels, t('inspector.inApp'));
  return (
    <>
      <Line>{t('nodes.notify.through', { channel, count: c.recipients?.length ?? 0 })}</Line>
      {c.subject ? <Line isMuted>{c.subject}</Line> : null}
    </>
  );
}

function HttpView({ node }: NodeViewProps) {
  const c = cfg<HttpRequestConfig>(node);
  return (
    <Line>
      <code className="wf-node-cel">
        {c.method} {c.url}
      </code>
    </Line>
  );
}

function SubWorkflowView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  const c = cfg<SubWorkflowConfig>(node);
  return (
    <Line>
      {t(c.shouldWait ? 'nodes.sub.wait' : 'nodes.sub.start', {
        workflow: c.workflowId || '?',
        version: c.version ? `v${c.version}` : t('nodes.sub.latest'),
      })}
    </Line>
  );
}

function EndView({ node }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  const { t: ts } = useTranslation('shell');
  const c = cfg<{ status: 'solved' | 'closed'; statusName: string }>(node);
  return (
    <Line>
      {t('nodes.end.status', { status: c.status ? ts(`status.${c.status}`) : '?' })}
      {c.statusName ? ` · ${c.statusName}` : ''}
    </Line>
  );
}

/** A node type the designer has no view of its own for (a plugin's): its description and settings. */
export function GenericView({ node, def }: NodeViewProps) {
  const { t } = useTranslation('workflows');
  if (!def)
    return (
      <>
        <Line>{t('nodes.unknown.line', { type: node.type })}</Line>
        <Line isMuted>{t('nodes.unknown.kept')}</Line>
      </>
    );
  const entries = Object.entries(cfg<Record<string, unknown>>(node)).slice(0, 3);
  return (
    <>
      {def.description ? <Line isMuted>{def.description}</Line> : null}
      {entries.map(([k, v]) => (
        <Line key={k}>
          <code className="wf-node-cel">
            {k}: {typeof v === 'string' ? v : JSON.stringify(v)}
          </code>
        </Line>
      ))}
    </>
  );
}

/** A view for every node type Docket ships (node-views.test.ts fails when one lacks it). */
export const coreNodeViews = nodeViewRegistry([
  defineNodeView(startNode, StartView),
  defineNodeView(humanStepNode, HumanStepView),
  defineNodeView(followUpNode, HumanStepView),
  defineNodeView(conditionNode, ConditionView),
  defineNodeView(parallelSplitNode, SplitView),
  defineNodeView(parallelJoinNode, JoinView),
  defineNodeView(timerNode, TimerView),
  defineNodeView(setFieldsNode, SetFieldsView),
  defineNodeView(assignNode, AssignView),
  defineNodeView(notifyNode, NotifyView),
  defineNodeView(httpRequestNode, HttpView),
  defineNodeView(subWorkflowNode, SubWorkflowView),
  defineNodeView(endNode, EndView),
]);

/** The view of a node type: its own, or the generic one. */
export const viewOf = (type: string) => coreNodeViews.get(type)?.Component ?? GenericView;
