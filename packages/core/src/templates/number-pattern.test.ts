import { describe, expect, it } from 'vitest';
import { formatTicketNumber, numberAround, parseNumberPattern } from './number-pattern.ts';

const at = new Date('2026-11-21T17:30:00Z'); // 2026-11-22 01:30 in Shanghai

describe('ticket number patterns', () => {
  it.each([
    ['RT-{yyyyMMdd}-{seq:6}', 7, 'Asia/Shanghai', 'RT-20261122-000007'],
    ['RT-{yyyyMMdd}-{seq:6}', 7, 'UTC', 'RT-20261121-000007'],
    ['{yy}{MM}/{seq}', 1234, 'UTC', '2611/1234'],
    ['WO{seq:3}-{HH}{mm}', 42, 'Asia/Shanghai', 'WO042-0130'],
    ['T{seq:2}', 12345, 'UTC', 'T12345'],
  ])('%s with %i in %s is %s', (pattern, seq, tz, expected) => {
    const parts = parseNumberPattern(pattern);
    if (!Array.isArray(parts)) throw new Error(parts.message);
    expect(formatTicketNumber(parts, seq, at, tz)).toBe(expected);
  });

  it('splits around the counter so the database can fill it in', () => {
    const parts = parseNumberPattern('RT-{yyyyMMdd}-{seq:6}-X');
    expect(Array.isArray(parts) && numberAround(parts, at, 'UTC')).toEqual({
      prefix: 'RT-20261121-',
      width: 6,
      suffix: '-X',
    });
  });

  it.each([
    ['RT-{yyyyMMdd}', 'seq_required'],
    ['{seq}{seq}', 'seq_required'],
    ['RT-{date}-{seq}', 'unknown_token'],
    ['RT-{seq:0}', 'bad_width'],
    ['RT-{seq', 'unbalanced_brace'],
    ['', 'required'],
  ])('refuses %j (%s) with a message naming the fix', (pattern, code) => {
    const r = parseNumberPattern(pattern);
    expect(Array.isArray(r)).toBe(false);
    expect(r).toMatchObject({ path: '/numberPattern', code });
  });
});
