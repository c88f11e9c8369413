import { type EntityManager, query } from '@docket/db';

/** The auth domain's SQL: failed-login counts and sessions ended by logout. */

/** Keys among these that are locked now, with the seconds left. */
export const lockedKeys = (em: EntityManager, keys: string[]) =>
  query<{ key: string; seconds: number }>(
    em,
    `select key, ceil(extract(epoch from locked_until - now()))::int as seconds
       from login_throttle where key = any(?::text[]) and locked_until > now()`,
    [keys],
  );

/**
 * Counts a failed login against each key within a window of `windowSeconds`; a key reaching its
 * limit is locked for `lockSeconds`.
 */
export const countFailure = (
  em: EntityManager,
  entries: { key: string; limit: number }[],
  windowSeconds: number,
  lockSeconds: number,
) =>
  query(
    em,
    `insert into login_throttle as l (key, failures, window_started_at, locked_until)
       select x->>'key', 1, now(), case when (x->>'limit')::int <= 1 then now() + make_interval(secs => ?) end
         from jsonb_array_elements(?::jsonb) x
     on conflict (key) do update set
       failures = case when l.window_started_at < now() - make_interval(secs => ?) then 1 else l.failures + 1 end,
       window_started_at = case when l.window_started_at < now() - make_interval(secs => ?) then now() else l.window_started_at end,
       locked_until = case
         when l.window_started_at >= now() - make_interval(secs => ?) and l.failures + 1 >= (select (y->>'limit')::int from jsonb_array_elements(?::jsonb) y where y->>'key' = l.key)
         then now() + make_interval(secs => ?) else l.locked_until end`,
    [
      lockSeconds,
      JSON.stringify(entries),
      windowSeconds,
      windowSeconds,
      windowSeconds,
      JSON.stringify(entries),
      lockSeconds,
    ],
  );

export const clearFailures = (em: EntityManager, key: string) =>
  query(em, 'delete from login_throttle where key = ?', [key]);

export const saveRevokedSession = (em: EntityManager, sid: string, expiresAt: Date) =>
  query(em, 'insert into revoked_session (sid, expires_at) values (?, ?) on conflict do nothing', [
    sid,
    expiresAt,
  ]);

/** Revoked sessions that have not expired yet (older rows are dropped on the way). */
export async function liveRevokedSessions(em: EntityManager): Promise<string[]> {
  await query(em, 'delete from revoked_session where expires_at < now()');
  return (await query<{ sid: string }>(em, 'select sid from revoked_session')).map((r) => r.sid);
}
