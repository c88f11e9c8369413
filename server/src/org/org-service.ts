import { fieldError, type Principal, ValidationFailed } from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import type { OrgUnitRow, TeamRow } from '../graphql/loaders.ts';
import type { Services } from '../services.ts';

type OrgKind = 'hq' | 'region' | 'store' | 'department';

export async function createOrgUnit(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { name: string; kind: OrgKind; parentId?: number | null },
): Promise<OrgUnitRow> {
  requireStaff(actor, 'org.manage');
  if (!input.name.trim())
    throw new ValidationFailed([fieldError('/name', 'required', 'An org unit needs a name.')]);
  const row = await em.transactional(async (tx) => {
    let parentPath = '/';
    if (input.parentId != null) {
      const parent = await queryOne<OrgUnitRow>(tx, 'select * from org_unit where id = ?', [input.parentId]);
      if (!parent)
        throw new ValidationFailed([
          fieldError('/parentId', 'not_found', `Org unit ${input.parentId} does not exist.`),
        ]);
      parentPath = parent.path;
    }
    const { id } = (await queryOne<{ id: number }>(
      tx,
      "select nextval(pg_get_serial_sequence('org_unit', 'id'))::int as id",
    ))!;
    return (await queryOne<OrgUnitRow>(
      tx,
      'insert into org_unit (id, parent_id, name, kind, path) values (?, ?, ?, ?, ?) returning *',
      [id, input.parentId ?? null, input.name.trim(), input.kind, `${parentPath}${id}/`],
    ))!;
  });
  services.principals.invalidate();
  return row;
}

/**
 * Renames or moves an org unit. A move rewrites the paths of the unit, its subtree and their
 * tickets in one transaction, so data scopes follow the tree at once.
 */
export async function updateOrgUnit(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; name?: string | null; parentId?: number | null },
): Promise<OrgUnitRow> {
  requireStaff(actor, 'org.manage');
  if (input.name != null && !input.name.trim())
    throw new ValidationFailed([fieldError('/name', 'required', 'An org unit needs a name.')]);
  const row = await em.transactional(async (tx) => {
    const unit = await queryOne<OrgUnitRow>(tx, 'select * from org_unit where id = ? for update', [input.id]);
    if (!unit) throw new NotFoundError(`Org unit ${input.id}`, '/id');
    if (input.name != null)
      await query(tx, 'update org_unit set name = ? where id = ?', [input.name.trim(), input.id]);
    if (input.parentId !== undefined && input.parentId !== unit.parent_id) {
      let newPath = `/${unit.id}/`;
      if (input.parentId !== null) {
        const parent = await queryOne<OrgUnitRow>(tx, 'select * from org_unit where id = ?', [
          input.parentId,
        ]);
        if (!parent)
          throw new ValidationFailed([
            fieldError('/parentId', 'not_found', `Org unit ${input.parentId} does not exist.`),
          ]);
        if (parent.path.startsWith(unit.path))
          throw new ValidationFailed([
            fieldError('/parentId', 'cycle', 'An org unit cannot move under itself or one of its own units.'),
          ]);
        newPath = `${parent.path}${unit.id}/`;
      }
      const old = unit.path;
      await query(tx, 'update org_unit set parent_id = ? where id = ?', [input.parentId, unit.id]);
      await query(tx, 'update org_unit set path = ? || substr(path, ?) where path like ?', [
        newPath,
        old.length + 1,
        `${old}%`,
      ]);
      await query(tx, 'update ticket set org_path = ? || substr(org_path, ?) where org_path like ?', [
        newPath,
        old.length + 1,
        `${old}%`,
      ]);
    }
    return (await queryOne<OrgUnitRow>(tx, 'select * from org_unit where id = ?', [input.id]))!;
  });
  services.principals.invalidate();
  services.orgPaths.invalidate();
  return row;
}

export async function createTeam(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { name: string; orgUnitId?: number | null },
): Promise<TeamRow> {
  requireStaff(actor, 'team.manage');
  const errors = [];
  if (!input.name.trim()) errors.push(fieldError('/name', 'required', 'A team needs a name.'));
  else if (await queryOne(em, 'select 1 from team where name = ?', [input.name.trim()]))
    errors.push(fieldError('/name', 'taken', `A team named "${input.name.trim()}" already exists.`));
  if (
    input.orgUnitId != null &&
    !(await queryOne(em, 'select 1 from org_unit where id = ?', [input.orgUnitId]))
  )
    errors.push(fieldError('/orgUnitId', 'not_found', `Org unit ${input.orgUnitId} does not exist.`));
  if (errors.length) throw new ValidationFailed(errors);
  const row = await queryOne<TeamRow>(em, 'insert into team (name, org_unit_id) values (?, ?) returning *', [
    input.name.trim(),
    input.orgUnitId ?? null,
  ]);
  services.principals.invalidate();
  return row!;
}

/** Replaces a team's members and their skills. */
export async function setTeamMembers(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { teamId: number; members: { userId: number; skills?: string[] | null }[] },
): Promise<TeamRow> {
  requireStaff(actor, 'team.manage');
  const team = await queryOne<TeamRow>(em, 'select * from team where id = ?', [input.teamId]);
  if (!team) throw new NotFoundError(`Team ${input.teamId}`, '/teamId');
  const errors = [];
  for (const [i, m] of input.members.entries())
    if (!(await queryOne(em, 'select 1 from app_user where id = ?', [m.userId])))
      errors.push(fieldError(`/members/${i}/userId`, 'not_found', `User ${m.userId} does not exist.`));
  if (errors.length) throw new ValidationFailed(errors);
  await em.transactional(async (tx) => {
    await query(tx, 'delete from team_member where team_id = ?', [input.teamId]);
    for (const m of input.members)
      await query(
        tx,
        'insert into team_member (team_id, user_id, skills) values (?, ?, ?) on conflict do nothing',
        [input.teamId, m.userId, (m.skills ?? []).map((s) => s.trim()).filter(Boolean)],
      );
  });
  services.principals.invalidate();
  return team;
}
