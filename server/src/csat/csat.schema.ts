import { CSAT_BAD_ACTIONS, CSAT_SCALES } from '@docket/db';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { TicketRef } from '../tickets/tickets.schema.ts';
import { csatPolicy, setCsatPolicy } from './csat-admin.ts';
import type { CsatPolicyRow, CsatRatingRow } from './csat-repository.ts';
import { rateThroughLink } from './rate-ticket.ts';

const CsatScaleEnum = builder.enumType('CsatScale', {
  description: 'five: a score of 1 to 5; good_bad: 1 (good) or 0 (bad).',
  values: CSAT_SCALES,
});
const CsatBadActionEnum = builder.enumType('CsatBadAction', {
  description: 'What a bad rating (1-2 of five, or bad) does besides landing on the timeline.',
  values: CSAT_BAD_ACTIONS,
});

const CsatPolicyRef = builder.objectRef<CsatPolicyRow>('CsatPolicy').implement({
  description:
    "How a template's tickets are rated: asked when solved (and when the follow-up step completes).",
  fields: (t) => ({
    isEnabled: t.exposeBoolean('is_enabled'),
    scale: t.field({ type: CsatScaleEnum, resolve: (r) => r.scale }),
    onBad: t.field({ type: CsatBadActionEnum, resolve: (r) => r.on_bad }),
    afterStep: t.exposeString('after_step', {
      nullable: true,
      description: 'A workflow node id: completing its step asks for a rating again (a follow-up visit).',
    }),
    expiresInHours: t.exposeInt('expires_in_hours'),
  }),
});

export const CsatRatingRef = builder.objectRef<CsatRatingRow>('CsatRating').implement({
  description: 'A rating asked for, and once given its score and comment.',
  fields: (t) => ({
    id: t.exposeID('id'),
    reason: t.exposeString('reason', { description: '"solved", or "step:<node id>" for a follow-up step.' }),
    scale: t.field({ type: CsatScaleEnum, resolve: (r) => r.scale }),
    score: t.exposeInt('score', { nullable: true }),
    isBad: t.exposeBoolean('is_bad', { nullable: true }),
    comment: t.exposeString('comment', { nullable: true }),
    askedAt: t.field({ type: 'DateTime', resolve: (r) => r.asked_at }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expires_at }),
    ratedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.rated_at }),
  }),
});

builder.objectField(TicketRef, 'ratings', (t) =>
  t.field({
    type: [CsatRatingRef],
    description: 'Satisfaction ratings asked for on this ticket, oldest first.',
    resolve: async (r, _a, ctx) => (await ctx.loaders.ratingsOfTicket.load(String(r.id))) ?? [],
  }),
);

const CsatPolicyInputRef = builder.inputType('CsatPolicyInput', {
  fields: (t) => ({
    templateKey: t.string({ required: true }),
    isEnabled: t.boolean(),
    scale: t.field({ type: CsatScaleEnum }),
    onBad: t.field({ type: CsatBadActionEnum }),
    afterStep: t.string({ description: 'A workflow node id; null clears it.' }),
    expiresInHours: t.int({ description: 'How long a rating link works (1 to 8760 hours; default 168).' }),
  }),
});

builder.queryFields((t) => ({
  csatPolicy: t.field({
    type: CsatPolicyRef,
    nullable: true,
    description:
      "A template's satisfaction settings; null when its tickets are not rated. Needs template.manage.",
    args: { templateKey: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => csatPolicy(ctx.em, ctx.principal, a.templateKey),
  }),
}));

builder.mutationFields((t) => ({
  setCsatPolicy: t.field({
    type: CsatPolicyRef,
    errors: mutationErrors,
    description:
      'Sets how a template’s tickets are rated; fields left out keep their value. Needs template.manage.',
    args: { input: t.arg({ type: CsatPolicyInputRef, required: true }) },
    resolve: (_r, a, ctx) => setCsatPolicy(ctx.em, ctx.principal, a.input),
  }),
  rateTicket: t.field({
    type: CsatRatingRef,
    errors: mutationErrors,
    description:
      'Gives a rating through the token of its link (no login needed). A forged, used or expired token is refused at /token and changes nothing.',
    args: {
      token: t.arg.string({ required: true }),
      score: t.arg.int({ required: true, description: '1-5, or 1 (good) and 0 (bad).' }),
      comment: t.arg.string(),
    },
    resolve: (_r, a, ctx) => rateThroughLink(ctx.em, ctx.services.csat, a),
  }),
}));
