import type { StaffPrincipal } from '@docket/core';
import {
  Customer,
  type EntityManager,
  type EntityName,
  type FilterQuery,
  OrgUnit,
  type Role,
  Team,
  TeamMember,
  TicketTemplate,
  TicketTemplateVersion,
  User,
  UserRole,
} from '@docket/db';
import { createCsatLoaders } from '../csat/csat-loaders.ts';
import { articlesOfTickets } from '../knowledge/knowledge-repository.ts';
import { customersInReach } from '../tickets/customer-repository.ts';
import { ccOfTickets, customFieldsOfTickets } from '../tickets/ticket-repository.ts';
import { createWorkflowLoaders } from '../workflows/workflow-loaders.ts';
import { type StoredNames, storedNames } from '../workflows/workflow-service.ts';
import { BatchLoader } from './batch-loader.ts';

/**
 * The request's loaders: what nested fields ask for within one tick is read with one query, into
 * the request's entity manager (its identity map hands the same row to every field that asks).
 */

type WithId = { id: number };

const byId =
  <T extends WithId>(em: EntityManager, entity: EntityName<T>) =>
  async (ids: number[]): Promise<Map<number, T>> => {
    const rows = await em.find(entity, { id: { $in: ids } } as unknown as FilterQuery<T>);
    return new Map(rows.map((r) => [r.id, r as T]));
  };

/** Rows grouped under the key each belongs to, in the order they were read; every asked key gets a list. */
function groupedBy<K, T>(keys: K[], rows: T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return groups;
}

/** A template's version by number, as the loader's key: `${templateId}/${version}`. */
export const templateVersionKey = (templateId: number, version: number): string => `${templateId}/${version}`;

export function createLoaders(em: EntityManager) {
  let stored: Promise<StoredNames> | undefined;
  let reach: BatchLoader<number, boolean> | undefined;
  return {
    /** Whether the (one) staff member asking reaches a customer (access policy customerScope). */
    customerInReach: (staff: StaffPrincipal): BatchLoader<number, boolean> =>
      (reach ??= new BatchLoader<number, boolean>(async (ids) => {
        const inReach = await customersInReach(em, staff, ids);
        return new Map(ids.map((id) => [id, inReach.has(id)]));
      })),
    ...createWorkflowLoaders(em),
    ...createCsatLoaders(em),
    /** Knowledge-base articles used on tickets. */
    articlesOfTicket: new BatchLoader((ids: string[]) => articlesOfTickets(em, ids)),
    customFieldsOfTicket: new BatchLoader((ids: string[]) => customFieldsOfTickets(em, ids)),
    /** The staff on tickets' own CC lists. */
    ccOfTicket: new BatchLoader((ids: string[]) => ccOfTickets(em, ids)),
    /** What workflows may name (calendars, statuses), read once per request. */
    storedNames: (): Promise<StoredNames> => (stored ??= storedNames(em)),
    user: new BatchLoader<number, User>(byId(em, User)),
    orgUnit: new BatchLoader<number, OrgUnit>(byId(em, OrgUnit)),
    team: new BatchLoader<number, Team>(byId(em, Team)),
    customer: new BatchLoader<number, Customer>(byId(em, Customer)),
    template: new BatchLoader<number, TicketTemplate>(byId(em, TicketTemplate)),
    templateVersion: new BatchLoader<number, TicketTemplateVersion>(byId(em, TicketTemplateVersion)),
    /** A user's roles, by key. */
    rolesOfUser: new BatchLoader<number, Role[]>(async (userIds) => {
      const links = await em.find(
        UserRole,
        { user: { $in: userIds } },
        { populate: ['role'], orderBy: { role: { key: 'asc' } } },
      );
      const roles = groupedBy(userIds, links, (l) => l.user.id);
      return new Map([...roles].map(([id, ls]) => [id, ls.map((l) => l.role)]));
    }),
    /** The teams a user belongs to, by name. */
    teamsOfUser: new BatchLoader<number, Team[]>(async (userIds) => {
      const memberships = await em.find(
        TeamMember,
        { user: { $in: userIds } },
        { populate: ['team'], orderBy: { team: { name: 'asc' } } },
      );
      const teams = groupedBy(userIds, memberships, (m) => m.user.id);
      return new Map([...teams].map(([id, ms]) => [id, ms.map((m) => m.team.getEntity())]));
    }),
    /** A team's members with their skills, by user id. */
    membersOfTeam: new BatchLoader<number, TeamMember[]>(async (teamIds) =>
      groupedBy(
        teamIds,
        await em.find(TeamMember, { team: { $in: teamIds } }, { orderBy: { user: 'asc' } }),
        (m) => m.team.id,
      ),
    ),
    /** An org unit's children, by name. */
    orgUnitChildren: new BatchLoader<number, OrgUnit[]>(async (parentIds) =>
      groupedBy(
        parentIds,
        await em.find(OrgUnit, { parent: { $in: parentIds } }, { orderBy: { name: 'asc' } }),
        (o) => o.parent!.id,
      ),
    ),
    /** Every published version of a template, newest first. */
    templateVersions: new BatchLoader<number, TicketTemplateVersion[]>(async (templateIds) =>
      groupedBy(
        templateIds,
        await em.find(
          TicketTemplateVersion,
          { template: { $in: templateIds } },
          { orderBy: { version: 'desc' } },
        ),
        (v) => v.template.id,
      ),
    ),
    /** A template's version by number (key: templateVersionKey). */
    templateVersionByNumber: new BatchLoader<string, TicketTemplateVersion>(async (keys) => {
      const pairs = keys.map((k) => k.split('/').map(Number) as [number, number]);
      const versions = await em.find(TicketTemplateVersion, {
        $or: pairs.map(([template, version]) => ({ template, version })),
      });
      return new Map(versions.map((v) => [templateVersionKey(v.template.id, v.version), v]));
    }),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
