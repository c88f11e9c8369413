import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

export type SessionClaims = { kind: 'user' | 'customer'; id: number; version: number };
/** A verified session: its claims, its id (logout revokes it) and when it expires. */
export type Session = SessionClaims & { sid: string | null; expiresAt: Date };

/** Signed session tokens (HS256). The version claim lets a password change end older sessions. */
export class SessionTokens {
  private readonly key: Uint8Array;
  /** Verified tokens until they expire: a signature check per request costs more than the request. */
  private readonly verified = new Map<string, { claims: Session; expiresAt: number }>();
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  issue(claims: SessionClaims): Promise<string> {
    return new SignJWT({ ver: claims.version })
      .setProtectedHeader({ alg: 'HS256' })
      .setJti(randomUUID())
      .setSubject(`${claims.kind === 'user' ? 'u' : 'c'}:${claims.id}`)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setIssuer('docket')
      .sign(this.key);
  }

  /** The claims, or a reason a person can act on. */
  async verify(token: string): Promise<Session | { error: string }> {
    const hit = this.verified.get(token);
    if (hit && hit.expiresAt > Date.now()) return hit.claims;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'docket', algorithms: ['HS256'] });
      const m = /^(u|c):(\d+)$/.exec(payload.sub ?? '');
      if (!m) return { error: 'The session token is malformed; log in again.' };
      const claims: Session = {
        kind: m[1] === 'u' ? 'user' : 'customer',
        id: Number(m[2]),
        version: Number(payload.ver ?? 0),
        sid: payload.jti ?? null,
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      };
      if (this.verified.size >= 50_000) this.verified.clear();
      const expiresAt = Math.min((payload.exp ?? 0) * 1000, Date.now() + 10 * 60_000);
      this.verified.set(token, { claims, expiresAt });
      return claims;
    } catch (e) {
      if (e instanceof errors.JWTExpired) return { error: 'The session has expired; log in again.' };
      return { error: 'The session token is not valid; log in again.' };
    }
  }
}
