import { type EntityManager, query } from '@docket/db';

/** The invitations' SQL (user_invitation): only tokens' hashes are stored. */

export type InvitationRow = {
  id: string;
  user_id: number;
  name: string;
  email: string | null;
  is_active: boolean;
  created_at: string | Date;
  expires_at: string | Date;
  used_at: string | Date | null;
  revoked_at: string | Date | null;
};

export async function insertInvitation(
  tx: EntityManager,
  input: { userId: number; tokenHash: string; createdBy: number | null; expiresAt: Date },
): Promise<string> {
  const rows = await query<{ id: string }>(
    tx,
    `insert into user_invitation (user_id, token_hash, created_by, expires_at)
     values (?, ?, ?, ?) returning id::text as id`,
    [input.userId, input.tokenHash, input.createdBy, input.expiresAt],
  );
  return rows[0]!.id;
}

/** Withdraws a user's links not used yet (a newer one is sent, or one was just used). */
export const revokePendingInvitations = (tx: EntityManager, userId: number) =>
  query(
    tx,
    'update user_invitation set revoked_at = now() where user_id = ? and used_at is null and revoked_at is null',
    [userId],
  );

export async function invitationByHash(em: EntityManager, tokenHash: string): Promise<InvitationRow | null> {
  const rows = await query<InvitationRow>(
    em,
    `select i.id::text as id, i.user_id, u.name, u.email, u.is_active, i.created_at, i.expires_at, i.used_at, i.revoked_at
       from user_invitation i join app_user u on u.id = i.user_id
      where i.token_hash = ?`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

/** Marks a link used when it is still good (one statement: of two requests at once, one wins). */
export async function claimInvitation(
  tx: EntityManager,
  tokenHash: string,
  now: Date,
): Promise<{ user_id: number } | null> {
  const rows = await query<{ user_id: number }>(
    tx,
    `update user_invitation i set used_at = now()
       from app_user u
      where i.token_hash = ? and u.id = i.user_id and u.is_active
        and i.used_at is null and i.revoked_at is null and i.expires_at > ?
      returning i.user_id`,
    [tokenHash, now],
  );
  return rows[0] ?? null;
}

export const pendingInvitations = (em: EntityManager) =>
  query<{ user_id: number; created_at: string | Date; expires_at: string | Date }>(
    em,
    `select user_id, created_at, expires_at from user_invitation
      where used_at is null and revoked_at is null
      order by user_id, id`,
  );
