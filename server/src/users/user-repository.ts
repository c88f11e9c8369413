import { ApiToken, type EntityManager, OrgUnit, Role, raw, User } from '@docket/db';

/** Reads of the users domain (staff, roles, API tokens), through the request's entity manager. */

/** The staff directory by name; deactivated people only when asked. */
export function listUsers(em: EntityManager, options: { includeInactive: boolean }): Promise<User[]> {
  return em.find(User, options.includeInactive ? {} : { isActive: true }, {
    orderBy: { name: 'asc', id: 'asc' },
  });
}

export function listRoles(em: EntityManager): Promise<Role[]> {
  return em.find(Role, {}, { orderBy: { key: 'asc' } });
}

/** API tokens, newest first: one person's, or everyone's (`userId` null). */
export function listApiTokens(em: EntityManager, options: { userId: number | null }): Promise<ApiToken[]> {
  return em.find(ApiToken, options.userId === null ? {} : { user: options.userId }, {
    orderBy: { id: 'desc' },
  });
}

/** The user with this email, compared as app_user_email_idx does (lower case), the password hash included. */
export function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(
    User,
    { [raw('lower(email)')]: raw('lower(?)', [email.trim()]) },
    { populate: ['passwordHash'] },
  );
}

/** The references a user's fields name, loaded: what was not found is missing from the result. */
export type UserRefs = {
  orgUnit?: OrgUnit | null | undefined;
  manager?: User | null | undefined;
  roles?: Role[] | undefined;
};

export async function loadUserRefs(
  em: EntityManager,
  ids: { orgUnitId?: number | null; managerId?: number | null; roleIds?: number[] | null },
): Promise<UserRefs> {
  const [orgUnit, manager, roles] = await Promise.all([
    ids.orgUnitId != null ? em.findOne(OrgUnit, ids.orgUnitId) : undefined,
    ids.managerId != null ? em.findOne(User, ids.managerId) : undefined,
    ids.roleIds?.length ? em.find(Role, { id: { $in: ids.roleIds } }) : ids.roleIds ? [] : undefined,
  ]);
  return { orgUnit, manager, roles };
}
