import { fieldError, type Principal, ValidationFailed } from '@docket/core';
import { type EntityManager, User } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { recordAdminChange } from '../audit/admin-audit.ts';
import { hashPassword, passwordErrors } from '../auth/passwords.ts';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import {
  claimInvitation,
  type InvitationRow,
  insertInvitation,
  invitationByHash,
  pendingInvitations,
  revokePendingInvitations,
} from './invitation-repository.ts';
import { invitationHash } from './invitation-tokens.ts';

/**
 * Invitations: an admin invites a staff member, who sets their own password through a link
 * (/invite/<token>, no login) and is then signed in. The token is random and signed with the
 * server's secret (a forged one is refused before the database is asked); only its SHA-256 is
 * stored. A link is used once, expires, and stops working when a newer one is sent.
 */

/** What a link is: good to use, or why it does nothing. */
export type InvitationState = 'open' | 'used' | 'expired' | 'revoked' | 'forged';

export const invitationLink = (publicUrl: string, token: string): string =>
  `${publicUrl.replace(/\/$/, '')}/invite/${token}`;

function stateOf(row: InvitationRow | null, now: number): InvitationState {
  if (!row) return 'forged';
  if (row.usedAt) return 'used';
  if (row.revokedAt || !row.isActive) return 'revoked';
  if (row.expiresAt.getTime() <= now) return 'expired';
  return 'open';
}

const REFUSALS: Record<Exclude<InvitationState, 'open'>, string> = {
  used: 'This invitation link has been used already. Sign in with the password set then, or ask an administrator for a new invitation.',
  expired: 'This invitation link has expired. Ask an administrator to send a new one.',
  revoked:
    'This invitation link was withdrawn: a newer one was sent, or the account was deactivated. Use the latest link, or ask an administrator.',
  forged: 'This is not a valid invitation link. Check that it was copied whole.',
};

const refused = (state: Exclude<InvitationState, 'open'>) =>
  new ValidationFailed([fieldError('/token', state, REFUSALS[state])]);

export type SentInvitation = {
  user: User;
  expiresAt: Date;
  /** Whether the link went out by email; when not, `link` is the one chance to copy it. */
  isMailed: boolean;
  link: string | null;
};

/**
 * Sends a user a new invitation (inviting or re-inviting: earlier links stop working). The link is
 * mailed through the invitation target when it is installed; otherwise it is returned, once.
 */
export async function sendInvitation(
  services: Pick<Services, 'config' | 'invitations' | 'notifier' | 'clock'>,
  em: EntityManager,
  actor: Principal | null,
  userId: number,
): Promise<SentInvitation> {
  const staff = requireStaff(actor, 'user.manage');
  const user = await em.findOne(User, userId);
  if (!user) throw new NotFoundError(`User ${userId}`, '/userId');
  if (!user.isActive)
    throw new ValidationFailed([
      fieldError('/userId', 'inactive', `${user.name} is deactivated: reactivate them before inviting them.`),
    ]);
  if (!user.email)
    throw new ValidationFailed([
      fieldError('/userId', 'no_email', `${user.name} has no email address to invite.`),
    ]);
  const { config, notifier } = services;
  const token = services.invitations.issue();
  const expiresAt = new Date(services.clock.now() + config.invitations.ttlHours * 3600_000);
  const isMailed = notifier.knows(config.invitations.target) && config.invitations.target !== 'in_app';
  const link = invitationLink(config.publicUrl, token);
  await em.transactional(async (tx) => {
    await revokePendingInvitations(tx, user.id);
    const id = await insertInvitation(tx, {
      userId: user.id,
      tokenHash: invitationHash(token),
      createdBy: staff.userId,
      expiresAt,
    });
    if (isMailed)
      await notifier.send(tx, [
        {
          key: `invitation:${id}`,
          ticketId: null,
          subject: 'You are invited to Docket / 邀请您加入 Docket',
          body: [
            `${user.name}, you are invited to Docket. Set your password here (the link works once, until ${expiresAt.toISOString()}):`,
            link,
            '',
            `${user.name}，您受邀加入 Docket。请通过以下链接设置密码（链接仅可使用一次，有效期至 ${expiresAt.toISOString()}）：`,
            link,
          ].join('\n'),
          to: { userIds: [user.id], customerIds: [] },
          targets: [config.invitations.target],
          // The link is a secret: it goes out by mail only, never into the in-app inbox.
          isNamedTargetsOnly: true,
        },
      ]);
    recordAdminChange(tx, actor, {
      action: 'update',
      entityType: 'user',
      entityId: user.id,
      entityName: user.name,
      diff: { invitation: { from: null, to: isMailed ? 'mailed' : 'link shown' } },
    });
  });
  return { user, expiresAt, isMailed, link: isMailed ? null : link };
}

/** What the /invite page shows before the password is set: who is invited, or why the link does nothing. */
export async function readInvitation(
  services: Pick<Services, 'invitations' | 'clock'>,
  em: EntityManager,
  token: string,
): Promise<{ state: InvitationState; row: InvitationRow | null }> {
  if (!services.invitations.isSigned(token)) return { state: 'forged', row: null };
  const row = await invitationByHash(em, invitationHash(token));
  const state = stateOf(row, services.clock.now());
  return { state, row: state === 'open' ? row : null };
}

/**
 * The invited person sets their password: the link is claimed (once; a second use, an expired,
 * withdrawn or forged link changes nothing), the password set, every earlier session of the
 * account ended. Returns the user, for the caller to sign them in. Someone signed in with another
 * account (`actor`) is refused rather than silently signed in as the invited person.
 */
export async function acceptInvitation(
  services: Pick<Services, 'invitations' | 'clock' | 'principals'>,
  em: EntityManager,
  actor: Principal | null,
  input: { token: string; password: string },
): Promise<User> {
  const first = await readInvitation(services, em, input.token);
  if (first.state !== 'open') throw refused(first.state);
  if (actor && !(actor.kind === 'user' && actor.userId === first.row!.userId))
    throw new ValidationFailed([
      fieldError(
        '/token',
        'signed_in_as_other',
        'You are signed in with another account. Sign out first to set the invited account’s password.',
      ),
    ]);
  const errors = passwordErrors(input.password, '/password');
  if (errors.length) throw new ValidationFailed(errors);
  // Hashed before the transaction: argon2 takes a while, and the claim below decides anyway.
  const passwordHash = await hashPassword(input.password);
  const invitedId = first.row!.userId;
  const user = await em.transactional(async (tx) => {
    const claimed = await claimInvitation(tx, invitationHash(input.token), new Date(services.clock.now()));
    if (!claimed) return null;
    // The token's hash is unique and an invitation's user never changes: the claimed row is the one read.
    const u = await tx.findOneOrFail(User, invitedId, { refresh: true });
    u.passwordHash = passwordHash;
    u.tokenVersion += 1;
    await revokePendingInvitations(tx, u.id);
    recordAdminChange(tx, null, {
      action: 'update',
      entityType: 'user',
      entityId: u.id,
      entityName: u.name,
      diff: { password: { from: null, to: 'set through invitation' } },
    });
    return u;
  });
  if (!user) {
    // Used or withdrawn a moment ago, by another request.
    const now = await readInvitation(services, em, input.token);
    throw refused(now.state === 'open' ? 'used' : now.state);
  }
  services.principals.invalidate();
  return user;
}

/** Pending invitations (sent, not used, not withdrawn), for the users page. */
export async function listPendingInvitations(
  em: EntityManager,
  actor: Principal | null,
): Promise<{ userId: number; createdAt: Date; expiresAt: Date }[]> {
  requireStaff(actor, 'user.manage');
  return pendingInvitations(em);
}
