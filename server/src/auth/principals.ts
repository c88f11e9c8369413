import { createHash, randomBytes } from 'node:crypto';
import {
  type CustomerPrincipal,
  type DataScope,
  isPermission,
  type Permission,
  type StaffPrincipal,
  widestScope,
} from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { TtlCache } from './ttl-cache.ts';

/**
 * Loads who is asking. Identity is read on every request, so it is cached for a few seconds;
 * changes made in this process (roles, teams, deactivation, token revocation) clear the cache at
 * once, and other server processes see them within the cache's lifetime.
 */
export class Principals {
  private readonly staff = new TtlCache<number, (StaffPrincipal & { tokenVersion: number }) | null>(5_000);
  private readonly customers = new TtlCache<number, (CustomerPrincipal & { tokenVersion: number }) | null>(
    5_000,
  );
  private readonly tokens = new TtlCache<string, { tokenId: number; userId: number } | null>(10_000);
  private readonly tokenLastUse = new Map<number, number>();

  constructor(private readonly em: () => EntityManager) {}

  async staffById(userId: number): Promise<(StaffPrincipal & { tokenVersion: number }) | null> {
    const hit = this.staff.get(userId);
    if (hit !== undefined) return hit;
    const em = this.em();
    const user = await queryOne<{
      id: number;
      name: string;
      org_unit_id: number | null;
      path: string | null;
      token_version: number;
    }>(
      em,
      `select u.id, u.name, u.org_unit_id, o.path, u.token_version
         from app_user u left join org_unit o on o.id = u.org_unit_id
        where u.id = ? and u.is_active`,
      [userId],
    );
    let principal: (StaffPrincipal & { tokenVersion: number }) | null = null;
    if (user) {
      const [roles, teams] = await Promise.all([
        query<{ id: number; permissions: string[]; data_scope: DataScope }>(
          em,
          'select r.id, r.permissions, r.data_scope from user_role ur join role r on r.id = ur.role_id where ur.user_id = ?',
          [userId],
        ),
        query<{ team_id: number }>(em, 'select team_id from team_member where user_id = ?', [userId]),
      ]);
      const permissions = new Set<Permission>();
      for (const r of roles) for (const p of r.permissions) if (isPermission(p)) permissions.add(p);
      principal = {
        kind: 'user',
        userId: user.id,
        name: user.name,
        orgUnitId: user.org_unit_id,
        orgPath: user.path,
        teamIds: teams.map((t) => t.team_id),
        roleIds: roles.map((r) => r.id),
        permissions,
        scope: widestScope(roles.map((r) => r.data_scope)),
        viaTokenId: null,
        tokenVersion: user.token_version,
      };
    }
    this.staff.set(userId, principal);
    return principal;
  }

  async customerById(customerId: number): Promise<(CustomerPrincipal & { tokenVersion: number }) | null> {
    const hit = this.customers.get(customerId);
    if (hit !== undefined) return hit;
    const row = await queryOne<{ id: number; name: string; token_version: number }>(
      this.em(),
      'select id, name, token_version from customer where id = ?',
      [customerId],
    );
    const principal = row
      ? { kind: 'customer' as const, customerId: row.id, name: row.name, tokenVersion: row.token_version }
      : null;
    this.customers.set(customerId, principal);
    return principal;
  }

  /** The staff principal an API token acts as, or null when the token is unknown, revoked or expired. */
  async byApiToken(token: string): Promise<StaffPrincipal | null> {
    const tokenHash = hashApiToken(token);
    let hit = this.tokens.get(tokenHash);
    if (hit === undefined) {
      const row = await queryOne<{ id: number; user_id: number }>(
        this.em(),
        `select id, user_id from api_token
          where token_hash = ? and revoked_at is null and (expires_at is null or expires_at > now())`,
        [tokenHash],
      );
      hit = row ? { tokenId: row.id, userId: row.user_id } : null;
      this.tokens.set(tokenHash, hit);
    }
    if (!hit) return null;
    const staff = await this.staffById(hit.userId);
    if (!staff) return null;
    this.touchToken(hit.tokenId);
    return { ...staff, viaTokenId: hit.tokenId };
  }

  /** Records when a token was last used, at most once a minute per token. */
  private touchToken(tokenId: number): void {
    const now = Date.now();
    if ((this.tokenLastUse.get(tokenId) ?? 0) > now - 60_000) return;
    this.tokenLastUse.set(tokenId, now);
    query(this.em(), 'update api_token set last_used_at = now() where id = ?', [tokenId]).catch(() => {});
  }

  /** Call after any change to users, roles, teams, org units or tokens. */
  invalidate(): void {
    this.staff.clear();
    this.customers.clear();
    this.tokens.clear();
  }
}

export const API_TOKEN_PREFIX = 'dkt_';
export const newApiToken = (): string => API_TOKEN_PREFIX + randomBytes(24).toString('base64url');
export const hashApiToken = (token: string): string => createHash('sha256').update(token).digest('hex');
