/** Permissions a role grants. Reading tickets is bounded by the role's data scope. */
export const PERMISSIONS = [
  'ticket.read',
  'ticket.create',
  'ticket.update',
  'ticket.assign',
  'ticket.reply',
  'ticket.note',
  'template.manage',
  'workflow.manage',
  'sla.manage',
  'user.manage',
  'role.manage',
  'org.manage',
  'team.manage',
  'token.manage',
  'plugin.manage',
  'audit.read',
  'customer.manage',
  'report.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const isPermission = (v: unknown): v is Permission =>
  typeof v === 'string' && (PERMISSIONS as readonly string[]).includes(v);

/**
 * Which tickets a role reaches: those the user created or is assigned (own), plus those of the
 * user's teams (team), plus those of the user's org unit and everything below it (org_subtree),
 * or every ticket (all). A user with several roles gets the widest scope among them.
 */
export const DATA_SCOPES = ['own', 'team', 'org_subtree', 'all'] as const;
export type DataScope = (typeof DATA_SCOPES)[number];
export const isDataScope = (v: unknown): v is DataScope =>
  typeof v === 'string' && (DATA_SCOPES as readonly string[]).includes(v);

export const widestScope = (scopes: DataScope[]): DataScope =>
  scopes.reduce<DataScope>((w, s) => (DATA_SCOPES.indexOf(s) > DATA_SCOPES.indexOf(w) ? s : w), 'own');

export type StaffPrincipal = {
  kind: 'user';
  userId: number;
  name: string;
  orgUnitId: number | null;
  /** Materialized path of the user's org unit, e.g. "/1/3/"; null when the user has none. */
  orgPath: string | null;
  teamIds: number[];
  /** The roles the user holds (a task may wait in a role's queue). */
  roleIds: number[];
  permissions: ReadonlySet<Permission>;
  scope: DataScope;
  /** Set when the request came with an API token rather than a login. */
  viaTokenId: number | null;
};
export type CustomerPrincipal = { kind: 'customer'; customerId: number; name: string };
export type Principal = StaffPrincipal | CustomerPrincipal;

/** The facts about a ticket that decide who may see it. */
export type TicketAccessFacts = {
  creatorUserId: number | null;
  assigneeId: number | null;
  teamId: number | null;
  orgPath: string;
  requesterId: number | null;
  /** Staff who held one of its workflow tasks: whoever handled a step keeps seeing the ticket. */
  participantIds?: readonly number[];
};

/** The rule, stated once; the SQL form in the server must agree with it (the access tests check both). */
export function canSeeTicket(p: Principal, t: TicketAccessFacts): boolean {
  if (p.kind === 'customer') return t.requesterId === p.customerId;
  if (!p.permissions.has('ticket.read')) return false;
  if (t.creatorUserId === p.userId || t.assigneeId === p.userId) return true;
  if (t.participantIds?.includes(p.userId)) return true;
  switch (p.scope) {
    case 'all':
      return true;
    case 'org_subtree':
      if (p.orgPath && t.orgPath.startsWith(p.orgPath)) return true;
      return t.teamId !== null && p.teamIds.includes(t.teamId);
    case 'team':
      return t.teamId !== null && p.teamIds.includes(t.teamId);
    default:
      return false;
  }
}
