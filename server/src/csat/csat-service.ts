import { createHmac, timingSafeEqual } from 'node:crypto';
import { fieldError, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import type { Notifier } from '../notifications/notifier.ts';
import { managerOf } from '../sla/sla-actions.ts';
import type { TicketFeed } from '../tickets/ticket-feed.ts';
import { type Actor, SYSTEM_ACTOR, type TicketChanged, type TicketStore } from '../tickets/ticket-store.ts';
import {
  type CsatRatingRow,
  type CsatScale,
  insertCsatRating,
  ratedTicket,
  readCsatPolicy,
  readCsatRating,
  recordCsatScore,
  ticketHeadline,
} from './csat-repository.ts';

/** Why a rating link does nothing: not one Docket signed, already used, or too old. */
export type RatingLinkProblem = 'forged' | 'used' | 'expired';

export type RatingLinkState =
  | { kind: 'open'; rating: CsatRatingRow; ticket: { number: string; title: string } }
  | { kind: 'refused'; problem: RatingLinkProblem };

export type CsatDeps = {
  /** Signs rating links (the server's secret). */
  secret: string;
  /** Where links point: the server's public address. */
  publicUrl: string;
  tickets: TicketStore;
  notifier: Notifier;
  now: () => number;
  /** Told of a rating that changed no field of its ticket (a reopen is a change the feed hears itself). */
  feed?: Pick<TicketFeed, 'appended'>;
};

/** The channel rating-link actions are recorded under on the timeline. */
export const RATING_LINK_CHANNEL = 'rating_link';

/** Whether a score is a bad rating on its scale: 1-2 of five, or "bad" (0) of good/bad. */
export const isBadScore = (scale: CsatScale, score: number): boolean =>
  scale === 'five' ? score <= 2 : score === 0;

/**
 * Satisfaction ratings. When a ticket is solved (and when its template's follow-up step
 * completes) the requester is asked, in the same transaction: a rating row, a notice with a signed
 * link on the in-app inbox and on the ticket's channel when that is a notification target, and an
 * entry on the timeline. The link (no login) gives one score and comment, once, before it
 * expires; a bad score reopens the ticket or notifies the handler's manager, as the template says.
 */
export class CsatService {
  constructor(private readonly deps: CsatDeps) {}

  /** The ticket store's change listener. */
  async onTicketChanged(tx: EntityManager, change: TicketChanged): Promise<void> {
    const { row } = change;
    if (row.requester_id === null) return;
    const isSolvedNow = change.diff.status?.to === 'solved' && change.diff.status.from !== 'solved';
    const completedSteps = change.entries
      .filter((e) => e.kind === 'task.completed')
      .map((e) => (e.diff as { step?: { from?: unknown } } | null)?.step?.from)
      .filter((s): s is string => typeof s === 'string');
    if (!isSolvedNow && completedSteps.length === 0) return;
    const policy = await readCsatPolicy(tx, row.template_id);
    if (!policy?.is_enabled) return;
    const reason = isSolvedNow
      ? 'solved'
      : policy.after_step && completedSteps.includes(policy.after_step)
        ? `step:${policy.after_step}`
        : null;
    if (!reason) return;
    const rating = await insertCsatRating(tx, {
      ticketId: String(row.id),
      customerId: row.requester_id,
      reason,
      scale: policy.scale,
      now: new Date(this.deps.now()),
      expiresInHours: policy.expires_in_hours,
    });
    const link = this.linkOf(rating.id);
    await this.deps.notifier.send(tx, [
      {
        key: `csat:${rating.id}`,
        ticketId: row.id,
        subject: `How did we do on ${row.number}? / 请评价工单 ${row.number}`,
        body: `Please rate how ticket ${row.number} "${row.title}" was handled: ${link}\n请为工单 ${row.number}「${row.title}」的服务打分：${link}`,
        to: { userIds: [], customerIds: [row.requester_id] },
        targets: this.deps.notifier.knows(row.channel) ? [row.channel] : [],
      },
    ]);
    await this.deps.tickets.append(tx, [
      {
        ticketId: row.id,
        kind: 'csat.asked',
        isPublic: true,
        diff: { reason: { from: null, to: reason }, expiresAt: { from: null, to: rating.expires_at } },
        actor: SYSTEM_ACTOR,
      },
    ]);
  }

  /** The rating link of a rating row: `<publicUrl>/rate/<id>.<signature>`. */
  linkOf(ratingId: string): string {
    return `${this.deps.publicUrl.replace(/\/$/, '')}/rate/${this.tokenOf(ratingId)}`;
  }

  tokenOf(ratingId: string): string {
    return `${ratingId}.${this.signature(ratingId)}`;
  }

  private signature(ratingId: string): string {
    return createHmac('sha256', this.deps.secret).update(`csat-rating:${ratingId}`).digest('base64url');
  }

  /** The rating a token names, when Docket signed it; null for anything else. */
  private ratingIdOf(token: string): string | null {
    const m = /^(\d{1,18})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const expected = Buffer.from(this.signature(m[1]!));
    const given = Buffer.from(m[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given) ? m[1]! : null;
  }

  private problemOf(rating: CsatRatingRow | undefined): RatingLinkProblem | null {
    if (!rating) return 'forged';
    if (rating.rated_at) return 'used';
    if (new Date(rating.expires_at).getTime() <= this.deps.now()) return 'expired';
    return null;
  }

  /** What a rating link shows: the form (with the ticket's number and title), or why not. */
  async view(em: EntityManager, token: string): Promise<RatingLinkState> {
    const id = this.ratingIdOf(token);
    const rating = id ? await readCsatRating(em, id) : undefined;
    const problem = this.problemOf(rating);
    if (problem || !rating) return { kind: 'refused', problem: problem ?? 'forged' };
    const ticket = await ticketHeadline(em, rating.ticket_id);
    return ticket ? { kind: 'open', rating, ticket } : { kind: 'refused', problem: 'forged' };
  }

  /**
   * Gives a rating through its link, once: the score and comment on the rating and the timeline;
   * a bad score reopens the ticket or notifies the handler's manager when the template says so.
   * A forged, used or expired link changes nothing.
   */
  async rate(
    em: EntityManager,
    token: string,
    input: { score: number; comment?: string | null },
  ): Promise<{ kind: 'rated'; rating: CsatRatingRow } | { kind: 'refused'; problem: RatingLinkProblem }> {
    const id = this.ratingIdOf(token);
    if (!id) return { kind: 'refused', problem: 'forged' };
    return em.transactional(async (tx) => {
      const rating = await readCsatRating(tx, id, { isForUpdate: true });
      const problem = this.problemOf(rating);
      if (problem || !rating) return { kind: 'refused', problem: problem ?? 'forged' } as const;
      const valid = rating.scale === 'five' ? [1, 2, 3, 4, 5] : [0, 1];
      if (!Number.isInteger(input.score) || !valid.includes(input.score))
        throw new ValidationFailed([
          fieldError(
            '/score',
            'out_of_range',
            rating.scale === 'five' ? 'Give a score from 1 to 5.' : 'Give 1 (good) or 0 (bad).',
          ),
        ]);
      const comment = input.comment?.trim().slice(0, 2000) || null;
      const isBad = isBadScore(rating.scale, input.score);
      const now = new Date(this.deps.now());
      await recordCsatScore(tx, id, { score: input.score, isBad, comment, now });
      const actor: Actor =
        rating.customer_id === null
          ? { ...SYSTEM_ACTOR, channel: RATING_LINK_CHANNEL }
          : { kind: 'customer', id: rating.customer_id, viaTokenId: null, channel: RATING_LINK_CHANNEL };
      const rated = {
        kind: 'csat.rated',
        isPublic: true,
        body: comment,
        diff: {
          score: { from: null, to: input.score },
          scale: { from: null, to: rating.scale },
          isBad: { from: null, to: isBad },
        },
      };
      const policy = isBad ? await this.policyOfTicket(tx, rating.ticket_id) : undefined;
      if (isBad && policy?.on_bad === 'reopen') {
        await this.deps.tickets.change(tx, rating.ticket_id, {
          fields: { status: 'open', statusName: null },
          entries: [rated],
          entry: { kind: 'reopened', body: 'Reopened after a bad rating.', isPublic: true },
          actor,
          origin: 'ticket',
        });
      } else {
        await this.deps.tickets.append(tx, [{ ...rated, ticketId: rating.ticket_id, actor }]);
        this.deps.feed?.appended(tx, rating.ticket_id);
        if (isBad && policy?.on_bad === 'notify_manager')
          await this.notifyManager(tx, rating, input.score, comment);
      }
      return {
        kind: 'rated',
        rating: { ...rating, score: input.score, is_bad: isBad, comment, rated_at: now },
      } as const;
    });
  }

  private async policyOfTicket(tx: EntityManager, ticketId: string) {
    const t = await ratedTicket(tx, ticketId);
    return t ? readCsatPolicy(tx, t.template_id) : undefined;
  }

  private async notifyManager(
    tx: EntityManager,
    rating: CsatRatingRow,
    score: number,
    comment: string | null,
  ) {
    const t = await ratedTicket(tx, rating.ticket_id);
    const manager = await managerOf(tx, t?.assignee_id ?? null);
    if (manager === null || !t) return;
    await this.deps.notifier.send(tx, [
      {
        key: `csat-bad:${rating.id}`,
        ticketId: rating.ticket_id,
        subject: `Bad rating on ${t.number} / 工单 ${t.number} 收到差评`,
        body: `${t.number} "${t.title}" was rated ${rating.scale === 'five' ? `${score} of 5` : 'bad'}${comment ? `: ${comment}` : '.'}`,
        to: { userIds: [manager], customerIds: [] },
      },
    ]);
  }
}
