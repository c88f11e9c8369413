import { describe, expect, it } from 'vitest';
import { pgJson } from './sql.ts';

describe('pgJson', () => {
  it('replaces lone surrogates as a text parameter would, and leaves everything else as JSON.stringify has it', () => {
    const half = '\ud83d';
    expect(JSON.parse(pgJson({ title: `Broken ${half} emoji`, low: '\udc00' }))).toEqual({
      title: 'Broken \ufffd emoji',
      low: '\ufffd',
    });
    const fine = {
      title: 'Kettle 🫖 leaks',
      literal: String.raw`a \ud83d in text`,
      tab: '\t',
      nul: '\u0000',
    };
    expect(pgJson(fine)).toBe(JSON.stringify(fine));
    expect(JSON.parse(pgJson(fine))).toEqual(fine);
  });
});
