import {
  type FieldError,
  fieldError,
  type OrgUnitKind,
  type Principal,
  ValidationFailed,
} from '@docket/core';
import {
  type EntityManager,
  isUniqueViolation,
  LockMode,
  OrgUnit,
  ref,
  Team,
  TeamMember,
  User,
} from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { diffOf, flushAudited, recordAdminChange } from '../audit/admin-audit.ts';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import { findSubtree, nextOrgUnitId } from './org-repository.ts';

/**
 * The org tree and teams, through the entity manager. A unit's path lists the ids from the root
 * (/1/3/7/); moving a unit rewrites its subtree's paths and its tickets' in one transaction, so
 * data scopes follow the tree at once.
 */

const nameRequired = (what: string) =>
  new ValidationFailed([fieldError('/name', 'required', `${what} needs a name.`)]);

/** The active staff member named as a unit's manager, or a validation error naming managerId. */
async function managerOf(tx: EntityManager, managerId: number): Promise<User> {
  const user = await tx.findOne(User, managerId);
  if (!user?.isActive)
    throw new ValidationFailed([
      fieldError(
        '/managerId',
        'not_found',
        `User ${managerId} does not exist or is deactivated, so cannot manage the unit.`,
      ),
    ]);
  return user;
}

export async function createOrgUnit(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { name: string; kind: OrgUnitKind; parentId?: number | null; managerId?: number | null },
): Promise<OrgUnit> {
  requireStaff(actor, 'org.manage');
  if (!input.name.trim()) throw nameRequired('An org unit');
  const unit = await em.transactional(async (tx) => {
    const parent = input.parentId != null ? await tx.findOne(OrgUnit, input.parentId) : null;
    if (input.parentId != null && !parent)
      throw new ValidationFailed([
        fieldError('/parentId', 'not_found', `Org unit ${input.parentId} does not exist.`),
      ]);
    const manager = input.managerId != null ? await managerOf(tx, input.managerId) : null;
    const id = await nextOrgUnitId(tx);
    const unit = tx.create(OrgUnit, {
      id,
      parent,
      name: input.name.trim(),
      kind: input.kind,
      path: `${parent?.path ?? '/'}${id}/`,
      manager: manager ? ref(manager) : null,
    });
    recordAdminChange(tx, actor, {
      action: 'create',
      entityType: 'org_unit',
      entityId: id,
      entityName: unit.name,
      diff: diffOf(
        {},
        { kind: unit.kind, parentId: parent?.id ?? null, path: unit.path, managerId: manager?.id ?? null },
      ),
    });
    return unit;
  });
  services.principals.invalidate();
  return unit;
}

/** Renames or moves an org unit (a null parentId makes it a root), or names its manager. */
export async function updateOrgUnit(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; name?: string | null; parentId?: number | null; managerId?: number | null },
): Promise<OrgUnit> {
  requireStaff(actor, 'org.manage');
  if (input.name != null && !input.name.trim()) throw nameRequired('An org unit');
  const unit = await em.transactional(async (tx) => {
    const unit = await tx.findOne(OrgUnit, input.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!unit) throw new NotFoundError(`Org unit ${input.id}`, '/id');
    const before = {
      name: unit.name,
      parentId: unit.parent?.id ?? null,
      path: unit.path,
      managerId: unit.manager?.id ?? null,
    };
    if (input.name != null) unit.name = input.name.trim();
    if (input.managerId !== undefined)
      unit.manager = input.managerId === null ? null : ref(await managerOf(tx, input.managerId));
    if (input.parentId !== undefined && input.parentId !== (unit.parent?.id ?? null)) {
      const parent = input.parentId !== null ? await tx.findOne(OrgUnit, input.parentId) : null;
      if (input.parentId !== null && !parent)
        throw new ValidationFailed([
          fieldError('/parentId', 'not_found', `Org unit ${input.parentId} does not exist.`),
        ]);
      if (parent?.path.startsWith(unit.path))
        throw new ValidationFailed([
          fieldError('/parentId', 'cycle', 'An org unit cannot move under itself or one of its own units.'),
        ]);
      const fromPath = unit.path;
      const toPath = `${parent?.path ?? '/'}${unit.id}/`;
      for (const u of await findSubtree(tx, unit)) u.path = toPath + u.path.slice(fromPath.length);
      unit.parent = parent ? ref(parent) : null;
      // The subtree's tickets move with it (the ticket store writes tickets).
      await services.tickets.moveOrgPaths(tx, fromPath, toPath);
    }
    const diff = diffOf(before, {
      name: unit.name,
      parentId: unit.parent?.id ?? null,
      path: unit.path,
      managerId: unit.manager?.id ?? null,
    });
    if (diff)
      recordAdminChange(tx, actor, {
        action: 'update',
        entityType: 'org_unit',
        entityId: unit.id,
        entityName: unit.name,
        diff,
      });
    return unit;
  });
  services.principals.invalidate();
  services.orgPaths.invalidate();
  return unit;
}

export type OrgMoveImpact = {
  unit: OrgUnit;
  fromParent: OrgUnit | null;
  toParent: OrgUnit | null;
  fromPath: string;
  toPath: string;
  /** The unit and the units below it: all move. */
  orgUnitCount: number;
  /** People whose org unit is among them (their org-subtree scope moves too). */
  userCount: number;
  /** Tickets under the unit: their org path changes, so who sees them by org subtree changes. */
  ticketCount: number;
  openTicketCount: number;
};

/**
 * What moving an org unit under another parent would do, without doing it: the units, people and
 * tickets that move along. The same checks as the move itself (the parent exists, no cycle).
 */
export async function orgUnitMoveImpact(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; parentId?: number | null },
): Promise<OrgMoveImpact> {
  requireStaff(actor, 'org.manage');
  const unit = await em.findOne(OrgUnit, input.id, { populate: ['parent'] });
  if (!unit) throw new NotFoundError(`Org unit ${input.id}`, '/id');
  const toParent = input.parentId != null ? await em.findOne(OrgUnit, input.parentId) : null;
  if (input.parentId != null && !toParent)
    throw new ValidationFailed([
      fieldError('/parentId', 'not_found', `Org unit ${input.parentId} does not exist.`),
    ]);
  if (toParent?.path.startsWith(unit.path))
    throw new ValidationFailed([
      fieldError('/parentId', 'cycle', 'An org unit cannot move under itself or one of its own units.'),
    ]);
  const subtree = await findSubtree(em, unit);
  const [tickets, userCount] = await Promise.all([
    services.tickets.countUnderOrgPath(em, unit.path),
    em.count(User, { orgUnit: { $in: subtree.map((u) => u.id) } }),
  ]);
  return {
    unit,
    fromParent: unit.parent ? unit.parent.getEntity() : null,
    toParent,
    fromPath: unit.path,
    toPath: `${toParent?.path ?? '/'}${unit.id}/`,
    orgUnitCount: subtree.length,
    userCount,
    ticketCount: tickets.total,
    openTicketCount: tickets.open,
  };
}

const teamNameTaken = (name: string) =>
  new ValidationFailed([fieldError('/name', 'taken', `A team named "${name}" already exists.`)]);

export async function createTeam(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { name: string; orgUnitId?: number | null },
): Promise<Team> {
  requireStaff(actor, 'team.manage');
  const name = input.name.trim();
  const [clash, orgUnit] = await Promise.all([
    name ? em.findOne(Team, { name }) : null,
    input.orgUnitId != null ? em.findOne(OrgUnit, input.orgUnitId) : null,
  ]);
  const errors: FieldError[] = [];
  if (!name) errors.push(fieldError('/name', 'required', 'A team needs a name.'));
  else if (clash) errors.push(teamNameTaken(name).errors[0]!);
  if (input.orgUnitId != null && !orgUnit)
    errors.push(fieldError('/orgUnitId', 'not_found', `Org unit ${input.orgUnitId} does not exist.`));
  if (errors.length) throw new ValidationFailed(errors);
  const team = em.create(Team, { name, orgUnit });
  try {
    await flushAudited(em, actor, () => ({
      action: 'create',
      entityType: 'team',
      entityId: team.id,
      entityName: team.name,
      diff: diffOf({}, { orgUnitId: input.orgUnitId ?? null }),
    }));
  } catch (e) {
    // Another admin took the name a moment ago.
    if (isUniqueViolation(e, 'team_name_key')) {
      em.clear();
      throw teamNameTaken(name);
    }
    throw e;
  }
  services.principals.invalidate();
  return team;
}

/**
 * Replaces a team's members and their skills. Members who stay keep their row (their skills are
 * updated), new ones are added, the rest removed, in one flush. A person listed twice counts once,
 * with the skills first given.
 */
export async function setTeamMembers(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { teamId: number; members: { userId: number; skills?: string[] | null }[] },
): Promise<Team> {
  requireStaff(actor, 'team.manage');
  const userIds = [...new Set(input.members.map((m) => m.userId))];
  const [team, users] = await Promise.all([
    em.findOne(Team, input.teamId, { populate: ['members'] }),
    userIds.length ? em.find(User, { id: { $in: userIds } }) : [],
  ]);
  if (!team) throw new NotFoundError(`Team ${input.teamId}`, '/teamId');
  const found = new Map(users.map((u) => [u.id, u]));
  const errors = input.members.flatMap((m, i) =>
    found.has(m.userId)
      ? []
      : [fieldError(`/members/${i}/userId`, 'not_found', `User ${m.userId} does not exist.`)],
  );
  if (errors.length) throw new ValidationFailed(errors);
  const membersOf = () =>
    Object.fromEntries(
      team.members
        .getItems()
        .map((m) => [String(m.user.id), [...m.skills]] as const)
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  const before = membersOf();
  const wanted = new Map<number, string[]>();
  for (const m of input.members)
    if (!wanted.has(m.userId)) wanted.set(m.userId, (m.skills ?? []).map((s) => s.trim()).filter(Boolean));
  for (const member of team.members.getItems()) {
    const skills = wanted.get(member.user.id);
    if (skills === undefined) team.members.remove(member);
    else {
      member.skills = skills;
      wanted.delete(member.user.id);
    }
  }
  for (const [userId, skills] of wanted)
    team.members.add(em.create(TeamMember, { team, user: found.get(userId)!, skills }));
  const diff = diffOf({ members: before }, { members: membersOf() });
  if (diff)
    recordAdminChange(em, actor, {
      action: 'update',
      entityType: 'team',
      entityId: team.id,
      entityName: team.name,
      diff,
    });
  await em.flush();
  services.principals.invalidate();
  return team;
}
