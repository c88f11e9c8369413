import { type FieldError, fieldError } from '../field-error.ts';
import { formatIsoDate, parseIsoDate, WEEKDAY_NAMES } from './civil-date.ts';
import { isKnownTimeZone } from './zone-offset.ts';

/** A stretch of working time within one day, wall-clock "HH:MM" (or "HH:MM:SS"); end may be "24:00". */
export type WorkInterval = { start: string; end: string };

/** A whole day off, or several in a row when `until` (inclusive) is given. */
export type Holiday = {
  /** "YYYY-MM-DD" */
  date: string;
  /** Last day off, inclusive, "YYYY-MM-DD"; at most 366 days after `date`. */
  until?: string;
  name?: string;
};

/**
 * A day that is worked although the week says otherwise: a make-up working day (调休, e.g. a
 * Saturday worked to bridge a holiday). It has its own `hours`, or the hours of `likeWeekday`
 * (0 = Sunday ... 6 = Saturday); with neither it works Monday's hours.
 */
export type ExtraWorkingDay = {
  /** "YYYY-MM-DD" */
  date: string;
  name?: string;
  hours?: WorkInterval[];
  likeWeekday?: number;
};

/** A business calendar as stored and edited: plain JSON. */
export type CalendarDefinition = {
  /** IANA time zone, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** Seven lists of intervals, Sunday first: weeklyHours[0] = Sunday ... weeklyHours[6] = Saturday. */
  weeklyHours: WorkInterval[][];
  holidays?: Holiday[];
  extraWorkingDays?: ExtraWorkingDay[];
};

/** Monday's hours are the "normal weekday hours" a make-up day works unless told otherwise. */
export const DEFAULT_MAKE_UP_WEEKDAY = 1;

/** The longest holiday range one entry may hold. */
export const MAX_HOLIDAY_DAYS = 366;

const TIME_RE = /^([01]\d|2[0-4]):([0-5]\d)(?::([0-5]\d))?$/;

/** Seconds after local midnight of "HH:MM" / "HH:MM:SS" (24:00 allowed), or undefined. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  return seconds <= 86_400 ? seconds : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const CALENDAR_KEYS = ['timeZone', 'weeklyHours', 'holidays', 'extraWorkingDays'];
const HOLIDAY_KEYS = ['date', 'until', 'name'];
const EXTRA_DAY_KEYS = ['date', 'name', 'hours', 'likeWeekday'];
const INTERVAL_KEYS = ['start', 'end'];

function checkKeys(
  value: Record<string, unknown>,
  allowed: string[],
  path: string,
  errors: FieldError[],
): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      errors.push(
        fieldError(
          `${path}/${key}`,
          'unknown_field',
          `Unknown field "${key}"; expected ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}.`,
        ),
      );
}

const showTime = (seconds: number): string => {
  const h = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const m = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const s = seconds % 60;
  return s === 0 ? `${h}:${m}` : `${h}:${m}:${String(s).padStart(2, '0')}`;
};

/**
 * Checks a list of intervals for one day and returns them as [start, end) seconds, sorted, or
 * undefined when any is wrong (the errors say which).
 */
function checkIntervals(
  value: unknown,
  path: string,
  dayLabel: string,
  errors: FieldError[],
): [number, number][] | undefined {
  if (!Array.isArray(value)) {
    errors.push(
      fieldError(
        path,
        'invalid',
        `Hours for ${dayLabel} must be a list of {start, end} intervals; use [] for no hours.`,
      ),
    );
    return undefined;
  }
  const before = errors.length;
  const parsed: { start: number; end: number; index: number }[] = [];
  value.forEach((interval, index) => {
    const at = `${path}/${index}`;
    if (!isRecord(interval)) {
      errors.push(
        fieldError(at, 'invalid', 'An interval must be an object like {"start": "09:00", "end": "12:00"}.'),
      );
      return;
    }
    checkKeys(interval, INTERVAL_KEYS, at, errors);
    const start = typeof interval.start === 'string' ? parseTimeOfDay(interval.start) : undefined;
    const end = typeof interval.end === 'string' ? parseTimeOfDay(interval.end) : undefined;
    if (start === undefined || start >= 86_400)
      errors.push(
        fieldError(
          `${at}/start`,
          'invalid_time',
          'Start must be a time "HH:MM" from 00:00 to 23:59, e.g. "09:00".',
        ),
      );
    if (end === undefined || end === 0)
      errors.push(
        fieldError(
          `${at}/end`,
          'invalid_time',
          'End must be a time "HH:MM" from 00:01 to 24:00, e.g. "18:00".',
        ),
      );
    if (start === undefined || end === undefined || start >= 86_400 || end === 0) return;
    if (end <= start) {
      errors.push(
        fieldError(
          `${at}/end`,
          'end_before_start',
          `This interval ends at ${showTime(end)}, not after its start ${showTime(start)}. An interval cannot cross ` +
            'midnight: split it into one ending at 24:00 and one on the next day starting at 00:00.',
        ),
      );
      return;
    }
    parsed.push({ start, end, index });
  });
  parsed.sort((a, b) => a.start - b.start);
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1]!;
    const cur = parsed[i]!;
    if (cur.start < prev.end)
      errors.push(
        fieldError(
          `${path}/${cur.index}/start`,
          'overlap',
          `${showTime(cur.start)}–${showTime(cur.end)} overlaps ${showTime(prev.start)}–${showTime(prev.end)} ` +
            `(interval ${prev.index}) on ${dayLabel}; intervals of one day must not overlap.`,
        ),
      );
  }
  return errors.length === before ? parsed.map((p) => [p.start, p.end]) : undefined;
}

function checkDate(value: unknown, path: string, errors: FieldError[]): number | undefined {
  const day = typeof value === 'string' ? parseIsoDate(value) : undefined;
  if (day === undefined)
    errors.push(
      fieldError(
        path,
        'invalid_date',
        typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
          ? `${value} is not a date in the calendar; check the month and day.`
          : 'A date must be written "YYYY-MM-DD", e.g. "2026-10-01".',
      ),
    );
  return day;
}

function checkName(value: unknown, path: string, errors: FieldError[]): void {
  if (value !== undefined && (typeof value !== 'string' || value.length > 200))
    errors.push(fieldError(path, 'invalid', 'A name must be text of at most 200 characters.'));
}

/**
 * Every problem with a calendar definition, each with a JSON pointer to the field
 * (e.g. "/weeklyHours/1/0/start") and a message a person can act on. Empty when valid.
 */
export function checkCalendar(input: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (!isRecord(input))
    return [fieldError('', 'invalid', 'A calendar must be an object with timeZone and weeklyHours.')];
  checkKeys(input, CALENDAR_KEYS, '', errors);

  if (typeof input.timeZone !== 'string' || input.timeZone.length === 0)
    errors.push(
      fieldError(
        '/timeZone',
        'required',
        'A calendar needs a time zone, an IANA name such as "Asia/Shanghai".',
      ),
    );
  else if (!isKnownTimeZone(input.timeZone))
    errors.push(
      fieldError(
        '/timeZone',
        'unknown_time_zone',
        `Unknown time zone "${input.timeZone}"; use an IANA name such as "Europe/Berlin" or "America/New_York".`,
      ),
    );

  const weekly: ([number, number][] | undefined)[] = [];
  if (!Array.isArray(input.weeklyHours) || input.weeklyHours.length !== 7)
    errors.push(
      fieldError(
        '/weeklyHours',
        'invalid',
        'Weekly hours must be a list of seven days, Sunday first (0 = Sunday ... 6 = Saturday); use [] for a day off.',
      ),
    );
  else {
    input.weeklyHours.forEach((day, i) => {
      weekly.push(checkIntervals(day, `/weeklyHours/${i}`, WEEKDAY_NAMES[i]!, errors));
    });
    if (weekly.every((day) => day !== undefined && day.length === 0))
      errors.push(
        fieldError(
          '/weeklyHours',
          'no_hours',
          'Give working hours on at least one day of the week; for round-the-clock targets count in calendar time instead.',
        ),
      );
  }

  const holidayDays = new Map<number, number>();
  if (input.holidays !== undefined) {
    if (!Array.isArray(input.holidays))
      errors.push(fieldError('/holidays', 'invalid', 'Holidays must be a list of {date, until?, name?}.'));
    else
      input.holidays.forEach((holiday, i) => {
        const at = `/holidays/${i}`;
        if (!isRecord(holiday)) {
          errors.push(
            fieldError(
              at,
              'invalid',
              'A holiday must be an object like {"date": "2026-10-01", "name": "…"}.',
            ),
          );
          return;
        }
        checkKeys(holiday, HOLIDAY_KEYS, at, errors);
        checkName(holiday.name, `${at}/name`, errors);
        const first = checkDate(holiday.date, `${at}/date`, errors);
        let last = first;
        if (holiday.until !== undefined) {
          last = checkDate(holiday.until, `${at}/until`, errors);
          if (first !== undefined && last !== undefined && last < first) {
            errors.push(
              fieldError(
                `${at}/until`,
                'end_before_start',
                `The holiday ends on ${holiday.until}, before it starts on ${holiday.date}.`,
              ),
            );
            last = undefined;
          } else if (first !== undefined && last !== undefined && last - first >= MAX_HOLIDAY_DAYS) {
            errors.push(
              fieldError(
                `${at}/until`,
                'too_long',
                `One holiday may span at most ${MAX_HOLIDAY_DAYS} days; split longer closures into several entries.`,
              ),
            );
            last = undefined;
          }
        }
        if (first !== undefined && last !== undefined)
          for (let d = first; d <= last; d++) holidayDays.set(d, i);
      });
  }

  if (input.extraWorkingDays !== undefined) {
    if (!Array.isArray(input.extraWorkingDays))
      errors.push(
        fieldError(
          '/extraWorkingDays',
          'invalid',
          'Extra working days must be a list of {date, hours?, likeWeekday?}.',
        ),
      );
    else {
      const seen = new Map<number, number>();
      input.extraWorkingDays.forEach((extra, i) => {
        const at = `/extraWorkingDays/${i}`;
        if (!isRecord(extra)) {
          errors.push(
            fieldError(at, 'invalid', 'An extra working day must be an object like {"date": "2026-10-10"}.'),
          );
          return;
        }
        checkKeys(extra, EXTRA_DAY_KEYS, at, errors);
        checkName(extra.name, `${at}/name`, errors);
        const day = checkDate(extra.date, `${at}/date`, errors);
        if (day !== undefined) {
          const earlier = seen.get(day);
          const holiday = holidayDays.get(day);
          if (earlier !== undefined)
            errors.push(
              fieldError(
                `${at}/date`,
                'duplicate',
                `${formatIsoDate(day)} is already an extra working day (/extraWorkingDays/${earlier}); keep one entry.`,
              ),
            );
          else if (holiday !== undefined)
            errors.push(
              fieldError(
                `${at}/date`,
                'conflict',
                `${formatIsoDate(day)} is also a holiday (/holidays/${holiday}); a day is either off or worked, remove one.`,
              ),
            );
          seen.set(day, i);
        }
        if (extra.hours !== undefined && extra.likeWeekday !== undefined)
          errors.push(
            fieldError(
              `${at}/likeWeekday`,
              'conflict',
              'Give either hours or likeWeekday for an extra working day, not both.',
            ),
          );
        else if (extra.hours !== undefined) {
          const hours = checkIntervals(extra.hours, `${at}/hours`, 'this extra working day', errors);
          if (hours !== undefined && hours.length === 0)
            errors.push(
              fieldError(
                `${at}/hours`,
                'no_hours',
                'An extra working day needs hours; leave hours out to work the normal weekday hours.',
              ),
            );
        } else {
          const like = extra.likeWeekday ?? DEFAULT_MAKE_UP_WEEKDAY;
          if (typeof like !== 'number' || !Number.isInteger(like) || like < 0 || like > 6)
            errors.push(
              fieldError(
                `${at}/likeWeekday`,
                'invalid',
                'likeWeekday is the day whose hours to work: 0 = Sunday, 1 = Monday ... 6 = Saturday.',
              ),
            );
          else if (weekly[like]?.length === 0)
            errors.push(
              fieldError(
                extra.likeWeekday === undefined ? at : `${at}/likeWeekday`,
                'no_hours',
                `${WEEKDAY_NAMES[like]} has no working hours to copy; give this day its own hours or another likeWeekday.`,
              ),
            );
        }
      });
    }
  }
  return errors;
}
