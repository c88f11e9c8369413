import { type FieldError, fieldError } from '../field-error.ts';

/**
 * Ticket number patterns such as `RT-{yyyyMMdd}-{seq:6}`.
 * Tokens: a date made of yyyy, yy, MM, dd, HH, mm (e.g. {yyyyMMdd}, {yyyy}, {MM}); {seq} or
 * {seq:N} (the template's counter, zero-padded to at least N digits; exactly one is required).
 * Text outside braces is kept as it is. The counter never repeats and never resets, so a number
 * is unique for the template's whole life; a create that rolls back leaves a gap.
 */
export type NumberPatternPart =
  | { kind: 'text'; text: string }
  | { kind: 'date'; format: string }
  | { kind: 'seq'; width: number };

const DATE_TOKEN = /^(yyyy|yy|MM|dd|HH|mm)+$/;

export function parseNumberPattern(
  pattern: string,
  path = '/numberPattern',
): NumberPatternPart[] | FieldError {
  if (typeof pattern !== 'string' || pattern.length === 0)
    return fieldError(path, 'required', 'A number pattern is required, e.g. "RT-{yyyyMMdd}-{seq:6}".');
  if (pattern.length > 64)
    return fieldError(path, 'too_long', 'A number pattern may have at most 64 characters.');
  const parts: NumberPatternPart[] = [];
  let seqCount = 0;
  const re = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
  for (const m of pattern.matchAll(re)) {
    if (m[3]) return fieldError(path, 'unbalanced_brace', `Unbalanced "${m[3]}" in "${pattern}".`);
    if (m[2]) {
      parts.push({ kind: 'text', text: m[2] });
      continue;
    }
    const token = m[1] ?? '';
    const seq = /^seq(?::(\d{1,2}))?$/.exec(token);
    if (seq) {
      const width = seq[1] ? Number(seq[1]) : 1;
      if (width < 1 || width > 12) return fieldError(path, 'bad_width', '{seq:N} needs N between 1 and 12.');
      parts.push({ kind: 'seq', width });
      seqCount++;
    } else if (DATE_TOKEN.test(token)) parts.push({ kind: 'date', format: token });
    else
      return fieldError(
        path,
        'unknown_token',
        `Unknown token {${token}}. Use {seq} or {seq:N} for the counter and yyyy, yy, MM, dd, HH, mm for dates.`,
      );
  }
  if (seqCount !== 1)
    return fieldError(path, 'seq_required', 'The pattern needs exactly one {seq} or {seq:N} counter token.');
  return parts;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

const lastFields = new Map<string, { minute: number; fields: Record<string, string> }>();

/** Date parts of an instant in a time zone (yyyy, MM, dd, HH, mm), remembered for the current minute. */
function dateFields(at: Date, timeZone: string): Record<string, string> {
  const minute = Math.floor(at.getTime() / 60_000);
  const last = lastFields.get(timeZone);
  if (last?.minute === minute) return last.fields;
  const fields = computeDateFields(at, timeZone);
  lastFields.set(timeZone, { minute, fields });
  return fields;
}

function computeDateFields(at: Date, timeZone: string): Record<string, string> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(at)) out[p.type] = p.value;
  return out;
}

function formatDate(format: string, d: Record<string, string>): string {
  return format.replace(/yyyy|yy|MM|dd|HH|mm/g, (t) => {
    switch (t) {
      case 'yyyy':
        return d.year ?? '';
      case 'yy':
        return (d.year ?? '').slice(-2);
      case 'MM':
        return d.month ?? '';
      case 'dd':
        return d.day ?? '';
      case 'HH':
        return d.hour ?? '';
      default:
        return d.minute ?? '';
    }
  });
}

/**
 * Splits a pattern at its counter for an instant: the text before and after {seq}, and its width.
 * The database fills the counter in, so numbering costs no extra round trip.
 */
export function numberAround(
  parts: NumberPatternPart[],
  at: Date,
  timeZone: string,
): { prefix: string; width: number; suffix: string } {
  const d = dateFields(at, timeZone);
  let prefix = '';
  let suffix = '';
  let width = 1;
  let afterSeq = false;
  for (const p of parts) {
    const text = p.kind === 'text' ? p.text : p.kind === 'date' ? formatDate(p.format, d) : '';
    if (p.kind === 'seq') {
      width = p.width;
      afterSeq = true;
    } else if (afterSeq) suffix += text;
    else prefix += text;
  }
  return { prefix, width, suffix };
}

export function formatTicketNumber(
  parts: NumberPatternPart[],
  seq: number,
  at: Date,
  timeZone: string,
): string {
  const { prefix, width, suffix } = numberAround(parts, at, timeZone);
  return prefix + String(seq).padStart(width, '0') + suffix;
}
