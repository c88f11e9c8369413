import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Plugin secrets (the x-secret settings) are kept encrypted at rest with AES-256-GCM. The key
 * comes from DOCKET_SECRET_KEY (64 hex digits or 44 base64 characters: 32 bytes; any other text
 * is hashed to 32 bytes), else it is derived from the server's secret (DOCKET_SECRET, or the one
 * generated and kept in the database) with HKDF, so a copy of the database alone does not reveal
 * them when either variable is set.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromEnvironment(input: { secretKey: string | undefined; serverSecret: string }): SecretBox {
    if (input.secretKey) return new SecretBox(keyFromText(input.secretKey));
    return new SecretBox(
      Buffer.from(hkdfSync('sha256', input.serverSecret, 'docket', 'plugin secrets v1', 32)),
    );
  }

  /** `v1.<iv>.<tag>.<ciphertext>` in base64url. */
  seal(value: Record<string, string>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((x) => (typeof x === 'string' ? x : x.toString('base64url')))
      .join('.');
  }

  /** The secrets sealed earlier; throws when the key is not the one they were sealed with. */
  open(sealed: string | null): Record<string, string> {
    if (!sealed) return {};
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined)
      throw new Error('The stored plugin secrets are not in a known format.');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
      return JSON.parse(text.toString('utf8')) as Record<string, string>;
    } catch {
      throw new Error(
        "The plugin's secrets cannot be read with this server's key (DOCKET_SECRET_KEY or DOCKET_SECRET changed since they were set): set them again.",
      );
    }
  }
}

function keyFromText(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b64 = Buffer.from(t, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return b64;
  return createHash('sha256').update(t, 'utf8').digest();
}
