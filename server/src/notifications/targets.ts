import type { LocalizedNames } from '@docket/core';
import { Registry } from '../extensions/registry.ts';

/** A person a notice goes to, with the addresses a target may need. */
export type TargetRecipient = {
  /** "user:7" or "customer:3". */
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
};

/** What a target reports for one recipient: delivered, or why not. */
export type RecipientResult = { recipient: string; isDelivered: boolean; error?: string };

/** A notice as a target renders and sends it. */
export type OutgoingMessage = {
  subject: string | null;
  body: string;
  ticket: { id: string; number: string; title: string } | null;
};

/**
 * A way to reach people outside Docket (email, SMS, a chat robot, a webhook). In-app notices are
 * always written; a notice that names a target also goes out through it, from a durable job that
 * retries with backoff, and each recipient's result lands on the ticket's timeline. Target
 * plugins register here, as the core would.
 */
export type NotificationTarget = {
  key: string;
  title: string;
  /** The title in the web app's other languages ({ "zh-CN": "短信" }); `title` where one is missing. */
  titles?: LocalizedNames;
  description?: string;
  /** Sends one message to its recipients; throws to have the delivery retried. */
  deliver(message: OutgoingMessage, recipients: TargetRecipient[]): Promise<RecipientResult[]>;
};

export type NotificationTargetRegistry = Registry<NotificationTarget>;

/** The in-app inbox, always written; not a registry entry. */
export const IN_APP = 'in_app';

export const createNotificationTargetRegistry = (): NotificationTargetRegistry =>
  new Registry<NotificationTarget>('Notification target');
