import { createHash, randomBytes } from 'node:crypto';
import {
  type CustomerPrincipal,
  isPermission,
  type Permission,
  type StaffPrincipal,
  widestScope,
} from '@docket/core';
import {
  ApiToken,
  type Broadcast,
  Customer,
  type Database,
  type EntityManager,
  listenTo,
  TeamMember,
  User,
} from '@docket/db';
import { liveRevokedSessions, saveRevokedSession } from './auth-repository.ts';
import { TtlCache } from './ttl-cache.ts';

/**
 * Loads who is asking. Identity is read on every request, so it is cached for a few seconds;
 * changes (roles, teams, deactivation, token revocation, logout) clear the caches at once, in
 * this process and, through the database's notifications, in every other server process.
 */
export class Principals {
  /** Sessions ended by logout that have not expired yet. */
  private readonly revokedSessions = new Set<string>();
  private broadcast: Broadcast | null = null;

  private readonly staff = new TtlCache<number, (StaffPrincipal & { tokenVersion: number }) | null>(5_000);
  private readonly customers = new TtlCache<number, (CustomerPrincipal & { tokenVersion: number }) | null>(
    5_000,
  );
  private readonly tokens = new TtlCache<
    string,
    { tokenId: number; userId: number; expiresAt: number | null } | null
  >(10_000);
  private readonly tokenLastUse = new Map<number, number>();
  /** Bumped by invalidate: a read that ran across a change is not cached. */
  private generation = 0;

  constructor(private readonly em: () => EntityManager) {}

  async staffById(userId: number): Promise<(StaffPrincipal & { tokenVersion: number }) | null> {
    const hit = this.staff.get(userId);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const em = this.em();
    // One query for the user, its org unit and roles; one for its teams.
    const [user, memberships] = await Promise.all([
      em.findOne(User, { id: userId, isActive: true }, { populate: ['orgUnit', 'roles'] }),
      em.find(TeamMember, { user: userId }, { fields: ['team'] }),
    ]);
    let principal: (StaffPrincipal & { tokenVersion: number }) | null = null;
    if (user) {
      const roles = user.roles.getItems();
      const permissions = new Set<Permission>();
      for (const r of roles) for (const p of r.permissions) if (isPermission(p)) permissions.add(p);
      principal = {
        kind: 'user',
        userId: user.id,
        name: user.name,
        orgUnitId: user.orgUnit?.id ?? null,
        orgPath: user.orgUnit?.getEntity().path ?? null,
        teamIds: memberships.map((m) => m.team.id),
        roleIds: roles.map((r) => r.id),
        permissions,
        scope: widestScope(roles.map((r) => r.dataScope)),
        viaTokenId: null,
        tokenVersion: user.tokenVersion,
      };
    }
    if (generation === this.generation) this.staff.set(userId, principal);
    return principal;
  }

  async customerById(customerId: number): Promise<(CustomerPrincipal & { tokenVersion: number }) | null> {
    const hit = this.customers.get(customerId);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const customer = await this.em().findOne(Customer, customerId);
    const principal = customer
      ? {
          kind: 'customer' as const,
          customerId: customer.id,
          name: customer.name,
          tokenVersion: customer.tokenVersion,
        }
      : null;
    if (generation === this.generation) this.customers.set(customerId, principal);
    return principal;
  }

  /** The staff principal an API token acts as, or null when the token is unknown, revoked or expired. */
  async byApiToken(token: string): Promise<StaffPrincipal | null> {
    const tokenHash = hashApiToken(token);
    let hit = this.tokens.get(tokenHash);
    if (hit === undefined) {
      const generation = this.generation;
      const apiToken = await this.em().findOne(ApiToken, {
        tokenHash,
        revokedAt: null,
        $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date() } }],
      });
      hit = apiToken
        ? { tokenId: apiToken.id, userId: apiToken.user.id, expiresAt: apiToken.expiresAt?.getTime() ?? null }
        : null;
      if (generation === this.generation) this.tokens.set(tokenHash, hit);
    }
    if (!hit || (hit.expiresAt !== null && hit.expiresAt <= Date.now())) return null;
    const staff = await this.staffById(hit.userId);
    if (!staff) return null;
    this.touchToken(hit.tokenId);
    return { ...staff, viaTokenId: hit.tokenId };
  }

  /** Records when a token was last used, at most once a minute per token (one statement, nothing loaded). */
  private touchToken(tokenId: number): void {
    const now = Date.now();
    if ((this.tokenLastUse.get(tokenId) ?? 0) > now - 60_000) return;
    this.tokenLastUse.set(tokenId, now);
    this.em()
      .nativeUpdate(ApiToken, { id: tokenId }, { lastUsedAt: new Date(now) })
      .catch(() => {});
  }

  /**
   * Hears the other server processes (and reads the sessions ended before this one started).
   * Until then, and on the embedded database, changes reach only this process.
   */
  async connect(db: Pick<Database, 'url' | 'isEmbedded'>, onError: (e: unknown) => void): Promise<void> {
    for (const sid of await liveRevokedSessions(this.em())) this.revokedSessions.add(sid);
    this.broadcast = await listenTo(
      db,
      'docket_principals',
      (message) => {
        if (message.startsWith('revoke:')) this.revokedSessions.add(message.slice('revoke:'.length));
        else this.clearLocal();
      },
      onError,
    );
  }

  async close(): Promise<void> {
    await this.broadcast?.close();
  }

  isSessionRevoked(sid: string): boolean {
    return this.revokedSessions.has(sid);
  }

  /** Ends one login session (logout) on every server. */
  async revokeSession(em: EntityManager, sid: string, expiresAt: Date): Promise<void> {
    await saveRevokedSession(em, sid, expiresAt);
    this.revokedSessions.add(sid);
    await this.broadcast?.send(em, `revoke:${sid}`);
  }

  /** Call after any change to users, roles, teams, org units or tokens: every server forgets. */
  invalidate(): void {
    this.clearLocal();
    const broadcast = this.broadcast;
    if (broadcast) void broadcast.send(this.em(), 'invalidate').catch(() => {});
  }

  private clearLocal(): void {
    this.generation++;
    this.staff.clear();
    this.customers.clear();
    this.tokens.clear();
    for (const listener of this.invalidated) listener();
  }

  private readonly invalidated: (() => void)[] = [];

  /** Hears every invalidation (other caches of who is who clear with this one). */
  onInvalidate(listener: () => void): void {
    this.invalidated.push(listener);
  }
}

export const API_TOKEN_PREFIX = 'dkt_';
export const newApiToken = (): string => API_TOKEN_PREFIX + randomBytes(24).toString('base64url');
export const hashApiToken = (token: string): string => createHash('sha256').update(token).digest('hex');
