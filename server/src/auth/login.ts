import { fieldError, ValidationFailed } from '@docket/core';
import { Customer, type EntityManager, raw, User } from '@docket/db';
import type { Services } from '../services.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export const SESSION_COOKIE = 'docket_session';

const WRONG = () =>
  new ValidationFailed([fieldError('/password', 'wrong_credentials', 'The email or the password is wrong.')]);

/** A hash no password matches, checked when the account is unknown so that both answers take as long. */
let decoy: Promise<string> | undefined;
const decoyHash = (): Promise<string> => (decoy ??= hashPassword(`decoy-${Math.random()}`));

/**
 * Checks a staff member's or customer's password and issues a session token. Unknown emails cost
 * a password check too (the answer's time tells nothing), and failures are throttled per account
 * and address (LoginThrottle).
 */
export async function login(
  services: Services,
  em: EntityManager,
  input: { email: string; password: string; kind: 'user' | 'customer'; address: string },
): Promise<{ token: string; id: number }> {
  const attempt = { kind: input.kind, email: input.email, address: input.address };
  await services.loginThrottle.check(em, attempt);
  // Compared in lower case, as the unique email indexes are.
  const byEmail = { [raw('lower(email)')]: raw('lower(?)', [input.email.trim()]) };
  const account =
    input.kind === 'user'
      ? await em.findOne(User, { ...byEmail, isActive: true }, { populate: ['passwordHash'] })
      : await em.findOne(Customer, byEmail, { populate: ['passwordHash'] });
  const isRight = await verifyPassword(account?.passwordHash || (await decoyHash()), input.password);
  if (!account?.passwordHash || !isRight) {
    await services.loginThrottle.failed(em, attempt);
    throw WRONG();
  }
  await services.loginThrottle.succeeded(em, attempt);
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
