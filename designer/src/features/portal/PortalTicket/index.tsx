import { Button, Card, Descriptions, Flex, Input, message, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { type FragmentOf, graphql, readFragment } from '../../../graphql/graphql.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';

export const PortalTicketFragment = graphql(`
  fragment PortalTicketView on PortalTicket {
    number
    title
    description
    status
    statusName
    createdAt
    solvedAt
    templateName
    followToken
    details(locale: $locale) {
      label
      value
    }
    timeline {
      id
      kind
      body
      author
      isFromCustomer
      createdAt
    }
  }
`);

const ReplyByLink = graphql(`
  mutation PortalReply($token: String!, $body: String!) {
    replyByFollowLink(token: $token, body: $body) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const UrgeByLink = graphql(`
  mutation PortalUrge($token: String!) {
    urgeByFollowLink(token: $token) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const KNOWN_KINDS = ['created', 'reply', 'assigned', 'ticket.urged'];

/**
 * A ticket as its requester sees it: status, what they sent (in words of the page's language: the
 * queries that spread the fragment take `$locale`), the public history, a reply box.
 */
export function PortalTicketView({
  ticket: data,
  onChanged,
}: {
  ticket: FragmentOf<typeof PortalTicketFragment>;
  onChanged: () => void;
}) {
  const { t } = useTranslation(['portal', 'shell']);
  const ticket = readFragment(PortalTicketFragment, data);
  const [api, holder] = message.useMessage();
  const [text, setText] = useState('');
  const [isSending, setIsSending] = useState(false);
  const token = ticket.followToken ?? '';
  const send = async () => {
    if (!text.trim()) return;
    setIsSending(true);
    const r = (await request(ReplyByLink, { token, body: text })).replyByFollowLink;
    setIsSending(false);
    if (r?.__typename === 'PortalTicket') {
      setText('');
      void api.success(t('ticket.sent'));
      onChanged();
    } else void api.error((r as { message?: string } | null)?.message ?? '');
  };
  const urge = async () => {
    const r = (await request(UrgeByLink, { token })).urgeByFollowLink;
    if (r?.__typename === 'PortalTicket') {
      void api.success(t('ticket.urged'));
      onChanged();
    } else void api.error((r as { message?: string } | null)?.message ?? '');
  };
  const isOpen = !['solved', 'closed'].includes(ticket.status ?? '');
  return (
    <article data-testid="portal-ticket" style={{ maxWidth: 760 }}>
      {holder}
      <Typography.Text code data-testid="portal-ticket-number">
        {ticket.number}
      </Typography.Text>
      <h1 style={{ fontSize: 22, margin: '4px 0 12px', overflowWrap: 'anywhere' }}>{ticket.title}</h1>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        items={[
          {
            key: 'status',
            label: t('ticket.status'),
            children: (
              <Tag data-testid="portal-status">
                {ticket.statusName ?? t(`shell:status.${ticket.status ?? 'new'}`)}
              </Tag>
            ),
          },
          { key: 'template', label: t('ticket.template'), children: ticket.templateName },
          { key: 'opened', label: t('ticket.opened'), children: <DateTime value={ticket.createdAt} /> },
          ...(ticket.solvedAt
            ? [{ key: 'solved', label: t('ticket.solved'), children: <DateTime value={ticket.solvedAt} /> }]
            : []),
        ]}
      />
      {(ticket.details ?? []).length > 0 || ticket.description ? (
        <Card size="small" title={t('ticket.details')} style={{ margin: '16px 0' }}>
          {ticket.description ? (
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>
              {ticket.description}
            </Typography.Paragraph>
          ) : null}
          <Descriptions
            size="small"
            column={1}
            items={(ticket.details ?? []).map((d, i) => ({
              key: String(i),
              label: d.label,
              children: d.value,
            }))}
          />
        </Card>
      ) : null}
      <h2 style={{ fontSize: 18 }}>{t('ticket.history')}</h2>
      <Timeline
        items={(ticket.timeline ?? []).map((e) => ({
          key: e.id ?? '',
          color: e.isFromCustomer ? 'blue' : 'green',
          content: (
            <div data-testid="portal-entry" data-kind={e.kind}>
              <Typography.Text strong>
                {e.isFromCustomer ? t('ticket.you') : (e.author ?? t('ticket.staff'))}
              </Typography.Text>{' '}
              <Typography.Text type="secondary">
                {t(`kind.${KNOWN_KINDS.includes(e.kind ?? '') ? e.kind : 'other'}` as 'kind.other')} ·{' '}
                <DateTime value={e.createdAt} />
              </Typography.Text>
              {e.body ? (
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0' }}>
                  {e.body}
                </Typography.Paragraph>
              ) : null}
            </div>
          ),
        }))}
      />
      <Card size="small" title={t('ticket.reply')}>
        <Input.TextArea
          aria-label={t('ticket.reply')}
          placeholder={t('ticket.replyPlaceholder')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoSize={{ minRows: 3 }}
          data-testid="portal-reply"
        />
        <Flex justify="space-between" wrap gap={8} style={{ marginTop: 8 }}>
          {isOpen ? (
            <Button onClick={() => void urge()} data-testid="portal-urge">
              {t('ticket.urge')}
            </Button>
          ) : (
            <span />
          )}
          <Button type="primary" loading={isSending} onClick={() => void send()} data-testid="portal-send">
            {t('ticket.send')}
          </Button>
        </Flex>
      </Card>
    </article>
  );
}
