import { describe, expect, it } from 'vitest';
import { slotFor } from './job-bus.ts';

describe('slotFor (how finely held jobs are grouped)', () => {
  it('keeps 5 ms slots while at most 40 jobs a second fall due', () => {
    expect(slotFor(0, 2_000)).toBe(5);
    expect(slotFor(3, 2_000)).toBe(5);
    expect(slotFor(80, 2_000)).toBe(5);
  });
  it('widens to 25 ms in a burst, so a batch takes several jobs', () => {
    expect(slotFor(81, 2_000)).toBe(25);
    // Ten thousand breaches in a minute: about 333 due in any two seconds.
    expect(slotFor(333, 2_000)).toBe(25);
    expect(slotFor(10_000, 2_000)).toBe(25);
  });
});
