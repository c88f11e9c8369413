import { fieldError, type LocalizedNames, nameIn, ValidationFailed } from '@docket/core';
import { query } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { LocalizedNameRef, servedNames } from '../graphql/localized-names.ts';
import { NOTICE_KINDS, preferencesOf, setPreference } from './notification-preferences.ts';
import { IN_APP } from './targets.ts';

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

// ---------------------------------------------------------------------------------------------
// Where my notices go

const NotificationPreferenceRef = builder
  .objectRef<{ kind: string; targets: string[] }>('NotificationPreference')
  .implement({
    description:
      'Where my notices of one kind go besides the in-app inbox (always): outside notification targets. Kind "*" covers kinds without their own row.',
    fields: (t) => ({
      kind: t.exposeString('kind', { description: `One of ${NOTICE_KINDS.join(', ')}.` }),
      targets: t.exposeStringList('targets', {
        description: 'Notification target keys (see notificationTargets).',
      }),
    }),
  });

const NotificationTargetRef = builder
  .objectRef<{ key: string; title: string; titles?: LocalizedNames; description?: string }>(
    'NotificationTarget',
  )
  .implement({
    description: 'An outside way to reach people: email, SMS, a chat robot … (plugins add them).',
    fields: (t) => ({
      key: t.exposeString('key'),
      title: t.string({
        description: 'What people call it, in `locale` (en or zh-CN) where the target gives that title.',
        args: { locale: t.arg.string() },
        resolve: (n, a) => nameIn(n.title, n.titles, a.locale),
      }),
      titles: t.field({
        type: [LocalizedNameRef],
        description:
          "The title in other languages (en, zh-CN), from the target's display data; `title` stands in for a language not listed.",
        resolve: (n) => servedNames(n.titles),
      }),
      description: t.string({ nullable: true, resolve: (n) => n.description ?? null }),
    }),
  });

builder.queryFields((t) => ({
  notificationTargets: t.field({
    type: [NotificationTargetRef],
    description: 'The outside notification targets installed now (in-app is always there and not listed).',
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal);
      return ctx.services.registries.notificationTargets.values();
    },
  }),
  myNotificationPreferences: t.field({
    type: [NotificationPreferenceRef],
    description: 'Where my notices go, per kind.',
    resolve: (_r, _a, ctx) => preferencesOf(ctx.em, requireStaff(ctx.principal).userId),
  }),
}));

builder.mutationFields((t) => ({
  setNotificationPreference: t.field({
    type: NotificationPreferenceRef,
    errors: mutationErrors,
    description:
      'Chooses the outside targets my notices of a kind go to. An empty list: in-app only for that kind (for "*": no default).',
    args: { kind: t.arg.string({ required: true }), targets: t.arg.stringList({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const staff = requireStaff(ctx.principal);
      const errors = [];
      if (!(NOTICE_KINDS as readonly string[]).includes(a.kind))
        errors.push(
          fieldError('/kind', 'unknown', `"${a.kind}" is not a kind of notice (${NOTICE_KINDS.join(', ')}).`),
        );
      const targets = [...new Set(a.targets)];
      targets.forEach((key, i) => {
        if (key !== IN_APP && !ctx.services.registries.notificationTargets.has(key))
          errors.push(
            fieldError(`/targets/${i}`, 'unknown', `"${key}" is not an installed notification target.`),
          );
      });
      if (errors.length) throw new ValidationFailed(errors);
      const outside = targets.filter((k) => k !== IN_APP);
      await setPreference(ctx.em, { userId: staff.userId, kind: a.kind, targets: outside });
      const rows = await preferencesOf(ctx.em, staff.userId);
      ctx.services.notifier.preferencesChanged(
        staff.userId,
        rows.some((r) => r.targets.length > 0),
      );
      return { kind: a.kind, targets: outside };
    },
  }),
}));
