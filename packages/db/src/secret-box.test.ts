import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.ts';

describe('secrets at rest: where the key comes from', () => {
  it('a development server generates its key once, in a file only its owner reads, not from the database', () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'docket-key-')), 'data', 'secret-key');
    const first = SecretBox.fromEnvironment({ secretKey: undefined, serverSecret: 's', keyFile });
    const sealed = first.seal({ value: 'token-1' });
    expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(keyFile).mode & 0o077).toBe(0);
    // Restarted: the same key. The session secret alone (all a database copy holds) does not open it.
    const again = SecretBox.fromEnvironment({ secretKey: undefined, serverSecret: 's', keyFile });
    expect(again.open(sealed)).toEqual({ value: 'token-1' });
    const fromDatabaseOnly = SecretBox.fromEnvironment({ secretKey: undefined, serverSecret: 's' });
    expect(() => fromDatabaseOnly.open(sealed)).toThrow(/cannot be read/);
  });

  it('production needs DOCKET_SECRET_KEY; values sealed by older versions still open', () => {
    expect(() =>
      SecretBox.fromEnvironment({ secretKey: undefined, serverSecret: 's', isProduction: true }),
    ).toThrow(/DOCKET_SECRET_KEY must be set in production/);
    const legacy = SecretBox.fromEnvironment({ secretKey: undefined, serverSecret: 'old-secret' });
    const sealed = legacy.seal({ apiKey: 'k' });
    const now = SecretBox.fromEnvironment({
      secretKey: 'ab'.repeat(32),
      serverSecret: 'old-secret',
      isProduction: true,
    });
    expect(now.open(sealed)).toEqual({ apiKey: 'k' });
  });
});
