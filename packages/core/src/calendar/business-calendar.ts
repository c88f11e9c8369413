import { ValidationFailed } from '../field-error.ts';
import {
  type CalendarDefinition,
  checkCalendar,
  DEFAULT_MAKE_UP_WEEKDAY,
  parseTimeOfDay,
  type WorkInterval,
} from './calendar-definition.ts';
import { DAY_MS, parseIsoDate, weekdayOf } from './civil-date.ts';
import { type OffsetSegment, ZoneOffsets } from './zone-offset.ts';

/**
 * Business time arithmetic.
 *
 * Meaning: an instant is business time when the wall clock in the calendar's time zone shows a
 * date and time inside that date's hours (the date's extra-working-day hours, nothing on a
 * holiday, else its weekday's hours). Daylight-saving changes follow from that: on a
 * spring-forward night 00:00–06:00 is five real hours and an interval starting in the skipped
 * hour starts when the clock jumps; on a fall-back night the repeated hour counts twice.
 *
 * Method: the instants are split into blocks of 64 days. A block's business intervals are
 * computed once, with the zone's offsets from Intl, and stored with running totals; add and
 * between binary-search a block and step over whole blocks, so a week of holidays costs no more
 * than a lunch break. Blocks are built on first use and kept. Precision is the millisecond.
 */

const BLOCK_DAYS = 64;
const BLOCK_MS = BLOCK_DAYS * DAY_MS;
/** Largest |ms since epoch| a Date can hold. */
const MAX_INSTANT_MS = 8.64e15;
/** Give up after this many blocks in a row without business time (about ten years). */
const MAX_EMPTY_BLOCKS = 60;
const EMPTY: readonly number[] = [];

type Block = {
  /** Block i holds the instants [i * BLOCK_MS, (i + 1) * BLOCK_MS): startMs to endMs. */
  index: number;
  startMs: number;
  endMs: number;
  /** The block's business intervals [starts[i], ends[i]), sorted, disjoint, clipped to the block. */
  count: number;
  starts: Float64Array;
  ends: Float64Array;
  /** Business ms in the block before starts[i]. */
  cumBefore: Float64Array;
  /** Business ms in the block up to ends[i]. */
  cumEnd: Float64Array;
  total: number;
};

/** Flat [start, end, start, end, ...] seconds after local midnight, sorted. */
const flatten = (intervals: readonly WorkInterval[]): number[] =>
  intervals
    .map((i) => [parseTimeOfDay(i.start) ?? 0, parseTimeOfDay(i.end) ?? 0] as const)
    .sort((a, b) => a[0] - b[0])
    .flat();

/** A compiled calendar with its caches. Make one with createCalendar; use the functions below. */
export class BusinessCalendar {
  readonly definition: CalendarDefinition;
  readonly timeZone: string;
  /** True when every instant is business time (24x7, no holidays): plain elapsed time. */
  readonly isCalendarTime: boolean;
  private readonly zone: ZoneOffsets;
  private readonly weekly: (readonly number[])[];
  private readonly holidays = new Set<number>();
  private readonly extraDays = new Map<number, readonly number[]>();
  private readonly blocks = new Map<number, Block>();
  private lastBlock: Block | undefined;

  /** Expects a definition that checkCalendar accepts; createCalendar checks it first. */
  constructor(definition: CalendarDefinition) {
    this.definition = structuredClone(definition);
    this.timeZone = definition.timeZone;
    this.zone = new ZoneOffsets(definition.timeZone);
    this.weekly = definition.weeklyHours.map(flatten);
    for (const h of definition.holidays ?? []) {
      const first = parseIsoDate(h.date);
      const last = h.until === undefined ? first : parseIsoDate(h.until);
      if (first === undefined || last === undefined) continue;
      for (let d = first; d <= last; d++) this.holidays.add(d);
    }
    for (const extra of definition.extraWorkingDays ?? []) {
      const day = parseIsoDate(extra.date);
      if (day === undefined) continue;
      const hours = extra.hours
        ? flatten(extra.hours)
        : this.weekly[extra.likeWeekday ?? DEFAULT_MAKE_UP_WEEKDAY];
      this.extraDays.set(day, hours ?? EMPTY);
    }
    this.isCalendarTime =
      this.holidays.size === 0 &&
      this.extraDays.size === 0 &&
      this.weekly.length === 7 &&
      this.weekly.every((day) => day.length === 2 && day[0] === 0 && day[1] === 86_400);
  }

  /** Working hours of a local day, flat seconds. Extra working days win over holidays and the week. */
  scheduleOf(dayNumber: number): readonly number[] {
    const extra = this.extraDays.get(dayNumber);
    if (extra !== undefined) return extra;
    if (this.holidays.has(dayNumber)) return EMPTY;
    return this.weekly[weekdayOf(dayNumber)] ?? EMPTY;
  }

  /** Earliest t with business ms in [instant, t) == ms when ms > 0; latest t with [t, instant) == -ms when ms < 0. */
  addMs(instant: number, ms: number): number {
    if (ms === 0) return instant;
    if (this.isCalendarTime) return checkRange(instant + ms);
    let block = this.blockAt(instant);
    let target = this.cumAt(block, instant) + ms;
    let empty = 0;
    if (ms > 0) {
      while (target > block.total) {
        target -= block.total;
        block = this.block(block.index + 1);
        empty = block.total === 0 ? empty + 1 : 0;
        if (empty > MAX_EMPTY_BLOCKS) throw noBusinessTime(instant);
      }
      // Smallest i with cumEnd[i] >= target (exists: 0 < target <= total).
      const { cumEnd } = block;
      let lo = 0;
      let hi = block.count - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumEnd[mid]! >= target) hi = mid;
        else lo = mid + 1;
      }
      return block.starts[lo]! + (target - block.cumBefore[lo]!);
    }
    while (target < 0) {
      block = this.block(block.index - 1);
      target += block.total;
      empty = block.total === 0 ? empty + 1 : 0;
      if (empty > MAX_EMPTY_BLOCKS) throw noBusinessTime(instant);
    }
    // Largest i with cumBefore[i] <= target (exists: 0 <= target < total).
    const { cumBefore } = block;
    let lo = 0;
    let hi = block.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cumBefore[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    return block.starts[lo]! + (target - cumBefore[lo]!);
  }

  /** Business ms in [from, to); negative when to < from. */
  betweenMs(from: number, to: number): number {
    if (to < from) return -this.betweenMs(to, from);
    if (this.isCalendarTime) return to - from;
    const a = this.blockAt(from);
    const b = this.blockAt(to);
    if (a === b) return this.cumAt(b, to) - this.cumAt(a, from);
    let sum = a.total - this.cumAt(a, from) + this.cumAt(b, to);
    for (let k = a.index + 1; k < b.index; k++) sum += this.block(k).total;
    return sum;
  }

  isBusinessAt(instant: number): boolean {
    if (this.isCalendarTime) return true;
    const block = this.blockAt(instant);
    const i = lastStartAtOrBefore(block, instant);
    return i >= 0 && instant < block.ends[i]!;
  }

  /** The instant itself when it is business time, else the start of the next business interval. */
  nextBusinessMs(instant: number): number {
    if (this.isCalendarTime) return instant;
    let block = this.blockAt(instant);
    const i = lastStartAtOrBefore(block, instant);
    if (i >= 0 && instant < block.ends[i]!) return instant;
    if (i + 1 < block.count) return block.starts[i + 1]!;
    let empty = 0;
    for (;;) {
      block = this.block(block.index + 1);
      if (block.count > 0) return block.starts[0]!;
      if (++empty > MAX_EMPTY_BLOCKS) throw noBusinessTime(instant);
    }
  }

  /** Business ms in [block.startMs, instant), for an instant inside the block. */
  private cumAt(block: Block, instant: number): number {
    const i = lastStartAtOrBefore(block, instant);
    if (i < 0) return 0;
    const end = block.ends[i]!;
    return instant >= end ? block.cumEnd[i]! : block.cumBefore[i]! + (instant - block.starts[i]!);
  }

  private blockAt(instant: number): Block {
    const index = Math.floor(instant / BLOCK_MS);
    const last = this.lastBlock;
    if (last !== undefined && last.index === index) return last;
    const block = this.block(index);
    this.lastBlock = block;
    return block;
  }

  private block(index: number): Block {
    let block = this.blocks.get(index);
    if (block === undefined) {
      block = this.buildBlock(index);
      this.blocks.set(index, block);
    }
    return block;
  }

  private buildBlock(index: number): Block {
    const startMs = index * BLOCK_MS;
    const endMs = startMs + BLOCK_MS;
    if (startMs < -MAX_INSTANT_MS - BLOCK_MS || endMs > MAX_INSTANT_MS + BLOCK_MS)
      throw new RangeError('Business time reached the end of the range a Date can hold.');
    const firstDay = index * BLOCK_DAYS;
    // Instants of the block show wall dates from the day before to the day after (|offset| < 1 day).
    const segments = this.zone.segments((firstDay - 2) * DAY_MS, (firstDay + BLOCK_DAYS + 2) * DAY_MS);
    const pieces: number[] = [];
    for (let day = firstDay - 1; day <= firstDay + BLOCK_DAYS; day++)
      appendPiecesOfDay(this.scheduleOf(day), day, segments, pieces);
    let order = Array.from({ length: pieces.length / 2 }, (_, i) => 2 * i);
    // With one offset the pieces come out in order; across an offset change they may not.
    if (segments.length > 1) order = order.sort((x, y) => pieces[x]! - pieces[y]!);

    const starts: number[] = [];
    const ends: number[] = [];
    for (const i of order) {
      const start = Math.max(pieces[i]!, startMs);
      const end = Math.min(pieces[i + 1]!, endMs);
      if (end <= start) continue;
      const last = ends.length - 1;
      if (last >= 0 && start <= ends[last]!) ends[last] = Math.max(ends[last]!, end);
      else {
        starts.push(start);
        ends.push(end);
      }
    }
    const count = starts.length;
    const cumBefore = new Float64Array(count);
    const cumEnd = new Float64Array(count);
    let total = 0;
    for (let i = 0; i < count; i++) {
      cumBefore[i] = total;
      total += ends[i]! - starts[i]!;
      cumEnd[i] = total;
    }
    return {
      index,
      startMs,
      endMs,
      count,
      starts: Float64Array.from(starts),
      ends: Float64Array.from(ends),
      cumBefore,
      cumEnd,
      total,
    };
  }

  /** The offsets around a local day: the instants that can show its wall-clock times. */
  offsetsAroundDay(dayNumber: number): OffsetSegment[] {
    return this.zone.segments((dayNumber - 1) * DAY_MS, (dayNumber + 2) * DAY_MS);
  }
}

/**
 * Appends, as [start, end] pairs of instants, the instants whose wall-clock time falls inside
 * the day's hours: in each stretch of constant offset o, wall time w is the instant w - o.
 */
function appendPiecesOfDay(
  hours: readonly number[],
  day: number,
  segments: readonly OffsetSegment[],
  out: number[],
): void {
  const midnight = day * DAY_MS;
  for (let i = 0; i + 1 < hours.length; i += 2) {
    const wallStart = midnight + hours[i]! * 1000;
    const wallEnd = midnight + hours[i + 1]! * 1000;
    for (const segment of segments) {
      const start = Math.max(wallStart - segment.offset, segment.from);
      const end = Math.min(wallEnd - segment.offset, segment.to);
      if (end > start) out.push(start, end);
    }
  }
}

/** Index of the last interval starting at or before the instant, -1 when none. */
function lastStartAtOrBefore(block: Block, instant: number): number {
  const { starts } = block;
  let lo = 0;
  let hi = block.count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= instant) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const noBusinessTime = (instant: number): RangeError =>
  new RangeError(
    `The calendar has no business time for about ten years from ${new Date(instant).toISOString()}.`,
  );

function checkRange(ms: number): number {
  if (Math.abs(ms) > MAX_INSTANT_MS)
    throw new RangeError('The result lies outside the range a Date can hold.');
  return ms;
}

function msOf(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date passed to a business-calendar function.');
  return ms;
}

/**
 * Checks a calendar definition and compiles it for fast arithmetic.
 * Throws ValidationFailed (with the FieldErrors of checkCalendar) when it is not valid.
 * Keep the result and reuse it: its caches are what make the arithmetic fast.
 */
export function createCalendar(definition: CalendarDefinition): BusinessCalendar {
  const errors = checkCalendar(definition);
  if (errors.length > 0) throw new ValidationFailed(errors, `Invalid calendar: ${errors[0]?.message}`);
  return new BusinessCalendar(definition);
}

const ALL_DAY: WorkInterval[] = [{ start: '00:00', end: '24:00' }];

/** Calendar time: every instant counts (24x7, no holidays). For SLA targets counted in calendar time. */
export const calendarTime: BusinessCalendar = new BusinessCalendar({
  timeZone: 'UTC',
  weeklyHours: [ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY],
});

/**
 * The instant `seconds` of business time after `instant`: the earliest t such that the business
 * time in [instant, t) is `seconds`. A start outside business hours therefore counts from the
 * next business instant, and a result that falls exactly at the end of an interval (e.g. 12:00
 * before lunch) is that end, not the start of the next interval.
 * - seconds = 0 returns `instant` unchanged (use nextBusinessInstant to move to business time).
 * - seconds < 0 goes back: the latest t such that the business time in [t, instant) is -seconds.
 * Millisecond precision (seconds is rounded to whole ms). Throws RangeError for an Invalid Date,
 * a non-finite `seconds`, or when no business time exists for about ten years.
 */
export function addBusinessSeconds(calendar: BusinessCalendar, instant: Date, seconds: number): Date {
  if (!Number.isFinite(seconds)) throw new RangeError(`seconds must be a finite number, got ${seconds}.`);
  return new Date(calendar.addMs(msOf(instant), Math.round(seconds * 1000)));
}

/**
 * Business seconds in [from, to). Negative when to < from:
 * businessSecondsBetween(c, a, b) === -businessSecondsBetween(c, b, a).
 * Fractional when an instant has milliseconds.
 */
export function businessSecondsBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  // + 0 turns -0 (an empty reversed span) into 0.
  return calendar.betweenMs(msOf(from), msOf(to)) / 1000 + 0;
}

/** True when the instant is inside a business interval [start, end). */
export function isBusinessTime(calendar: BusinessCalendar, instant: Date): boolean {
  return calendar.isBusinessAt(msOf(instant));
}

/** The instant itself when it is business time, else the start of the next business interval. */
export function nextBusinessInstant(calendar: BusinessCalendar, instant: Date): Date {
  return new Date(calendar.nextBusinessMs(msOf(instant)));
}

/**
 * The business intervals of one local date ("YYYY-MM-DD") as instants, in order, as the
 * calendar's hours, holidays and extra working days make them. Shows how DST changes a day:
 * 00:00–06:00 on a spring-forward night is five hours long.
 */
export function businessIntervalsOn(calendar: BusinessCalendar, date: string): { start: Date; end: Date }[] {
  const day = parseIsoDate(date);
  if (day === undefined) throw new RangeError(`"${date}" is not a date "YYYY-MM-DD".`);
  const pieces: number[] = [];
  appendPiecesOfDay(calendar.scheduleOf(day), day, calendar.offsetsAroundDay(day), pieces);
  const result: { start: Date; end: Date }[] = [];
  const order = Array.from({ length: pieces.length / 2 }, (_, i) => 2 * i).sort(
    (x, y) => pieces[x]! - pieces[y]!,
  );
  for (const i of order) {
    const start = pieces[i]!;
    const end = pieces[i + 1]!;
    const last = result[result.length - 1];
    if (last !== undefined && start <= last.end.getTime())
      last.end = new Date(Math.max(end, last.end.getTime()));
    else result.push({ start: new Date(start), end: new Date(end) });
  }
  return result;
}
