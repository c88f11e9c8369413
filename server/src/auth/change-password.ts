import { fieldError, type Principal, ValidationFailed } from '@docket/core';
import { Customer, type EntityManager, User } from '@docket/db';
import { requireSignedIn } from '../access/policy.ts';
import { recordAdminChange } from '../audit/admin-audit.ts';
import type { Services } from '../services.ts';
import { hashPassword, passwordErrors, verifyPassword } from './passwords.ts';

/**
 * The signed-in person changes their own password: the current one first (wrong answers count
 * against the login throttle, as failed logins do), the new one by the server's rules. Every
 * session of the account ends; the caller is given a new one, so only this browser stays in.
 */
export async function changePassword(
  services: Pick<Services, 'loginThrottle' | 'principals' | 'sessions'>,
  em: EntityManager,
  actor: Principal | null,
  input: { currentPassword: string; newPassword: string; address: string },
): Promise<{ token: string; kind: 'user' | 'customer'; id: number }> {
  const p = requireSignedIn(actor);
  const kind = p.kind === 'user' ? 'user' : 'customer';
  const id = p.kind === 'user' ? p.userId : p.customerId;
  const errors = passwordErrors(input.newPassword, '/newPassword');
  if (!errors.length && input.newPassword === input.currentPassword)
    errors.push(
      fieldError('/newPassword', 'unchanged', 'The new password must differ from the current one.'),
    );
  if (errors.length) throw new ValidationFailed(errors);
  const account =
    kind === 'user'
      ? await em.findOne(User, { id, isActive: true }, { populate: ['passwordHash'] })
      : await em.findOne(Customer, id, { populate: ['passwordHash'] });
  if (!account?.email)
    throw new ValidationFailed([fieldError('/currentPassword', 'wrong', 'No password to change.')]);
  const attempt = { kind, email: account.email, address: input.address } as const;
  await services.loginThrottle.check(em, attempt);
  if (!(await verifyPassword(account.passwordHash, input.currentPassword))) {
    await services.loginThrottle.failed(em, attempt);
    throw new ValidationFailed([
      fieldError('/currentPassword', 'wrong_password', 'The current password is wrong.'),
    ]);
  }
  account.passwordHash = await hashPassword(input.newPassword);
  // Sessions issued before the change end: this one too, replaced below.
  account.tokenVersion += 1;
  if (kind === 'user')
    recordAdminChange(em, p, {
      action: 'update',
      entityType: 'user',
      entityId: id,
      entityName: (account as User).name,
      diff: { password: { from: null, to: 'changed by its owner' } },
    });
  await em.flush();
  services.principals.invalidate();
  const token = await services.sessions.issue({ kind, id, version: account.tokenVersion });
  return { token, kind, id };
}
