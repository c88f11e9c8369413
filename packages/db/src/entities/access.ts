import { DATA_SCOPES, type LocalizedNames, ORG_UNIT_KINDS, type Permission } from '@docket/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { indexDefinition } from './index-definition.ts';

/**
 * Who works in Docket and where: the org tree, roles (permission sets with a data scope), staff
 * users, teams with their members' skills, and API tokens. Every column, default, key, check and
 * index as the migrations create them (tests/db/entities-match-tables.test.ts compares them).
 */

export const OrgUnit = defineEntity({
  name: 'OrgUnit',
  tableName: 'org_unit',
  properties: {
    id: p.integer().primary().autoincrement(),
    parent: () =>
      p
        .manyToOne(OrgUnit)
        .ref()
        .nullable()
        .deleteRule('no action')
        .updateRule('no action')
        .index('org_unit_parent_idx'),
    name: p.text(),
    kind: p.enum([...ORG_UNIT_KINDS]),
    /** Ids from the root, e.g. /1/3/7/: a subtree is every unit whose path starts with its root's. */
    path: p.text().unique(),
    /** Who runs the unit: its people's work escalates to them (an SLA escalation, a supervisor's follow-up). */
    manager: () => p.manyToOne(User).ref().nullable().deleteRule('set null').updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
export type OrgUnit = InferEntity<typeof OrgUnit>;

export const Role = defineEntity({
  name: 'Role',
  tableName: 'role',
  properties: {
    id: p.integer().primary().autoincrement(),
    key: p.text().unique(),
    name: p.text(),
    /** The name in other languages, by locale ("zh-CN"); `name` where one is missing. */
    names: p.json<LocalizedNames>().defaultRaw("'{}'::jsonb"),
    permissions: p.array<Permission>().defaultRaw("'{}'::text[]"),
    dataScope: p.enum([...DATA_SCOPES]),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
export type Role = InferEntity<typeof Role>;

export const User = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** Unique regardless of case (app_user_email_idx). */
    email: p.text(),
    name: p.text(),
    passwordHash: p.text().nullable().lazy(true, false),
    orgUnit: () => p.manyToOne(OrgUnit).ref().nullable().deleteRule('no action').updateRule('no action'),
    manager: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    isActive: p.boolean().default(true),
    /** A mobile number for SMS and chat-robot mentions. */
    phone: p.text().nullable(),
    /** Bumped by a password change: older sessions end. */
    tokenVersion: p.integer().default(0),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date()),
    roles: () => p.manyToMany(Role).pivotEntity(() => UserRole),
  },
  uniques: [
    {
      name: 'app_user_email_idx',
      expression: 'CREATE UNIQUE INDEX app_user_email_idx ON public.app_user USING btree (lower(email))',
    },
  ],
});
export type User = InferEntity<typeof User>;

export const UserRole = defineEntity({
  name: 'UserRole',
  tableName: 'user_role',
  properties: {
    user: () => p.manyToOne(User).primary().deleteRule('cascade').updateRule('no action'),
    role: () => p.manyToOne(Role).primary().deleteRule('cascade').updateRule('no action'),
  },
});
export type UserRole = InferEntity<typeof UserRole>;

export const Team = defineEntity({
  name: 'Team',
  tableName: 'team',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text().unique(),
    orgUnit: () => p.manyToOne(OrgUnit).ref().nullable().deleteRule('no action').updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    members: () => p.oneToMany(TeamMember).mappedBy('team').orphanRemoval(),
  },
});
export type Team = InferEntity<typeof Team>;

export const TeamMember = defineEntity({
  name: 'TeamMember',
  tableName: 'team_member',
  properties: {
    team: () => p.manyToOne(Team).primary().ref().deleteRule('cascade').updateRule('no action'),
    user: () =>
      p
        .manyToOne(User)
        .primary()
        .ref()
        .deleteRule('cascade')
        .updateRule('no action')
        .index('team_member_user_idx'),
    skills: p.array().defaultRaw("'{}'::text[]"),
  },
});
export type TeamMember = InferEntity<typeof TeamMember>;

/**
 * The columns every kind of bearer token has (API tokens, wall tokens): only the hash is kept,
 * with the first characters in the clear so a person can tell tokens apart, who made it and when,
 * when it was last used, and when it was revoked.
 */
export function tokenProperties() {
  return {
    id: p.integer().primary().autoincrement(),
    name: p.text(),
    prefix: p.text(),
    tokenHash: p.text().unique().hidden(),
    createdBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('created_by')
        .deleteRule('no action')
        .updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  };
}

export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_token',
  properties: {
    ...tokenProperties(),
    user: () => p.manyToOne(User).ref().deleteRule('cascade').updateRule('no action'),
    expiresAt: p.datetime().nullable(),
  },
});
export type ApiToken = InferEntity<typeof ApiToken>;

/**
 * A staff member's invitation: a link to set their own password, of which only the token's SHA-256
 * is kept; used once, expiring, withdrawn when a newer one is sent (server/src/users/invitations.ts).
 */
export const UserInvitation = defineEntity({
  name: 'UserInvitation',
  tableName: 'user_invitation',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    user: () => p.manyToOne(User).ref().deleteRule('cascade').updateRule('no action'),
    tokenHash: p.text().unique().hidden(),
    createdBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('created_by')
        .deleteRule('set null')
        .updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
  indexes: [
    indexDefinition(
      'CREATE INDEX user_invitation_pending_idx ON public.user_invitation USING btree (user_id) WHERE ((used_at IS NULL) AND (revoked_at IS NULL))',
    ),
  ],
});
export type UserInvitation = InferEntity<typeof UserInvitation>;

/** Customers are their own kind of principal (customer portal, channels). */
export const Customer = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text(),
    email: p.text().nullable(),
    phone: p.text().nullable(),
    passwordHash: p.text().nullable().lazy(true, false),
    tier: p.text().default('standard'),
    tokenVersion: p.integer().default(0),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    {
      name: 'customer_phone_idx',
      expression:
        'CREATE INDEX customer_phone_idx ON public.customer USING btree (phone) WHERE (phone IS NOT NULL)',
    },
  ],
  uniques: [
    {
      name: 'customer_email_idx',
      expression:
        'CREATE UNIQUE INDEX customer_email_idx ON public.customer USING btree (lower(email)) WHERE (email IS NOT NULL)',
    },
  ],
});
export type Customer = InferEntity<typeof Customer>;

/** Settings the server keeps for itself (the session-signing secret). */
export const AppSetting = defineEntity({
  name: 'AppSetting',
  tableName: 'app_setting',
  properties: {
    key: p.text().primary(),
    value: p.json<unknown>(),
  },
});
export type AppSetting = InferEntity<typeof AppSetting>;

/**
 * Failed logins counted per account and per address (`account:<email>`, `address:<ip>`), so that
 * every server process throttles alike. A row is dropped by a successful login.
 */
export const LoginThrottle = defineEntity({
  name: 'LoginThrottle',
  tableName: 'login_throttle',
  properties: {
    key: p.text().primary(),
    failures: p.integer().default(0),
    windowStartedAt: p.datetime().defaultRaw('now()'),
    lockedUntil: p.datetime().nullable(),
  },
});
export type LoginThrottle = InferEntity<typeof LoginThrottle>;

/** Sessions ended by logout before they expire (their `sid` claim); rows past expiry can go. */
export const RevokedSession = defineEntity({
  name: 'RevokedSession',
  tableName: 'revoked_session',
  properties: {
    sid: p.text().primary(),
    expiresAt: p.datetime(),
  },
});
export type RevokedSession = InferEntity<typeof RevokedSession>;
