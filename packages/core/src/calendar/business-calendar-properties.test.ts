import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessSeconds,
  type BusinessCalendar,
  businessSecondsBetween,
  createCalendar,
  isBusinessTime,
} from './business-calendar.ts';
import { type CalendarDefinition, parseTimeOfDay } from './calendar-definition.ts';
import {
  berlinEarlyShift,
  berlinOffice,
  newYorkNights,
  newYorkOffice,
  shanghaiOffice,
} from './test-calendars.ts';

const definitions: Record<string, CalendarDefinition> = {
  shanghaiOffice,
  newYorkOffice,
  newYorkNights,
  berlinOffice,
  berlinEarlyShift,
};
const calendars = Object.fromEntries(
  Object.entries(definitions).map(([k, d]) => [k, createCalendar(d)]),
) as Record<string, BusinessCalendar>;
const names = Object.keys(definitions);

const calendarName = fc.constantFrom(...names);
/** Instants from 2025 to 2028 with millisecond noise: every DST change and holiday of the fixtures inside. */
const instant = fc
  .integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 11, 31) })
  .map((ms) => new Date(ms));
/** Up to about 60 working days of the office calendars. */
const amount = fc.integer({ min: 0, max: 60 * 27_000 });

const get = (name: string): BusinessCalendar => calendars[name]!;

describe('business-time arithmetic, properties', () => {
  it('add(add(x, a), b) == add(x, a + b), forwards and backwards', () => {
    fc.assert(
      fc.property(calendarName, instant, amount, amount, fc.boolean(), (name, x, a, b, isBack) => {
        const cal = get(name);
        const sign = isBack ? -1 : 1;
        const stepwise = addBusinessSeconds(cal, addBusinessSeconds(cal, x, sign * a), sign * b);
        expect(stepwise.getTime()).toBe(addBusinessSeconds(cal, x, sign * (a + b)).getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('between(x, add(x, d)) == d', () => {
    fc.assert(
      fc.property(calendarName, instant, amount, fc.boolean(), (name, x, d, isBack) => {
        const cal = get(name);
        const seconds = isBack && d > 0 ? -d : d;
        expect(businessSecondsBetween(cal, x, addBusinessSeconds(cal, x, seconds))).toBe(seconds);
      }),
      { numRuns: 2000 },
    );
  });

  it('between is additive and antisymmetric', () => {
    fc.assert(
      fc.property(calendarName, instant, instant, instant, (name, x, y, z) => {
        const cal = get(name);
        const xy = businessSecondsBetween(cal, x, y);
        expect(xy + businessSecondsBetween(cal, y, x)).toBe(0);
        expect(xy + businessSecondsBetween(cal, y, z)).toBeCloseTo(businessSecondsBetween(cal, x, z), 6);
      }),
      { numRuns: 1000 },
    );
  });

  it('the last millisecond counted by a forward add is business time', () => {
    fc.assert(
      fc.property(calendarName, instant, fc.integer({ min: 1, max: 60 * 27_000 }), (name, x, d) => {
        const cal = get(name);
        const due = addBusinessSeconds(cal, x, d);
        expect(isBusinessTime(cal, new Date(due.getTime() - 1))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * An independent, slow model: step minute by minute, read the wall clock with Intl, and count the
 * minute when the wall clock is inside that date's hours. Every boundary of the fixtures is on a
 * whole minute, so counting minutes is exact for minute-aligned instants.
 */
function bruteForceSeconds(definition: CalendarDefinition, from: number, to: number): number {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: definition.timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  let seconds = 0;
  for (let t = from; t < to; t += 60_000) {
    const p = Object.fromEntries(format.formatToParts(t).map((x) => [x.type, x.value]));
    const date = `${p.year}-${p.month}-${p.day}`;
    const minuteOfDay = Number(p.hour) * 3600 + Number(p.minute) * 60;
    const extra = definition.extraWorkingDays?.find((e) => e.date === date);
    const isHoliday = (definition.holidays ?? []).some((h) => date >= h.date && date <= (h.until ?? h.date));
    const hours = extra
      ? (extra.hours ?? definition.weeklyHours[extra.likeWeekday ?? 1]!)
      : isHoliday
        ? []
        : definition.weeklyHours[weekdays.indexOf(p.weekday!)]!;
    if (hours.some((i) => parseTimeOfDay(i.start)! <= minuteOfDay && minuteOfDay < parseTimeOfDay(i.end)!))
      seconds += 60;
  }
  return seconds;
}

describe('business-time arithmetic against a minute-by-minute model', () => {
  const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
  const around = (iso: string) =>
    fc.integer({ min: Date.parse(iso) - 3 * 86_400_000, max: Date.parse(iso) + 3 * 86_400_000 }).map(minute);
  // Windows around each DST change and the Chinese holidays, plus any time in 2026.
  const start = fc.oneof(
    around('2026-03-08T07:00Z'),
    around('2026-11-01T06:00Z'),
    around('2026-03-29T01:00Z'),
    around('2026-10-25T01:00Z'),
    around('2026-09-25T00:00Z'),
    around('2026-10-01T00:00Z'),
    around('2026-10-09T00:00Z'),
    fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) }).map(minute),
  );

  it('between matches the model over spans of up to three days', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(calendarName, start, fc.integer({ min: 0, max: 3 * 24 * 60 }), (name, from, minutes) => {
        const to = from + minutes * 60_000;
        const expected = bruteForceSeconds(definitions[name]!, from, to);
        expect(businessSecondsBetween(get(name), new Date(from), new Date(to))).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });
});
