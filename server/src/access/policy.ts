import {
  canSeeTicket,
  type Permission,
  type Principal,
  type StaffPrincipal,
  type TicketAccessFacts,
} from '@docket/core';
import { escapeLike } from '@docket/db';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';

/**
 * Who may do what, answered in one place for resolvers, services and (later) plugin
 * capabilities: "may this principal do this to this thing" (the `may*` and `require*` rules) and
 * "which rows may it see" (the `*Scope` conditions, in SQL, which must agree with the rules; the
 * access tests check both forms). Rules that need facts from the database take them as
 * arguments: the caller reads them, the rule stays pure.
 */

/** A SQL condition with its `?` bindings. */
export type SqlCondition = { sql: string; params: unknown[] };

/** Someone is signed in (staff or customer), else UnauthenticatedError. */
export function requireSignedIn(p: Principal | null): Principal {
  if (!p) throw new UnauthenticatedError();
  return p;
}

/** A signed-in staff member (not a customer), holding the permission when one is named. */
export function requireStaff(p: Principal | null, permission?: Permission): StaffPrincipal {
  const principal = requireSignedIn(p);
  if (principal.kind !== 'user')
    throw new ForbiddenError('Only staff accounts can do this.', permission ?? null);
  if (permission && !principal.permissions.has(permission))
    throw new ForbiddenError(`Your roles do not grant the "${permission}" permission.`, permission);
  return principal;
}

export const hasPermission = (p: Principal | null, permission: Permission): boolean =>
  p?.kind === 'user' && p.permissions.has(permission);

// ---------------------------------------------------------------------------------------------
// Tickets

/** Whether the principal sees this ticket (packages/core states the rule once). */
export const maySeeTicket = (p: Principal, t: TicketAccessFacts): boolean => canSeeTicket(p, t);

/**
 * The SQL form of maySeeTicket: a condition on the ticket table (alias `t` by default). Every
 * ticket read and write goes through it or through maySeeTicket.
 */
export function ticketScope(p: Principal, alias = 't'): SqlCondition {
  if (p.kind === 'customer') return { sql: `${alias}.requester_id = ?`, params: [p.customerId] };
  if (!p.permissions.has('ticket.read')) return { sql: 'false', params: [] };
  if (p.scope === 'all') return { sql: 'true', params: [] };
  const parts = [
    `${alias}.creator_user_id = ?`,
    `${alias}.assignee_id = ?`,
    `${alias}.participant_ids @> array[?::int]`,
  ];
  const params: unknown[] = [p.userId, p.userId, p.userId];
  if ((p.scope === 'team' || p.scope === 'org_subtree') && p.teamIds.length > 0) {
    parts.push(`${alias}.team_id in (${p.teamIds.map(() => '?').join(', ')})`);
    params.push(...p.teamIds);
  }
  if (p.scope === 'org_subtree' && p.orgPath) {
    parts.push(`${alias}.org_path like ?`);
    params.push(`${escapeLike(p.orgPath)}%`);
  }
  return { sql: `(${parts.join(' or ')})`, params };
}

/** Creating a ticket: staff need ticket.create (and ticket.assign to name an assignee); customers create their own. */
export function requireCreateTicket(p: Principal | null, input: { assigneeId?: number | null }): Principal {
  const principal = requireSignedIn(p);
  if (principal.kind === 'user') {
    requireStaff(principal, 'ticket.create');
    if (input.assigneeId != null) requireStaff(principal, 'ticket.assign');
  }
  return principal;
}

/**
 * Where a staff member may place a new ticket (its org unit): anywhere with scope "all", else
 * within their own org subtree, which their scope then reaches.
 */
export function mayPlaceTicket(staff: StaffPrincipal, orgPath: string): boolean {
  if (staff.scope === 'all') return true;
  return staff.orgPath !== null && orgPath.startsWith(staff.orgPath);
}

// ---------------------------------------------------------------------------------------------
// Customers

/** Whether a principal may read and name any customer (their contact details included). */
export const mayManageCustomers = (p: Principal | null): boolean => hasPermission(p, 'customer.manage');

/**
 * Which customers a staff member reaches (sees their contact details, names them as a
 * requester), as a condition on the customer table (alias `c`): with customer.manage every one;
 * else those who requested a ticket in the staff member's scope, except through a ticket they
 * created themselves for someone who was already a customer (naming a customer by id, email or
 * phone must not reveal their other details).
 */
export function customerScope(p: StaffPrincipal, alias = 'c'): SqlCondition {
  if (p.permissions.has('customer.manage')) return { sql: 'true', params: [] };
  const tickets = ticketScope(p, 'rt');
  return {
    sql: `exists (select 1 from ticket rt where rt.requester_id = ${alias}.id and ${tickets.sql}
            and (rt.creator_user_id is distinct from ? or ${alias}.created_at >= rt.created_at - interval '1 second'))`,
    params: [...tickets.params, p.userId],
  };
}

/** A public reply (staff with ticket.reply, or the ticket's customer) or an internal note (staff with ticket.note). */
export function requirePostMessage(p: Principal | null, isPublic: boolean): Principal {
  const principal = requireSignedIn(p);
  if (principal.kind === 'user') requireStaff(principal, isPublic ? 'ticket.reply' : 'ticket.note');
  else if (!isPublic) throw new ForbiddenError('Customers cannot add internal notes.');
  return principal;
}

/** SLA clocks and internal workflow details of a ticket are for staff. */
export const maySeeInternals = (p: Principal | null): p is StaffPrincipal => p?.kind === 'user';

// ---------------------------------------------------------------------------------------------
// Workflow tasks

/** Who holds a task, as the policy needs to know it. */
export type TaskHolding = {
  assigneeUserId: number | null;
  teamId: number | null;
  roleId: number | null;
  orgUnitId: number | null;
};

/**
 * Whether a staff member may act on an open task they can see: its assignee; a dispatcher (may
 * assign, beyond their own tickets); or, while nobody holds it, a member of its queue (team, org
 * unit or role).
 */
export function mayActOnTask(staff: StaffPrincipal, task: TaskHolding): boolean {
  if (task.assigneeUserId === staff.userId) return true;
  if (staff.permissions.has('ticket.assign') && staff.scope !== 'own') return true;
  if (task.assigneeUserId !== null) return false;
  if (task.teamId !== null && staff.teamIds.includes(task.teamId)) return true;
  if (task.orgUnitId !== null && staff.orgUnitId === task.orgUnitId) return true;
  return task.roleId !== null && staff.roleIds.includes(task.roleId);
}

/** Where a person stands, for deciding whether work may be handed to them. */
export type PersonPlace = { userId: number; orgPath: string | null; teamIds: readonly number[] };

/**
 * Whether a staff member may hand work to a target: anyone with scope "all" to anyone; others to
 * themselves, to people of their own org subtree or teams, and to any team or org unit (the org
 * tree is known to everyone on staff). `person` is the target person when there is one.
 */
export function mayHandTo(staff: StaffPrincipal, person: PersonPlace | null): boolean {
  if (staff.scope === 'all' || person === null) return true;
  if (person.userId === staff.userId) return true;
  if (staff.orgPath && person.orgPath?.startsWith(staff.orgPath)) return true;
  return person.teamIds.some((id) => staff.teamIds.includes(id));
}

/** A team's queue: its members, and dispatchers who see every ticket. */
export function requireTeamQueue(p: Principal | null, teamId: number): StaffPrincipal {
  const staff = requireStaff(p, 'ticket.read');
  if (!staff.teamIds.includes(teamId) && staff.scope !== 'all')
    throw new ForbiddenError(
      'Only members of this team (or staff who see every ticket) see its queue.',
      'ticket.read',
    );
  return staff;
}

// ---------------------------------------------------------------------------------------------
// People and their own things

/** A user's own account (password, API tokens) or, with the permission, anyone's. */
export function requireSelfOr(p: Principal | null, userId: number, permission: Permission): StaffPrincipal {
  const staff = requireStaff(p);
  if (userId !== staff.userId) requireStaff(staff, permission);
  return staff;
}

// ---------------------------------------------------------------------------------------------
// Files attached to ticket forms

/**
 * Uploading a file for a ticket form: customers (their own tickets' forms) and staff who may
 * create or update tickets.
 */
export function requireUploadFile(p: Principal | null): Principal {
  const principal = requireSignedIn(p);
  if (
    principal.kind === 'user' &&
    !principal.permissions.has('ticket.create') &&
    !principal.permissions.has('ticket.update')
  )
    throw new ForbiddenError(
      'Your roles grant neither "ticket.create" nor "ticket.update".',
      'ticket.create',
    );
  return principal;
}

/** Attaching uploaded files to a ticket from the desk: staff who may update tickets. */
export const requireAttachFiles = (p: Principal | null): StaffPrincipal => requireStaff(p, 'ticket.update');

/**
 * Which files the principal may download, as a condition on the file table (alias `f`) joined
 * with its ticket (alias `t`): a file on a ticket goes to those who see the ticket; a file no
 * ticket names yet only to the person who uploaded it.
 */
export function fileScope(p: Principal, fileAlias = 'f', ticketAlias = 't'): SqlCondition {
  const own =
    p.kind === 'customer'
      ? { sql: `${fileAlias}.uploaded_by_customer = ?`, params: [p.customerId] }
      : { sql: `${fileAlias}.uploaded_by_user = ?`, params: [p.userId] };
  const tickets = ticketScope(p, ticketAlias);
  return {
    sql: `((${fileAlias}.ticket_id is null and ${own.sql}) or (${fileAlias}.ticket_id is not null and ${tickets.sql}))`,
    params: [...own.params, ...tickets.params],
  };
}

// Audit

/**
 * The audit trails: admin changes and ticket events need audit.read; ticket events are further
 * bounded by the reader's ticket scope (ticketScope), like every other ticket read.
 */
export function requireAuditReader(p: Principal | null): StaffPrincipal {
  return requireStaff(p, 'audit.read');
}

// Knowledge base

/** Which articles a principal may read: staff every one, customers and visitors the public ones. */
export const kbVisibilities = (p: Principal | null): ('internal' | 'public')[] =>
  p?.kind === 'user' ? ['internal', 'public'] : ['public'];

/** Writing articles, public description templates and shared macros: template.manage. */
export const requireKnowledgeEditor = (p: Principal | null): StaffPrincipal =>
  requireStaff(p, 'template.manage');

/** A description template or macro is usable by its owner, or by every agent when it has none (shared). */
export const mayUseOwned = (staff: StaffPrincipal, owner: { id: number } | null | undefined): boolean =>
  owner == null || owner.id === staff.userId;

// ---------------------------------------------------------------------------------------------
// Reports

/** Reading reports: staff with report.read; the figures cover only the tickets of their scope (ticketScope). */
export const requireReportReader = (p: Principal | null): StaffPrincipal => requireStaff(p, 'report.read');
/**
 * Whether a report may be narrowed to the org unit at this path: staff who see every ticket may
 * name any unit; others only a unit within their own org subtree (outside it they see no ticket).
 */
export const mayReportOnOrgUnit = (staff: StaffPrincipal, orgPath: string): boolean =>
  staff.scope === 'all' || (staff.orgPath !== null && orgPath.startsWith(staff.orgPath));

// ---------------------------------------------------------------------------------------------
// The live wall

/** Who is looking at a wall: a wall token (an org unit's subtree, read-only) or a staff member. */
export type WallViewer =
  | { kind: 'token'; tokenId: number; orgPath: string }
  | { kind: 'staff'; staff: StaffPrincipal };

/** A signed-in wall viewer: staff with ticket.read (a wall token is checked where it is looked up). */
export const requireWallReader = (p: Principal | null): WallViewer => ({
  kind: 'staff',
  staff: requireStaff(p, 'ticket.read'),
});

/**
 * The tickets a wall counts: a token's org subtree, or the staff member's own ticket scope; every
 * figure of the wall (totals, groups, lists) is bounded by it.
 */
export function wallScope(viewer: WallViewer, alias = 't'): SqlCondition {
  if (viewer.kind === 'token')
    return { sql: `${alias}.org_path like ?`, params: [`${escapeLike(viewer.orgPath)}%`] };
  return ticketScope(viewer.staff, alias);
}

/**
 * The org path a wall is rooted at (its regions are the units one level below): a token's unit,
 * a staff member's own subtree; null for the whole tree.
 */
export function wallRootPath(viewer: WallViewer): string | null {
  if (viewer.kind === 'token') return viewer.orgPath;
  return viewer.staff.scope === 'org_subtree' ? viewer.staff.orgPath : null;
}

/**
 * Creating and revoking wall tokens: token.manage, for an org subtree the manager's own scope
 * reaches (anywhere with scope "all").
 */
export function requireWallTokenManager(p: Principal | null, orgPath?: string): StaffPrincipal {
  const staff = requireStaff(p, 'token.manage');
  if (orgPath !== undefined && !mayPlaceTicket(staff, orgPath))
    throw new ForbiddenError('A wall token may show only an org unit within your own scope.', 'token.manage');
  return staff;
}
