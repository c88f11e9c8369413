/**
 * Where a person's notices go, per kind (the server's notification preferences): pure rules the
 * preferences page renders and edits. A kind with a row of its own uses it (an empty row: in-app
 * only); a kind without one follows the "*" row.
 */

/** The kinds a person can route, in the order the page lists them ("*" last: everything else). */
export const NOTICE_KINDS = ['task', 'overdue', 'sla', 'urge', 'notice', '*'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export type PreferenceRow = { kind: string; targets: readonly string[] };

/** The outside targets a kind's notices go to, and whether that comes from the "*" row. */
export function effectiveTargets(
  rows: readonly PreferenceRow[],
  kind: NoticeKind,
): { targets: readonly string[]; isDefault: boolean } {
  const own = rows.find((r) => r.kind === kind);
  if (own) return { targets: own.targets, isDefault: false };
  return { targets: rows.find((r) => r.kind === '*')?.targets ?? [], isDefault: kind !== '*' };
}

/** The targets a kind gets when a person turns one target on or off in its row. */
export function toggledTargets(
  rows: readonly PreferenceRow[],
  kind: NoticeKind,
  target: string,
  isOn: boolean,
): string[] {
  const current = effectiveTargets(rows, kind).targets.filter((t) => t !== target);
  return isOn ? [...current, target] : current;
}
