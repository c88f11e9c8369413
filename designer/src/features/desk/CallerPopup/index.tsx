import { CloseOutlined, PhoneOutlined } from '@ant-design/icons';
import { Button, Card, Flex, List, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { reconnectDelay } from '../../../graphql/event-stream.ts';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useLiveSubscription } from '../../../graphql/use-live-subscription.ts';
import type { STATUSES } from '../views.ts';

const CallerRinging = graphql(`
  subscription DeskCallerRinging {
    callerRinging {
      phone
      email
      customerId
      customerName
      data
      at
      openTickets {
        id
        number
        title
        status
      }
    }
  }
`);

type Call = NonNullable<ResultOf<typeof CallerRinging>['callerRinging']> & { key: string };

/** At most this many calls are kept (the newest shown); older ones drop off. */
const KEPT = 5;

/**
 * Calls ringing for the signed-in agent (the phone system named their email), live: the newest in
 * a card in the corner that blocks nothing, with the caller (the customer when their number or
 * address is known) and their open tickets as links, "New ticket for this caller" (the new-ticket
 * page with them as the requester, or an unknown caller's number filled in as a new customer's
 * phone), and a close button. Later calls queue behind it.
 */
export function CallerPopup() {
  const { t } = useTranslation(['desk', 'shell']);
  const navigate = useNavigate();
  const [calls, setCalls] = useState<Call[]>([]);

  useLiveSubscription(
    CallerRinging,
    {},
    {
      onNext: (data) => {
        const call = data.callerRinging;
        if (!call) return;
        const id = (call.data as { callId?: unknown } | null)?.callId;
        const key = typeof id === 'string' ? id : `${call.phone ?? call.email ?? ''}@${call.at ?? ''}`;
        setCalls((list) => [{ ...call, key }, ...list.filter((c) => c.key !== key)].slice(0, KEPT));
      },
      // Refused (not staff, signed out): stay quiet. A failure is tried again, more slowly each time.
      retryAfter: (attempt, error) =>
        error?.isForbidden || error?.isUnauthenticated ? null : reconnectDelay(attempt),
    },
  );

  const call = calls[0];
  if (!call) return null;
  const dismiss = () => setCalls((list) => list.filter((c) => c.key !== call.key));
  const who = call.customerName ?? t('caller.unknown');
  const contact = [call.phone, call.email].filter(Boolean).join(' · ');
  const tickets = call.openTickets ?? [];
  return (
    <section
      aria-labelledby="caller-popup-title"
      aria-live="polite"
      data-testid="caller-popup"
      style={{
        position: 'fixed',
        right: 12,
        bottom: 12,
        zIndex: 1000,
        width: 'min(380px, calc(100vw - 24px))',
        maxHeight: 'min(calc(100vh - 24px), 75vh)',
        overflow: 'auto',
      }}
    >
      <Card
        size="small"
        styles={{ header: { background: '#e6f4ff' } }}
        title={
          <Flex gap={8} align="center" id="caller-popup-title">
            <PhoneOutlined aria-hidden />
            <span>{t('caller.title')}</span>
            {calls.length > 1 ? <Tag>{t('caller.more', { count: calls.length - 1 })}</Tag> : null}
          </Flex>
        }
        extra={
          <Button
            type="text"
            size="small"
            icon={<CloseOutlined />}
            aria-label={t('caller.dismiss')}
            title={t('caller.dismiss')}
            onClick={dismiss}
          />
        }
        style={{ boxShadow: '0 6px 16px rgba(0, 0, 0, 0.16)' }}
      >
        <Typography.Title level={5} style={{ margin: 0 }} data-testid="caller-name">
          {who}
        </Typography.Title>
        {contact ? <Typography.Text type="secondary">{contact}</Typography.Text> : null}
        {call.customerId ? (
          <>
            <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
              {t('caller.openTickets')}
            </Typography.Text>
            {tickets.length ? (
              <List
                size="small"
                dataSource={tickets}
                data-testid="caller-tickets"
                renderItem={(ticket) => (
                  <List.Item style={{ paddingInline: 0 }}>
                    <Flex gap={8} align="baseline" style={{ minWidth: 0, width: '100%' }}>
                      <Link to={`/desk/tickets/${encodeURIComponent(ticket.number ?? '')}`}>
                        {ticket.number}
                      </Link>
                      <Typography.Text ellipsis style={{ flex: 1, minWidth: 0 }}>
                        {ticket.title}
                      </Typography.Text>
                      {ticket.status ? (
                        <Tag style={{ marginInlineEnd: 0 }}>
                          {t(`shell:status.${ticket.status as (typeof STATUSES)[number]}`)}
                        </Tag>
                      ) : null}
                    </Flex>
                  </List.Item>
                )}
              />
            ) : (
              <Typography.Paragraph type="secondary">{t('caller.noOpenTickets')}</Typography.Paragraph>
            )}
          </>
        ) : (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            {t('caller.noCustomer')}
          </Typography.Paragraph>
        )}
        <Button
          type="primary"
          block
          style={{ marginTop: 12 }}
          data-testid="caller-new-ticket"
          onClick={() => {
            dismiss();
            navigate(
              call.customerId
                ? `/desk/new?requester=${encodeURIComponent(call.customerId)}`
                : call.phone
                  ? `/desk/new?phone=${encodeURIComponent(call.phone)}`
                  : '/desk/new',
            );
          }}
        >
          {t('caller.newTicket')}
        </Button>
      </Card>
    </section>
  );
}
