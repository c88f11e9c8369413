import { Timeline as AntTimeline, Segmented, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { TONE_STYLE } from '../SlaCountdown/tone-style.ts';

export type TimelineEntry = {
  id: string | null;
  kind: string | null;
  body: string | null;
  summary: string | null;
  isPublic: boolean | null;
  actorKind: string | null;
  actorUser: { name: string | null } | null;
  actorCustomer: { name: string | null } | null;
  diff: unknown;
  createdAt: string | null;
};

const FILTERS = ['all', 'messages', 'changes', 'steps', 'sla'] as const;
type Filter = (typeof FILTERS)[number];

export function groupOf(kind: string): Exclude<Filter, 'all'> {
  if (kind === 'reply' || kind === 'note') return 'messages';
  if (kind.startsWith('task.') || kind.startsWith('workflow.')) return 'steps';
  if (kind.startsWith('sla') || kind === 'ticket.urged') return 'sla';
  return 'changes';
}

const KINDS = [
  'created',
  'updated',
  'reply',
  'note',
  'assigned',
  'reopened',
  'ticket_urged',
  'task_created',
  'task_completed',
  'task_transferred',
  'task_transferred_to',
  'task_returned',
  'task_returned_to',
  'task_rejected',
  'task_rejected_to',
  'task_overdue',
  'workflow_ended',
  'workflow_failed',
  'workflow_migrated',
  'workflow_assignee_missing',
  'workflow_field_refused',
  'sla_started',
  'sla_paused',
  'sla_resumed',
  'sla_retargeted',
  'sla_stopped',
  'sla_met',
  'sla_breached',
  'sla_action',
  'csat_asked',
  'csat_rated',
  'kb_linked',
  'plugin_patched',
  'files_attached',
  'files_refused',
  'cc_changed',
] as const;
type KindKey = (typeof KINDS)[number];
const isKnownKind = (k: string): k is KindKey => (KINDS as readonly string[]).includes(k);

const COLORS: Record<string, string> = { messages: 'blue', steps: 'green', sla: 'red', changes: 'gray' };

/** Everything that happened to the ticket, oldest first, with filters; each entry says who, when and what. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const { t } = useTranslation('desk');
  const [filter, setFilter] = useState<Filter>('all');
  // A kind the desk knows in words; a plugin's own kinds show as they are.
  const kindLabel = (kind: string) => {
    const key = kind.replace(/\./g, '_');
    return isKnownKind(key) ? t(`ticket.kinds.${key}`) : kind;
  };
  const shown = entries.filter((e) => filter === 'all' || groupOf(e.kind ?? '') === filter);
  return (
    <section aria-label={t('ticket.timeline')}>
      <h2 style={{ fontSize: 18 }}>{t('ticket.timeline')}</h2>
      <Segmented
        aria-label={t('ticket.timeline')}
        value={filter}
        onChange={(v) => setFilter(v as Filter)}
        options={FILTERS.map((f) => ({ value: f, label: t(`ticket.timelineFilter.${f}`) }))}
        style={{ marginBottom: 16, maxWidth: '100%', overflowX: 'auto' }}
      />
      <AntTimeline
        items={shown.map((e) => {
          const group = groupOf(e.kind ?? '');
          const who = e.actorUser?.name ?? e.actorCustomer?.name ?? t('ticket.system');
          const text = e.summary ?? e.body;
          const diff = e.diff && typeof e.diff === 'object' && Object.keys(e.diff).length ? e.diff : null;
          return {
            key: e.id ?? '',
            color: COLORS[group],
            content: (
              <div data-testid="timeline-entry" data-kind={e.kind}>
                <Typography.Text strong>{who}</Typography.Text> <Tag>{kindLabel(e.kind ?? '')}</Tag>
                {e.isPublic === false ? <Tag style={TONE_STYLE.warning}>{t('ticket.internal')}</Tag> : null}
                <Typography.Text type="secondary">
                  <DateTime value={e.createdAt} />
                </Typography.Text>
                {text ? (
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0' }}>
                    {text}
                  </Typography.Paragraph>
                ) : null}
                {e.summary && e.body && e.summary !== e.body && group === 'messages' ? (
                  <Typography.Paragraph>{e.body}</Typography.Paragraph>
                ) : null}
                {diff ? (
                  <details>
                    <summary style={{ cursor: 'pointer', color: '#595959' }}>{t('ticket.diff')}</summary>
                    <pre style={{ fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                      {JSON.stringify(diff, null, 2)}
                    </pre>
                  </details>
                ) : null}
              </div>
            ),
          };
        })}
      />
    </section>
  );
}
