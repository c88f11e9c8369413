import type { EntityManager } from '@docket/db';
import { query } from '../db-access.ts';

export type NotificationRecipients = { userIds: number[]; customerIds: number[] };

/**
 * Writes in-app notifications, once per idempotency key and recipient: a retried job or a repeated
 * step leaves one notice each. Outside notification targets (email, SMS, webhooks) come with the
 * target plugins.
 */
export async function notify(
  tx: EntityManager,
  n: {
    key: string;
    ticketId: string | number | null;
    channel?: string;
    subject: string | null;
    body: string;
    to: NotificationRecipients;
  },
): Promise<number> {
  const recipients = [
    ...new Set([
      ...n.to.userIds.map((id) => `user:${id}`),
      ...n.to.customerIds.map((id) => `customer:${id}`),
    ]),
  ];
  if (recipients.length === 0) return 0;
  const rows = recipients.map((recipient) => {
    const [kind, id] = recipient.split(':') as [string, string];
    return {
      recipient,
      user_id: kind === 'user' ? Number(id) : null,
      customer_id: kind === 'customer' ? Number(id) : null,
    };
  });
  await query(
    tx,
    `insert into notification (idempotency_key, recipient, user_id, customer_id, ticket_id, channel, subject, body)
     select ?, r.recipient, r.user_id, r.customer_id, ?, ?, ?, ?
       from jsonb_to_recordset(?::jsonb) as r(recipient text, user_id int, customer_id int)
     on conflict do nothing`,
    [n.key, n.ticketId, n.channel ?? 'in_app', n.subject, n.body, JSON.stringify(rows)],
  );
  return recipients.length;
}
