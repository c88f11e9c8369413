import { describe, expect, it } from 'vitest';
import { civilDateOf, dayNumberOf, formatIsoDate, parseIsoDate, weekdayOf } from './civil-date.ts';
import { ZoneOffsets } from './zone-offset.ts';

describe('civil dates', () => {
  // 2026-01-01 is day 56 * 365 + 14 leap days = 20,454; Oct 1 is 273 days later.
  it.each([
    ['1970-01-01', 0, 4],
    ['2000-03-01', 11_017, 3],
    ['2026-10-01', 20_727, 4],
    ['2026-10-10', 20_736, 6],
    ['1969-12-31', -1, 3],
    ['2028-02-29', 21_243, 2],
  ])('%s is day %i, weekday %i', (iso, day, weekday) => {
    expect(parseIsoDate(iso)).toBe(day);
    expect(formatIsoDate(day)).toBe(iso);
    expect(weekdayOf(day)).toBe(weekday);
  });

  it('matches Date.UTC over four centuries, both ways', () => {
    const mismatches: number[] = [];
    for (let day = -150_000; day < 150_000; day += 3) {
      const d = new Date(day * 86_400_000);
      const [year, month, date] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
      const back = civilDateOf(day);
      if (
        dayNumberOf(year, month, date) !== day ||
        back.year !== year ||
        back.month !== month ||
        back.day !== date
      )
        mismatches.push(day);
    }
    expect(mismatches).toEqual([]);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '26-10-01', '2026-10-1'])(
    'rejects %s',
    (text) => {
      expect(parseIsoDate(text)).toBeUndefined();
    },
  );
});

describe('zone offsets', () => {
  const ny = new ZoneOffsets('America/New_York');
  it.each([
    ['2026-03-08T06:59:59Z', -5],
    ['2026-03-08T07:00:00Z', -4],
    ['2026-11-01T05:59:59Z', -4],
    ['2026-11-01T06:00:00Z', -5],
  ])('America/New_York at %s is UTC%i', (iso, hours) => {
    expect(ny.offsetAt(Date.parse(iso))).toBe(hours * 3_600_000);
  });

  it('finds each change to the second', () => {
    const berlin = new ZoneOffsets('Europe/Berlin');
    const year = berlin.segments(Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    expect(year).toEqual([
      { from: Date.UTC(2026, 0, 1), to: Date.parse('2026-03-29T01:00Z'), offset: 3_600_000 },
      { from: Date.parse('2026-03-29T01:00Z'), to: Date.parse('2026-10-25T01:00Z'), offset: 7_200_000 },
      { from: Date.parse('2026-10-25T01:00Z'), to: Date.UTC(2027, 0, 1), offset: 3_600_000 },
    ]);
  });
});
