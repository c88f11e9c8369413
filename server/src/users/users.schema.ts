import type { DataScope, Permission } from '@docket/core';
import { query } from '@docket/db';
import { hasPermission, maySeeInternals, requireStaff } from '../access/policy.ts';
import { login, sessionCookie } from '../auth/login.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { DataScopeEnum, PermissionEnum } from '../graphql/enums.ts';
import type { CustomerRow, TeamRow, UserRow } from '../graphql/loaders.ts';
import { OrgUnitRef, TeamRef } from '../org/org-refs.ts';
import {
  type ApiTokenRow,
  createApiToken,
  createRole,
  createUser,
  type RoleRow,
  revokeApiToken,
  updateRole,
  updateUser,
} from './user-service.ts';

export const RoleRef = builder.objectRef<RoleRow>('Role').implement({
  description: 'A permission set with a data scope.',
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    permissions: t.field({ type: [PermissionEnum], resolve: (r) => r.permissions as Permission[] }),
    dataScope: t.field({ type: DataScopeEnum, resolve: (r) => r.data_scope }),
  }),
});

export const UserRef = builder.objectRef<UserRow>('User');
UserRef.implement({
  description: 'A staff member. Customers see staff names only.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    email: t.string({
      nullable: true,
      description: 'Hidden from customers.',
      resolve: (u, _a, ctx) => (maySeeInternals(ctx.principal) ? u.email : null),
    }),
    isActive: t.exposeBoolean('is_active'),
    orgUnit: t.field({
      type: OrgUnitRef,
      nullable: true,
      resolve: (u, _a, ctx) =>
        u.org_unit_id && maySeeInternals(ctx.principal) ? ctx.loaders.orgUnit.load(u.org_unit_id) : null,
    }),
    manager: t.field({
      type: UserRef,
      nullable: true,
      resolve: (u, _a, ctx) =>
        u.manager_id && maySeeInternals(ctx.principal) ? ctx.loaders.user.load(u.manager_id) : null,
    }),
    roles: t.field({
      type: [RoleRef],
      resolve: (u, _a, ctx) =>
        maySeeInternals(ctx.principal)
          ? query<RoleRow>(
              ctx.em,
              'select r.* from role r join user_role ur on ur.role_id = r.id where ur.user_id = ? order by r.key',
              [u.id],
            )
          : [],
    }),
    teams: t.field({
      type: [TeamRef],
      resolve: (u, _a, ctx) =>
        maySeeInternals(ctx.principal)
          ? query<TeamRow>(
              ctx.em,
              'select t.* from team t join team_member m on m.team_id = t.id where m.user_id = ? order by t.name',
              [u.id],
            )
          : [],
    }),
  }),
});

export const CustomerRef = builder.objectRef<CustomerRow>('Customer').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    tier: t.exposeString('tier'),
  }),
});

const ApiTokenRef = builder.objectRef<ApiTokenRow>('ApiToken').implement({
  description: 'An API token; only its first characters are kept in the clear.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix'),
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (r, _a, ctx) => ctx.loaders.user.load(r.user_id),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.expires_at }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.last_used_at }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.revoked_at }),
  }),
});

const CreatedApiTokenRef = builder
  .objectRef<{ token: string; apiToken: ApiTokenRow }>('CreatedApiToken')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', {
        description: 'Shown once; send it as "Authorization: Bearer <token>".',
      }),
      apiToken: t.field({ type: ApiTokenRef, resolve: (r) => r.apiToken }),
    }),
  });

type MeShape = {
  kind: 'user' | 'customer';
  id: number;
  permissions: Permission[];
  dataScope: DataScope | null;
};
const MeRef = builder.objectRef<MeShape>('Me').implement({
  description: 'Who is asking.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: '"user" for staff, "customer" for customers.' }),
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (m, _a, ctx) => (m.kind === 'user' ? ctx.loaders.user.load(m.id) : null),
    }),
    customer: t.field({
      type: CustomerRef,
      nullable: true,
      resolve: (m, _a, ctx) => (m.kind === 'customer' ? ctx.loaders.customer.load(m.id) : null),
    }),
    permissions: t.field({ type: [PermissionEnum], resolve: (m) => m.permissions }),
    dataScope: t.field({ type: DataScopeEnum, nullable: true, resolve: (m) => m.dataScope }),
  }),
});

const SessionRef = builder.objectRef<{ token: string; me: MeShape }>('Session').implement({
  fields: (t) => ({
    token: t.exposeString('token', {
      description: 'A bearer token; the server also sets it as an HttpOnly cookie for browsers.',
    }),
    me: t.field({ type: MeRef, resolve: (s) => s.me }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: MeRef,
    nullable: true,
    description: 'Null when the request carries no session or token.',
    resolve: (_r, _a, ctx): MeShape | null => {
      const p = ctx.principal;
      if (!p) return null;
      return p.kind === 'user'
        ? { kind: 'user', id: p.userId, permissions: [...p.permissions], dataScope: p.scope }
        : { kind: 'customer', id: p.customerId, permissions: [], dataScope: null };
    },
  }),
  users: t.field({
    type: [UserRef],
    description: 'The staff directory (staff only).',
    args: { includeInactive: t.arg.boolean({ defaultValue: false }) },
    resolve: (_r, a, ctx) => {
      requireStaff(ctx.principal);
      return query<UserRow>(
        ctx.em,
        `select id, email, name, org_unit_id, manager_id, is_active, created_at from app_user
          ${a.includeInactive ? '' : 'where is_active'} order by name`,
      );
    },
  }),
  roles: t.field({
    type: [RoleRef],
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal);
      return query<RoleRow>(ctx.em, 'select * from role order by key');
    },
  }),
  apiTokens: t.field({
    type: [ApiTokenRef],
    description: 'Your own tokens; with token.manage, everyone’s.',
    resolve: (_r, _a, ctx) => {
      const staff = requireStaff(ctx.principal);
      const all = hasPermission(staff, 'token.manage');
      return query<ApiTokenRow>(
        ctx.em,
        `select id, name, prefix, user_id, created_at, expires_at, last_used_at, revoked_at from api_token
          where ? or user_id = ? order by id desc`,
        [all, staff.userId],
      );
    },
  }),
}));

builder.mutationFields((t) => ({
  login: t.field({
    type: SessionRef,
    errors: mutationErrors,
    description: 'Staff login. Returns a bearer token and sets the session cookie.',
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const { token, id } = await login(ctx.services, ctx.em, { ...a, kind: 'user' });
      const kind = 'user' as const;
      ctx.cookies.push(sessionCookie(token, ctx.services.config.sessionTtlSeconds, false));
      const staff = await ctx.services.principals.staffById(id);
      return {
        token,
        me: { kind, id, permissions: [...(staff?.permissions ?? [])], dataScope: staff?.scope ?? null },
      };
    },
  }),
  customerLogin: t.field({
    type: SessionRef,
    errors: mutationErrors,
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const { token, id } = await login(ctx.services, ctx.em, { ...a, kind: 'customer' });
      ctx.cookies.push(sessionCookie(token, ctx.services.config.sessionTtlSeconds, false));
      return { token, me: { kind: 'customer' as const, id, permissions: [], dataScope: null } };
    },
  }),
  logout: t.boolean({
    description: 'Clears the session cookie.',
    resolve: (_r, _a, ctx) => {
      ctx.cookies.push(sessionCookie(null, 0, false));
      return true;
    },
  }),
  createUser: t.field({
    type: UserRef,
    errors: mutationErrors,
    args: {
      email: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      password: t.arg.string(),
      orgUnitId: t.arg.int(),
      managerId: t.arg.int(),
      roleIds: t.arg.intList(),
    },
    resolve: (_r, a, ctx) => createUser(ctx.services, ctx.em, ctx.principal, a),
  }),
  updateUser: t.field({
    type: UserRef,
    errors: mutationErrors,
    description: 'Anyone may change their own password; everything else needs user.manage.',
    args: {
      id: t.arg.int({ required: true }),
      name: t.arg.string(),
      password: t.arg.string(),
      orgUnitId: t.arg.int(),
      managerId: t.arg.int(),
      isActive: t.arg.boolean(),
      roleIds: t.arg.intList(),
    },
    resolve: (_r, a, ctx) => updateUser(ctx.services, ctx.em, ctx.principal, a),
  }),
  createRole: t.field({
    type: RoleRef,
    errors: mutationErrors,
    args: {
      key: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      permissions: t.arg({ type: [PermissionEnum], required: true }),
      dataScope: t.arg({ type: DataScopeEnum, required: true }),
    },
    resolve: (_r, a, ctx) => createRole(ctx.services, ctx.em, ctx.principal, a),
  }),
  updateRole: t.field({
    type: RoleRef,
    errors: mutationErrors,
    args: {
      id: t.arg.int({ required: true }),
      name: t.arg.string(),
      permissions: t.arg({ type: [PermissionEnum] }),
      dataScope: t.arg({ type: DataScopeEnum }),
    },
    resolve: (_r, a, ctx) => updateRole(ctx.services, ctx.em, ctx.principal, a),
  }),
  createApiToken: t.field({
    type: CreatedApiTokenRef,
    errors: mutationErrors,
    args: {
      name: t.arg.string({ required: true }),
      userId: t.arg.int(),
      expiresAt: t.arg({ type: 'DateTime' }),
    },
    resolve: (_r, a, ctx) => createApiToken(ctx.em, ctx.principal, a),
  }),
  revokeApiToken: t.field({
    type: ApiTokenRef,
    errors: mutationErrors,
    args: { id: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => revokeApiToken(ctx.services, ctx.em, ctx.principal, a.id),
  }),
}));

/** A team's members (their user records are this module's). */
type MemberRow = { team_id: number; user_id: number; skills: string[] };
const TeamMemberRef = builder.objectRef<MemberRow>('TeamMember').implement({
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (m, _a, ctx) => ctx.loaders.user.load(m.user_id),
    }),
    skills: t.exposeStringList('skills'),
  }),
});

builder.objectField(TeamRef, 'members', (t) =>
  t.field({
    type: [TeamMemberRef],
    resolve: (r, _a, ctx) =>
      maySeeInternals(ctx.principal)
        ? query<MemberRow>(ctx.em, 'select * from team_member where team_id = ? order by user_id', [r.id])
        : [],
  }),
);
