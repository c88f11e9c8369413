import type { WallToken } from '@docket/db';
import { requireWallReader, type WallViewer } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import type { Ctx } from '../graphql/context.ts';
import { PriorityEnum, StatusCategoryEnum } from '../graphql/enums.ts';
import { OrgUnitRef } from '../org/org-refs.ts';
import { type WallGroup, type WallSnapshot, type WallTicket, wallSnapshot } from './wall-snapshot.ts';
import { wallStream } from './wall-stream.ts';
import { createWallToken, listWallTokens, revokeWallToken, wallViewerOf } from './wall-tokens.ts';

/**
 * The live wall (/wall): its figures as a query and as a subscription, and the wall tokens an
 * admin hands to a TV. Without a token, the wall shows a staff member's own ticket scope.
 */

const WallTicketRef = builder.objectRef<WallTicket>('WallTicket').implement({
  description: 'A ticket on the wall: about to breach or breached, with the clock concerned.',
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeString('number'),
    title: t.exposeString('title'),
    priority: t.field({ type: PriorityEnum, resolve: (r) => r.priority }),
    metric: t.exposeString('metric', {
      description: 'first_response, next_response, periodic_update or resolution.',
    }),
    dueAt: t.field({ type: 'DateTime', resolve: (r) => r.dueAt }),
  }),
});

const WallGroupRef = builder.objectRef<WallGroup>('WallGroup').implement({
  description: 'Open tickets of one org unit (with its subtree) or team.',
  fields: (t) => ({
    id: t.exposeID('id', {
      nullable: true,
      description: "Null: tickets on the wall's root unit itself, or in no team.",
    }),
    name: t.exposeString('name', { nullable: true }),
    open: t.exposeInt('open'),
    atRisk: t.exposeInt('atRisk'),
    breached: t.exposeInt('breached'),
  }),
});

const WallStatusCountRef = builder
  .objectRef<WallSnapshot['openByStatus'][number]>('WallStatusCount')
  .implement({
    fields: (t) => ({
      status: t.field({ type: StatusCategoryEnum, resolve: (r) => r.status }),
      count: t.exposeInt('count'),
    }),
  });

const WallCsatRef = builder.objectRef<WallSnapshot['csat']>('WallCsat').implement({
  description: "Ratings given today on the wall's tickets.",
  fields: (t) => ({
    count: t.exposeInt('count'),
    average: t.exposeFloat('average', { nullable: true, description: 'Average of five-star ratings.' }),
    satisfiedShare: t.exposeFloat('satisfiedShare', {
      nullable: true,
      description: 'Share of ratings that are not bad (0 to 1).',
    }),
  }),
});

const WallTrendPointRef = builder.objectRef<WallSnapshot['trend'][number]>('WallTrendPoint').implement({
  fields: (t) => ({
    hour: t.exposeInt('hour', { description: 'Hours since midnight (dayStart).' }),
    created: t.exposeInt('created'),
    solved: t.exposeInt('solved'),
  }),
});

const WallSnapshotRef = builder.objectRef<WallSnapshot>('WallSnapshot').implement({
  description:
    "The live wall's figures at one instant, every one within the viewer's scope (a wall token's org subtree, or a staff member's ticket scope). Today is the day in DOCKET_TIME_ZONE.",
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (s) => s.at }),
    dayStart: t.field({ type: 'DateTime', resolve: (s) => s.dayStart }),
    timeZone: t.exposeString('timeZone'),
    scopeName: t.exposeString('scopeName', {
      nullable: true,
      description: "The org unit a wall token shows; null for a staff member's own scope.",
    }),
    createdToday: t.exposeInt('createdToday'),
    solvedToday: t.exposeInt('solvedToday'),
    open: t.exposeInt('open'),
    openByStatus: t.field({ type: [WallStatusCountRef], resolve: (s) => s.openByStatus }),
    atRisk: t.exposeInt('atRisk', {
      description: 'Open tickets with a running SLA clock due within 30 minutes and none breached.',
    }),
    breached: t.exposeInt('breached', { description: 'Open tickets with an SLA clock past its due time.' }),
    atRiskTickets: t.field({ type: [WallTicketRef], resolve: (s) => s.atRiskTickets }),
    breachedTickets: t.field({
      type: [WallTicketRef],
      description: 'The latest breaches first.',
      resolve: (s) => s.breachedTickets,
    }),
    byRegion: t.field({
      type: [WallGroupRef],
      description: "Open tickets by the org units one level below the wall's root.",
      resolve: (s) => s.byRegion,
    }),
    byTeam: t.field({ type: [WallGroupRef], resolve: (s) => s.byTeam }),
    csat: t.field({ type: WallCsatRef, resolve: (s) => s.csat }),
    trend: t.field({ type: [WallTrendPointRef], resolve: (s) => s.trend }),
    nextChangeAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the figures change by the clock alone (a ticket comes due within 30 minutes, or breaches).',
      resolve: (s) => s.nextChangeAt,
    }),
  }),
});

const WallTokenRef = builder.objectRef<WallToken>('WallToken').implement({
  description:
    'A wall token: read-only access to the wall of one org subtree. Only its first characters are kept.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix'),
    orgUnit: t.field({ type: OrgUnitRef, resolve: (w) => w.orgUnit.getEntity() }),
    createdAt: t.field({ type: 'DateTime', resolve: (w) => w.createdAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (w) => w.lastUsedAt ?? null }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (w) => w.revokedAt ?? null }),
  }),
});

const CreatedWallTokenRef = builder
  .objectRef<{ token: string; wallToken: WallToken }>('CreatedWallToken')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', { description: 'Shown once; the wall opens at /wall?token=<token>.' }),
      wallToken: t.field({ type: WallTokenRef, resolve: (r) => r.wallToken }),
    }),
  });

/** Who is looking: the token's org subtree when one is given, else the signed-in staff member. */
const viewerOf = (ctx: Ctx, token: string | null | undefined): Promise<WallViewer> =>
  token != null ? wallViewerOf(ctx.em.fork(), token) : Promise.resolve(requireWallReader(ctx.principal));

const TOKEN_ARG = {
  description: "A wall token (dkw_…); without one, the signed-in staff member's own scope.",
};

builder.queryFields((t) => ({
  wallSnapshot: t.field({
    type: WallSnapshotRef,
    description:
      'The live wall now. With a wall token, its org subtree; else staff with ticket.read, their scope.',
    args: { token: t.arg.string(TOKEN_ARG) },
    resolve: async (_r, a, ctx) =>
      wallSnapshot(ctx.em, await viewerOf(ctx, a.token), ctx.services.config.timeZone),
  }),
  wallTokens: t.field({
    type: [WallTokenRef],
    description: 'Every wall token, newest first. Needs token.manage.',
    resolve: (_r, _a, ctx) => listWallTokens(ctx.em, ctx.principal),
  }),
}));

builder.mutationFields((t) => ({
  createWallToken: t.field({
    type: CreatedWallTokenRef,
    errors: mutationErrors,
    description:
      'A token for a screen showing the wall of an org unit and everything below it (read-only). Needs token.manage and the unit within your scope.',
    args: { name: t.arg.string({ required: true }), orgUnitId: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => createWallToken(ctx.em, ctx.principal, a),
  }),
  revokeWallToken: t.field({
    type: WallTokenRef,
    errors: mutationErrors,
    description: 'Revokes a wall token: walls showing it stop at their next update. Needs token.manage.',
    args: { id: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => revokeWallToken(ctx.em, ctx.principal, a.id),
  }),
}));

builder.subscriptionField('wallChanged', (t) =>
  t.field({
    type: WallSnapshotRef,
    description:
      'The live wall: its figures at once, then again within a second of each ticket change, and when a ticket comes due or breaches. A revoked token ends the stream with its error.',
    args: { token: t.arg.string(TOKEN_ARG) },
    subscribe: async (_r, a, ctx) => {
      const token = a.token;
      await viewerOf(ctx, token);
      return wallStream({
        changes: ctx.services.wall.subscribe(),
        snapshot: () =>
          ctx.services.wall.read(async () =>
            wallSnapshot(ctx.em.fork(), await viewerOf(ctx, token), ctx.services.config.timeZone),
          ),
      });
    },
    resolve: (s) => s,
  }),
);
