import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../field-error.ts';
import {
  addBusinessSeconds,
  businessIntervalsOn,
  businessSecondsBetween,
  calendarTime,
  createCalendar,
  isBusinessTime,
  nextBusinessInstant,
} from './business-calendar.ts';
import type { CalendarDefinition } from './calendar-definition.ts';
import {
  berlinEarlyShift,
  berlinOffice,
  newYorkNights,
  newYorkOffice,
  shanghaiOffice,
} from './test-calendars.ts';

const at = (iso: string): Date => new Date(iso);
const H = 3600;

// Expected values below are worked out by hand from the hours, holidays and offsets; the
// instants are written with the offset the wall clock had then.

describe('Shanghai office: lunch break, weekends, National Day week, make-up days', () => {
  const cn = createCalendar(shanghaiOffice);
  // 2026-06-01 is a Monday; 2026-09-30 a Wednesday; 2026-10-10 a Saturday.
  const adds: [string, string, number, string][] = [
    ['2 h from Mon 11:00 skips lunch 12:00–13:30', '2026-06-01T11:00+08:00', 2 * H, '2026-06-01T14:30+08:00'],
    [
      'ending exactly at lunch gives 12:00, not 13:30',
      '2026-06-01T11:00+08:00',
      1 * H,
      '2026-06-01T12:00+08:00',
    ],
    [
      '2 s from 11:59:59 is 1 s before and 1 s after lunch',
      '2026-06-01T11:59:59+08:00',
      2,
      '2026-06-01T13:30:01+08:00',
    ],
    [
      'a start in the lunch break counts from 13:30',
      '2026-06-01T12:30+08:00',
      1800,
      '2026-06-01T14:00+08:00',
    ],
    ['a start before opening counts from 09:00', '2026-06-01T07:00+08:00', 1 * H, '2026-06-01T10:00+08:00'],
    [
      'a full 7.5 h day from opening ends at closing',
      '2026-06-01T09:00+08:00',
      27_000,
      '2026-06-01T18:00+08:00',
    ],
    ['Friday after closing moves to Monday', '2026-06-05T19:00+08:00', 1 * H, '2026-06-08T10:00+08:00'],
    ['Friday 17:00 + 2 h crosses the weekend', '2026-06-05T17:00+08:00', 2 * H, '2026-06-08T10:00+08:00'],
    [
      'Saturday start: 8 h = all of Monday (7.5 h) + 0.5 h Tuesday',
      '2026-06-06T10:00+08:00',
      8 * H,
      '2026-06-09T09:30+08:00',
    ],
    [
      'Wed Sep 30 17:00 + 2 h jumps Oct 1–7 to Thu Oct 8',
      '2026-09-30T17:00+08:00',
      2 * H,
      '2026-10-08T10:00+08:00',
    ],
    [
      'a start inside the holiday week counts from Oct 8 09:00',
      '2026-10-03T10:00+08:00',
      60,
      '2026-10-08T09:01+08:00',
    ],
    ['make-up Saturday Oct 10 is worked', '2026-10-09T17:00+08:00', 2 * H, '2026-10-10T10:00+08:00'],
    ['make-up Sunday Sep 20 is worked', '2026-09-19T10:00+08:00', 1 * H, '2026-09-20T10:00+08:00'],
    [
      'Mid-Autumn Fri Sep 25 is off: Thu 17:30 + 1 h is Mon 09:30',
      '2026-09-24T17:30+08:00',
      1 * H,
      '2026-09-28T09:30+08:00',
    ],
    // Sep 14 – Oct 10 holds 16 working days: Sep 14–18 (5), Sun Sep 20 (1), Sep 21–24 (4),
    // Sep 28–30 (3), Oct 8–9 (2), Sat Oct 10 (1).
    [
      '16 working days from Mon Sep 14 end on make-up Sat Oct 10 at 18:00',
      '2026-09-14T09:00+08:00',
      16 * 27_000,
      '2026-10-10T18:00+08:00',
    ],
    ['back 2 h from Mon 14:30 crosses lunch', '2026-06-01T14:30+08:00', -2 * H, '2026-06-01T11:00+08:00'],
    [
      'back 1 h from Mon 14:30 gives 13:30, the latest such instant',
      '2026-06-01T14:30+08:00',
      -1 * H,
      '2026-06-01T13:30+08:00',
    ],
    ['back 30 min from Mon 09:00 is Fri 17:30', '2026-06-08T09:00+08:00', -1800, '2026-06-05T17:30+08:00'],
    [
      'back 2 h from Thu Oct 8 10:00 crosses the holiday week',
      '2026-10-08T10:00+08:00',
      -2 * H,
      '2026-09-30T17:00+08:00',
    ],
    ['zero leaves a Saturday instant as it is', '2026-06-06T10:00+08:00', 0, '2026-06-06T10:00+08:00'],
  ];
  it.each(adds)('add: %s', (_, from, seconds, expected) => {
    expect(addBusinessSeconds(cn, at(from), seconds).toISOString()).toBe(at(expected).toISOString());
  });

  const betweens: [string, string, string, number][] = [
    [
      'a whole Monday, from before opening to after closing',
      '2026-06-01T08:00+08:00',
      '2026-06-01T19:00+08:00',
      27_000,
    ],
    ['Mon 11:00–14:00 holds 1 h + 30 min', '2026-06-01T11:00+08:00', '2026-06-01T14:00+08:00', 5400],
    ['inside lunch is zero', '2026-06-01T12:10+08:00', '2026-06-01T13:20+08:00', 0],
    ['Fri 17:00 to Mon 10:00', '2026-06-05T17:00+08:00', '2026-06-08T10:00+08:00', 2 * H],
    ['Sep 30 09:00 to Oct 8 09:00 is one day', '2026-09-30T09:00+08:00', '2026-10-08T09:00+08:00', 27_000],
    [
      'Fri Oct 9 to Mon Oct 12 holds the make-up Saturday',
      '2026-10-09T09:00+08:00',
      '2026-10-12T09:00+08:00',
      54_000,
    ],
    [
      'four weeks around National Day: 16 working days',
      '2026-09-14T00:00+08:00',
      '2026-10-12T00:00+08:00',
      432_000,
    ],
    // 2026 starts on a Thursday: 52 weeks + 1 weekday = 261 weekdays; minus Sep 25 and the five
    // weekdays Oct 1, 2, 5, 6, 7; plus the two make-up days = 257 days.
    ['all of 2026: 257 working days', '2026-01-01T00:00+08:00', '2027-01-01T00:00+08:00', 257 * 27_000],
    ['reversed order is negative', '2026-06-01T14:00+08:00', '2026-06-01T11:00+08:00', -5400],
  ];
  it.each(betweens)('between: %s', (_, from, to, seconds) => {
    expect(businessSecondsBetween(cn, at(from), at(to))).toBe(seconds);
  });

  const business: [string, boolean][] = [
    ['2026-06-01T09:00+08:00', true],
    ['2026-06-01T08:59:59.999+08:00', false],
    ['2026-06-01T11:59:59+08:00', true],
    ['2026-06-01T12:00+08:00', false],
    ['2026-06-01T13:30+08:00', true],
    ['2026-06-01T18:00+08:00', false],
    ['2026-06-06T10:00+08:00', false],
    ['2026-10-02T10:00+08:00', false],
    ['2026-10-10T10:00+08:00', true],
    ['2026-09-20T10:00+08:00', true],
  ];
  it.each(business)('isBusinessTime(%s) is %s', (instant, expected) => {
    expect(isBusinessTime(cn, at(instant))).toBe(expected);
  });

  const nexts: [string, string][] = [
    ['2026-06-01T10:15+08:00', '2026-06-01T10:15+08:00'],
    ['2026-06-01T12:00+08:00', '2026-06-01T13:30+08:00'],
    ['2026-06-05T18:00+08:00', '2026-06-08T09:00+08:00'],
    ['2026-09-30T18:00+08:00', '2026-10-08T09:00+08:00'],
    ['2026-09-19T08:00+08:00', '2026-09-20T09:00+08:00'],
  ];
  it.each(nexts)('nextBusinessInstant(%s) is %s', (instant, expected) => {
    expect(nextBusinessInstant(cn, at(instant)).toISOString()).toBe(at(expected).toISOString());
  });

  it('a make-up day can have its own hours or copy another weekday', () => {
    const own = createCalendar({
      ...shanghaiOffice,
      extraWorkingDays: [{ date: '2026-10-10', hours: [{ start: '10:00', end: '15:00' }] }],
    });
    expect(businessSecondsBetween(own, at('2026-10-10T00:00+08:00'), at('2026-10-11T00:00+08:00'))).toBe(
      5 * H,
    );
    const fridayShort: CalendarDefinition = {
      ...shanghaiOffice,
      weeklyHours: shanghaiOffice.weeklyHours.map((day, i) =>
        i === 5 ? [{ start: '09:00', end: '12:00' }] : day,
      ),
      extraWorkingDays: [{ date: '2026-10-10', likeWeekday: 5 }],
    };
    const copied = createCalendar(fridayShort);
    expect(businessSecondsBetween(copied, at('2026-10-10T00:00+08:00'), at('2026-10-11T00:00+08:00'))).toBe(
      3 * H,
    );
  });
});

describe('DST in America/New_York (2026: spring forward Sun Mar 8 02:00, fall back Sun Nov 1 02:00)', () => {
  const office = createCalendar(newYorkOffice);
  const nights = createCalendar(newYorkNights);

  const adds: [string, typeof office, string, number, string][] = [
    [
      'office: Fri 16:00 EST + 2 h is Mon 10:00 EDT',
      office,
      '2026-03-06T16:00-05:00',
      2 * H,
      '2026-03-09T10:00-04:00',
    ],
    [
      'office: Fri 16:00 EDT + 2 h is Mon 10:00 EST',
      office,
      '2026-10-30T16:00-04:00',
      2 * H,
      '2026-11-02T10:00-05:00',
    ],
    [
      'office: back 2 h from Mon 10:00 EDT is Fri 16:00 EST',
      office,
      '2026-03-09T10:00-04:00',
      -2 * H,
      '2026-03-06T16:00-05:00',
    ],
    [
      'nights: 3 h from 00:00 EST on Mar 8 is 04:00 EDT',
      nights,
      '2026-03-08T00:00-05:00',
      3 * H,
      '2026-03-08T04:00-04:00',
    ],
    [
      'nights: 1 h from 01:30 EST is 03:30 EDT',
      nights,
      '2026-03-08T01:30-05:00',
      1 * H,
      '2026-03-08T03:30-04:00',
    ],
    [
      'nights: 2 h from 00:00 EDT on Nov 1 is the second 01:00 (EST)',
      nights,
      '2026-11-01T00:00-04:00',
      2 * H,
      '2026-11-01T01:00-05:00',
    ],
    [
      'nights: 6 h from 00:00 EDT on Nov 1 is 05:00 EST',
      nights,
      '2026-11-01T00:00-04:00',
      6 * H,
      '2026-11-01T05:00-05:00',
    ],
    [
      'nights: Oct 31 05:00 + 2 h is Nov 1 01:00 EDT (first pass)',
      nights,
      '2026-10-31T05:00-04:00',
      2 * H,
      '2026-11-01T01:00-04:00',
    ],
  ];
  it.each(adds)('add: %s', (_, calendar, from, seconds, expected) => {
    expect(addBusinessSeconds(calendar, at(from), seconds).toISOString()).toBe(at(expected).toISOString());
  });

  const betweens: [string, typeof office, string, string, number][] = [
    [
      'office: Fri 09:00 EST to Mon 17:00 EDT is two days',
      office,
      '2026-03-06T09:00-05:00',
      '2026-03-09T17:00-04:00',
      16 * H,
    ],
    [
      'office: two weeks across the change are ten days',
      office,
      '2026-03-02T00:00-05:00',
      '2026-03-16T00:00-04:00',
      80 * H,
    ],
    [
      'nights: 00:00–06:00 on Mar 8 is 5 real hours',
      nights,
      '2026-03-08T00:00-05:00',
      '2026-03-08T06:00-04:00',
      5 * H,
    ],
    [
      'nights: 00:00–06:00 on Nov 1 is 7 real hours',
      nights,
      '2026-11-01T00:00-04:00',
      '2026-11-01T06:00-05:00',
      7 * H,
    ],
    ['nights: a normal night is 6 hours', nights, '2026-03-09T00:00-04:00', '2026-03-09T06:00-04:00', 6 * H],
  ];
  it.each(betweens)('between: %s', (_, calendar, from, to, seconds) => {
    expect(businessSecondsBetween(calendar, at(from), at(to))).toBe(seconds);
  });

  it('shows the short and the long night as intervals', () => {
    const show = (date: string) =>
      businessIntervalsOn(nights, date).map((i) => [i.start.toISOString(), i.end.toISOString()]);
    expect(show('2026-03-08')).toEqual([['2026-03-08T05:00:00.000Z', '2026-03-08T10:00:00.000Z']]);
    expect(show('2026-11-01')).toEqual([['2026-11-01T04:00:00.000Z', '2026-11-01T11:00:00.000Z']]);
    expect(show('2026-03-10')).toEqual([['2026-03-10T04:00:00.000Z', '2026-03-10T10:00:00.000Z']]);
  });
});

describe('DST in Europe/Berlin (2026: Sun Mar 29 02:00→03:00, Sun Oct 25 03:00→02:00)', () => {
  const office = createCalendar(berlinOffice);
  const early = createCalendar(berlinEarlyShift);

  const adds: [string, typeof office, string, number, string][] = [
    [
      'office: Fri 15:00 CET + 2 h is Mon 09:00 CEST',
      office,
      '2026-03-27T15:00+01:00',
      2 * H,
      '2026-03-30T09:00+02:00',
    ],
    [
      'office: Fri 15:00 CEST + 2 h is Mon 09:00 CET',
      office,
      '2026-10-23T15:00+02:00',
      2 * H,
      '2026-10-26T09:00+01:00',
    ],
    [
      'early: 01:00 CET + 2 h on Mar 29 is 04:00 CEST',
      early,
      '2026-03-29T01:00+01:00',
      2 * H,
      '2026-03-29T04:00+02:00',
    ],
    [
      'early: 01:00 CEST + 2 h on Oct 25 is the second 02:00 (CET)',
      early,
      '2026-10-25T01:00+02:00',
      2 * H,
      '2026-10-25T02:00+01:00',
    ],
  ];
  it.each(adds)('add: %s', (_, calendar, from, seconds, expected) => {
    expect(addBusinessSeconds(calendar, at(from), seconds).toISOString()).toBe(at(expected).toISOString());
  });

  const betweens: [string, typeof office, string, string, number][] = [
    ['early: Mar 29 has 3 h', early, '2026-03-29T00:00+01:00', '2026-03-30T00:00+02:00', 3 * H],
    ['early: Oct 25 has 5 h', early, '2026-10-25T00:00+02:00', '2026-10-26T00:00+01:00', 5 * H],
    [
      'office: the week of Mar 23 has 40 h',
      office,
      '2026-03-23T00:00+01:00',
      '2026-03-30T00:00+02:00',
      40 * H,
    ],
  ];
  it.each(betweens)('between: %s', (_, calendar, from, to, seconds) => {
    expect(businessSecondsBetween(calendar, at(from), at(to))).toBe(seconds);
  });

  it('hours that start in the skipped hour start when the clock jumps; a repeated hour counts by wall clock', () => {
    const gap = createCalendar({
      timeZone: 'Europe/Berlin',
      weeklyHours: Array.from({ length: 7 }, () => [{ start: '02:30', end: '04:00' }]),
    });
    const show = (date: string) =>
      businessIntervalsOn(gap, date).map((i) => [i.start.toISOString(), i.end.toISOString()]);
    // Mar 29: the clock shows 02:30–04:00 only from 03:00 CEST (01:00Z) to 04:00 CEST (02:00Z).
    expect(show('2026-03-29')).toEqual([['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']]);
    // Oct 25: 02:30–03:00 CEST (00:30Z–01:00Z), then 02:30–04:00 CET (01:30Z–03:00Z); the
    // second 02:00–02:30 is outside the hours.
    expect(show('2026-10-25')).toEqual([
      ['2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z'],
      ['2026-10-25T01:30:00.000Z', '2026-10-25T03:00:00.000Z'],
    ]);
    expect(businessSecondsBetween(gap, at('2026-10-25T00:00Z'), at('2026-10-26T00:00Z'))).toBe(2 * H);
    expect(isBusinessTime(gap, at('2026-10-25T01:15Z'))).toBe(false);
    expect(nextBusinessInstant(gap, at('2026-10-25T01:00Z')).toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });
});

describe('calendar time (24x7)', () => {
  it('is plain elapsed time', () => {
    expect(calendarTime.isCalendarTime).toBe(true);
    expect(addBusinessSeconds(calendarTime, at('2026-03-07T12:00Z'), 86_400).toISOString()).toBe(
      '2026-03-08T12:00:00.000Z',
    );
    expect(
      businessSecondsBetween(calendarTime, at('2026-03-08T00:00-05:00'), at('2026-03-09T00:00-04:00')),
    ).toBe(23 * H);
    expect(isBusinessTime(calendarTime, at('2026-10-03T03:00Z'))).toBe(true);
  });

  it('a round-the-clock calendar in a zone counts real hours, 23 on a spring-forward day', () => {
    const allDay = [{ start: '00:00', end: '24:00' }];
    const ny = createCalendar({
      timeZone: 'America/New_York',
      weeklyHours: Array.from({ length: 7 }, () => allDay),
    });
    expect(ny.isCalendarTime).toBe(true);
    expect(businessSecondsBetween(ny, at('2026-03-08T00:00-05:00'), at('2026-03-09T00:00-04:00'))).toBe(
      23 * H,
    );
    expect(
      businessIntervalsOn(ny, '2026-03-08').map((i) => [i.start.toISOString(), i.end.toISOString()]),
    ).toEqual([['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']]);
    // With one holiday it is no longer plain elapsed time, and the holiday is 25 h long on Nov 1.
    const withHoliday = createCalendar({
      timeZone: 'America/New_York',
      weeklyHours: Array.from({ length: 7 }, () => allDay),
      holidays: [{ date: '2026-11-01' }],
    });
    expect(withHoliday.isCalendarTime).toBe(false);
    expect(
      businessSecondsBetween(withHoliday, at('2026-10-31T00:00-04:00'), at('2026-11-03T00:00-05:00')),
    ).toBe(48 * H);
    expect(addBusinessSeconds(withHoliday, at('2026-10-31T23:00-04:00'), 2 * H).toISOString()).toBe(
      at('2026-11-02T01:00-05:00').toISOString(),
    );
  });
});

describe('bad input', () => {
  it('createCalendar throws ValidationFailed with the field errors', () => {
    const bad = { ...newYorkOffice, timeZone: 'America/New_Yrok' };
    expect(() => createCalendar(bad)).toThrow(ValidationFailed);
    try {
      createCalendar(bad);
    } catch (e) {
      expect((e as ValidationFailed).errors.map((x) => x.path)).toEqual(['/timeZone']);
    }
  });

  it('rejects an Invalid Date and non-finite seconds', () => {
    const cal = createCalendar(newYorkOffice);
    expect(() => addBusinessSeconds(cal, new Date(Number.NaN), 1)).toThrow(RangeError);
    expect(() => addBusinessSeconds(cal, at('2026-01-05T10:00Z'), Number.POSITIVE_INFINITY)).toThrow(
      RangeError,
    );
    expect(() => businessSecondsBetween(cal, at('2026-01-05T10:00Z'), new Date(Number.NaN))).toThrow(
      RangeError,
    );
  });

  it('gives up with a RangeError when a decade holds no business time', () => {
    const closed = createCalendar({
      ...newYorkOffice,
      holidays: Array.from({ length: 12 }, (_, i) => ({
        date: `${2027 + i}-01-01`,
        until: `${2027 + i}-12-31`,
      })),
    });
    expect(() => addBusinessSeconds(closed, at('2027-01-01T00:00Z'), 1)).toThrow(/no business time/);
    expect(() => nextBusinessInstant(closed, at('2027-01-01T00:00Z'))).toThrow(/no business time/);
    // Before the closure it still works: the last hour of 2026 ends at 17:00 on Thu Dec 31.
    expect(addBusinessSeconds(closed, at('2026-12-31T16:00-05:00'), 1 * H).toISOString()).toBe(
      at('2026-12-31T17:00-05:00').toISOString(),
    );
  });

  it('rounds seconds to whole milliseconds', () => {
    const cal = createCalendar(newYorkOffice);
    expect(addBusinessSeconds(cal, at('2026-01-05T09:00-05:00'), 1.0004).toISOString()).toBe(
      at('2026-01-05T09:00:01-05:00').toISOString(),
    );
    expect(businessSecondsBetween(cal, at('2026-01-05T09:00-05:00'), at('2026-01-05T09:00:01.5-05:00'))).toBe(
      1.5,
    );
  });
});
