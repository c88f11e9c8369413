import type { CalendarDefinition } from '@docket/core';

/**
 * The calendar editor's edits as pure functions over a calendar definition: what a day of the
 * year view is, and what a click on it makes of it. Dates are civil dates, "YYYY-MM-DD".
 */

export type DayKind = 'working' | 'off' | 'holiday' | 'makeUp';

const pad = (n: number) => String(n).padStart(2, '0');
export const isoDate = (year: number, month: number, day: number): string =>
  `${year}-${pad(month + 1)}-${pad(day)}`;

/** 0 = Sunday ... 6 = Saturday. */
export const weekdayOf = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The days of a month (month 0 = January). */
export function monthDates(year: number, month: number): string[] {
  const count = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => isoDate(year, month, i + 1));
}

const inHoliday = (h: { date: string; until?: string }, date: string) =>
  date >= h.date && date <= (h.until ?? h.date);

export function dayKindOf(definition: CalendarDefinition, date: string): DayKind {
  if ((definition.holidays ?? []).some((h) => inHoliday(h, date))) return 'holiday';
  if ((definition.extraWorkingDays ?? []).some((d) => d.date === date)) return 'makeUp';
  return (definition.weeklyHours[weekdayOf(date)] ?? []).length > 0 ? 'working' : 'off';
}

/**
 * A click on a day: a holiday is removed (the whole entry, when it spans days), a make-up day is
 * removed, a working day becomes a holiday, a day off becomes a make-up working day.
 */
export function toggleDay(definition: CalendarDefinition, date: string): CalendarDefinition {
  const kind = dayKindOf(definition, date);
  const holidays = definition.holidays ?? [];
  const extra = definition.extraWorkingDays ?? [];
  const byDate = <T extends { date: string }>(list: T[]) =>
    [...list].sort((a, b) => a.date.localeCompare(b.date));
  switch (kind) {
    case 'holiday':
      return { ...definition, holidays: holidays.filter((h) => !inHoliday(h, date)) };
    case 'makeUp':
      return { ...definition, extraWorkingDays: extra.filter((d) => d.date !== date) };
    case 'working':
      return { ...definition, holidays: byDate([...holidays, { date }]) };
    case 'off':
      return { ...definition, extraWorkingDays: byDate([...extra, { date }]) };
  }
}

/** Renames a holiday or make-up day (an empty name removes the name). */
export function nameDay(
  definition: CalendarDefinition,
  list: 'holidays' | 'extraWorkingDays',
  date: string,
  name: string,
): CalendarDefinition {
  const rename = <T extends { date: string; name?: string }>(items: T[]): T[] =>
    items.map((d) => {
      if (d.date !== date) return d;
      const { name: _old, ...rest } = d;
      return (name.trim() ? { ...rest, name: name.trim() } : rest) as T;
    });
  return list === 'holidays'
    ? { ...definition, holidays: rename(definition.holidays ?? []) }
    : { ...definition, extraWorkingDays: rename(definition.extraWorkingDays ?? []) };
}

/** A calendar's wall-clock date of an instant ("YYYY-MM-DD" in its time zone). */
export function dateInZone(instant: string | Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
  return parts;
}
