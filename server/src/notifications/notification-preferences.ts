import { type EntityManager, query } from '@docket/db';

/**
 * Where a user's notices go besides the in-app inbox (always written): per kind of notice, the
 * outside targets the user chose (email, SMS, a chat robot); a row of kind "*" covers every kind
 * without a row of its own. The notifier keeps the set of users with any choice in memory (it is
 * small and read on every notice), refreshed every few seconds for other server processes.
 */

/** The kinds of notice a user can route. */
export const NOTICE_KINDS = ['task', 'overdue', 'sla', 'urge', 'notice', '*'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** The kind of a notice, from its idempotency key's shape (see the places that make notices). */
export function kindOfNotice(key: string): Exclude<NoticeKind, '*'> {
  if (key.startsWith('sla:')) return 'sla';
  if (key.startsWith('urge:')) return 'urge';
  if (key.endsWith(':task')) return 'task';
  if (key.endsWith(':overdue')) return 'overdue';
  return 'notice';
}

export type PreferenceRow = { kind: string; targets: string[] };

export async function preferencesOf(em: EntityManager, userId: number): Promise<PreferenceRow[]> {
  return query<PreferenceRow>(
    em,
    'select kind, targets from notification_preference where user_id = ? order by kind',
    [userId],
  );
}

/**
 * Sets where a user's notices of a kind go. An empty list for a kind means in-app only for it
 * (kept, so the "*" row does not apply); for "*" it removes the default.
 */
export async function setPreference(
  em: EntityManager,
  input: { userId: number; kind: string; targets: string[] },
): Promise<void> {
  if (input.targets.length === 0 && input.kind === '*')
    await query(em, 'delete from notification_preference where user_id = ? and kind = ?', [
      input.userId,
      input.kind,
    ]);
  else
    await query(
      em,
      `insert into notification_preference (user_id, kind, targets) values (?, ?, ?::jsonb)
       on conflict (user_id, kind) do update set targets = excluded.targets, updated_at = now()`,
      [input.userId, input.kind, JSON.stringify(input.targets)],
    );
}

/** The users who chose any outside target. */
export async function usersWithPreferences(em: EntityManager): Promise<number[]> {
  const rows = await query<{ user_id: number }>(
    em,
    "select distinct user_id from notification_preference where targets <> '[]'::jsonb",
  );
  return rows.map((r) => r.user_id);
}

/** For each user, the targets their notices of a kind go to (their row of that kind, else "*"). */
export async function targetsFor(
  em: EntityManager,
  input: { userIds: number[]; kind: string },
): Promise<Map<number, string[]>> {
  const rows = await query<{ user_id: number; targets: string[] }>(
    em,
    `select distinct on (user_id) user_id, targets from notification_preference
      where user_id = any(?::int[]) and kind in (?, '*') order by user_id, (kind = '*')`,
    [input.userIds, input.kind],
  );
  return new Map(rows.map((r) => [r.user_id, r.targets]));
}
