import { fieldError, ValidationFailed } from '@docket/core';
import { query } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { builder } from '../graphql/builder.ts';

type NotificationRow = {
  id: string;
  ticket_id: string | null;
  channel: string;
  subject: string | null;
  body: string;
  created_at: Date;
  read_at: Date | null;
};

const NotificationRef = builder.objectRef<NotificationRow>('Notification').implement({
  description: 'An in-app notice: a new or returned task, an overdue step, a workflow notify node.',
  fields: (t) => ({
    id: t.exposeID('id'),
    ticketId: t.exposeID('ticket_id', { nullable: true }),
    channel: t.exposeString('channel'),
    subject: t.exposeString('subject', { nullable: true }),
    body: t.exposeString('body'),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.created_at }),
    readAt: t.field({ type: 'DateTime', nullable: true, resolve: (n) => n.read_at }),
  }),
});

const COLUMNS = 'id, ticket_id, channel, subject, body, created_at, read_at';

builder.queryFields((t) => ({
  myNotifications: t.field({
    type: [NotificationRef],
    description: 'My notifications, newest first.',
    args: { isUnreadOnly: t.arg.boolean({ defaultValue: false }), first: t.arg.int({ defaultValue: 50 }) },
    resolve: (_r, a, ctx) => {
      const staff = requireStaff(ctx.principal);
      const first = a.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 200)
        throw new ValidationFailed([fieldError('/first', 'out_of_range', 'Ask for 1 to 200 notifications.')]);
      return query<NotificationRow>(
        ctx.em,
        `select ${COLUMNS} from notification where user_id = ? ${a.isUnreadOnly ? 'and read_at is null' : ''}
          order by id desc limit ?`,
        [staff.userId, first],
      );
    },
  }),
}));

builder.mutationFields((t) => ({
  markNotificationsRead: t.field({
    type: [NotificationRef],
    description: 'Marks my notifications read: the ones listed, or all of them.',
    args: { ids: t.arg.idList() },
    resolve: (_r, a, ctx) => {
      const staff = requireStaff(ctx.principal);
      return query<NotificationRow>(
        ctx.em,
        `update notification set read_at = coalesce(read_at, now())
          where user_id = ? ${a.ids ? 'and id::text = any(?::text[])' : ''} returning ${COLUMNS}`,
        a.ids ? [staff.userId, a.ids.map(String)] : [staff.userId],
      );
    },
  }),
}));
