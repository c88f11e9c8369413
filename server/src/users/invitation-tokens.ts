import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Invitation tokens: 24 random bytes and their HMAC under the server's secret; only a hash is stored. */

const TOKEN_RE = /^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{43})$/;

/** Signs and checks invitation tokens with the server's secret. */
export class InvitationTokens {
  constructor(private readonly secret: string) {}

  /** A new token: 24 random bytes and their signature, both base64url. */
  issue(): string {
    const nonce = randomBytes(24).toString('base64url');
    return `${nonce}.${this.signature(nonce)}`;
  }

  /** Whether Docket signed this token (says nothing of whether it is still good). */
  isSigned(token: string): boolean {
    const m = TOKEN_RE.exec(token);
    if (!m) return false;
    const expected = Buffer.from(this.signature(m[1]!));
    const given = Buffer.from(m[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private signature(nonce: string): string {
    return createHmac('sha256', this.secret).update(`user-invitation:${nonce}`).digest('base64url');
  }
}

/** What is stored of a token. */
export const invitationHash = (token: string): string => createHash('sha256').update(token).digest('hex');
