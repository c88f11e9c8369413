import type { CalendarDefinition, WorkInterval } from './calendar-definition.ts';

/** Calendars shared by the calendar tests and the benchmark. Plain data, as an admin would store them. */

const lunchBreak: WorkInterval[] = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

/**
 * A Chinese office, 7.5 working hours a day (27,000 s): Mon–Fri 09:00–12:00 and 13:30–18:00.
 * Holidays of autumn 2026 as the State Council's notice for 2026 sets them, as far as we know it:
 * Mid-Autumn Festival Fri Sep 25 (with the weekend Sep 25–27 off) and National Day Thu Oct 1 –
 * Wed Oct 7, with make-up working days Sun Sep 20 and Sat Oct 10. (Sep 27, a Sunday, would be
 * inside the Mid-Autumn weekend, so it is not plausible as a make-up day.) The arithmetic tests
 * do not depend on the notice being exact; they depend on these dates.
 */
export const shanghaiOffice: CalendarDefinition = {
  timeZone: 'Asia/Shanghai',
  weeklyHours: [[], lunchBreak, lunchBreak, lunchBreak, lunchBreak, lunchBreak, []],
  holidays: [
    { date: '2026-09-25', name: '中秋节 Mid-Autumn Festival' },
    { date: '2026-10-01', until: '2026-10-07', name: '国庆节 National Day' },
  ],
  extraWorkingDays: [
    { date: '2026-09-20', name: '国庆节调休 make-up day (Sunday)' },
    { date: '2026-10-10', name: '国庆节调休 make-up day (Saturday)' },
  ],
};

const nineToFive: WorkInterval[] = [{ start: '09:00', end: '17:00' }];

/** A New York office, Mon–Fri 09:00–17:00 (28,800 s a day). DST 2026: Mar 8 and Nov 1. */
export const newYorkOffice: CalendarDefinition = {
  timeZone: 'America/New_York',
  weeklyHours: [[], nineToFive, nineToFive, nineToFive, nineToFive, nineToFive, []],
};

const night: WorkInterval[] = [{ start: '00:00', end: '06:00' }];

/** A New York night shift, every day 00:00–06:00: it spans the 02:00 DST changes. */
export const newYorkNights: CalendarDefinition = {
  timeZone: 'America/New_York',
  weeklyHours: [night, night, night, night, night, night, night],
};

const eightToFour: WorkInterval[] = [{ start: '08:00', end: '16:00' }];

/** A Berlin office, Mon–Fri 08:00–16:00. DST 2026: Mar 29 and Oct 25. */
export const berlinOffice: CalendarDefinition = {
  timeZone: 'Europe/Berlin',
  weeklyHours: [[], eightToFour, eightToFour, eightToFour, eightToFour, eightToFour, []],
};

const earlyShift: WorkInterval[] = [{ start: '01:00', end: '05:00' }];

/** A Berlin early shift, every day 01:00–05:00: it spans the DST changes (02:00→03:00, 03:00→02:00). */
export const berlinEarlyShift: CalendarDefinition = {
  timeZone: 'Europe/Berlin',
  weeklyHours: [earlyShift, earlyShift, earlyShift, earlyShift, earlyShift, earlyShift, earlyShift],
};
