import { fieldError, ValidationFailed } from '@docket/core';
import { type EntityManager, queryOne } from '@docket/db';
import type { Services } from '../services.ts';
import { verifyPassword } from './passwords.ts';

export const SESSION_COOKIE = 'docket_session';

const WRONG = () =>
  new ValidationFailed([fieldError('/password', 'wrong_credentials', 'The email or the password is wrong.')]);

/** Checks a staff member's or customer's password and issues a session token. */
export async function login(
  services: Services,
  em: EntityManager,
  input: { email: string; password: string; kind: 'user' | 'customer' },
): Promise<{ token: string; id: number }> {
  const table = input.kind === 'user' ? 'app_user' : 'customer';
  const active = input.kind === 'user' ? 'and is_active' : '';
  const row = await queryOne<{ id: number; password_hash: string | null; token_version: number }>(
    em,
    `select id, password_hash, token_version from ${table} where lower(email) = lower(?) ${active}`,
    [input.email.trim()],
  );
  if (!row || !(await verifyPassword(row.password_hash, input.password))) throw WRONG();
  const token = await services.sessions.issue({ kind: input.kind, id: row.id, version: row.token_version });
  return { token, id: row.id };
}

export function sessionCookie(token: string | null, ttlSeconds: number, secure: boolean): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
  return token
    ? `${SESSION_COOKIE}=${token}; Max-Age=${ttlSeconds}; ${attrs.join('; ')}`
    : `${SESSION_COOKIE}=; Max-Age=0; ${attrs.join('; ')}`;
}
