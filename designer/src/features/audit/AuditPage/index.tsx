import {
  Button,
  DatePicker,
  Form,
  Input,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tabs,
  Tag,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { graphql } from '../../../graphql/graphql.ts';
import { type QueryState, useQuery } from '../../../graphql/use-query.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { auditMessages } from '../messages.ts';

const AdminChangesQuery = graphql(`
  query AdminChanges($text: String, $entityType: String, $from: DateTime, $to: DateTime, $before: ID) {
    adminChanges(text: $text, entityType: $entityType, from: $from, to: $to, before: $before, first: 50) {
      id actorName action entityType entityId entityName diff createdAt
    }
  }
`);

const TicketEventsQuery = graphql(`
  query AuditTicketEvents($text: String, $ticketNumber: String, $from: DateTime, $to: DateTime, $before: ID) {
    auditTicketEvents(text: $text, ticketNumber: $ticketNumber, from: $from, to: $to, before: $before, first: 50) {
      id ticketNumber ticketTitle kind actorName isPublic body diff createdAt
    }
  }
`);

const ENTITY_TYPES = [
  'user',
  'role',
  'org_unit',
  'team',
  'api_token',
  'calendar',
  'sla_policy',
  'ticket_status',
  'template',
  'wall_token',
] as const;

type KnownField = keyof typeof auditMessages.en.fields;
const isKnownField = (field: string): field is KnownField => Object.hasOwn(auditMessages.en.fields, field);

/** A diff as words: "field: from → to", one per line. */
function DiffText({ diff }: { diff: unknown }) {
  const { t } = useTranslation('audit');
  if (!diff || typeof diff !== 'object') return null;
  const show = (v: unknown) =>
    v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return (
    <div style={{ fontSize: 12, maxWidth: 520, overflowWrap: 'anywhere' }}>
      {Object.entries(diff as Record<string, unknown>).map(([field, change]) => {
        const c = change as { from?: unknown; to?: unknown } | null;
        const isPair = c && typeof c === 'object' && ('from' in c || 'to' in c);
        return (
          <div key={field}>
            {/* The field's name in the page's language; the raw name for a field not listed in messages.ts. */}
            <strong title={field}>{isKnownField(field) ? t(`fields.${field}`) : field}</strong>:{' '}
            {isPair ? `${show(c.from)} → ${show(c.to)}` : show(change)}
          </div>
        );
      })}
    </div>
  );
}

/** /admin/audit?tab=admin|tickets&q=…&type=…&number=…&from=…&to=…: the audit trails, searchable, shareable. */
export default function AuditPage() {
  const { t } = useTranslation('audit');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'tickets' ? 'tickets' : 'admin';
  const filters = {
    text: params.get('q'),
    from: params.get('from'),
    to: params.get('to'),
  };
  const [before, setBefore] = useState<string | null>(null);
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes))
      if (v) next.set(k, v);
      else next.delete(k);
    setBefore(null);
    setParams(next, { replace: true });
  };
  const [form] = Form.useForm();

  return (
    <>
      <PageHeading title={t('title')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => set({ tab: k === 'admin' ? null : k })}
        items={[
          { key: 'admin', label: t('tabs.admin') },
          { key: 'tickets', label: t('tabs.tickets') },
        ]}
      />
      <Form
        form={form}
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        initialValues={{
          q: filters.text ?? '',
          type: params.get('type') ?? '',
          number: params.get('number') ?? '',
          period: filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null,
        }}
        onFinish={(v: {
          q: string;
          type: string;
          number: string;
          period: [dayjs.Dayjs, dayjs.Dayjs] | null;
        }) =>
          set({
            q: v.q || null,
            type: v.type || null,
            number: v.number || null,
            from: v.period ? v.period[0].startOf('day').toISOString() : null,
            to: v.period ? v.period[1].endOf('day').toISOString() : null,
          })
        }
      >
        <Form.Item name="q" label={t('filters.text')}>
          <Input allowClear aria-label={t('filters.text')} style={{ width: 220 }} />
        </Form.Item>
        {tab === 'admin' ? (
          <Form.Item name="type" label={t('filters.entityType')}>
            <Select
              aria-label={t('filters.entityType')}
              style={{ width: 160 }}
              options={[
                { value: '', label: t('filters.allTypes') },
                ...ENTITY_TYPES.map((e) => ({ value: e, label: t(`entityTypes.${e}`) })),
              ]}
            />
          </Form.Item>
        ) : (
          <Form.Item name="number" label={t('filters.ticketNumber')}>
            <Input allowClear aria-label={t('filters.ticketNumber')} style={{ width: 200 }} />
          </Form.Item>
        )}
        <Form.Item name="period" label={t('filters.period')}>
          <DatePicker.RangePicker />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('filters.search')}
        </Button>
      </Form>
      {tab === 'admin' ? (
        <AdminChanges
          text={filters.text}
          entityType={params.get('type')}
          from={filters.from}
          to={filters.to}
          before={before}
          onMore={setBefore}
        />
      ) : (
        <TicketEvents
          text={filters.text}
          ticketNumber={params.get('number')}
          from={filters.from}
          to={filters.to}
          before={before}
          onMore={setBefore}
        />
      )}
    </>
  );
}

type Page = {
  text: string | null;
  from: string | null;
  to: string | null;
  before: string | null;
  onMore: (id: string) => void;
};

const PAGE_SIZE = 50;

/** One trail's rows, newest first, with a button for the page before when this one is full. */
function AuditList<R extends { id: string | null }>({
  rows,
  state,
  columns,
  onMore,
}: {
  rows: readonly R[];
  state: Pick<QueryState<unknown>, 'error' | 'refetch' | 'isLoading'>;
  columns: TableColumnsType<R>;
  onMore: (id: string) => void;
}) {
  const { t } = useTranslation('audit');
  return (
    <>
      {state.error ? <QueryError error={state.error} onRetry={state.refetch} /> : null}
      <Table
        rowKey={(r) => r.id ?? ''}
        loading={state.isLoading}
        dataSource={[...rows]}
        pagination={false}
        locale={{ emptyText: t('empty') }}
        columns={columns}
      />
      {rows.length === PAGE_SIZE ? (
        <Button style={{ marginTop: 12 }} onClick={() => onMore(rows.at(-1)?.id ?? '')}>
          {t('filters.more')}
        </Button>
      ) : null}
    </>
  );
}

function AdminChanges({ entityType, onMore, ...vars }: Page & { entityType: string | null }) {
  const { t } = useTranslation('audit');
  const state = useQuery(AdminChangesQuery, { ...vars, entityType });
  return (
    <AuditList
      rows={state.data?.adminChanges ?? []}
      state={state}
      onMore={onMore}
      columns={[
        { key: 'at', title: t('columns.at'), render: (_, r) => <DateTime value={r.createdAt} /> },
        { key: 'who', title: t('columns.who'), render: (_, r) => r.actorName ?? t('system') },
        {
          key: 'what',
          title: t('columns.what'),
          render: (_, r) => (
            <Space size={4} wrap>
              {t(`actions.${(r.action ?? 'update') as 'update'}`)}
              <Tag>{t(`entityTypes.${(r.entityType ?? 'user') as 'user'}`)}</Tag>
              <strong>{r.entityName}</strong>
            </Space>
          ),
        },
        { key: 'changes', title: t('columns.changes'), render: (_, r) => <DiffText diff={r.diff} /> },
      ]}
    />
  );
}

function TicketEvents({ ticketNumber, onMore, ...vars }: Page & { ticketNumber: string | null }) {
  const { t } = useTranslation('audit');
  const state = useQuery(TicketEventsQuery, { ...vars, ticketNumber });
  return (
    <AuditList
      rows={state.data?.auditTicketEvents ?? []}
      state={state}
      onMore={onMore}
      columns={[
        { key: 'at', title: t('columns.at'), render: (_, r) => <DateTime value={r.createdAt} /> },
        {
          key: 'ticket',
          title: t('columns.ticket'),
          render: (_, r) => `${r.ticketNumber} · ${r.ticketTitle}`,
        },
        { key: 'who', title: t('columns.who'), render: (_, r) => r.actorName ?? t('system') },
        {
          key: 'event',
          title: t('columns.event'),
          render: (_, r) => (
            <Space size={4}>
              <Tag>{r.kind}</Tag>
              {r.isPublic ? null : <Tag color="orange">{t('internal')}</Tag>}
            </Space>
          ),
        },
        {
          key: 'text',
          title: t('columns.text'),
          render: (_, r) => (
            <>
              {r.body ? <div style={{ maxWidth: 420, overflowWrap: 'anywhere' }}>{r.body}</div> : null}
              <DiffText diff={r.diff} />
            </>
          ),
        },
      ]}
    />
  );
}
