import { DAY_MS, dayNumberOf } from './civil-date.ts';

/** True when the runtime knows the IANA time zone (e.g. "Europe/Berlin"). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * UTC offsets of one IANA time zone, read from Intl.DateTimeFormat.
 *
 * "Local ms" below means wall-clock time written as milliseconds since 1970-01-01T00:00 on the
 * zone's own clock (as if that clock were UTC). local = instant + offset.
 */
export class ZoneOffsets {
  readonly timeZone: string;
  private readonly format: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset in ms of the zone's wall clock from UTC at an instant (e.g. +3,600,000 for CET). */
  offsetAt(instantMs: number): number {
    const wholeSecond = Math.floor(instantMs / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let isBeforeCommonEra = false;
    for (const part of this.format.formatToParts(wholeSecond)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value) % 24;
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          isBeforeCommonEra = part.value === 'BC' || part.value === 'B';
          break;
      }
    }
    if (isBeforeCommonEra) year = 1 - year;
    const local = dayNumberOf(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000;
    return local - wholeSecond;
  }

  /**
   * The offsets in force over the instants [from, to), as consecutive segments, each change
   * found to the second. The offset is sampled every `step` ms; at most one change is assumed
   * between two samples (a day apart by default, true of every zone in the IANA database).
   */
  segments(from: number, to: number, step = DAY_MS): OffsetSegment[] {
    const result: OffsetSegment[] = [];
    let segmentStart = from;
    let offset = this.offsetAt(from);
    for (let at = from; at < to; ) {
      const next = Math.min(at + step, to);
      const nextOffset = this.offsetAt(next);
      if (nextOffset !== offset) {
        const change = this.changeBetween(at, next, nextOffset);
        result.push({ from: segmentStart, to: change, offset });
        segmentStart = change;
        offset = nextOffset;
      }
      at = next;
    }
    result.push({ from: segmentStart, to, offset });
    return result;
  }

  /** First whole second in (low, high] whose offset is `offsetAfter`, given it holds at high. */
  private changeBetween(low: number, high: number, offsetAfter: number): number {
    let lo = Math.floor(low / 1000);
    let hi = Math.ceil(high / 1000);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid * 1000) === offsetAfter) hi = mid;
      else lo = mid;
    }
    return Math.max(hi * 1000, low);
  }
}

/** A stretch of instants [from, to) in which a zone's offset does not change. */
export type OffsetSegment = { from: number; to: number; offset: number };
