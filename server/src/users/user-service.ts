import {
  type DataScope,
  type FieldError,
  fieldError,
  isDataScope,
  isPermission,
  type LocalizedNames,
  localizedNameList,
  type Permission,
  type Principal,
  parseLocalizedNames,
  ValidationFailed,
} from '@docket/core';
import { ApiToken, type EntityManager, isUniqueViolation, Role, ref, User } from '@docket/db';
import { hasPermission, requireSelfOr, requireStaff } from '../access/policy.ts';
import { diffOf, flushAudited, recordAdminChange } from '../audit/admin-audit.ts';
import { hashPassword, passwordErrors } from '../auth/passwords.ts';
import { hashApiToken, newApiToken } from '../auth/principals.ts';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import { findUserByEmail, loadUserRefs, type UserRefs } from './user-repository.ts';

/**
 * Staff users, roles and API tokens, through the entity manager: a change is made to the loaded
 * entities and written by one flush (its own transaction), user_role rows included.
 */

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Field errors for the references the input names that do not exist. */
function missingRefs(
  input: { orgUnitId?: number | null; managerId?: number | null; roleIds?: number[] | null },
  found: UserRefs,
): FieldError[] {
  const errors: FieldError[] = [];
  if (input.orgUnitId != null && !found.orgUnit)
    errors.push(fieldError('/orgUnitId', 'not_found', `Org unit ${input.orgUnitId} does not exist.`));
  if (input.managerId != null && !found.manager)
    errors.push(fieldError('/managerId', 'not_found', `User ${input.managerId} (manager) does not exist.`));
  const roleIds = new Set(found.roles?.map((r) => r.id));
  for (const [i, roleId] of (input.roleIds ?? []).entries())
    if (!roleIds.has(roleId))
      errors.push(fieldError(`/roleIds/${i}`, 'not_found', `Role ${roleId} does not exist.`));
  return errors;
}

const emailTaken = (email: string) =>
  new ValidationFailed([fieldError('/email', 'taken', `A user with email ${email} already exists.`)]);

export type CreateUserInput = {
  email: string;
  name: string;
  password?: string | null;
  orgUnitId?: number | null;
  managerId?: number | null;
  roleIds?: number[] | null;
};

export async function createUser(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: CreateUserInput,
): Promise<User> {
  requireStaff(actor, 'user.manage');
  const email = input.email.trim();
  const errors: FieldError[] = [];
  if (!EMAIL_RE.test(email))
    errors.push(fieldError('/email', 'invalid', `"${input.email}" is not an email address.`));
  if (!input.name.trim()) errors.push(fieldError('/name', 'required', 'A user needs a name.'));
  errors.push(...passwordErrors(input.password));
  if (errors.length) throw new ValidationFailed(errors);
  const refs = await loadUserRefs(em, { ...input, roleIds: input.roleIds ?? [] });
  const missing = missingRefs(input, refs);
  if (missing.length) throw new ValidationFailed(missing);
  if (await findUserByEmail(em, email)) throw emailTaken(email);
  const user = em.create(User, {
    email,
    name: input.name.trim(),
    passwordHash: input.password ? await hashPassword(input.password) : null,
    orgUnit: refs.orgUnit ?? null,
    manager: refs.manager ?? null,
  });
  user.roles.set(refs.roles ?? []);
  try {
    await flushAudited(em, actor, () => ({
      action: 'create',
      entityType: 'user',
      entityId: user.id,
      entityName: user.name,
      diff: {
        email: { from: null, to: user.email },
        orgUnitId: { from: null, to: input.orgUnitId ?? null },
        roleIds: { from: null, to: input.roleIds ?? [] },
      },
    }));
  } catch (e) {
    // Another admin took the email a moment ago: app_user_email_idx is the one check that cannot race.
    if (isUniqueViolation(e, 'app_user_email_idx')) {
      em.clear();
      throw emailTaken(email);
    }
    throw e;
  }
  services.principals.invalidate();
  return user;
}

export type UpdateUserInput = {
  id: number;
  name?: string | null;
  password?: string | null;
  orgUnitId?: number | null;
  managerId?: number | null;
  isActive?: boolean | null;
  roleIds?: number[] | null;
};

/** What the audit trail compares before and after a change of a user. */
function userSnapshot(user: User, withRoles: boolean): Record<string, unknown> {
  return {
    name: user.name,
    orgUnitId: user.orgUnit?.id ?? null,
    managerId: user.manager?.id ?? null,
    isActive: user.isActive,
    ...(withRoles
      ? {
          roleIds: user.roles
            .getItems()
            .map((r) => r.id)
            .sort((a, b) => a - b),
        }
      : {}),
  };
}

export async function updateUser(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: UpdateUserInput,
): Promise<User> {
  const isPasswordOnly =
    input.password != null &&
    [input.name, input.orgUnitId, input.managerId, input.isActive, input.roleIds].every((v) => v == null);
  // Anyone may change their own password; everything else about a user needs user.manage.
  if (isPasswordOnly) requireSelfOr(actor, input.id, 'user.manage');
  else requireStaff(actor, 'user.manage');
  const errors = passwordErrors(input.password);
  if (input.name != null && !input.name.trim())
    errors.push(fieldError('/name', 'required', 'A user needs a name.'));
  if (input.managerId != null && input.managerId === input.id)
    errors.push(fieldError('/managerId', 'self', 'A user cannot be their own manager.'));
  if (errors.length) throw new ValidationFailed(errors);
  const [user, refs] = await Promise.all([
    em.findOne(User, input.id, input.roleIds != null ? { populate: ['roles'] } : {}),
    loadUserRefs(em, input),
  ]);
  if (!user) throw new NotFoundError(`User ${input.id}`, '/id');
  const missing = missingRefs(input, refs);
  if (missing.length) throw new ValidationFailed(missing);
  const before = userSnapshot(user, input.roleIds != null);
  if (input.name != null) user.name = input.name.trim();
  if (input.orgUnitId !== undefined) user.orgUnit = refs.orgUnit ? ref(refs.orgUnit) : null;
  if (input.managerId !== undefined) user.manager = refs.manager ? ref(refs.manager) : null;
  if (input.isActive === false && user.isActive) {
    // Deactivation ends every session and API token for good: reactivating does not revive them.
    user.tokenVersion += 1;
    await em.nativeUpdate(ApiToken, { user: user.id, revokedAt: null }, { revokedAt: new Date() });
  }
  if (input.isActive != null) user.isActive = input.isActive;
  if (input.roleIds != null) user.roles.set(refs.roles ?? []);
  if (input.password != null) {
    user.passwordHash = await hashPassword(input.password);
    // Sessions issued before the change end.
    user.tokenVersion += 1;
  }
  const diff = diffOf(before, userSnapshot(user, input.roleIds != null));
  if (diff || input.password != null)
    recordAdminChange(em, actor, {
      action: 'update',
      entityType: 'user',
      entityId: user.id,
      entityName: user.name,
      // A password is never recorded, only that it changed.
      diff: { ...diff, ...(input.password != null ? { password: { from: null, to: 'changed' } } : {}) },
    });
  await em.flush();
  services.principals.invalidate();
  return user;
}

type NamesInput = readonly { locale: string; text: string }[] | null | undefined;

/** Checks a role's fields; returns its names in other languages as a map when they were given. */
function checkRole(input: {
  key?: string;
  name?: string | null;
  names?: NamesInput;
  permissions?: string[] | null;
  dataScope?: string | null;
}): LocalizedNames | undefined {
  const errors: FieldError[] = [];
  const names = input.names == null ? undefined : parseLocalizedNames(input.names, '/names');
  if (names) errors.push(...names.errors);
  if (input.key !== undefined && !/^[a-z][a-z0-9_-]{1,39}$/.test(input.key))
    errors.push(
      fieldError('/key', 'invalid', 'A role key is 2 to 40 lowercase letters, digits, "-" or "_".'),
    );
  if (input.name != null && !input.name.trim())
    errors.push(fieldError('/name', 'required', 'A role needs a name.'));
  (input.permissions ?? []).forEach((p, i) => {
    if (!isPermission(p))
      errors.push(fieldError(`/permissions/${i}`, 'unknown', `"${p}" is not a permission.`));
  });
  if (input.dataScope != null && !isDataScope(input.dataScope))
    errors.push(fieldError('/dataScope', 'invalid', 'The data scope must be own, team, org_subtree or all.'));
  if (errors.length) throw new ValidationFailed(errors);
  return names?.names;
}

const roleKeyTaken = (key: string) =>
  new ValidationFailed([fieldError('/key', 'taken', `A role with key "${key}" already exists.`)]);

export async function createRole(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { key: string; name: string; names?: NamesInput; permissions: Permission[]; dataScope: DataScope },
): Promise<Role> {
  requireStaff(actor, 'role.manage');
  const names = checkRole(input);
  if (await em.findOne(Role, { key: input.key })) throw roleKeyTaken(input.key);
  const role = em.create(Role, {
    key: input.key,
    name: input.name.trim(),
    names: names ?? {},
    permissions: [...new Set(input.permissions)],
    dataScope: input.dataScope,
  });
  try {
    await flushAudited(em, actor, () => ({
      action: 'create',
      entityType: 'role',
      entityId: role.id,
      entityName: role.name,
      diff: diffOf(
        {},
        { key: role.key, names: role.names, permissions: role.permissions, dataScope: role.dataScope },
      ),
    }));
  } catch (e) {
    if (isUniqueViolation(e, 'role_key_key')) {
      em.clear();
      throw roleKeyTaken(input.key);
    }
    throw e;
  }
  services.principals.invalidate();
  return role;
}

export async function updateRole(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: {
    id: number;
    name?: string | null;
    names?: NamesInput;
    permissions?: Permission[] | null;
    dataScope?: DataScope | null;
  },
): Promise<Role> {
  requireStaff(actor, 'role.manage');
  const names = checkRole(input);
  const role = await em.findOne(Role, input.id);
  if (!role) throw new NotFoundError(`Role ${input.id}`, '/id');
  const snapshot = () => ({
    name: role.name,
    names: localizedNameList(role.names),
    permissions: [...role.permissions].sort(),
    dataScope: role.dataScope,
  });
  const before = snapshot();
  if (input.name != null) role.name = input.name.trim();
  if (names) role.names = names;
  if (input.permissions != null) role.permissions = [...new Set(input.permissions)];
  if (input.dataScope != null) role.dataScope = input.dataScope;
  const diff = diffOf(before, snapshot());
  if (diff)
    recordAdminChange(em, actor, {
      action: 'update',
      entityType: 'role',
      entityId: role.id,
      entityName: role.name,
      diff,
    });
  await em.flush();
  services.principals.invalidate();
  return role;
}

/**
 * Creates an API token acting as a user. Only its hash is kept: the token itself is returned once.
 * Without token.manage a staff member may create tokens only for themselves.
 */
export async function createApiToken(
  em: EntityManager,
  actor: Principal | null,
  input: { name: string; userId?: number | null; expiresAt?: Date | null },
): Promise<{ token: string; apiToken: ApiToken }> {
  const userId = input.userId ?? requireStaff(actor).userId;
  const staff = requireSelfOr(actor, userId, 'token.manage');
  const errors: FieldError[] = [];
  if (!input.name.trim())
    errors.push(fieldError('/name', 'required', 'Name the token after what will use it.'));
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
    errors.push(fieldError('/expiresAt', 'past', 'The expiry must be in the future.'));
  const user = await em.findOne(User, { id: userId, isActive: true });
  if (!user)
    errors.push(fieldError('/userId', 'not_found', `User ${userId} does not exist or is deactivated.`));
  if (errors.length || !user) throw new ValidationFailed(errors);
  const token = newApiToken();
  const apiToken = em.create(ApiToken, {
    name: input.name.trim(),
    prefix: token.slice(0, 10),
    tokenHash: hashApiToken(token),
    user,
    createdBy: em.getReference(User, staff.userId),
    expiresAt: input.expiresAt ?? null,
  });
  await flushAudited(em, actor, () => ({
    action: 'create',
    entityType: 'api_token',
    entityId: apiToken.id,
    entityName: apiToken.name,
    diff: diffOf({}, { userId: user.id, prefix: apiToken.prefix, expiresAt: apiToken.expiresAt }),
  }));
  return { token, apiToken };
}

/** Revokes a token (once: a second revoke keeps the first time). Others' tokens need token.manage. */
export async function revokeApiToken(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  id: number,
): Promise<ApiToken> {
  const staff = requireStaff(actor);
  const apiToken = await em.findOne(
    ApiToken,
    hasPermission(staff, 'token.manage') ? { id } : { id, user: staff.userId },
  );
  if (!apiToken) throw new NotFoundError(`API token ${id}`, '/id');
  if (!apiToken.revokedAt)
    recordAdminChange(em, actor, {
      action: 'update',
      entityType: 'api_token',
      entityId: apiToken.id,
      entityName: apiToken.name,
      diff: { revoked: { from: false, to: true } },
    });
  apiToken.revokedAt ??= new Date();
  await em.flush();
  services.principals.invalidate();
  return apiToken;
}
