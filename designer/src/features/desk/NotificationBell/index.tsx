import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { useTicketFeed } from '../hooks/useTicketFeed.ts';

const NotificationsQuery = graphql(`
  query DeskNotifications {
    myNotifications(first: 20) {
      id
      subject
      body
      ticketId
      createdAt
      readAt
    }
  }
`);

const MarkRead = graphql(`
  mutation DeskMarkNotificationsRead($ids: [ID!]) {
    markNotificationsRead(ids: $ids) {
      id
    }
  }
`);

const TicketNumber = graphql(`
  query DeskTicketNumber($id: ID!) {
    ticket(id: $id) {
      number
    }
  }
`);

/** The bell: in-app notices (steps assigned, overdue, urged, SLA warnings), live; each opens its ticket. */
export function NotificationBell() {
  const { t } = useTranslation('desk');
  const navigate = useNavigate();
  const { data, refetch } = useQuery(NotificationsQuery, {});
  const notices = data?.myNotifications ?? [];
  const unread = notices.filter((n) => !n.readAt).length;
  // Notices come with ticket changes; SLA warnings come on their own, so look every half minute too.
  useTicketFeed(refetch);
  useEffect(() => {
    const timer = setInterval(refetch, 30_000);
    return () => clearInterval(timer);
  }, [refetch]);

  const open = useCallback(
    async (n: (typeof notices)[number]) => {
      if (n.id) await request(MarkRead, { ids: [n.id] });
      refetch();
      if (!n.ticketId) return;
      const r = await request(TicketNumber, { id: n.ticketId });
      if (r.ticket?.number) navigate(`/desk/tickets/${encodeURIComponent(r.ticket.number)}`);
    },
    [navigate, refetch],
  );

  const content = (
    <div style={{ width: 'min(360px, 90vw)', maxHeight: 420, overflow: 'auto' }}>
      {notices.length === 0 ? (
        <Empty description={t('bell.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <List
          size="small"
          dataSource={notices}
          renderItem={(n) => (
            <List.Item
              style={{ cursor: 'pointer', background: n.readAt ? undefined : '#e6f4ff' }}
              onClick={() => void open(n)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void open(n);
              }}
              tabIndex={0}
              role="button"
              data-testid="notification"
            >
              <List.Item.Meta
                title={n.subject ?? n.body}
                description={
                  <>
                    <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>
                      {n.body}
                    </Typography.Paragraph>
                    <DateTime value={n.createdAt} />
                  </>
                }
              />
            </List.Item>
          )}
        />
      )}
      {unread > 0 ? (
        <Button
          type="link"
          onClick={async () => {
            await request(MarkRead, {});
            refetch();
          }}
        >
          {t('bell.markAll')}
        </Button>
      ) : null}
    </div>
  );
  return (
    <Popover content={content} trigger="click" placement="bottomRight" title={t('bell.label')}>
      <Button
        aria-label={`${t('bell.label')}: ${t('bell.unread', { count: unread })}`}
        data-testid="notification-bell"
        icon={
          <Badge count={unread} size="small">
            <BellOutlined />
          </Badge>
        }
      />
    </Popover>
  );
}
