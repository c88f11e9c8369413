import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Private links to follow one ticket without signing in (the portal's receipt gives one): the
 * ticket's id with an HMAC of it under the server's secret. Whoever holds the link sees the
 * ticket's public side and may reply; nobody can make one for another ticket.
 */
export class FollowLinks {
  private readonly key: Buffer;
  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('docket:follow-link').digest();
  }

  private mac(ticketId: string): string {
    return createHmac('sha256', this.key).update(ticketId).digest('base64url').slice(0, 32);
  }

  tokenFor(ticketId: string | number): string {
    return `${ticketId}.${this.mac(String(ticketId))}`;
  }

  /** The ticket id a token is for, or null when it is not one this server made. */
  ticketIdOf(token: string): string | null {
    const m = /^(\d{1,15})\.([A-Za-z0-9_-]{32})$/.exec(token);
    if (!m) return null;
    const expected = Buffer.from(this.mac(m[1]!));
    const given = Buffer.from(m[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given) ? m[1]! : null;
  }
}

/** At most `limit` submissions per key (a client address) in a sliding window. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit; false when the key is over its limit (the hit is not counted then). */
  take(key: string): boolean {
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000)
      for (const [k, times] of this.hits)
        if (times.every((t) => now - t >= this.windowMs)) this.hits.delete(k);
    return true;
  }

  /** How long until the key may take again (0 when it may now), in ms. */
  retryAfterMs(key: string): number {
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length < this.limit) return 0;
    // The window frees a place when the oldest hit of the last `limit` ones leaves it.
    return Math.max(0, recent[recent.length - this.limit]! + this.windowMs - now);
  }
}
