import type { CSAT_BAD_ACTIONS, CSAT_SCALES, EntityManager } from '@docket/db';
import { query, queryOne } from '@docket/db';

export type CsatScale = (typeof CSAT_SCALES)[number];
export type CsatBadAction = (typeof CSAT_BAD_ACTIONS)[number];

export type CsatPolicyRow = {
  template_id: number;
  is_enabled: boolean;
  scale: CsatScale;
  on_bad: CsatBadAction;
  after_step: string | null;
  expires_in_hours: number;
};

export type CsatRatingRow = {
  id: string;
  ticket_id: string;
  customer_id: number | null;
  reason: string;
  scale: CsatScale;
  score: number | null;
  is_bad: boolean | null;
  comment: string | null;
  asked_at: Date;
  expires_at: Date;
  rated_at: Date | null;
};

const RATING_COLUMNS =
  'id::text as id, ticket_id::text as ticket_id, customer_id, reason, scale, score, is_bad, comment, asked_at, expires_at, rated_at';

export const readCsatPolicy = (em: EntityManager, templateId: number): Promise<CsatPolicyRow | undefined> =>
  queryOne<CsatPolicyRow>(
    em,
    'select template_id, is_enabled, scale, on_bad, after_step, expires_in_hours from csat_policy where template_id = ?',
    [templateId],
  );

export async function saveCsatPolicy(em: EntityManager, row: CsatPolicyRow): Promise<CsatPolicyRow> {
  return (await queryOne<CsatPolicyRow>(
    em,
    `insert into csat_policy (template_id, is_enabled, scale, on_bad, after_step, expires_in_hours, updated_at)
     values (?, ?, ?, ?, ?, ?, now())
     on conflict (template_id) do update set is_enabled = excluded.is_enabled, scale = excluded.scale,
       on_bad = excluded.on_bad, after_step = excluded.after_step,
       expires_in_hours = excluded.expires_in_hours, updated_at = now()
     returning template_id, is_enabled, scale, on_bad, after_step, expires_in_hours`,
    [row.template_id, row.is_enabled, row.scale, row.on_bad, row.after_step, row.expires_in_hours],
  ))!;
}

/** A rating asked for: its row, expiring after the policy's hours from `now`. */
export async function insertCsatRating(
  tx: EntityManager,
  row: {
    ticketId: string;
    customerId: number;
    reason: string;
    scale: CsatScale;
    now: Date;
    expiresInHours: number;
  },
): Promise<CsatRatingRow> {
  return (await queryOne<CsatRatingRow>(
    tx,
    `insert into csat_rating (ticket_id, customer_id, reason, scale, asked_at, expires_at)
     values (?, ?, ?, ?, ?::timestamptz, ?::timestamptz + make_interval(hours => ?))
     returning ${RATING_COLUMNS}`,
    [row.ticketId, row.customerId, row.reason, row.scale, row.now, row.now, row.expiresInHours],
  ))!;
}

/** One rating, locked for the rest of the transaction when `isForUpdate`. */
export const readCsatRating = (
  em: EntityManager,
  id: string,
  options: { isForUpdate?: boolean } = {},
): Promise<CsatRatingRow | undefined> =>
  queryOne<CsatRatingRow>(
    em,
    `select ${RATING_COLUMNS} from csat_rating where id = ?${options.isForUpdate ? ' for update' : ''}`,
    [id],
  );

export async function recordCsatScore(
  tx: EntityManager,
  id: string,
  given: { score: number; isBad: boolean; comment: string | null; now: Date },
): Promise<void> {
  await query(tx, 'update csat_rating set score = ?, is_bad = ?, comment = ?, rated_at = ? where id = ?', [
    given.score,
    given.isBad,
    given.comment,
    given.now,
    id,
  ]);
}

/** The ratings of tickets, oldest first, by ticket id (every id gets a list). */
export async function ratingsOfTickets(
  em: EntityManager,
  ticketIds: string[],
): Promise<Map<string, CsatRatingRow[]>> {
  const rows = await query<CsatRatingRow>(
    em,
    `select ${RATING_COLUMNS} from csat_rating where ticket_id = any(?::bigint[]) order by id`,
    [ticketIds],
  );
  const byTicket = new Map<string, CsatRatingRow[]>(ticketIds.map((id) => [id, []]));
  for (const r of rows) byTicket.get(r.ticket_id)?.push(r);
  return byTicket;
}

/** The ticket a rating page shows: its number and title (nothing private). */
export const ticketHeadline = (
  em: EntityManager,
  ticketId: string,
): Promise<{ number: string; title: string } | undefined> =>
  queryOne(em, 'select number, title from ticket where id = ?', [ticketId]);

/** What a rating's consequences need of its ticket. */
export const ratedTicket = (
  em: EntityManager,
  ticketId: string,
): Promise<{ template_id: number; assignee_id: number | null; number: string; title: string } | undefined> =>
  queryOne(em, 'select template_id, assignee_id, number, title from ticket where id = ?', [ticketId]);

export const templateIdOfKey = async (em: EntityManager, key: string): Promise<number | null> =>
  (await queryOne<{ id: number }>(em, 'select id from ticket_template where key = ?', [key]))?.id ?? null;
