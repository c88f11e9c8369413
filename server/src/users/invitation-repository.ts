import { type EntityManager, raw, User, UserInvitation } from '@docket/db';

/** The invitations' reads and writes (user_invitation): only tokens' hashes are stored. */

/** An invitation with the person it invites, as the /invite page and the claim need it. */
export type InvitationRow = {
  id: string;
  userId: number;
  name: string;
  email: string | null;
  isActive: boolean;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
};

/** Adds an invitation (flushed: its id names its notification). */
export async function insertInvitation(
  tx: EntityManager,
  input: { userId: number; tokenHash: string; createdBy: number | null; expiresAt: Date },
): Promise<string> {
  const invitation = tx.create(UserInvitation, {
    user: input.userId,
    tokenHash: input.tokenHash,
    createdBy: input.createdBy,
    expiresAt: input.expiresAt,
  });
  await tx.flush();
  return invitation.id;
}

/** Withdraws a user's links not used yet (a newer one is sent, or one was just used). */
export const revokePendingInvitations = (tx: EntityManager, userId: number): Promise<number> =>
  tx.nativeUpdate(
    UserInvitation,
    { user: userId, usedAt: null, revokedAt: null },
    { revokedAt: raw('now()') },
  );

export async function invitationByHash(em: EntityManager, tokenHash: string): Promise<InvitationRow | null> {
  // Not kept in the identity map: the claim reads the user afresh, after it.
  const found = await em.findOne(
    UserInvitation,
    { tokenHash },
    { populate: ['user'], disableIdentityMap: true },
  );
  if (!found) return null;
  const user = found.user.getEntity();
  return {
    id: found.id,
    userId: user.id,
    name: user.name,
    email: user.email ?? null,
    isActive: user.isActive,
    createdAt: found.createdAt,
    expiresAt: found.expiresAt,
    usedAt: found.usedAt ?? null,
    revokedAt: found.revokedAt ?? null,
  };
}

/**
 * Marks a link used when it is still good, in one UPDATE whose conditions are on the invitation's
 * own row (used_at is null …): of two requests at once, the second waits for the first's row lock,
 * finds used_at set, and changes nothing. Whether this request claimed it (1 row) or not (0).
 * The user's activity is asked in a subquery, not a join MikroORM would turn into `id in (…)`
 * with every condition inside, where PostgreSQL would not check them again after the wait.
 */
export async function claimInvitation(tx: EntityManager, tokenHash: string, now: Date): Promise<boolean> {
  const activeUsers = tx.createQueryBuilder(User, 'u').select('u.id').where({ isActive: true });
  const { affectedRows } = await tx
    .createQueryBuilder(UserInvitation, 'i')
    .update({ usedAt: raw('now()') })
    .where({
      tokenHash,
      usedAt: null,
      revokedAt: null,
      expiresAt: { $gt: now },
      user: { $in: activeUsers.getKnexQuery() },
    })
    .execute('run');
  return affectedRows === 1;
}

/** Invitations sent and neither used nor withdrawn, by user. */
export async function pendingInvitations(
  em: EntityManager,
): Promise<{ userId: number; createdAt: Date; expiresAt: Date }[]> {
  const rows = await em.find(
    UserInvitation,
    { usedAt: null, revokedAt: null },
    {
      fields: ['user', 'createdAt', 'expiresAt'],
      orderBy: { user: 'asc', id: 'asc' },
      disableIdentityMap: true,
    },
  );
  return rows.map((r) => ({ userId: r.user.id, createdAt: r.createdAt, expiresAt: r.expiresAt }));
}
