import type { Permission, Principal, StaffPrincipal } from '@docket/core';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';

export function requirePrincipal(p: Principal | null): Principal {
  if (!p) throw new UnauthenticatedError();
  return p;
}

/** A logged-in staff member (not a customer), holding the permission when one is named. */
export function requireStaff(p: Principal | null, permission?: Permission): StaffPrincipal {
  const principal = requirePrincipal(p);
  if (principal.kind !== 'user')
    throw new ForbiddenError('Only staff accounts can do this.', permission ?? null);
  if (permission && !principal.permissions.has(permission))
    throw new ForbiddenError(`Your roles do not grant the "${permission}" permission.`, permission);
  return principal;
}

export const hasPermission = (p: Principal | null, permission: Permission): boolean =>
  p?.kind === 'user' && p.permissions.has(permission);
