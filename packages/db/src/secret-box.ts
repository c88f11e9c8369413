import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Secrets at rest (plugin settings marked x-secret, workflow secrets) are sealed with AES-256-GCM.
 * The key comes from DOCKET_SECRET_KEY (64 hex digits or 44 base64 characters: 32 bytes; any
 * other text is hashed to 32 bytes). Without it, a development server generates a key once and
 * keeps it in a file under its data directory (never in the database, so a copy of the database
 * alone reveals nothing); a production server refuses to start without it. Values sealed by
 * earlier versions with a key derived from the server's session secret still open.
 */
export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    /** Older keys values may still be sealed with: tried, in order, when the key does not open one. */
    private readonly legacyKeys: readonly Buffer[] = [],
  ) {}

  static fromEnvironment(input: {
    secretKey: string | undefined;
    /** The session secret: older versions derived the key from it. */
    serverSecret: string;
    /** Where a development server keeps the key it generates when DOCKET_SECRET_KEY is not set. */
    keyFile?: string;
    isProduction?: boolean;
  }): SecretBox {
    const derived = Buffer.from(hkdfSync('sha256', input.serverSecret, 'docket', 'plugin secrets v1', 32));
    if (input.secretKey) return new SecretBox(keyFromText(input.secretKey), [derived]);
    if (input.isProduction)
      throw new Error(
        'DOCKET_SECRET_KEY must be set in production (64 hex digits, e.g. from `openssl rand -hex 32`): it encrypts stored secrets.',
      );
    if (input.keyFile) return new SecretBox(keyFromFile(input.keyFile), [derived]);
    return new SecretBox(derived);
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
      throw new Error('The stored secrets are not in a known format.');
    for (const key of [this.key, ...this.legacyKeys]) {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
        return JSON.parse(text.toString('utf8')) as Record<string, string>;
      } catch {
        // try the next key
      }
    }
    throw new Error(
      "The stored secrets cannot be read with this server's key (DOCKET_SECRET_KEY or DOCKET_SECRET changed since they were set): set them again.",
    );
  }
}

function keyFromText(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b64 = Buffer.from(t, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return b64;
  return createHash('sha256').update(t, 'utf8').digest();
}

/** The key kept in the file, generated (readable by its owner only) when the file is missing. */
function keyFromFile(file: string): Buffer {
  try {
    return keyFromText(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return keyFromText(readFileSync(file, 'utf8'));
}
