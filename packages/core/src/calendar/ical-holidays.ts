import { type FieldError, fieldError } from '../field-error.ts';
import { type ExtraWorkingDay, type Holiday, MAX_HOLIDAY_DAYS } from './calendar-definition.ts';
import { civilDateOf, dayNumberOf, formatIsoDate } from './civil-date.ts';

/** What an iCal (RFC 5545) file yields for a calendar. */
export type ICalImport = {
  /** One entry per all-day event, multi-day events as a range (`until` inclusive), sorted by date. */
  holidays: Holiday[];
  /** Events whose SUMMARY matched `workingDaySummary`, one entry per day, sorted by date. */
  extraWorkingDays: ExtraWorkingDay[];
  /** Events left out or read only in part, and why (timed events, cancelled events, repeat rules). */
  warnings: FieldError[];
  /** Input that is malformed; those events are not imported. Show these before saving anything. */
  errors: FieldError[];
};

export type ICalImportOptions = {
  /**
   * Events whose SUMMARY matches become extra working days instead of holidays, for feeds that
   * list make-up working days too (e.g. /补班|上班/ for Chinese public-holiday calendars).
   */
  workingDaySummary?: RegExp;
};

type ContentLine = { name: string; params: Map<string, string>; value: string; line: number };

type EventProps = {
  index: number;
  line: number;
  dtstart?: ContentLine;
  dtend?: ContentLine;
  duration?: ContentLine;
  summary?: string;
  rrule?: ContentLine;
  isCancelled: boolean;
  /** A line of the event could not be read; the error is reported already. */
  isBroken: boolean;
};

const NAME_RE = /^[A-Za-z0-9-]+/;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME_RE = /^\d{8}T\d{6}Z?$/;
const DURATION_RE = /^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Splits "NAME;PARAM=a;PARAM2="b:c":value"; undefined when the line is not a content line. */
function parseContentLine(text: string, line: number): ContentLine | undefined {
  const nameMatch = NAME_RE.exec(text);
  if (!nameMatch) return undefined;
  let i = nameMatch[0].length;
  const params = new Map<string, string>();
  while (text[i] === ';') {
    const eq = text.indexOf('=', i);
    if (eq < 0) return undefined;
    const paramName = text.slice(i + 1, eq).toUpperCase();
    i = eq + 1;
    let value = '';
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return undefined;
      value = text.slice(i + 1, close);
      i = close + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ';' && text[j] !== ':') j++;
      value = text.slice(i, j);
      i = j;
    }
    params.set(paramName, value);
  }
  if (text[i] !== ':') return undefined;
  return { name: nameMatch[0].toUpperCase(), params, value: text.slice(i + 1), line };
}

const unescapeText = (value: string): string =>
  value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

type DateValue = { kind: 'date'; day: number } | { kind: 'timed' } | { kind: 'bad' };

function readDate(prop: ContentLine): DateValue {
  const value = prop.value.trim();
  const type = prop.params.get('VALUE')?.toUpperCase();
  const m = DATE_RE.exec(value);
  if (m && type !== 'DATE-TIME') {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month < 1 || month > 12 || day < 1) return { kind: 'bad' };
    const n = dayNumberOf(year, month, day);
    const back = civilDateOf(n);
    return back.month === month && back.day === day ? { kind: 'date', day: n } : { kind: 'bad' };
  }
  if (DATE_TIME_RE.test(value) && type !== 'DATE') return { kind: 'timed' };
  return { kind: 'bad' };
}

/**
 * Reads holidays from iCal text: every VEVENT with an all-day DTSTART (VALUE=DATE, "20261001")
 * becomes a holiday named by its SUMMARY, lasting until the day before DTEND (exclusive, as
 * RFC 5545 says), for DURATION whole days, or one day. DTEND equal to DTSTART is read as one day.
 * Properties and components it does not use are ignored; timed, cancelled and repeating events
 * are reported in `warnings`; malformed input is reported in `errors` with its line number.
 */
export function importICalHolidays(text: string, options: ICalImportOptions = {}): ICalImport {
  const result: ICalImport = { holidays: [], extraWorkingDays: [], warnings: [], errors: [] };
  const { errors, warnings } = result;

  // Unfold: a line starting with a space or tab continues the previous one.
  const lines: { text: string; line: number }[] = [];
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const previous = lines[lines.length - 1];
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && previous !== undefined)
      previous.text += raw.slice(1);
    else lines.push({ text: raw, line: i + 1 });
  });

  if (!lines.some((l) => l.text.trim().toUpperCase() === 'BEGIN:VCALENDAR'))
    return {
      ...result,
      errors: [
        fieldError('', 'not_ical', 'This is not iCal text: an iCal file starts with BEGIN:VCALENDAR.'),
      ],
    };

  const stack: { name: string; line: number }[] = [];
  let event: EventProps | undefined;
  let eventCount = 0;
  const holidayDays: { day: number; holiday: Holiday }[] = [];
  const workingDays: { day: number; extra: ExtraWorkingDay }[] = [];

  const finishEvent = (e: EventProps): void => {
    const at = `/events/${e.index}`;
    const label = e.summary ? `"${e.summary}"` : 'The event';
    if (e.isBroken) return;
    if (e.isCancelled) {
      warnings.push(
        fieldError(at, 'cancelled', `Line ${e.line}: ${label} is cancelled (STATUS:CANCELLED); skipped.`),
      );
      return;
    }
    if (e.dtstart === undefined) {
      errors.push(
        fieldError(
          `${at}/DTSTART`,
          'required',
          `Line ${e.line}: ${label} has no DTSTART; give its first day.`,
        ),
      );
      return;
    }
    const start = readDate(e.dtstart);
    if (start.kind === 'timed') {
      warnings.push(
        fieldError(
          `${at}/DTSTART`,
          'timed_event',
          `Line ${e.dtstart.line}: ${label} starts at a time of day (${e.dtstart.value}); only all-day events are holidays, so it was skipped.`,
        ),
      );
      return;
    }
    if (start.kind === 'bad') {
      errors.push(
        fieldError(
          `${at}/DTSTART`,
          'invalid_date',
          `Line ${e.dtstart.line}: DTSTART "${e.dtstart.value}" is not a date; write YYYYMMDD, e.g. DTSTART;VALUE=DATE:20261001.`,
        ),
      );
      return;
    }
    let days = 1;
    if (e.dtend !== undefined) {
      const end = readDate(e.dtend);
      if (end.kind !== 'date') {
        errors.push(
          fieldError(
            `${at}/DTEND`,
            'invalid_date',
            `Line ${e.dtend.line}: DTEND "${e.dtend.value}" must be a date YYYYMMDD like DTSTART, the day after the last day off.`,
          ),
        );
        return;
      }
      if (end.day < start.day) {
        errors.push(
          fieldError(
            `${at}/DTEND`,
            'end_before_start',
            `Line ${e.dtend.line}: DTEND ${e.dtend.value} is before DTSTART ${e.dtstart.value}; DTEND is the day after the last day off.`,
          ),
        );
        return;
      }
      days = Math.max(1, end.day - start.day);
    } else if (e.duration !== undefined) {
      const m = DURATION_RE.exec(e.duration.value.trim());
      const hasTime = m !== null && (Number(m[3] ?? 0) > 0 || Number(m[4] ?? 0) > 0 || Number(m[5] ?? 0) > 0);
      const whole = m === null ? 0 : Number(m[1] ?? 0) * 7 + Number(m[2] ?? 0);
      if (m === null || hasTime || whole < 1) {
        errors.push(
          fieldError(
            `${at}/DURATION`,
            'invalid_duration',
            `Line ${e.duration.line}: DURATION "${e.duration.value}" is not a whole number of days; write e.g. P1D or P7D.`,
          ),
        );
        return;
      }
      days = whole;
    }
    if (days > MAX_HOLIDAY_DAYS) {
      errors.push(
        fieldError(
          at,
          'too_long',
          `Line ${e.line}: ${label} lasts ${days} days; one holiday may last at most ${MAX_HOLIDAY_DAYS} days.`,
        ),
      );
      return;
    }
    if (e.rrule !== undefined)
      warnings.push(
        fieldError(
          `${at}/RRULE`,
          'recurrence_not_expanded',
          `Line ${e.rrule.line}: ${label} repeats (RRULE); only its first occurrence, ${formatIsoDate(start.day)}, was imported. Add other years as their own events.`,
        ),
      );
    const name = e.summary;
    if (name !== undefined && options.workingDaySummary?.test(name)) {
      for (let d = start.day; d < start.day + days; d++)
        workingDays.push({ day: d, extra: { date: formatIsoDate(d), name } });
      return;
    }
    const holiday: Holiday = { date: formatIsoDate(start.day) };
    if (days > 1) holiday.until = formatIsoDate(start.day + days - 1);
    if (name !== undefined) holiday.name = name;
    holidayDays.push({ day: start.day, holiday });
  };

  for (const { text: lineText, line } of lines) {
    if (lineText.trim() === '') continue;
    const prop = parseContentLine(lineText, line);
    if (prop === undefined) {
      const shown = lineText.length > 40 ? `${lineText.slice(0, 40)}…` : lineText;
      // A broken line inside an event may have been one of its dates: leave the event out.
      errors.push(
        fieldError(
          event === undefined ? '' : `/events/${event.index}`,
          'malformed_line',
          `Line ${line}: "${shown}" is not an iCal line; each line is NAME:value.${event === undefined ? '' : ' The event was not imported.'}`,
        ),
      );
      if (event !== undefined) event.isBroken = true;
      continue;
    }
    if (prop.name === 'BEGIN') {
      const component = prop.value.trim().toUpperCase();
      stack.push({ name: component, line });
      if (component === 'VEVENT' && stack.length >= 2 && stack[stack.length - 2]?.name === 'VCALENDAR')
        event = { index: eventCount++, line, isCancelled: false, isBroken: false };
      continue;
    }
    if (prop.name === 'END') {
      const component = prop.value.trim().toUpperCase();
      const open = stack[stack.length - 1];
      if (open === undefined || open.name !== component) {
        errors.push(
          fieldError(
            '',
            'unmatched_end',
            open === undefined
              ? `Line ${line}: END:${component} has no matching BEGIN:${component}.`
              : `Line ${line}: END:${component} while BEGIN:${open.name} from line ${open.line} is still open.`,
          ),
        );
        // Recover when the component is open further down the stack; otherwise ignore the line.
        const at = stack.map((s) => s.name).lastIndexOf(component);
        if (at < 0) continue;
        if (stack.slice(at + 1).some((s) => s.name === 'VEVENT')) event = undefined;
        stack.length = at + 1;
      }
      stack.pop();
      if (component === 'VEVENT' && event !== undefined) {
        finishEvent(event);
        event = undefined;
      }
      continue;
    }
    // Properties of the event itself, not of components inside it (VALARM).
    if (event === undefined || stack[stack.length - 1]?.name !== 'VEVENT') continue;
    switch (prop.name) {
      case 'DTSTART':
        event.dtstart = prop;
        break;
      case 'DTEND':
        event.dtend = prop;
        break;
      case 'DURATION':
        event.duration = prop;
        break;
      case 'SUMMARY':
        event.summary = unescapeText(prop.value).trim();
        break;
      case 'RRULE':
        event.rrule = prop;
        break;
      case 'STATUS':
        event.isCancelled = prop.value.trim().toUpperCase() === 'CANCELLED';
        break;
    }
  }
  for (const open of stack)
    errors.push(
      fieldError(
        '',
        'unterminated',
        `Line ${open.line}: BEGIN:${open.name} has no END:${open.name}; the file may be cut off.${open.name === 'VEVENT' ? ' That event was not imported.' : ''}`,
      ),
    );

  holidayDays.sort((a, b) => a.day - b.day);
  workingDays.sort((a, b) => a.day - b.day);
  result.holidays = holidayDays.map((h) => h.holiday);
  result.extraWorkingDays = workingDays.map((w) => w.extra);
  return result;
}
