import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { escapeLiteral } from './docket-driver.ts';

describe('escapeLiteral', () => {
  it('writes every string as node-postgres does', () => {
    const strings = [
      '',
      'plain',
      "it's",
      "''",
      'back\\slash',
      "both ' and \\ and \\'",
      '\\',
      "'",
      'Kettle 🫖 leaks\n\t\u0000',
      JSON.stringify({ a: "o'clock", b: 'C:\\temp', c: ['"x"'] }),
      `${'x'.repeat(10_000)}'${'\\'.repeat(3)}`,
    ];
    for (const s of strings)
      expect(escapeLiteral(s), s.slice(0, 40)).toBe(pg.Client.prototype.escapeLiteral(s));
  });
});
