import { sessionCookie } from '../auth/login.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import {
  acceptInvitation,
  type InvitationState,
  listPendingInvitations,
  readInvitation,
  type SentInvitation,
  sendInvitation,
} from './invitations.ts';
import { UserRef } from './user-refs.ts';
import { meOf, SessionRef } from './users.schema.ts';

const InvitationStateEnum = builder.enumType('InvitationState', {
  description:
    'open: the link sets a password; used: it did once already; expired: too old; revoked: a newer link was sent or the account deactivated; forged: not a link Docket made.',
  values: ['open', 'used', 'expired', 'revoked', 'forged'] as const,
});

const SentInvitationRef = builder.objectRef<SentInvitation>('SentInvitation').implement({
  description: 'An invitation just sent: earlier links of the same person stop working.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (r) => r.user }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expiresAt }),
    isMailed: t.exposeBoolean('isMailed', {
      description: 'The link went out by email (the invitation notification target is installed).',
    }),
    link: t.exposeString('link', {
      nullable: true,
      description: 'When not mailed: the link to hand over, shown this once (only its hash is kept).',
    }),
  }),
});

type InvitationView = {
  state: InvitationState;
  name: string | null;
  email: string | null;
  expiresAt: Date | null;
};

const InvitationRef = builder.objectRef<InvitationView>('Invitation').implement({
  description: 'What an invitation link is, for the page it opens; who it invites only while it is open.',
  fields: (t) => ({
    state: t.field({ type: InvitationStateEnum, resolve: (r) => r.state }),
    name: t.exposeString('name', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.expiresAt }),
  }),
});

type PendingInvitation = { userId: number; createdAt: Date; expiresAt: Date };
const PendingInvitationRef = builder.objectRef<PendingInvitation>('PendingInvitation').implement({
  description: 'An invitation sent and not used yet (it may have expired).',
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (r, _a, ctx) => ctx.loaders.user.load(r.userId),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expiresAt }),
  }),
});

builder.queryFields((t) => ({
  invitation: t.field({
    type: InvitationRef,
    description: 'What an invitation link is (no login needed): open, or why it does nothing.',
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const { state, row } = await readInvitation(ctx.services, ctx.em, a.token);
      return {
        state,
        name: row?.name ?? null,
        email: row?.email ?? null,
        expiresAt: row?.expiresAt ?? null,
      };
    },
  }),
  pendingInvitations: t.field({
    type: [PendingInvitationRef],
    description: 'Invitations sent and not used yet (needs user.manage).',
    resolve: (_r, _a, ctx) => listPendingInvitations(ctx.em, ctx.principal),
  }),
}));

builder.mutationFields((t) => ({
  sendInvitation: t.field({
    type: SentInvitationRef,
    errors: mutationErrors,
    description:
      'Invites a user (needs user.manage) to set their password through a single-use link; sending again withdraws the earlier link.',
    args: { userId: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => sendInvitation(ctx.services, ctx.em, ctx.principal, a.userId),
  }),
  acceptInvitation: t.field({
    type: SessionRef,
    errors: mutationErrors,
    description:
      'The invited person sets their password through the link (no login needed) and is signed in. A used, expired, withdrawn or forged link is refused at /token and changes nothing; so is a request signed in with another account (signed_in_as_other).',
    args: { token: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const user = await acceptInvitation(ctx.services, ctx.em, ctx.principal, a);
      const token = await ctx.services.sessions.issue({
        kind: 'user',
        id: user.id,
        version: user.tokenVersion,
      });
      ctx.cookies.push(sessionCookie(token, ctx.services.config.sessionTtlSeconds, ctx.isSecure));
      return { token, me: await meOf(ctx.services, 'user', user.id) };
    },
  }),
}));
