import type { SlaMetric } from '@docket/core';
import { type EntityManager, query } from '@docket/db';
import type { SlaClock, SlaHistoryEntry, SlaState } from '@docket/engine';

/**
 * The SLA's entries on a ticket's audit trail: every change of a clock that has (or had) a target,
 * as `sla.<change>`, and every action fired, as `sla.action`. Written by Docket itself (actor
 * "system"), internal (customers do not see them).
 */

export type SlaAuditRow = {
  kind: string;
  body: string;
  diff: Record<string, { from: unknown; to: unknown }>;
};

const KIND: Record<SlaHistoryEntry['kind'], string> = {
  start: 'sla.started',
  pause: 'sla.paused',
  resume: 'sla.resumed',
  retarget: 'sla.retargeted',
  breached: 'sla.breached',
  met: 'sla.met',
  stop: 'sla.stopped',
};

const METRIC_LABEL: Record<SlaMetric, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  periodic_update: 'Periodic update',
  resolution: 'Resolution',
};
export const metricLabel = (metric: SlaMetric): string => METRIC_LABEL[metric];

/** "30 min", "2 h", "1 h 30 min", "45 s". */
export function durationText(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : '', rest && !h ? `${rest} s` : ''].filter(Boolean).join(' ');
}

/** "status changed", "agent public reply", "due time passed". */
const reasonText = (reason: string): string => reason.replace(/_/g, ' ');

function describe(metric: SlaMetric, e: SlaHistoryEntry): SlaAuditRow {
  const label = metricLabel(metric);
  const why = reasonText(e.reason);
  const change = (from: unknown, to: unknown) => ({ [metric]: { from, to } });
  switch (e.kind) {
    case 'start':
      return {
        kind: KIND.start,
        body:
          e.targetSeconds === null
            ? `${label} clock started (no target).`
            : `${label} clock started: target ${durationText(e.targetSeconds)}, due ${e.dueAt}.`,
        diff: change(null, { status: 'running', dueAt: e.dueAt, targetSeconds: e.targetSeconds }),
      };
    case 'pause':
      return {
        kind: KIND.pause,
        body: `${label} clock paused (${why}) after ${durationText(e.consumedSeconds)}.`,
        diff: change({ status: 'running' }, { status: 'paused', consumedSeconds: e.consumedSeconds }),
      };
    case 'resume':
      return {
        kind: KIND.resume,
        body: `${label} clock resumed (${why})${e.dueAt ? `; now due ${e.dueAt}` : ''}.`,
        diff: change({ status: 'paused' }, { status: 'running', dueAt: e.dueAt }),
      };
    case 'retarget':
      return {
        kind: KIND.retarget,
        body:
          `${label} target changed (${why}): ${e.from.priority} ${e.from.targetSeconds === null ? 'none' : durationText(e.from.targetSeconds)}` +
          ` -> ${e.to.priority} ${e.to.targetSeconds === null ? 'none' : durationText(e.to.targetSeconds)}; due ${e.from.dueAt ?? 'never'} -> ${e.to.dueAt ?? 'never'}.`,
        diff: change(e.from, e.to),
      };
    case 'breached':
      return {
        kind: KIND.breached,
        body: `${label} breached: it was due ${e.at}.`,
        diff: change({ status: 'running' }, { status: 'breached', breachedAt: e.at, noticedAt: e.noticedAt }),
      };
    case 'met':
      return {
        kind: KIND.met,
        body: `${label} met after ${durationText(e.consumedSeconds)} (${why}).`,
        diff: change({ status: 'running' }, { status: 'met', consumedSeconds: e.consumedSeconds }),
      };
    case 'stop':
      return {
        kind: KIND.stop,
        body: `${label} clock stopped (${why}) after ${durationText(e.consumedSeconds)}.`,
        diff: change(null, { status: 'stopped', consumedSeconds: e.consumedSeconds }),
      };
  }
}

const hasTarget = (clock: SlaClock, e: SlaHistoryEntry): boolean =>
  clock.targetSeconds !== null ||
  (e.kind === 'retarget' && e.from.targetSeconds !== null) ||
  (e.kind === 'start' && e.targetSeconds !== null);

/**
 * The audit rows for the clock changes between two states: history entries newer than the clock's
 * version in `before`. Clocks that only measure (no target, ever) stay off the trail.
 */
export function clockChangeRows(before: SlaState | null, after: SlaState): SlaAuditRow[] {
  const rows: { at: string; version: number; row: SlaAuditRow }[] = [];
  for (const [metric, clock] of Object.entries(after.clocks) as [SlaMetric, SlaClock][]) {
    const known = before?.clocks[metric]?.version ?? 0;
    for (const e of clock.history)
      if (e.version > known && hasTarget(clock, e))
        rows.push({ at: e.at, version: e.version, row: describe(metric, e) });
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at) || a.version - b.version).map((r) => r.row);
}

/** Appends SLA rows to the ticket's audit trail in one statement. */
export function writeSlaAudit(
  tx: EntityManager,
  ticketId: string | number,
  rows: SlaAuditRow[],
): Promise<void> {
  return writeSlaAuditOf(
    tx,
    rows.map((row) => ({ ...row, ticketId })),
  );
}

/** Appends SLA rows to the audit trails of several tickets in one statement, in the order given. */
export async function writeSlaAuditOf(
  tx: EntityManager,
  rows: (SlaAuditRow & { ticketId: string | number })[],
): Promise<void> {
  if (rows.length === 0) return;
  await query(
    tx,
    `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, channel, is_public, body, diff)
     select (r.value->>'ticketId')::bigint, r.value->>'kind', 'system', null, 'system', false, r.value->>'body', r.value->'diff'
       from jsonb_array_elements(?::jsonb) with ordinality as r(value, n)
      order by r.n`,
    [JSON.stringify(rows)],
  );
}
