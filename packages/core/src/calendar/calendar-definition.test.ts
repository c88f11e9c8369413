import { describe, expect, it } from 'vitest';
import { checkCalendar, parseTimeOfDay } from './calendar-definition.ts';
import { shanghaiOffice } from './test-calendars.ts';

const week = (...days: { start: string; end: string }[][]) => days;
const nine = [{ start: '09:00', end: '17:00' }];
const base = { timeZone: 'Europe/Berlin', weeklyHours: week([], nine, nine, nine, nine, nine, []) };

/** path and code of each error, for compact tables. */
const summary = (input: unknown) => checkCalendar(input).map((e) => `${e.path} ${e.code}`);

describe('parseTimeOfDay', () => {
  it.each([
    ['09:00', 32_400],
    ['13:30', 48_600],
    ['00:00', 0],
    ['24:00', 86_400],
    ['23:59:30', 86_370],
    ['24:01', undefined],
    ['9:00', undefined],
    ['12:60', undefined],
    ['noon', undefined],
  ])('%s -> %s', (text, seconds) => {
    expect(parseTimeOfDay(text)).toBe(seconds);
  });
});

describe('checkCalendar', () => {
  it('accepts valid calendars', () => {
    expect(checkCalendar(base)).toEqual([]);
    expect(checkCalendar(shanghaiOffice)).toEqual([]);
  });

  const cases: [string, unknown, string[]][] = [
    ['not an object', 'Mon-Fri 9-5', [' invalid']],
    ['missing time zone', { weeklyHours: base.weeklyHours }, ['/timeZone required']],
    ['unknown time zone', { ...base, timeZone: 'Europe/Berln' }, ['/timeZone unknown_time_zone']],
    ['six days', { ...base, weeklyHours: base.weeklyHours.slice(1) }, ['/weeklyHours invalid']],
    [
      'no hours at all',
      { ...base, weeklyHours: week([], [], [], [], [], [], []) },
      ['/weeklyHours no_hours'],
    ],
    [
      'end before start',
      { ...base, weeklyHours: week([], [{ start: '18:00', end: '09:00' }], nine, nine, nine, nine, []) },
      ['/weeklyHours/1/0/end end_before_start'],
    ],
    [
      'bad times',
      { ...base, weeklyHours: week([], [{ start: '9am', end: '25:00' }], nine, nine, nine, nine, []) },
      ['/weeklyHours/1/0/start invalid_time', '/weeklyHours/1/0/end invalid_time'],
    ],
    [
      'start at 24:00',
      { ...base, weeklyHours: week([], [{ start: '24:00', end: '24:00' }], nine, nine, nine, nine, []) },
      ['/weeklyHours/1/0/start invalid_time'],
    ],
    [
      'overlapping lunch intervals, listed out of order',
      {
        ...base,
        weeklyHours: week(
          [],
          nine,
          [
            { start: '13:00', end: '18:00' },
            { start: '09:00', end: '13:30' },
          ],
          nine,
          nine,
          nine,
          [],
        ),
      },
      ['/weeklyHours/2/0/start overlap'],
    ],
    [
      'touching intervals are fine',
      {
        ...base,
        weeklyHours: week(
          [],
          [
            { start: '09:00', end: '12:00' },
            { start: '12:00', end: '18:00' },
          ],
          nine,
          nine,
          nine,
          nine,
          [],
        ),
      },
      [],
    ],
    ['an unknown field', { ...base, holiday: [] }, ['/holiday unknown_field']],
    [
      'a holiday on Feb 30',
      { ...base, holidays: [{ date: '2026-02-30' }] },
      ['/holidays/0/date invalid_date'],
    ],
    [
      'a holiday written D.M.Y',
      { ...base, holidays: [{ date: '01.10.2026' }] },
      ['/holidays/0/date invalid_date'],
    ],
    [
      'a holiday range ending before it starts',
      { ...base, holidays: [{ date: '2026-10-07', until: '2026-10-01' }] },
      ['/holidays/0/until end_before_start'],
    ],
    [
      'a holiday range over a year',
      { ...base, holidays: [{ date: '2026-01-01', until: '2027-01-02' }] },
      ['/holidays/0/until too_long'],
    ],
    [
      'a make-up day that is also a holiday',
      {
        ...base,
        holidays: [{ date: '2026-10-01', until: '2026-10-07' }],
        extraWorkingDays: [{ date: '2026-10-03' }],
      },
      ['/extraWorkingDays/0/date conflict'],
    ],
    [
      'the same make-up day twice',
      { ...base, extraWorkingDays: [{ date: '2026-10-10' }, { date: '2026-10-10' }] },
      ['/extraWorkingDays/1/date duplicate'],
    ],
    [
      'hours and likeWeekday together',
      { ...base, extraWorkingDays: [{ date: '2026-10-10', hours: nine, likeWeekday: 2 }] },
      ['/extraWorkingDays/0/likeWeekday conflict'],
    ],
    [
      'likeWeekday out of range',
      { ...base, extraWorkingDays: [{ date: '2026-10-10', likeWeekday: 7 }] },
      ['/extraWorkingDays/0/likeWeekday invalid'],
    ],
    [
      'copying Sunday, which has no hours',
      { ...base, extraWorkingDays: [{ date: '2026-10-10', likeWeekday: 0 }] },
      ['/extraWorkingDays/0/likeWeekday no_hours'],
    ],
    [
      'empty hours on a make-up day',
      { ...base, extraWorkingDays: [{ date: '2026-10-10', hours: [] }] },
      ['/extraWorkingDays/0/hours no_hours'],
    ],
    [
      'overlap inside a make-up day',
      {
        ...base,
        extraWorkingDays: [
          {
            date: '2026-10-10',
            hours: [
              { start: '09:00', end: '12:00' },
              { start: '11:00', end: '14:00' },
            ],
          },
        ],
      },
      ['/extraWorkingDays/0/hours/1/start overlap'],
    ],
  ];
  it.each(cases)('%s', (_, input, expected) => {
    expect(summary(input)).toEqual(expected);
  });

  it('says what is wrong and what would be right', () => {
    const [overlap] = checkCalendar({
      ...base,
      weeklyHours: week(
        [],
        [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '14:00' },
        ],
        nine,
        nine,
        nine,
        nine,
        [],
      ),
    });
    expect(overlap?.message).toBe(
      '11:00–14:00 overlaps 09:00–12:00 (interval 0) on Monday; intervals of one day must not overlap.',
    );
    const [zone] = checkCalendar({ ...base, timeZone: 'Europe/Berln' });
    expect(zone?.message).toContain('"Europe/Berln"');
    expect(zone?.message).toContain('"Europe/Berlin"');
    const [night] = checkCalendar({
      ...base,
      weeklyHours: week([], [{ start: '22:00', end: '06:00' }], nine, nine, nine, nine, []),
    });
    expect(night?.message).toContain('cannot cross midnight');
    const [feb30] = checkCalendar({ ...base, holidays: [{ date: '2026-02-30' }] });
    expect(feb30?.message).toBe('2026-02-30 is not a date in the calendar; check the month and day.');
  });
});
