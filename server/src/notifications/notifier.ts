import { type EntityManager, type JobBus, type JobSpec, jobsPart, query, type WritePart } from '@docket/db';
import { SYSTEM_ACTOR, TICKET_ID_PLACEHOLDER, type TicketStore } from '../tickets/ticket-store.ts';
import { kindOfNotice, targetsFor, usersWithPreferences } from './notification-preferences.ts';
import { IN_APP, type NotificationTargetRegistry, type TargetRecipient } from './targets.ts';

/** A delivery job that looks up where the users of a notice want it (their preferences) and fans out. */
export const BY_PREFERENCE = '@preferences';

export const DELIVERY_QUEUE = 'notification-delivery';

export type NotificationRecipients = { userIds: number[]; customerIds: number[] };

export type Notice = {
  /** Idempotency key: a retried job or a repeated step leaves one notice per recipient. */
  key: string;
  ticketId: string | number | null;
  subject: string | null;
  body: string;
  to: NotificationRecipients;
  /** Outside notification targets it also goes out through (registered keys). */
  targets?: string[];
  /**
   * Only through the named targets: no in-app row, nothing by people's preferences (a notice for
   * someone who cannot sign in yet, or one carrying a secret the inbox should not keep).
   */
  isNamedTargetsOnly?: boolean;
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

/** The key of the notification rows planned with a new ticket. */
export const NOTIFICATION_ROWS = 'notifications';

/** An in-app notification row (see notificationInsertSelect). */
export type NotificationRow = {
  key: string;
  recipient: string;
  user_id: number | null;
  customer_id: number | null;
  ticket_id: string | null;
  channel: string;
  subject: string | null;
  body: string;
};

/** The columns and select list that insert notification rows from JSON rows `x`, of the ticket `ticketExpr` when given. */
export const NOTIFICATION_INSERT_COLUMNS =
  'idempotency_key, recipient, user_id, customer_id, ticket_id, channel, subject, body';
export const notificationInsertSelect = (ticketExpr?: string): string =>
  `x->>'key', x->>'recipient', (x->>'user_id')::int, (x->>'customer_id')::int, ${ticketExpr ?? "(x->>'ticket_id')::bigint"},
   x->>'channel', x->>'subject', x->>'body'`;

async function insertNotificationRows(tx: EntityManager, rows: NotificationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await query(
    tx,
    `insert into notification (${NOTIFICATION_INSERT_COLUMNS})
     select ${notificationInsertSelect()} from jsonb_array_elements(?::jsonb) as n(x)
     on conflict do nothing`,
    [JSON.stringify(rows)],
  );
}

/** What a delivery job carries. */
type DeliveryData = {
  target: string;
  key: string;
  /** For BY_PREFERENCE: the kind of notice, and the targets the notice named itself (not sent twice). */
  kind?: string;
  named?: string[];
  ticketId: string | null;
  subject: string | null;
  body: string;
  to: string[];
};

/**
 * Sends notices: the in-app rows in the caller's transaction (one statement for many notices),
 * and, for each outside target a notice names, a delivery job enqueued in the same transaction,
 * so a notice exists, and goes out, exactly when the change that caused it commits.
 */
export class Notifier {
  /** Users who chose any outside target for their notices (see notification-preferences.ts). */
  private withPreferences = new Set<number>();
  private preferenceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      jobs: JobBus;
      targets: NotificationTargetRegistry;
      tickets: TicketStore;
      log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
    },
  ) {
    // Notices planned with a new ticket are written by the statement that writes it.
    deps.tickets.addRowWriter({
      key: NOTIFICATION_ROWS,
      insert: (from) =>
        `insert into notification (${NOTIFICATION_INSERT_COLUMNS}) select ${notificationInsertSelect('r.id')} from ${from}
         on conflict do nothing`,
    });
  }

  /** Loads who has preferences, and again every `everyMs` (other processes change them too). */
  async watchPreferences(em: () => EntityManager, everyMs = 5_000): Promise<void> {
    const load = async () => {
      this.withPreferences = new Set(await usersWithPreferences(em()));
    };
    await load();
    this.preferenceTimer = setInterval(() => {
      load().catch((e) =>
        this.deps.log('warn', 'notification preferences not reloaded', { error: String(e) }),
      );
    }, everyMs);
    this.preferenceTimer.unref();
  }

  /** Notes that a user now has (or no longer has) preferences, in this process at once. */
  preferencesChanged(userId: number, hasAny: boolean): void {
    if (hasAny) this.withPreferences.add(userId);
    else this.withPreferences.delete(userId);
  }

  stop(): void {
    clearInterval(this.preferenceTimer);
  }

  /** Whether a target key can be named in a notice (in-app, or a registered target). */
  knows(target: string): boolean {
    return target === IN_APP || this.deps.targets.has(target);
  }

  /**
   * The rows notices write: in-app notification rows (one per recipient; the insert skips a key
   * and recipient it has) and the delivery jobs of outside targets. `ticketId` may be null for a
   * ticket not yet written: the statement writing it fills it in.
   */
  rowsOf(notices: Notice[]): { inbox: NotificationRow[]; jobs: JobSpec[] } {
    const inbox = notices.flatMap((n) =>
      (n.isNamedTargetsOnly ? [] : recipientsOfNotice(n)).map((recipient): NotificationRow => {
        const [kind, id] = recipient.split(':') as [string, string];
        return {
          key: n.key,
          recipient,
          user_id: kind === 'user' ? Number(id) : null,
          customer_id: kind === 'customer' ? Number(id) : null,
          ticket_id: n.ticketId === null ? null : String(n.ticketId),
          channel: IN_APP,
          subject: n.subject,
          body: n.body,
        };
      }),
    );
    const jobs: JobSpec[] = [];
    for (const n of notices)
      for (const target of n.targets ?? []) {
        if (target === IN_APP) continue;
        const to = recipientsOfNotice(n);
        if (to.length === 0) continue;
        const data: DeliveryData = {
          target,
          key: n.key,
          ticketId: n.ticketId === null ? TICKET_ID_PLACEHOLDER : String(n.ticketId),
          subject: n.subject,
          body: n.body,
          to,
        };
        jobs.push({ queue: DELIVERY_QUEUE, key: `deliver:${target}:${n.key}`, data, retryLimit: 5 });
      }
    for (const n of notices) {
      if (n.isNamedTargetsOnly) continue;
      const users = n.to.userIds.filter((id) => this.withPreferences.has(id));
      if (users.length === 0) continue;
      const data: DeliveryData = {
        target: BY_PREFERENCE,
        key: n.key,
        kind: kindOfNotice(n.key),
        named: n.targets ?? [],
        ticketId: n.ticketId === null ? TICKET_ID_PLACEHOLDER : String(n.ticketId),
        subject: n.subject,
        body: n.body,
        to: [...new Set(users)].map((id) => `user:${id}`),
      };
      jobs.push({ queue: DELIVERY_QUEUE, key: `deliver:${BY_PREFERENCE}:${n.key}`, data, retryLimit: 5 });
    }
    return { inbox, jobs };
  }

  /** Writes notices in the caller's transaction: the inbox with one statement, the delivery jobs with another. */
  async send(tx: EntityManager, notices: Notice[]): Promise<void> {
    const { inbox, jobs } = this.rowsOf(notices);
    await insertNotificationRows(tx, inbox);
    // No statement here fills in a ticket id: a notice without one is about no ticket.
    const ticketless = jobs.map((j) =>
      (j.data as DeliveryData).ticketId === TICKET_ID_PLACEHOLDER
        ? { ...j, data: { ...(j.data as DeliveryData), ticketId: null } }
        : j,
    );
    await this.deps.jobs.sendInTransaction(tx, ticketless);
  }

  /** Notices as parts of the caller's statement (writeTogether): the inbox rows and the delivery jobs. */
  parts(notices: Notice[]): WritePart[] {
    const { inbox, jobs } = this.rowsOf(notices);
    const parts: WritePart[] = [];
    if (inbox.length)
      parts.push({
        input: inbox,
        isRows: true,
        sql: (input) =>
          `insert into notification (${NOTIFICATION_INSERT_COLUMNS})
           select ${notificationInsertSelect()} from jsonb_array_elements(${input}) as n(x)
           on conflict do nothing`,
      });
    if (jobs.length) parts.push(jobsPart(jobs));
    return parts;
  }

  /**
   * Delivers one notice through its target (a delivery job). A target that throws, or reports
   * every recipient failed, gets the job retried (pg-boss, with backoff); the results of the
   * last attempt go on the ticket's timeline.
   */
  async deliver(em: EntityManager, data: DeliveryData, attempt: { isLast: boolean }): Promise<void> {
    if (data.target === BY_PREFERENCE) return this.fanOut(em, data);
    const target = this.deps.targets.get(data.target);
    const ticket = data.ticketId
      ? ((
          await query<{ id: string; number: string; title: string }>(
            em,
            'select id::text as id, number, title from ticket where id = ?',
            [data.ticketId],
          )
        )[0] ?? null)
      : null;
    const record = async (kind: string, body: string, diff: unknown) => {
      if (!ticket) return;
      await em.transactional((tx) =>
        this.deps.tickets.append(tx, [{ ticketId: ticket.id, kind, body, diff, actor: SYSTEM_ACTOR }]),
      );
    };
    if (!target) {
      const subject = data.subject ?? data.body.slice(0, 60);
      await record(
        'notification.failed',
        `"${subject}" was not sent through ${data.target}: that notification target is not installed.`,
        { target: { from: null, to: data.target }, subject: { from: null, to: subject } },
      );
      return;
    }
    const recipients = await this.addresses(em, data.to);
    let results: { recipient: string; isDelivered: boolean; error?: string }[];
    try {
      results = await target.deliver({ subject: data.subject, body: data.body, ticket }, recipients);
    } catch (e) {
      if (!attempt.isLast) throw e;
      results = recipients.map((r) => ({
        recipient: r.id,
        isDelivered: false,
        error: String((e as Error).message ?? e),
      }));
    }
    const failed = results.filter((r) => !r.isDelivered);
    if (failed.length === results.length && results.length > 0 && !attempt.isLast)
      throw new Error(`${data.target}: every recipient failed (${failed[0]?.error ?? 'no reason given'})`);
    this.deps.log(failed.length ? 'warn' : 'info', 'notification delivered', {
      target: data.target,
      key: data.key,
      delivered: results.length - failed.length,
      failed: failed.length,
    });
    await record(
      failed.length ? 'notification.failed' : 'notification.delivered',
      `${target.title}: ${results.length - failed.length} of ${results.length} delivered${failed.length ? `; ${failed.map((f) => `${f.recipient}: ${f.error ?? 'failed'}`).join('; ')}` : ''}.`,
      {
        target: { from: null, to: data.target },
        // Its name as it was when sent, in each language, for the timeline's sentence (describeChange).
        targetTitle: { from: null, to: { en: target.title, ...target.titles } },
        results: { from: null, to: results },
      },
    );
  }

  /**
   * A notice's users' own choices: one delivery job per target they chose for its kind (a target
   * the notice named itself, or one not installed, is left out), each carrying its users.
   */
  private async fanOut(em: EntityManager, data: DeliveryData): Promise<void> {
    const userIds = data.to.filter((r) => r.startsWith('user:')).map((r) => Number(r.slice(5)));
    const chosen = await targetsFor(em, { userIds, kind: data.kind ?? 'notice' });
    const byTarget = new Map<string, string[]>();
    for (const [userId, targets] of chosen)
      for (const t of targets) {
        if (t === IN_APP || (data.named ?? []).includes(t) || !this.deps.targets.has(t)) continue;
        byTarget.set(t, [...(byTarget.get(t) ?? []), `user:${userId}`]);
      }
    const jobs: JobSpec[] = [...byTarget].map(([target, to]) => ({
      queue: DELIVERY_QUEUE,
      key: `deliver:${target}:${data.key}:chosen`,
      data: { target, key: data.key, ticketId: data.ticketId, subject: data.subject, body: data.body, to },
      retryLimit: 5,
    }));
    if (jobs.length) await this.deps.jobs.send(jobs);
  }

  /** Names, emails and phones of recipients ("user:7", "customer:3"). */
  private async addresses(em: EntityManager, ids: string[]): Promise<TargetRecipient[]> {
    const userIds = ids.filter((r) => r.startsWith('user:')).map((r) => Number(r.slice(5)));
    const customerIds = ids.filter((r) => r.startsWith('customer:')).map((r) => Number(r.slice(9)));
    const rows = await query<TargetRecipient>(
      em,
      `select 'user:' || id as id, name, email, phone from app_user where id = any(?::int[])
       union all
       select 'customer:' || id, name, email, phone from customer where id = any(?::int[])`,
      [userIds, customerIds],
    );
    return rows;
  }
}
