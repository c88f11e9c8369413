import { type EntityManager, query } from '@docket/db';

export type NotificationRecipients = { userIds: number[]; customerIds: number[] };

export type Notice = {
  key: string;
  ticketId: string | number | null;
  channel?: string;
  subject: string | null;
  body: string;
  to: NotificationRecipients;
};

/** The distinct recipients of a notice, as stored ("user:7", "customer:3"). */
export function recipientsOfNotice(n: Notice): string[] {
  return [
    ...new Set([
      ...n.to.userIds.map((id) => `user:${id}`),
      ...n.to.customerIds.map((id) => `customer:${id}`),
    ]),
  ];
}

/**
 * Writes in-app notifications, once per idempotency key and recipient: a retried job or a repeated
 * step leaves one notice each. Returns how many people the notice is for. Outside notification
 * targets (email, SMS, webhooks) come with the target plugins.
 */
export async function notify(tx: EntityManager, n: Notice): Promise<number> {
  await notifyMany(tx, [n]);
  return recipientsOfNotice(n).length;
}

/** Writes many notices with one statement (see notify). */
export async function notifyMany(tx: EntityManager, notices: Notice[]): Promise<void> {
  const rows = notices.flatMap((n) =>
    recipientsOfNotice(n).map((recipient) => {
      const [kind, id] = recipient.split(':') as [string, string];
      return {
        key: n.key,
        recipient,
        user_id: kind === 'user' ? Number(id) : null,
        customer_id: kind === 'customer' ? Number(id) : null,
        ticket_id: n.ticketId === null ? null : String(n.ticketId),
        channel: n.channel ?? 'in_app',
        subject: n.subject,
        body: n.body,
      };
    }),
  );
  if (rows.length === 0) return;
  await query(
    tx,
    `insert into notification (idempotency_key, recipient, user_id, customer_id, ticket_id, channel, subject, body)
     select r.key, r.recipient, r.user_id, r.customer_id, r.ticket_id, r.channel, r.subject, r.body
       from jsonb_to_recordset(?::jsonb) as r(key text, recipient text, user_id int, customer_id int,
                                              ticket_id bigint, channel text, subject text, body text)
     on conflict do nothing`,
    [JSON.stringify(rows)],
  );
}
