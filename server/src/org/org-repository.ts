import { type EntityManager, escapeLike, OrgUnit, queryOne, Team } from '@docket/db';

/** Reads and the bulk writes of the org domain (org tree and teams). */

export function listOrgUnits(em: EntityManager): Promise<OrgUnit[]> {
  return em.find(OrgUnit, {}, { orderBy: { path: 'asc' } });
}

export function listTeams(em: EntityManager): Promise<Team[]> {
  return em.find(Team, {}, { orderBy: { name: 'asc' } });
}

/** A unit and everything below it (its path is a prefix of theirs). */
export function findSubtree(em: EntityManager, root: OrgUnit): Promise<OrgUnit[]> {
  return em.find(OrgUnit, { path: { $like: `${escapeLike(root.path)}%` } });
}

/** The id a new org unit will get. SQL: its path holds its own id, so the id comes before the insert. */
export async function nextOrgUnitId(em: EntityManager): Promise<number> {
  return (await queryOne<{ id: number }>(
    em,
    "select nextval(pg_get_serial_sequence('org_unit', 'id'))::int as id",
  ))!.id;
}

/**
 * The org unit a new ticket lands under (its own, or its team's) and that unit's path. SQL: one
 * statement on the ticket-create path (when OrgPaths' cache misses), into no identity map.
 */
export async function orgPlaceOf(
  em: EntityManager,
  ref: { orgUnitId: number | null; teamId: number | null },
): Promise<{ orgUnitId: number | null; path: string }> {
  const row = await queryOne<{ id: number | null; path: string | null }>(
    em,
    `select w.id, (select path from org_unit where id = w.id) as path
       from (select coalesce(?::int, (select org_unit_id from team where id = ?::int)) as id) w`,
    [ref.orgUnitId, ref.teamId],
  );
  return { orgUnitId: row?.id ?? null, path: row?.path ?? '/' };
}
