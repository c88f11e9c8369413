import { createHash, randomBytes } from 'node:crypto';
import { type FieldError, fieldError, type Principal, ValidationFailed } from '@docket/core';
import { type EntityManager, OrgUnit, query, queryOne, User, WallToken } from '@docket/db';
import { requireWallTokenManager, type WallViewer } from '../access/policy.ts';
import { flushAudited, recordAdminChange } from '../audit/admin-audit.ts';
import { NotFoundError, UnauthenticatedError } from '../errors.ts';

/**
 * Wall tokens: what a TV showing /wall?token=… is let in with. Like API tokens, only a hash is
 * kept and the token is shown once; unlike them, a wall token acts as nobody: it reads the wall's
 * figures of one org subtree and nothing else (it is an argument of the wall's fields, never a
 * bearer token).
 */

export const WALL_TOKEN_PREFIX = 'dkw_';
const newWallToken = (): string => WALL_TOKEN_PREFIX + randomBytes(24).toString('base64url');
const hashWallToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function createWallToken(
  em: EntityManager,
  actor: Principal | null,
  input: { name: string; orgUnitId: number },
): Promise<{ token: string; wallToken: WallToken }> {
  requireWallTokenManager(actor);
  const errors: FieldError[] = [];
  if (!input.name.trim())
    errors.push(fieldError('/name', 'required', 'Name the token after the screen that will show it.'));
  const unit = await em.findOne(OrgUnit, { id: input.orgUnitId });
  if (!unit)
    errors.push(fieldError('/orgUnitId', 'not_found', `Org unit ${input.orgUnitId} does not exist.`));
  if (errors.length || !unit) throw new ValidationFailed(errors);
  const staff = requireWallTokenManager(actor, unit.path);
  const token = newWallToken();
  const wallToken = em.create(WallToken, {
    name: input.name.trim(),
    prefix: token.slice(0, 10),
    tokenHash: hashWallToken(token),
    orgUnit: unit,
    createdBy: em.getReference(User, staff.userId),
  });
  await flushAudited(em, actor, () => ({
    action: 'create',
    entityType: 'wall_token',
    entityId: wallToken.id,
    entityName: wallToken.name,
    diff: { orgUnitId: { from: null, to: unit.id }, prefix: { from: null, to: wallToken.prefix } },
  }));
  return { token, wallToken };
}

/** Revokes a wall token (once: a second revoke keeps the first time); walls showing it stop. */
export async function revokeWallToken(
  em: EntityManager,
  actor: Principal | null,
  id: number,
): Promise<WallToken> {
  requireWallTokenManager(actor);
  const wallToken = await em.findOne(WallToken, { id }, { populate: ['orgUnit'] });
  if (!wallToken) throw new NotFoundError(`Wall token ${id}`, '/id');
  requireWallTokenManager(actor, wallToken.orgUnit.getEntity().path);
  if (!wallToken.revokedAt)
    recordAdminChange(em, actor, {
      action: 'update',
      entityType: 'wall_token',
      entityId: wallToken.id,
      entityName: wallToken.name,
      diff: { revoked: { from: false, to: true } },
    });
  wallToken.revokedAt ??= new Date();
  await em.flush();
  return wallToken;
}

/** Every wall token, newest first (revoked ones too, marked). */
export function listWallTokens(em: EntityManager, actor: Principal | null): Promise<WallToken[]> {
  requireWallTokenManager(actor);
  return em.find(WallToken, {}, { orderBy: { id: 'desc' }, populate: ['orgUnit'] });
}

/**
 * The viewer a wall token stands for, read on every use (a revocation or a move of its org unit
 * takes effect at once); a token that does not work says why.
 */
export async function wallViewerOf(em: EntityManager, token: string): Promise<WallViewer> {
  if (!token.startsWith(WALL_TOKEN_PREFIX))
    throw new UnauthenticatedError(
      `This is not a wall token (they start with "${WALL_TOKEN_PREFIX}"): open the wall link an admin made for this screen.`,
    );
  const row = await queryOne<{ id: number; path: string; revoked_at: Date | null }>(
    em,
    `select w.id, u.path, w.revoked_at from wall_token w join org_unit u on u.id = w.org_unit_id
      where w.token_hash = ?`,
    [hashWallToken(token)],
  );
  if (!row)
    throw new UnauthenticatedError(
      'The wall token is unknown: ask an admin for a new wall link for this screen.',
    );
  if (row.revoked_at)
    throw new UnauthenticatedError(
      `The wall token was revoked on ${new Date(row.revoked_at).toISOString()}: ask an admin for a new wall link.`,
    );
  // When it was last used, at most once a minute (a wall asks for a snapshot on every change).
  await query(
    em,
    `update wall_token set last_used_at = now()
      where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [row.id],
  );
  return { kind: 'token', tokenId: row.id, orgPath: row.path };
}
