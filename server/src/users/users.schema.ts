import type { DataScope, Permission } from '@docket/core';
import type { ApiToken } from '@docket/db';
import { hasPermission, requireStaff } from '../access/policy.ts';
import { changePassword } from '../auth/change-password.ts';
import { login, sessionCookie } from '../auth/login.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { DataScopeEnum, PermissionEnum } from '../graphql/enums.ts';
import { LocalizedNameInput } from '../graphql/localized-names.ts';
import type { Services } from '../services.ts';
import { CustomerRef, RoleRef, UserRef } from './user-refs.ts';
import { listApiTokens, listRoles, listUsers } from './user-repository.ts';
import {
  createApiToken,
  createRole,
  createUser,
  revokeApiToken,
  updateRole,
  updateUser,
} from './user-service.ts';

// Other domains' schemas still import these from here.
export { CustomerRef, RoleRef, UserRef };

const ApiTokenRef = builder.objectRef<ApiToken>('ApiToken').implement({
  description: 'An API token; only its first characters are kept in the clear.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix'),
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (r, _a, ctx) => ctx.loaders.user.load(r.user.id),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.expiresAt ?? null }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastUsedAt ?? null }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.revokedAt ?? null }),
  }),
});

const CreatedApiTokenRef = builder
  .objectRef<{ token: string; apiToken: ApiToken }>('CreatedApiToken')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', {
        description: 'Shown once; send it as "Authorization: Bearer <token>".',
      }),
      apiToken: t.field({ type: ApiTokenRef, resolve: (r) => r.apiToken }),
    }),
  });

export type MeShape = {
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

export const SessionRef = builder.objectRef<{ token: string; me: MeShape }>('Session').implement({
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
      return listUsers(ctx.em, { includeInactive: a.includeInactive ?? false });
    },
  }),
  roles: t.field({
    type: [RoleRef],
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal);
      return listRoles(ctx.em);
    },
  }),
  apiTokens: t.field({
    type: [ApiTokenRef],
    description: 'Your own tokens; with token.manage, everyone’s.',
    resolve: (_r, _a, ctx) => {
      const staff = requireStaff(ctx.principal);
      const isEveryones = hasPermission(staff, 'token.manage');
      return listApiTokens(ctx.em, { userId: isEveryones ? null : staff.userId });
    },
  }),
}));

/** Who a new session belongs to, as `me` answers. */
export async function meOf(
  services: Pick<Services, 'principals'>,
  kind: 'user' | 'customer',
  id: number,
): Promise<MeShape> {
  if (kind === 'customer') return { kind, id, permissions: [], dataScope: null };
  const staff = await services.principals.staffById(id);
  return { kind, id, permissions: [...(staff?.permissions ?? [])], dataScope: staff?.scope ?? null };
}

builder.mutationFields((t) => ({
  login: t.field({
    type: SessionRef,
    errors: mutationErrors,
    description: 'Staff login. Returns a bearer token and sets the session cookie.',
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const { token, id } = await login(ctx.services, ctx.em, { ...a, kind: 'user', address: ctx.address });
      const kind = 'user' as const;
      ctx.cookies.push(sessionCookie(token, ctx.services.config.sessionTtlSeconds, ctx.isSecure));
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
      const { token, id } = await login(ctx.services, ctx.em, {
        ...a,
        kind: 'customer',
        address: ctx.address,
      });
      ctx.cookies.push(sessionCookie(token, ctx.services.config.sessionTtlSeconds, ctx.isSecure));
      return { token, me: { kind: 'customer' as const, id, permissions: [], dataScope: null } };
    },
  }),
  logout: t.boolean({
    description:
      'Ends the session it is sent with (its token stops working on every server) and clears the cookie.',
    resolve: async (_r, _a, ctx) => {
      if (ctx.session)
        await ctx.services.principals.revokeSession(ctx.em, ctx.session.sid, ctx.session.expiresAt);
      ctx.cookies.push(sessionCookie(null, 0, ctx.isSecure));
      return true;
    },
  }),
  changePassword: t.field({
    type: SessionRef,
    errors: mutationErrors,
    description:
      'The signed-in person changes their own password. Every other session of theirs ends; this one continues with the new session token (and cookie) returned.',
    args: {
      currentPassword: t.arg.string({ required: true }),
      newPassword: t.arg.string({ required: true }),
    },
    resolve: async (_r, a, ctx) => {
      const s = await changePassword(ctx.services, ctx.em, ctx.principal, { ...a, address: ctx.address });
      ctx.cookies.push(sessionCookie(s.token, ctx.services.config.sessionTtlSeconds, ctx.isSecure));
      return { token: s.token, me: await meOf(ctx.services, s.kind, s.id) };
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
      names: t.arg({ type: [LocalizedNameInput], description: 'The name in other languages.' }),
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
      names: t.arg({
        type: [LocalizedNameInput],
        description: 'The name in other languages: replaces the ones given before ([] removes them).',
      }),
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
