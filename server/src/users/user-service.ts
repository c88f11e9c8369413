import {
  type DataScope,
  fieldError,
  isDataScope,
  isPermission,
  type Permission,
  type Principal,
  ValidationFailed,
} from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { hasPermission, requireSelfOr, requireStaff } from '../access/policy.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { hashApiToken, newApiToken } from '../auth/principals.ts';
import { NotFoundError } from '../errors.ts';
import type { UserRow } from '../graphql/loaders.ts';
import type { Services } from '../services.ts';

export type RoleRow = { id: number; key: string; name: string; permissions: string[]; data_scope: DataScope };
export type ApiTokenRow = {
  id: number;
  name: string;
  prefix: string;
  user_id: number;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const USER_COLUMNS = 'id, email, name, org_unit_id, manager_id, is_active, created_at';
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function checkRefs(
  em: EntityManager,
  refs: { orgUnitId?: number | null; managerId?: number | null; roleIds?: number[] },
): Promise<void> {
  const errors = [];
  if (
    refs.orgUnitId != null &&
    !(await queryOne(em, 'select 1 from org_unit where id = ?', [refs.orgUnitId]))
  )
    errors.push(fieldError('/orgUnitId', 'not_found', `Org unit ${refs.orgUnitId} does not exist.`));
  if (
    refs.managerId != null &&
    !(await queryOne(em, 'select 1 from app_user where id = ?', [refs.managerId]))
  )
    errors.push(fieldError('/managerId', 'not_found', `User ${refs.managerId} (manager) does not exist.`));
  for (const [i, roleId] of (refs.roleIds ?? []).entries())
    if (!(await queryOne(em, 'select 1 from role where id = ?', [roleId])))
      errors.push(fieldError(`/roleIds/${i}`, 'not_found', `Role ${roleId} does not exist.`));
  if (errors.length) throw new ValidationFailed(errors);
}

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
): Promise<UserRow> {
  requireStaff(actor, 'user.manage');
  const errors = [];
  const email = input.email.trim();
  if (!EMAIL_RE.test(email))
    errors.push(fieldError('/email', 'invalid', `"${input.email}" is not an email address.`));
  if (!input.name.trim()) errors.push(fieldError('/name', 'required', 'A user needs a name.'));
  if (input.password != null && input.password.length < MIN_PASSWORD_LENGTH)
    errors.push(
      fieldError('/password', 'too_short', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`),
    );
  if (errors.length) throw new ValidationFailed(errors);
  await checkRefs(em, {
    orgUnitId: input.orgUnitId,
    managerId: input.managerId,
    roleIds: input.roleIds ?? [],
  });
  if (await queryOne(em, 'select 1 from app_user where lower(email) = lower(?)', [email]))
    throw new ValidationFailed([fieldError('/email', 'taken', `A user with email ${email} already exists.`)]);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const user = await em.transactional(async (tx) => {
    const row = await queryOne<UserRow>(
      tx,
      `insert into app_user (email, name, password_hash, org_unit_id, manager_id) values (?, ?, ?, ?, ?) returning ${USER_COLUMNS}`,
      [email, input.name.trim(), passwordHash, input.orgUnitId ?? null, input.managerId ?? null],
    );
    for (const roleId of input.roleIds ?? [])
      await query(tx, 'insert into user_role (user_id, role_id) values (?, ?)', [row!.id, roleId]);
    return row!;
  });
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

export async function updateUser(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: UpdateUserInput,
): Promise<UserRow> {
  const isPasswordOnly =
    input.password != null &&
    [input.name, input.orgUnitId, input.managerId, input.isActive, input.roleIds].every((v) => v == null);
  // Anyone may change their own password; everything else about a user needs user.manage.
  if (isPasswordOnly) requireSelfOr(actor, input.id, 'user.manage');
  else requireStaff(actor, 'user.manage');
  if (input.password != null && input.password.length < MIN_PASSWORD_LENGTH)
    throw new ValidationFailed([
      fieldError('/password', 'too_short', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`),
    ]);
  if (input.name != null && !input.name.trim())
    throw new ValidationFailed([fieldError('/name', 'required', 'A user needs a name.')]);
  if (input.managerId != null && input.managerId === input.id)
    throw new ValidationFailed([fieldError('/managerId', 'self', 'A user cannot be their own manager.')]);
  await checkRefs(em, {
    orgUnitId: input.orgUnitId,
    managerId: input.managerId,
    roleIds: input.roleIds ?? [],
  });
  const passwordHash = input.password != null ? await hashPassword(input.password) : null;
  const user = await em.transactional(async (tx) => {
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      params.push(v);
    };
    if (input.name != null) set('name', input.name.trim());
    if (input.orgUnitId !== undefined) set('org_unit_id', input.orgUnitId);
    if (input.managerId !== undefined) set('manager_id', input.managerId);
    if (input.isActive != null) set('is_active', input.isActive);
    if (passwordHash) {
      set('password_hash', passwordHash);
      sets.push('token_version = token_version + 1');
    }
    sets.push('updated_at = now()');
    const row = await queryOne<UserRow>(
      tx,
      `update app_user set ${sets.join(', ')} where id = ? returning ${USER_COLUMNS}`,
      [...params, input.id],
    );
    if (!row) throw new NotFoundError(`User ${input.id}`, '/id');
    if (input.roleIds != null) {
      await query(tx, 'delete from user_role where user_id = ?', [input.id]);
      for (const roleId of input.roleIds)
        await query(tx, 'insert into user_role (user_id, role_id) values (?, ?)', [input.id, roleId]);
    }
    return row;
  });
  services.principals.invalidate();
  return user;
}

function checkRole(input: {
  key?: string;
  name?: string | null;
  permissions?: string[] | null;
  dataScope?: string | null;
}) {
  const errors = [];
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
}

export async function createRole(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { key: string; name: string; permissions: Permission[]; dataScope: DataScope },
): Promise<RoleRow> {
  requireStaff(actor, 'role.manage');
  checkRole(input);
  if (await queryOne(em, 'select 1 from role where key = ?', [input.key]))
    throw new ValidationFailed([
      fieldError('/key', 'taken', `A role with key "${input.key}" already exists.`),
    ]);
  const row = await queryOne<RoleRow>(
    em,
    'insert into role (key, name, permissions, data_scope) values (?, ?, ?, ?) returning id, key, name, permissions, data_scope',
    [input.key, input.name.trim(), input.permissions, input.dataScope],
  );
  services.principals.invalidate();
  return row!;
}

export async function updateRole(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: {
    id: number;
    name?: string | null;
    permissions?: Permission[] | null;
    dataScope?: DataScope | null;
  },
): Promise<RoleRow> {
  requireStaff(actor, 'role.manage');
  checkRole(input);
  const row = await queryOne<RoleRow>(
    em,
    `update role set name = coalesce(?, name), permissions = coalesce(?, permissions), data_scope = coalesce(?, data_scope)
      where id = ? returning id, key, name, permissions, data_scope`,
    [input.name?.trim() ?? null, input.permissions ?? null, input.dataScope ?? null, input.id],
  );
  if (!row) throw new NotFoundError(`Role ${input.id}`, '/id');
  services.principals.invalidate();
  return row;
}

/**
 * Creates an API token acting as a user. Only its hash is kept: the token itself is returned once.
 * Without token.manage a staff member may create tokens only for themselves.
 */
export async function createApiToken(
  em: EntityManager,
  actor: Principal | null,
  input: { name: string; userId?: number | null; expiresAt?: Date | null },
): Promise<{ token: string; apiToken: ApiTokenRow }> {
  const userId = input.userId ?? requireStaff(actor).userId;
  const staff = requireSelfOr(actor, userId, 'token.manage');
  const errors = [];
  if (!input.name.trim())
    errors.push(fieldError('/name', 'required', 'Name the token after what will use it.'));
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
    errors.push(fieldError('/expiresAt', 'past', 'The expiry must be in the future.'));
  if (!(await queryOne(em, 'select 1 from app_user where id = ? and is_active', [userId])))
    errors.push(fieldError('/userId', 'not_found', `User ${userId} does not exist or is deactivated.`));
  if (errors.length) throw new ValidationFailed(errors);
  const token = newApiToken();
  const row = await queryOne<ApiTokenRow>(
    em,
    `insert into api_token (name, prefix, token_hash, user_id, created_by, expires_at)
     values (?, ?, ?, ?, ?, ?) returning id, name, prefix, user_id, created_at, expires_at, last_used_at, revoked_at`,
    [
      input.name.trim(),
      token.slice(0, 10),
      hashApiToken(token),
      userId,
      staff.userId,
      input.expiresAt ?? null,
    ],
  );
  return { token, apiToken: row! };
}

export async function revokeApiToken(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  id: number,
): Promise<ApiTokenRow> {
  const staff = requireStaff(actor);
  const canManage = hasPermission(staff, 'token.manage');
  const row = await queryOne<ApiTokenRow>(
    em,
    `update api_token set revoked_at = coalesce(revoked_at, now())
      where id = ? and (? or user_id = ?)
      returning id, name, prefix, user_id, created_at, expires_at, last_used_at, revoked_at`,
    [id, canManage, staff.userId],
  );
  if (!row) throw new NotFoundError(`API token ${id}`, '/id');
  services.principals.invalidate();
  return row;
}
