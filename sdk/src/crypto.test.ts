import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256, timingSafeEqual, toBase64, toHex, utf8 } from './crypto.ts';

describe('the SDK crypto helpers agree with Node crypto', () => {
  const samples = ['', 'abc', '1577262236757\nSEC0123456789', '中文 ✓ 😀', 'x'.repeat(200)];
  it('sha256 and utf8', () => {
    for (const s of samples) {
      expect(toHex(sha256(s))).toBe(createHash('sha256').update(s).digest('hex'));
      expect(Buffer.from(utf8(s)).toString()).toBe(s);
    }
  });
  it('hmac-sha256 with short and long keys, hex and base64', () => {
    for (const key of ['k', 'SECxxxxxxxx', 'long-key-'.repeat(20)])
      for (const s of samples) {
        const mac = hmacSha256(key, s);
        expect(toHex(mac)).toBe(createHmac('sha256', key).update(s).digest('hex'));
        expect(toBase64(mac)).toBe(createHmac('sha256', key).update(s).digest('base64'));
      }
    // Feishu signs an empty message under the key "<timestamp>\n<secret>".
    expect(toBase64(hmacSha256('1599360473\nsecret', ''))).toBe(
      createHmac('sha256', '1599360473\nsecret').update('').digest('base64'),
    );
  });
  it('base64 of every padding length, and a constant-time compare', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd'])
      expect(toBase64(utf8(s))).toBe(Buffer.from(s).toString('base64'));
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abc', 'abd')).toBe(false);
    expect(timingSafeEqual('abc', 'ab')).toBe(false);
  });
});
