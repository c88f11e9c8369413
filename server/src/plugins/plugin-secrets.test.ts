import { describe, expect, it } from 'vitest';
import { SecretBox } from './plugin-secrets.ts';

describe('plugin secrets at rest', () => {
  it('seals and opens with the same key; the sealed text shows nothing of the value', () => {
    const box = SecretBox.fromEnvironment({ secretKey: undefined, serverSecret: 'server-secret' });
    const sealed = box.seal({ apiKey: 'sk-very-secret' });
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('sk-very-secret');
    expect(box.open(sealed)).toEqual({ apiKey: 'sk-very-secret' });
    expect(box.seal({ apiKey: 'sk-very-secret' })).not.toBe(sealed);
    expect(box.open(null)).toEqual({});
  });

  it('takes DOCKET_SECRET_KEY as hex, base64 or text; another key cannot open them and says what to do', () => {
    const hex = SecretBox.fromEnvironment({ secretKey: 'ab'.repeat(32), serverSecret: 'x' });
    const b64 = SecretBox.fromEnvironment({
      secretKey: Buffer.alloc(32, 0xab).toString('base64'),
      serverSecret: 'y',
    });
    expect(b64.open(hex.seal({ a: '1' }))).toEqual({ a: '1' });
    const text = SecretBox.fromEnvironment({ secretKey: 'correct horse battery staple', serverSecret: 'x' });
    const derived = SecretBox.fromEnvironment({ secretKey: undefined, serverSecret: 'x' });
    expect(() => derived.open(text.seal({ a: '1' }))).toThrow(
      /DOCKET_SECRET_KEY or DOCKET_SECRET changed .* set them again/,
    );
    expect(() => derived.open('garbage')).toThrow(/not in a known format/);
  });
});
