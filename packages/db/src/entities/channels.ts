import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './access.ts';
import { indexDefinition } from './index-definition.ts';
import { Ticket } from './tickets.ts';

/**
 * What the server's transports took in for channel plugins, kept before anything else happens:
 * a mail the SMTP listener acknowledged is a row here first (its raw bytes), and stays pending,
 * retried with backoff, until a plugin's answer made it a ticket or a reply, or the plugin said to
 * ignore it. Attachments of inbound mail are kept beside the ticket they came with. Users' choices
 * of where notices reach them are kept per kind of notice.
 */

export const INBOUND_STATUSES = ['pending', 'done', 'ignored'] as const;

export const InboundMessage = defineEntity({
  name: 'InboundMessage',
  tableName: 'inbound_message',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    /** The transport that took it in ("smtp"). */
    transport: p.text(),
    /** The SMTP envelope: sender, recipients, the client's address. */
    envelope: p.json<Record<string, unknown>>().defaultRaw("'{}'::jsonb"),
    raw: p.blob(),
    status: p.enum([...INBOUND_STATUSES]).default('pending'),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().defaultRaw('now()'),
    lastError: p.text().nullable(),
    /** The plugin channel that answered (`<plugin>.<channel>`), once one did. */
    channel: p.text().nullable(),
    ticket: () => p.manyToOne(Ticket).ref().nullable().deleteRule('set null').updateRule('no action'),
    /** What it became: create, reply or ignore, with the plugin's reason for an ignore. */
    outcome: p.json<Record<string, unknown>>().nullable(),
    receivedAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    indexDefinition(
      "CREATE INDEX inbound_message_pending_idx ON public.inbound_message USING btree (next_attempt_at) WHERE (status = 'pending'::text)",
    ),
  ],
});
export type InboundMessage = InferEntity<typeof InboundMessage>;

export const InboundAttachment = defineEntity({
  name: 'InboundAttachment',
  tableName: 'inbound_attachment',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    message: () =>
      p
        .manyToOne(InboundMessage)
        .ref()
        .fieldName('message_id')
        .deleteRule('cascade')
        .updateRule('no action')
        .index('inbound_attachment_message_idx'),
    ticket: () =>
      p
        .manyToOne(Ticket)
        .ref()
        .nullable()
        .deleteRule('set null')
        .updateRule('no action')
        .index('inbound_attachment_ticket_idx'),
    filename: p.text(),
    contentType: p.text(),
    size: p.integer(),
    content: p.blob().lazy(),
    /** The stored file this attachment is moving to (set before its bytes are written there). */
    fileId: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
export type InboundAttachment = InferEntity<typeof InboundAttachment>;

/** Which outside targets a user's notices of one kind go to (in-app always). */
export const NotificationPreference = defineEntity({
  name: 'NotificationPreference',
  tableName: 'notification_preference',
  properties: {
    user: () => p.manyToOne(User).primary().ref().deleteRule('cascade').updateRule('no action'),
    /** The kind of notice: task, sla, urge, mention … ("*" for every kind without its own row). */
    kind: p.text().primary(),
    /** Target keys (email.mail, sms.sms, chat_robots.dingtalk …); empty: in-app only. */
    targets: p.json<string[]>().defaultRaw("'[]'::jsonb"),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
export type NotificationPreference = InferEntity<typeof NotificationPreference>;
