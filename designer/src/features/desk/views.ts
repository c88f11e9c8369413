/**
 * The desk's views: the built-in ones (as the server counts them in deskViewCounts) and the
 * filter each one lists. Pure, so the list, the counts and the tests agree.
 */

export const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const;
export const STATUSES = [...OPEN_STATUSES, 'solved', 'closed'] as const;
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;

/** The message of a mutation's error result (ForbiddenError, ValidationError, …), or ''. */
export const messageOf = (result: unknown): string =>
  (result as { message?: string | null } | null)?.message ?? '';

export type DeskFilter = {
  status?: string[];
  statusName?: string[];
  priority?: string[];
  templateId?: string[];
  assigneeId?: string;
  teamId?: string;
  teamIds?: string[];
  orgUnitId?: string;
  channel?: string[];
  requesterId?: string;
  /** The requester's customer tier ('' for no requester): a report's drill-down by tier. */
  requesterTier?: string[];
  createdAfter?: string;
  createdBefore?: string;
  text?: string;
  isUnassigned?: boolean;
  sla?: 'breached' | 'at_risk';
};

/** The views' counts stop past this (shown as "9999+"): a long view is not counted through. */
export const VIEW_COUNT_UP_TO = 9_999;

export const BUILT_IN_VIEWS = ['mine', 'team', 'unassigned', 'open', 'atRisk', 'breached'] as const;
export type BuiltInView = (typeof BUILT_IN_VIEWS)[number];

export function builtInFilter(view: BuiltInView, me: { userId: string; teamIds: string[] }): DeskFilter {
  const open = { status: [...OPEN_STATUSES] };
  switch (view) {
    case 'mine':
      return { ...open, assigneeId: me.userId };
    case 'team':
      return { ...open, teamIds: me.teamIds };
    case 'unassigned':
      return { ...open, isUnassigned: true };
    case 'open':
      return open;
    case 'atRisk':
      return { ...open, sla: 'at_risk' };
    case 'breached':
      return { ...open, sla: 'breached' };
  }
}

export const isBuiltInView = (v: string | null): v is BuiltInView =>
  v !== null && (BUILT_IN_VIEWS as readonly string[]).includes(v);

/** The filter with the person's own choices laid over the view's (empty choices dropped). */
export function mergeFilters(base: DeskFilter, extra: DeskFilter): DeskFilter {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as DeskFilter;
}

export const ALL_COLUMNS = [
  'number',
  'title',
  'status',
  'priority',
  'assignee',
  'team',
  'requester',
  'template',
  'channel',
  'sla',
  'createdAt',
  'updatedAt',
] as const;
export type Column = (typeof ALL_COLUMNS)[number];
export const DEFAULT_COLUMNS: Column[] = [
  'number',
  'title',
  'status',
  'priority',
  'assignee',
  'sla',
  'updatedAt',
];

/**
 * Rows kept where they are when the list is read again: rows already shown keep their place
 * (updated in it), rows that left the view are dropped, and new ones wait to be shown (the
 * "new tickets" bar) so nothing jumps under the pointer.
 */
export function mergeStable<T extends { id: string }>(
  shown: readonly T[],
  fresh: readonly T[],
): { rows: T[]; waiting: T[] } {
  const freshById = new Map(fresh.map((r) => [r.id, r]));
  const rows = shown.flatMap((r) => {
    const f = freshById.get(r.id);
    return f ? [f] : [];
  });
  const shownIds = new Set(shown.map((r) => r.id));
  const waiting = fresh.filter((r) => !shownIds.has(r.id));
  return { rows, waiting };
}
