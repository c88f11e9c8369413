import { fieldError, ValidationFailed } from '@docket/core';
import { Customer, type EntityManager, raw, User } from '@docket/db';
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
  // Compared in lower case, as the unique email indexes are.
  const byEmail = { [raw('lower(email)')]: raw('lower(?)', [input.email.trim()]) };
  const account =
    input.kind === 'user'
      ? await em.findOne(User, { ...byEmail, isActive: true }, { populate: ['passwordHash'] })
      : await em.findOne(Customer, byEmail, { populate: ['passwordHash'] });
  if (!account || !(await verifyPassword(account.passwordHash, input.password))) throw WRONG();
  const token = await services.sessions.issue({
    kind: input.kind,
    id: account.id,
    version: account.tokenVersion,
  });
  return { token, id: account.id };
}

export function sessionCookie(token: string | null, ttlSeconds: number, secure: boolean): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
  return token
    ? `${SESSION_COOKIE}=${token}; Max-Age=${ttlSeconds}; ${attrs.join('; ')}`
    : `${SESSION_COOKIE}=; Max-Age=0; ${attrs.join('; ')}`;
}
