import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Customer, User } from './access.ts';
import { indexDefinition } from './index-definition.ts';
import { Ticket } from './tickets.ts';

/** In-app notifications; one per (idempotency key, recipient), so a retried step notifies once. */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    idempotencyKey: p.text(),
    recipient: p.text(),
    user: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    customer: () => p.manyToOne(Customer).ref().nullable().deleteRule('no action').updateRule('no action'),
    ticket: () => p.manyToOne(Ticket).ref().nullable().deleteRule('no action').updateRule('no action'),
    channel: p.text(),
    subject: p.text().nullable(),
    body: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
    readAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['idempotencyKey', 'recipient'] }],
  indexes: [
    indexDefinition(
      'CREATE INDEX notification_user_idx ON public.notification USING btree (user_id, id DESC) WHERE (user_id IS NOT NULL)',
    ),
  ],
});
export type Notification = InferEntity<typeof Notification>;
