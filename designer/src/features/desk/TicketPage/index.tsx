import {
  Button,
  Card,
  Col,
  Descriptions,
  Dropdown,
  Flex,
  Input,
  message,
  Result,
  Row,
  Select,
  Space,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { request, subscribe } from '../../../graphql/client.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { currentLanguage } from '../../../i18n/i18n.ts';
import { useReadySession } from '../../../session/session.tsx';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { SchemaForm } from '../../../ui/SchemaForm/index.tsx';
import { type TicketFeedEvent, useTicketFeed } from '../hooks/useTicketFeed.ts';
import { SlaCountdown } from '../SlaCountdown/index.tsx';
import { priorityStyle } from '../SlaCountdown/tone-style.ts';
import { messageOf, PRIORITIES, STATUSES } from '../views.ts';
import { Attachments } from './Attachments.tsx';
import { CustomFields } from './CustomFields.tsx';
import { TaskPanel } from './TaskPanel.tsx';
import { Timeline } from './Timeline.tsx';
import {
  AssignTicket,
  DescriptionTemplatesQuery,
  Note,
  OtherTicketsQuery,
  PeopleQuery,
  RenderDescriptionTemplate,
  Reply,
  SetTicketCc,
  SlaLiveSubscription,
  TicketPageQuery,
  UpdateTicket,
  UrgeTicket,
} from './ticket-query.ts';

type SlaMetric = 'first_response' | 'next_response' | 'periodic_update' | 'resolution';

type Clock = {
  metric: string | null;
  status: string | null;
  dueAt: string | null;
  targetSeconds: number | null;
  businessSecondsLeft: number | null;
};

/** A refusal's words, with each named field's own message (a person refused from the CC list, say). */
const refusalText = (r: unknown): string => {
  const fields = (r as { fields?: { message?: string | null }[] | null } | null)?.fields ?? [];
  return [messageOf(r), ...fields.map((f) => f.message ?? '')].filter(Boolean).join(' ');
};

/** A CC entry of a workflow step: a person by name, else what kind of recipient it is. */
function recipientText(
  c: { kind?: string; id?: string | number },
  users: readonly { id?: string | null; name?: string | null }[],
  t: TFunction<'desk'>,
): string {
  if (c.kind === 'user' && c.id != null) return users.find((u) => u.id === String(c.id))?.name ?? `#${c.id}`;
  const kind =
    c.kind === 'customer' || c.kind === 'initiator' || c.kind === 'requester'
      ? t('ticket.requester')
      : c.kind === 'team' || c.kind === 'role' || c.kind === 'org_unit' || c.kind === 'assignee'
        ? t(`ticket.recipientKinds.${c.kind}`)
        : (c.kind ?? '');
  return c.id != null ? `${kind} ${c.id}` : kind;
}

const REPLY_TEMPLATES = ['received', 'moreInfo', 'solved'] as const;

function OtherTickets({ requesterId, number }: { requesterId: string; number: string }) {
  const { t } = useTranslation('desk');
  const { data } = useQuery(OtherTicketsQuery, { requesterId });
  const others = (data?.tickets?.edges ?? []).flatMap((e) =>
    e?.node && e.node.number !== number ? [e.node] : [],
  );
  if (!data) return null;
  if (others.length === 0) return <Typography.Text type="secondary">{t('ticket.noOther')}</Typography.Text>;
  return (
    <ul style={{ margin: 0, paddingInlineStart: 18 }}>
      {others.slice(0, 5).map((o) => (
        <li key={o.id}>
          {/* Underlined: a link inside text must not rely on its colour alone. */}
          <Link
            to={`/desk/tickets/${encodeURIComponent(o.number ?? '')}`}
            style={{ textDecoration: 'underline', fontFamily: 'monospace' }}
          >
            {o.number}
          </Link>{' '}
          {o.title}
        </li>
      ))}
    </ul>
  );
}

/**
 * Reply (public) and note (internal), with templates to insert: the ticket template's description
 * templates and the agent's own (kept on the server, filled from this ticket), then the desk's
 * quick replies.
 */
function Composer({
  ticketId,
  templateKey,
  onSent,
}: {
  ticketId: string;
  templateKey: string;
  onSent: () => void;
}) {
  const { t } = useTranslation('desk');
  const kept = useQuery(DescriptionTemplatesQuery, { templateKey });
  const [api, holder] = message.useMessage();
  const [tab, setTab] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  const [isSending, setIsSending] = useState(false);
  const send = async () => {
    if (!text.trim()) return;
    setIsSending(true);
    const result =
      tab === 'reply'
        ? (await request(Reply, { id: ticketId, body: text })).replyToTicket
        : (await request(Note, { id: ticketId, body: text })).addNote;
    setIsSending(false);
    if (result?.__typename === 'Ticket') {
      setText('');
      onSent();
    } else void api.error(messageOf(result));
  };
  return (
    <Card size="small">
      {holder}
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as 'reply' | 'note')}
        items={[
          { key: 'reply', label: t('ticket.reply') },
          { key: 'note', label: t('ticket.note') },
        ]}
      />
      <Input.TextArea
        aria-label={tab === 'reply' ? t('ticket.reply') : t('ticket.note')}
        placeholder={tab === 'reply' ? t('ticket.replyPlaceholder') : t('ticket.notePlaceholder')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoSize={{ minRows: 3 }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
        }}
        style={tab === 'note' ? { background: '#fffbe6' } : undefined}
        data-testid="composer"
      />
      <Flex justify="space-between" style={{ marginTop: 8 }} wrap gap={8}>
        <Dropdown
          menu={{
            items: [
              ...(kept.data?.descriptionTemplates ?? []).map((d) => ({
                key: `kept:${d.id}`,
                label: d.isPersonal ? t('ticket.personalTemplate', { name: d.name ?? '' }) : d.name,
              })),
              ...REPLY_TEMPLATES.map((k) => ({ key: k, label: t(`replyTemplates.${k}.name`) })),
            ],
            onClick: (e) => {
              const insert = (text: string) => setText((s) => `${s}${s ? '\n' : ''}${text}`);
              if (e.key.startsWith('kept:')) {
                void request(RenderDescriptionTemplate, { id: e.key.slice('kept:'.length), ticketId }).then(
                  (r) => insert(r.renderDescriptionTemplate?.text ?? ''),
                  (error: unknown) => void api.error(String((error as Error).message ?? error)),
                );
                return;
              }
              const key = e.key as (typeof REPLY_TEMPLATES)[number];
              insert(t(`replyTemplates.${key}.text`));
            },
          }}
        >
          <Button>{t('ticket.insertTemplate')}</Button>
        </Dropdown>
        <Button type="primary" loading={isSending} onClick={() => void send()} data-testid="composer-send">
          {t('ticket.send')}
        </Button>
      </Flex>
    </Card>
  );
}

/** /desk/tickets/<number>: everything about one ticket and everything an agent does to it. */
export default function TicketPage() {
  const { t } = useTranslation(['desk', 'shell']);
  const displayName = useDisplayName();
  const { number = '' } = useParams();
  const session = useReadySession();
  const locale = currentLanguage();
  const { data, error, isLoading, refetch } = useQuery(TicketPageQuery, { number, locale });
  const people = useQuery(PeopleQuery, {});
  const [api, holder] = message.useMessage();
  const ticket = data?.ticket;
  const channelTitle = (key: string | null | undefined) => {
    const channel = data?.channels?.find((c) => c.key === key);
    return channel ? displayName(channel.title, channel.titles) : (key ?? '');
  };
  const [clocks, setClocks] = useState<Clock[] | null>(null);
  const [isEditing, setIsEditing] = useState(false);

  // The clocks live: as they are, then each change (a reply, a status change, a breach).
  const ticketId = ticket?.id;
  useEffect(() => {
    setClocks(null);
    if (!ticketId) return;
    const sub = subscribe(
      SlaLiveSubscription,
      { ticketId },
      { onNext: (d) => setClocks(d.ticketSlaChanged ?? []) },
    );
    return () => sub.unsubscribe();
  }, [ticketId]);
  useTicketFeed(
    useCallback(
      (e: TicketFeedEvent) => {
        if (e.ticketId === ticketId || e.ticketId === null) refetch();
      },
      [ticketId, refetch],
    ),
  );

  if (error) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  if (!ticket)
    return (
      <Result
        status="404"
        title={<h1 style={{ fontSize: 24 }}>{t('ticket.notFound', { number })}</h1>}
        extra={<Link to="/desk">{t('ticket.back')}</Link>}
      />
    );

  const id = ticket.id ?? '';
  const shownClocks = (clocks ?? ticket.slaClocks ?? []).filter((c) => c.status !== 'stopped');
  const openTasks = (ticket.tasks ?? []).filter((x) => x.status === 'open');
  const stepCc = openTasks.flatMap((x) =>
    Array.isArray(x.cc) ? (x.cc as { kind?: string; id?: string | number }[]) : [],
  );
  const ccIds = (ticket.cc ?? []).map((u) => u.id ?? '');
  const setCc = async (userIds: string[]) => {
    const r = (await request(SetTicketCc, { id, userIds: userIds.map(Number) })).setTicketCc;
    if (r?.__typename === 'Ticket') refetch();
    else void api.error(refusalText(r));
  };
  const change = async (vars: Record<string, unknown>) => {
    const r = (await request(UpdateTicket, { id, ...vars } as never)).updateTicket;
    if (r?.__typename === 'Ticket') refetch();
    else void api.error(messageOf(r));
  };
  const assign = async (assigneeId: number | null) => {
    const r = (await request(AssignTicket, { id, assigneeId })).assignTicket;
    if (r?.__typename === 'Ticket') refetch();
    else void api.error(messageOf(r));
  };
  const urge = async () => {
    const r = (await request(UrgeTicket, { id })).urgeTicket;
    if (r?.__typename === 'Urge') {
      void api.success(t('ticket.urged', { count: r.notified?.length ?? 0 }));
      refetch();
    } else void api.error(messageOf(r));
  };
  const schema = ticket.templateVersion?.content?.formSchema;
  const users = people.data?.users ?? [];
  const meId = session.me?.user?.id;

  return (
    <article data-testid="ticket-page">
      {holder}
      <Link to="/desk?view=open">← {t('ticket.back')}</Link>
      <Flex justify="space-between" align="flex-start" wrap gap={8} style={{ margin: '8px 0 16px' }}>
        <div style={{ minWidth: 0 }}>
          <Typography.Text code data-testid="ticket-number">
            {ticket.number}
          </Typography.Text>
          <h1 style={{ fontSize: 22, margin: '4px 0', overflowWrap: 'anywhere' }}>{ticket.title}</h1>
          <Space wrap size={4}>
            <Tag data-testid="ticket-status">
              {ticket.statusName ?? t(`shell:status.${ticket.status ?? 'new'}`)}
            </Tag>
            {ticket.priority ? (
              <Tag style={priorityStyle(ticket.priority)}>{t(`shell:priority.${ticket.priority}`)}</Tag>
            ) : null}
            {ticket.slaPolicyName ? <Tag>{ticket.slaPolicyName}</Tag> : null}
          </Space>
        </div>
        <Space wrap>
          <Button onClick={() => void urge()} data-testid="urge">
            {t('ticket.urge')}
          </Button>
          {meId && ticket.assignee?.id !== meId ? (
            <Button onClick={() => void assign(Number(meId))}>{t('ticket.assignToMe')}</Button>
          ) : null}
        </Space>
      </Flex>
      <section aria-label={t('ticket.sla')} style={{ marginBottom: 16 }}>
        <Space wrap size={4}>
          {shownClocks.length === 0 ? (
            <Typography.Text type="secondary">{t('ticket.noSla')}</Typography.Text>
          ) : (
            shownClocks.map((c) => (
              <SlaCountdown
                key={c.metric}
                label={t(`sla.metric.${(c.metric ?? 'resolution') as SlaMetric}`)}
                clock={{
                  status: c.status,
                  dueAt: c.dueAt,
                  targetSeconds: c.targetSeconds,
                  secondsLeftAtRead: c.businessSecondsLeft,
                }}
              />
            ))
          )}
        </Space>
      </section>
      <Row gutter={[24, 24]}>
        <Col xs={24} lg={16}>
          <Flex vertical gap={24}>
            {openTasks.length === 0 ? (
              <Typography.Text type="secondary">{t('ticket.noStep')}</Typography.Text>
            ) : (
              openTasks.map((task) => (
                <Card key={task.id} size="small">
                  <TaskPanel
                    task={task}
                    people={{
                      users: users,
                      teams: people.data?.teams ?? [],
                      orgUnits: people.data?.orgUnits ?? [],
                    }}
                    onDone={refetch}
                  />
                </Card>
              ))
            )}
            <Composer ticketId={id} templateKey={ticket.template?.key ?? ''} onSent={refetch} />
            <Timeline entries={ticket.timeline ?? []} />
          </Flex>
        </Col>
        <Col xs={24} lg={8}>
          <Flex vertical gap={16}>
            <Card size="small" title={t('ticket.requester')}>
              <div data-testid="requester">
                <strong>{ticket.requester?.name}</strong>
                <div>{ticket.requester?.phone}</div>
                <div>{ticket.requester?.email}</div>
              </div>
              {ticket.requester?.id ? (
                <>
                  <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
                    {t('ticket.otherTickets')}
                  </Typography.Text>
                  <OtherTickets requesterId={ticket.requester.id} number={ticket.number ?? ''} />
                </>
              ) : null}
            </Card>
            <Card size="small">
              <Descriptions
                column={1}
                size="small"
                items={[
                  {
                    key: 'status',
                    label: t('ticket.status'),
                    children: (
                      <Select
                        aria-label={t('ticket.status')}
                        value={ticket.status}
                        style={{ width: '100%' }}
                        onChange={(v) => void change({ status: v })}
                        options={STATUSES.map((s) => ({ value: s, label: t(`shell:status.${s}`) }))}
                      />
                    ),
                  },
                  {
                    key: 'statusName',
                    label: t('ticket.statusName'),
                    children: (
                      <Select
                        aria-label={t('ticket.statusName')}
                        value={ticket.statusName ?? ''}
                        style={{ width: '100%' }}
                        onChange={(v) => void change({ statusName: v })}
                        options={[
                          { value: '', label: t('ticket.noStatusName') },
                          ...(people.data?.ticketStatuses ?? []).map((s) => ({
                            value: s.name ?? '',
                            label: s.name,
                          })),
                        ]}
                      />
                    ),
                  },
                  {
                    key: 'priority',
                    label: t('ticket.priority'),
                    children: (
                      <Select
                        aria-label={t('ticket.priority')}
                        value={ticket.priority}
                        style={{ width: '100%' }}
                        onChange={(v) => void change({ priority: v })}
                        options={PRIORITIES.map((p) => ({ value: p, label: t(`shell:priority.${p}`) }))}
                      />
                    ),
                  },
                  {
                    key: 'assignee',
                    label: t('ticket.assignee'),
                    children: (
                      <Select
                        aria-label={t('ticket.assignee')}
                        value={ticket.assignee?.id ?? undefined}
                        allowClear
                        showSearch={{ optionFilterProp: 'label' }}
                        style={{ width: '100%' }}
                        onChange={(v?: string) => void assign(v ? Number(v) : null)}
                        options={users.map((u) => ({ value: u.id ?? '', label: u.name }))}
                      />
                    ),
                  },
                  { key: 'team', label: t('ticket.team'), children: ticket.team?.name ?? '—' },
                  { key: 'org', label: t('ticket.orgUnit'), children: ticket.orgUnit?.name ?? '—' },
                  {
                    key: 'template',
                    label: t('ticket.template'),
                    children: t('ticket.templateVersion', {
                      name: ticket.template?.name ?? '',
                      version: ticket.templateVersion?.version ?? '',
                    }),
                  },
                  {
                    key: 'channel',
                    label: t('ticket.channel'),
                    // The channel registry's title, in the page's language where the channel has one.
                    children: <span data-testid="ticket-channel">{channelTitle(ticket.channel)}</span>,
                  },
                  {
                    key: 'created',
                    label: t('ticket.created'),
                    children: <DateTime value={ticket.createdAt} />,
                  },
                  {
                    key: 'cc',
                    label: t('ticket.cc'),
                    children: (
                      <Flex vertical gap={4} style={{ width: '100%' }}>
                        <Select
                          mode="multiple"
                          aria-label={t('ticket.cc')}
                          placeholder={t('ticket.addCc')}
                          value={ccIds}
                          showSearch={{ optionFilterProp: 'label' }}
                          style={{ width: '100%' }}
                          onChange={(v: string[]) => void setCc(v)}
                          options={[
                            // Someone on the list the people list does not hold still shows by name.
                            ...(ticket.cc ?? [])
                              .filter((u) => !users.some((x) => x.id === u.id))
                              .map((u) => ({ value: u.id ?? '', label: u.name })),
                            ...users.map((u) => ({ value: u.id ?? '', label: u.name })),
                          ]}
                          data-testid="cc-select"
                        />
                        {stepCc.length ? (
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {t('ticket.stepCc')}:{' '}
                            {stepCc.map((c) => (
                              <Tag key={`${c.kind}:${c.id}`}>{recipientText(c, users, t)}</Tag>
                            ))}
                          </Typography.Text>
                        ) : ccIds.length === 0 ? (
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {t('ticket.noCc')}
                          </Typography.Text>
                        ) : null}
                      </Flex>
                    ),
                  },
                ]}
              />
            </Card>
            <CustomFields fields={ticket.customFields} />
            <Attachments ticket={ticket} onAttached={refetch} />
            <Card
              size="small"
              title={t('ticket.formData')}
              extra={
                schema ? (
                  <Button size="small" onClick={() => setIsEditing((e) => !e)}>
                    {t('ticket.editForm')}
                  </Button>
                ) : null
              }
            >
              {schema ? (
                <SchemaForm
                  schema={schema as never}
                  uiSchema={(ticket.templateVersion?.content?.uiSchema ?? {}) as never}
                  formData={(ticket.formData ?? {}) as Record<string, unknown>}
                  isReadOnly={!isEditing}
                  {...(isEditing
                    ? {
                        submitLabel: t('ticket.saveForm'),
                        onSubmit: (formData: Record<string, unknown>) => {
                          setIsEditing(false);
                          void change({ formData });
                        },
                      }
                    : {})}
                />
              ) : null}
            </Card>
          </Flex>
        </Col>
      </Row>
    </article>
  );
}
