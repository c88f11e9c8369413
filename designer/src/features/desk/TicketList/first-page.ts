import { request } from '../../../graphql/client.ts';
import type { ResultOf } from '../../../graphql/graphql.ts';
import { builtInFilter, type DeskFilter, isBuiltInView, mergeFilters } from '../views.ts';
import { DeskTicketsQuery } from './ticket-list-query.ts';

/**
 * The desk list's first page, asked for as the app starts when it opens on /desk with a view whose
 * filter is known from the address alone ("All open", "Unassigned", the SLA views, a drill-down):
 * the list's read then does not wait for the app's code, the session and the desk's state in turn.
 * Small on purpose: it is in the app's first chunk.
 */

export const PAGE = 50;
/** The list's count stops here ("more than 9,999"): a long list is not counted through on each read. */
export const COUNT_UP_TO = 9_999;

type Data = ResultOf<typeof DeskTicketsQuery>;

/** The list's variables, as TicketList keys them. */
export const listKey = (filter: DeskFilter, orderBy: unknown): string => JSON.stringify({ filter, orderBy });

export const DEFAULT_SORT = { field: 'UPDATED_AT', direction: 'DESC' } as const;

/** An early read is used only this soon after it started (a later list reads afresh). */
const FRESH_MS = 10_000;
let early: { key: string; at: number; data: Promise<Data>; answer?: Data } | undefined;

const parse = (text: string | null): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Starts the first page's read when the address is such a desk list; does nothing otherwise. */
export function startFirstPage(location: { pathname: string; search: string }): void {
  if (location.pathname !== '/desk') return;
  const params = new URLSearchParams(location.search);
  const view = params.get('view') ?? (params.has('filter') ? 'filtered' : 'tasks');
  // "mine" and "team" need the person's id and teams, saved views their filter: the list waits.
  if (view !== 'filtered' && (!isBuiltInView(view) || view === 'mine' || view === 'team')) return;
  const base = view === 'filtered' ? {} : builtInFilter(view, { userId: '', teamIds: [] });
  const extra = (parse(params.get('f') ?? params.get('filter')) ?? {}) as DeskFilter;
  const orderBy = parse(params.get('sort')) ?? DEFAULT_SORT;
  const filter = mergeFilters(base, extra);
  const data = request(DeskTicketsQuery, {
    filter,
    orderBy,
    first: PAGE,
    after: null,
    countUpTo: COUNT_UP_TO,
  } as never);
  const started: NonNullable<typeof early> = { key: listKey(filter, orderBy), at: Date.now(), data };
  early = started;
  data.then(
    (d) => {
      started.answer = d;
    },
    // A refused read (signed out) is forgotten: the list reads again once someone signs in.
    () => {
      if (early === started) early = undefined;
    },
  );
}

/**
 * The early read's answer for this list, when it is already in and fresh: the list's first render
 * then shows its rows (no empty list drawn first); once.
 */
export function takeFirstPageAnswer(key: string): Data | undefined {
  const found = early;
  if (!found?.answer || found.key !== key || Date.now() - found.at > FRESH_MS) return undefined;
  early = undefined;
  return found.answer;
}

/** The early read of this list's first page, once, if one is under way or fresh; else undefined. */
export function takeFirstPage(key: string): Promise<Data> | undefined {
  const found = early;
  early = undefined;
  if (!found || found.key !== key || Date.now() - found.at > FRESH_MS) return undefined;
  return found.data;
}
