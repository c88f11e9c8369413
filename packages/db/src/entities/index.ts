import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * Entities map the tables the migrations create. Relations are kept as plain id columns: reads go
 * through data loaders in the server and the hot paths write with single statements, so the unit
 * of work never has to load a graph to change one row.
 */

export const AppSetting = defineEntity({
  name: 'AppSetting',
  tableName: 'app_setting',
  properties: (p) => ({
    key: p.string().primary(),
    value: p.json<unknown>(),
  }),
});

export const OrgUnit = defineEntity({
  name: 'OrgUnit',
  tableName: 'org_unit',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    parentId: p.integer().nullable(),
    name: p.string(),
    kind: p.enum(['hq', 'region', 'store', 'department'] as const),
    path: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type OrgUnit = InferEntity<typeof OrgUnit>;

export const Role = defineEntity({
  name: 'Role',
  tableName: 'role',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    key: p.string(),
    name: p.string(),
    permissions: p.array(),
    dataScope: p.enum(['own', 'team', 'org_subtree', 'all'] as const),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type Role = InferEntity<typeof Role>;

export const User = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    email: p.string(),
    name: p.string(),
    passwordHash: p.string().nullable().hidden(),
    orgUnitId: p.integer().nullable(),
    managerId: p.integer().nullable(),
    isActive: p.boolean().default(true),
    tokenVersion: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type User = InferEntity<typeof User>;

export const UserRole = defineEntity({
  name: 'UserRole',
  tableName: 'user_role',
  properties: (p) => ({
    userId: p.integer().primary(),
    roleId: p.integer().primary(),
  }),
  primaryKeys: ['userId', 'roleId'],
});

export const Team = defineEntity({
  name: 'Team',
  tableName: 'team',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string(),
    orgUnitId: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type Team = InferEntity<typeof Team>;

export const TeamMember = defineEntity({
  name: 'TeamMember',
  tableName: 'team_member',
  properties: (p) => ({
    teamId: p.integer().primary(),
    userId: p.integer().primary(),
    skills: p.array(),
  }),
  primaryKeys: ['teamId', 'userId'],
});
export type TeamMember = InferEntity<typeof TeamMember>;

export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_token',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string(),
    prefix: p.string(),
    tokenHash: p.string().hidden(),
    userId: p.integer(),
    createdBy: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  }),
});
export type ApiToken = InferEntity<typeof ApiToken>;

export const Customer = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    name: p.string(),
    email: p.string().nullable(),
    phone: p.string().nullable(),
    passwordHash: p.string().nullable().hidden(),
    tier: p.string().default('standard'),
    tokenVersion: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type Customer = InferEntity<typeof Customer>;

export const TicketTemplate = defineEntity({
  name: 'TicketTemplate',
  tableName: 'ticket_template',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    key: p.string(),
    draft: p.json<Record<string, unknown>>(),
    latestVersion: p.integer().default(0),
    isArchived: p.boolean().default(false),
    createdBy: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type TicketTemplate = InferEntity<typeof TicketTemplate>;

export const TicketTemplateVersion = defineEntity({
  name: 'TicketTemplateVersion',
  tableName: 'ticket_template_version',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    templateId: p.integer(),
    version: p.integer(),
    content: p.json<Record<string, unknown>>(),
    publishedBy: p.integer().nullable(),
    publishedAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type TicketTemplateVersion = InferEntity<typeof TicketTemplateVersion>;

export const Ticket = defineEntity({
  name: 'Ticket',
  tableName: 'ticket',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    number: p.string(),
    templateId: p.integer(),
    templateVersionId: p.integer(),
    title: p.string(),
    description: p.text(),
    status: p.string(),
    priority: p.string(),
    formData: p.json<Record<string, unknown>>(),
    formText: p.text().hidden(),
    requesterId: p.integer().nullable(),
    creatorUserId: p.integer().nullable(),
    assigneeId: p.integer().nullable(),
    teamId: p.integer().nullable(),
    orgUnitId: p.integer().nullable(),
    orgPath: p.string(),
    channel: p.string(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    solvedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
  }),
});
export type Ticket = InferEntity<typeof Ticket>;

export const TicketEvent = defineEntity({
  name: 'TicketEvent',
  tableName: 'ticket_event',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    ticketId: p.bigint('number'),
    kind: p.string(),
    actorKind: p.string(),
    actorId: p.integer().nullable(),
    viaTokenId: p.integer().nullable(),
    channel: p.string(),
    isPublic: p.boolean(),
    body: p.text().nullable(),
    diff: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime(),
  }),
});
export type TicketEvent = InferEntity<typeof TicketEvent>;

export const entities = [
  AppSetting,
  OrgUnit,
  Role,
  User,
  UserRole,
  Team,
  TeamMember,
  ApiToken,
  Customer,
  TicketTemplate,
  TicketTemplateVersion,
  Ticket,
  TicketEvent,
];
