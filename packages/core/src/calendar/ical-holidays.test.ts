import { describe, expect, it } from 'vitest';
import { addBusinessSeconds, createCalendar } from './business-calendar.ts';
import { checkCalendar } from './calendar-definition.ts';
import { importICalHolidays } from './ical-holidays.ts';

const ics = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR'].join('\r\n');
const event = (...lines: string[]) => ['BEGIN:VEVENT', ...lines, 'END:VEVENT'];

describe('importICalHolidays', () => {
  it('reads all-day events, multi-day ranges (DTEND exclusive), DURATION and folded, escaped summaries', () => {
    const text = ics(
      ...event('UID:1', 'DTSTART;VALUE=DATE:20261001', 'DTEND;VALUE=DATE:20261008', 'SUMMARY:国庆节'),
      ...event('UID:2', 'DTSTART;VALUE=DATE:20260925', 'SUMMARY:Mid-Autumn\\, 中秋节'),
      ...event('UID:3', 'DTSTART:20261225', 'DURATION:P2D', 'SUMMARY:Christmas and', '  Boxing Day'),
      ...event('UID:4', 'DTSTART;VALUE=DATE:20260101', 'DTEND;VALUE=DATE:20260101', 'SUMMARY:New Year'),
      ...event('UID:5', 'DTSTART;VALUE=DATE:20260525', 'DURATION:P1W'),
    );
    const result = importICalHolidays(text);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.holidays).toEqual([
      { date: '2026-01-01', name: 'New Year' },
      { date: '2026-05-25', until: '2026-05-31' },
      { date: '2026-09-25', name: 'Mid-Autumn, 中秋节' },
      { date: '2026-10-01', until: '2026-10-07', name: '国庆节' },
      { date: '2026-12-25', until: '2026-12-26', name: 'Christmas and Boxing Day' },
    ]);
    // What it returns is a valid part of a calendar.
    expect(
      checkCalendar({
        timeZone: 'Asia/Shanghai',
        weeklyHours: [[], [], [], [], [], [], []],
        holidays: result.holidays,
      }),
    ).toEqual([expect.objectContaining({ path: '/weeklyHours', code: 'no_hours' })]);
  });

  it('accepts LF line endings, lower-case names and ignores what it does not use', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'X-WR-CALNAME:Feiertage',
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Berlin',
      'DTSTART:19700329T020000',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'dtstart;value=date:20261003',
      'summary;LANGUAGE=de:Tag der Deutschen Einheit',
      'X-MICROSOFT-CDO-BUSYSTATUS:FREE',
      'BEGIN:VALARM',
      'DTSTART;VALUE=DATE:20990101',
      'SUMMARY:not the event',
      'END:VALARM',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\n');
    const result = importICalHolidays(text);
    expect(result.errors).toEqual([]);
    expect(result.holidays).toEqual([{ date: '2026-10-03', name: 'Tag der Deutschen Einheit' }]);
  });

  it('turns matching events into make-up working days', () => {
    const text = ics(
      ...event('DTSTART;VALUE=DATE:20261001', 'DTEND;VALUE=DATE:20261008', 'SUMMARY:国庆节'),
      ...event('DTSTART;VALUE=DATE:20261010', 'SUMMARY:国庆节补班'),
      ...event('DTSTART;VALUE=DATE:20260920', 'SUMMARY:国庆节补班'),
    );
    const result = importICalHolidays(text, { workingDaySummary: /补班/ });
    expect(result.holidays).toEqual([{ date: '2026-10-01', until: '2026-10-07', name: '国庆节' }]);
    expect(result.extraWorkingDays).toEqual([
      { date: '2026-09-20', name: '国庆节补班' },
      { date: '2026-10-10', name: '国庆节补班' },
    ]);
    const lunch = [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ];
    const cal = createCalendar({
      timeZone: 'Asia/Shanghai',
      weeklyHours: [[], lunch, lunch, lunch, lunch, lunch, []],
      holidays: result.holidays,
      extraWorkingDays: result.extraWorkingDays,
    });
    // Fri Oct 9 17:00 + 2 h: one hour on Friday, one on make-up Saturday Oct 10.
    expect(addBusinessSeconds(cal, new Date('2026-10-09T17:00+08:00'), 7200).toISOString()).toBe(
      new Date('2026-10-10T10:00+08:00').toISOString(),
    );
  });

  it('warns about timed, cancelled and repeating events', () => {
    const text = ics(
      ...event('DTSTART:20261001T090000Z', 'DTEND:20261001T170000Z', 'SUMMARY:Offsite'),
      ...event('DTSTART;VALUE=DATE:20261002', 'STATUS:CANCELLED', 'SUMMARY:Bridge day'),
      ...event('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=YEARLY', 'SUMMARY:New Year'),
    );
    const result = importICalHolidays(text);
    expect(result.errors).toEqual([]);
    expect(result.holidays).toEqual([{ date: '2026-01-01', name: 'New Year' }]);
    expect(result.warnings.map((w) => `${w.path} ${w.code}`)).toEqual([
      '/events/0/DTSTART timed_event',
      '/events/1 cancelled',
      '/events/2/RRULE recurrence_not_expanded',
    ]);
    expect(result.warnings[0]?.message).toBe(
      'Line 5: "Offsite" starts at a time of day (20261001T090000Z); only all-day events are holidays, so it was skipped.',
    );
  });

  const malformed: [string, string, string[]][] = [
    ['not iCal at all', 'Date,Name\n2026-10-01,National Day', [' not_ical']],
    ['a missing DTSTART', ics(...event('SUMMARY:Nothing')), ['/events/0/DTSTART required']],
    ['a bad date', ics(...event('DTSTART;VALUE=DATE:20261301')), ['/events/0/DTSTART invalid_date']],
    [
      'a date with dashes',
      ics(...event('DTSTART;VALUE=DATE:2026-10-01')),
      ['/events/0/DTSTART invalid_date'],
    ],
    [
      'DTEND before DTSTART',
      ics(...event('DTSTART;VALUE=DATE:20261008', 'DTEND;VALUE=DATE:20261001')),
      ['/events/0/DTEND end_before_start'],
    ],
    [
      'a timed DTEND on an all-day event',
      ics(...event('DTSTART;VALUE=DATE:20261001', 'DTEND:20261001T120000Z')),
      ['/events/0/DTEND invalid_date'],
    ],
    [
      'a DURATION of hours',
      ics(...event('DTSTART;VALUE=DATE:20261001', 'DURATION:PT8H')),
      ['/events/0/DURATION invalid_duration'],
    ],
    [
      'a two-year event',
      ics(...event('DTSTART;VALUE=DATE:20260101', 'DTEND;VALUE=DATE:20280101')),
      ['/events/0 too_long'],
    ],
    [
      'a line without a colon inside an event',
      ics(...event('DTSTART;VALUE=DATE:20261001', 'garbage here')),
      ['/events/0 malformed_line'],
    ],
    [
      'a cut-off file',
      'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001',
      [' unterminated', ' unterminated'],
    ],
    ['an END without BEGIN', ics('END:VEVENT'), [' unmatched_end']],
  ];
  it.each(malformed)('reports %s', (_, text, expected) => {
    const result = importICalHolidays(text);
    expect(result.errors.map((e) => `${e.path} ${e.code}`)).toEqual(expected);
    expect(result.holidays).toEqual([]);
  });

  it('names the line of a malformed value and keeps the good events', () => {
    const text = ics(
      ...event('DTSTART;VALUE=DATE:20261001', 'SUMMARY:Good'),
      ...event('DTSTART;VALUE=DATE:2026-10-02', 'SUMMARY:Bad'),
    );
    const result = importICalHolidays(text);
    expect(result.holidays).toEqual([{ date: '2026-10-01', name: 'Good' }]);
    expect(result.errors).toEqual([
      {
        path: '/events/1/DTSTART',
        code: 'invalid_date',
        message:
          'Line 9: DTSTART "2026-10-02" is not a date; write YYYYMMDD, e.g. DTSTART;VALUE=DATE:20261001.',
      },
    ]);
  });
});
