import type { Customer, Role, TeamMember, User } from '@docket/db';
import { maySeeInternals } from '../access/policy.ts';
import { builder } from '../graphql/builder.ts';
import type { Ctx } from '../graphql/context.ts';
import { DataScopeEnum, PermissionEnum } from '../graphql/enums.ts';
import { LocalizedNameRef, servedNames } from '../graphql/localized-names.ts';
import { OrgUnitRef, TeamRef } from '../org/org-refs.ts';

/**
 * The users domain's GraphQL objects: staff, roles, customers, and the people side of teams
 * (their members). Above org/org-refs.ts, which names no person.
 */

export const RoleRef = builder.objectRef<Role>('Role').implement({
  description: 'A permission set with a data scope.',
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    names: t.field({
      type: [LocalizedNameRef],
      description: 'The name in other languages (en, zh-CN); `name` stands in for a language not listed.',
      resolve: (r) => servedNames(r.names),
    }),
    permissions: t.field({ type: [PermissionEnum], resolve: (r) => r.permissions }),
    dataScope: t.field({ type: DataScopeEnum, resolve: (r) => r.dataScope }),
  }),
});

export const UserRef = builder.objectRef<User>('User');
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
    isActive: t.exposeBoolean('isActive'),
    orgUnit: t.field({
      type: OrgUnitRef,
      nullable: true,
      resolve: (u, _a, ctx) =>
        u.orgUnit && maySeeInternals(ctx.principal) ? ctx.loaders.orgUnit.load(u.orgUnit.id) : null,
    }),
    manager: t.field({
      type: UserRef,
      nullable: true,
      resolve: (u, _a, ctx) =>
        u.manager && maySeeInternals(ctx.principal) ? ctx.loaders.user.load(u.manager.id) : null,
    }),
    roles: t.field({
      type: [RoleRef],
      resolve: async (u, _a, ctx) =>
        maySeeInternals(ctx.principal) ? ((await ctx.loaders.rolesOfUser.load(u.id)) ?? []) : [],
    }),
    teams: t.field({
      type: [TeamRef],
      resolve: async (u, _a, ctx) =>
        maySeeInternals(ctx.principal) ? ((await ctx.loaders.teamsOfUser.load(u.id)) ?? []) : [],
    }),
  }),
});

builder.objectField(OrgUnitRef, 'manager', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: "Who runs the unit: its people's work escalates to them. Null for customers.",
    resolve: (o, _a, ctx) =>
      o.manager && maySeeInternals(ctx.principal) ? ctx.loaders.user.load(o.manager.id) : null,
  }),
);

/** A customer's contact details: for the customer, and for staff who reach them (access policy customerScope). */
async function mayReadContact(c: Customer, ctx: Ctx): Promise<boolean> {
  const p = ctx.principal;
  if (!p) return false;
  if (p.kind === 'customer') return p.customerId === c.id;
  return (await ctx.loaders.customerInReach(p).load(c.id)) === true;
}

export const CustomerRef = builder.objectRef<Customer>('Customer').implement({
  description:
    'A requester. Staff see the contact details of customers whose tickets they see, or all with customer.manage.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    email: t.string({
      nullable: true,
      resolve: async (c, _a, ctx) => ((await mayReadContact(c, ctx)) ? (c.email ?? null) : null),
    }),
    phone: t.string({
      nullable: true,
      resolve: async (c, _a, ctx) => ((await mayReadContact(c, ctx)) ? (c.phone ?? null) : null),
    }),
    tier: t.exposeString('tier'),
  }),
});

const TeamMemberRef = builder.objectRef<TeamMember>('TeamMember').implement({
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (m, _a, ctx) => ctx.loaders.user.load(m.user.id),
    }),
    skills: t.exposeStringList('skills'),
  }),
});

builder.objectField(TeamRef, 'members', (t) =>
  t.field({
    type: [TeamMemberRef],
    resolve: async (team, _a, ctx) =>
      maySeeInternals(ctx.principal) ? ((await ctx.loaders.membersOfTeam.load(team.id)) ?? []) : [],
  }),
);
