import {
  addBusinessSeconds,
  type CalendarDefinition,
  checkCalendar,
  createCalendar,
  type FieldError,
  fieldError,
  importICalHolidays,
  MAX_SLA_SECONDS,
  type Principal,
  type SlaTimeUnit,
  slaTargetSeconds,
  ValidationFailed,
} from '@docket/core';
import { BusinessCalendar, type EntityManager, isUniqueViolation, LockMode } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { diffOf, flushAudited, recordAdminChange } from '../audit/admin-audit.ts';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';

/**
 * Business calendars through the entity manager: validated with the core's checkCalendar;
 * holidays can come from an iCal feed. A change clears the SLA catalog, which caches them.
 */
const KEY_RE = /^[a-z][a-z0-9-]{1,62}$/;
const MAX_NAME = 200;

const under = (prefix: string, errors: FieldError[]): FieldError[] =>
  errors.map((e) => ({ ...e, path: `${prefix}${e.path}` }));

function checkName(name: string | null | undefined, errors: FieldError[]): void {
  const trimmed = name?.trim() ?? '';
  if (!trimmed)
    errors.push(fieldError('/name', 'required', 'Give the calendar a name, e.g. "Shanghai office".'));
  else if (trimmed.length > MAX_NAME)
    errors.push(fieldError('/name', 'too_long', `The name may have at most ${MAX_NAME} characters.`));
}

export async function listBusinessCalendars(
  em: EntityManager,
  principal: Principal | null,
): Promise<BusinessCalendar[]> {
  requireStaff(principal);
  return em.find(BusinessCalendar, {}, { orderBy: { key: 'asc' } });
}

const keyTaken = (key: string) =>
  new ValidationFailed([
    fieldError('/key', 'taken', `A calendar with key "${key}" exists already; pick another key.`),
  ]);

export async function createBusinessCalendar(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  input: { key: string; name: string; definition: unknown },
): Promise<BusinessCalendar> {
  requireStaff(principal, 'sla.manage');
  const errors: FieldError[] = [];
  if (!KEY_RE.test(input.key))
    errors.push(
      fieldError(
        '/key',
        'invalid',
        'A calendar key is 2 to 63 lowercase letters, digits and dashes, starting with a letter, e.g. "shanghai-office".',
      ),
    );
  checkName(input.name, errors);
  errors.push(...under('/definition', checkCalendar(input.definition)));
  if (errors.length) throw new ValidationFailed(errors, 'The calendar was not saved: fix the fields listed.');
  const calendar = em.create(BusinessCalendar, {
    key: input.key,
    name: input.name.trim(),
    definition: input.definition as CalendarDefinition,
  });
  try {
    await flushAudited(em, principal, () => ({
      action: 'create',
      entityType: 'calendar',
      entityId: calendar.id,
      entityName: calendar.name,
      diff: diffOf({}, { key: calendar.key, definition: calendar.definition }),
    }));
  } catch (e) {
    // The unique key is the one check: a read before the insert could race another create.
    if (isUniqueViolation(e, 'business_calendar_key_key')) {
      em.clear();
      throw keyTaken(input.key);
    }
    throw e;
  }
  services.sla.catalog.invalidate();
  return calendar;
}

/** The calendar, locked until the transaction ends (an import reads, merges and writes its days). */
async function lockCalendar(tx: EntityManager, id: string | number): Promise<BusinessCalendar> {
  const calendar = /^\d{1,9}$/.test(String(id))
    ? await tx.findOne(BusinessCalendar, Number(id), { lockMode: LockMode.PESSIMISTIC_WRITE })
    : null;
  if (!calendar) throw new NotFoundError(`Business calendar ${id}`, '/id');
  return calendar;
}

/** Renames a calendar or replaces its definition (clocks counting in it recount at their next change). */
export async function updateBusinessCalendar(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  input: { id: string | number; name?: string | null; definition?: unknown },
): Promise<BusinessCalendar> {
  requireStaff(principal, 'sla.manage');
  const calendar = await em.transactional(async (tx) => {
    const calendar = await lockCalendar(tx, input.id);
    const errors: FieldError[] = [];
    if (input.name !== undefined) checkName(input.name, errors);
    if (input.definition != null) errors.push(...under('/definition', checkCalendar(input.definition)));
    if (errors.length)
      throw new ValidationFailed(errors, 'The calendar was not saved: fix the fields listed.');
    const before = { name: calendar.name, definition: calendar.definition };
    calendar.name = input.name?.trim() || calendar.name;
    if (input.definition != null) calendar.definition = input.definition as CalendarDefinition;
    calendar.updatedAt = new Date();
    const diff = diffOf(before, { name: calendar.name, definition: calendar.definition });
    if (diff)
      recordAdminChange(tx, principal, {
        action: 'update',
        entityType: 'calendar',
        entityId: calendar.id,
        entityName: calendar.name,
        diff,
      });
    return calendar;
  });
  services.sla.catalog.invalidate();
  return calendar;
}

export type HolidayImport = {
  calendar: BusinessCalendar;
  holidaysAdded: number;
  extraWorkingDaysAdded: number;
  warnings: FieldError[];
};

/**
 * Adds the all-day events of an iCal (.ics) text to a calendar as holidays (or, for events whose
 * summary matches `workingDaySummary`, as make-up working days). Days the calendar lists already
 * are kept as they are; `replace` drops the calendar's holidays and extra days first. A malformed
 * file imports nothing: every problem comes back with its pointer (/ics/events/3/DTSTART).
 */
export async function importCalendarHolidays(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  input: { id: string | number; ics: string; workingDaySummary?: string | null; replace?: boolean | null },
): Promise<HolidayImport> {
  requireStaff(principal, 'sla.manage');
  let pattern: RegExp | undefined;
  if (input.workingDaySummary) {
    try {
      pattern = new RegExp(input.workingDaySummary, 'i');
    } catch (e) {
      throw new ValidationFailed([
        fieldError(
          '/workingDaySummary',
          'invalid',
          `This is not a regular expression (${(e as Error).message}); e.g. "补班|上班|working day".`,
        ),
      ]);
    }
  }
  const imported = importICalHolidays(input.ics, pattern ? { workingDaySummary: pattern } : {});
  if (imported.errors.length)
    throw new ValidationFailed(
      under('/ics', imported.errors),
      'Nothing was imported: fix the iCal entries listed.',
    );
  const result = await em.transactional(async (tx) => {
    const calendar = await lockCalendar(tx, input.id);
    const base: CalendarDefinition = calendar.definition;
    const holidays = input.replace ? [] : [...(base.holidays ?? [])];
    const extra = input.replace ? [] : [...(base.extraWorkingDays ?? [])];
    const holidayDates = new Set(holidays.map((h) => h.date));
    const extraDates = new Set(extra.map((d) => d.date));
    let holidaysAdded = 0;
    let extraWorkingDaysAdded = 0;
    for (const h of imported.holidays)
      if (!holidayDates.has(h.date)) {
        holidays.push(h);
        holidayDates.add(h.date);
        holidaysAdded++;
      }
    for (const d of imported.extraWorkingDays)
      if (!extraDates.has(d.date)) {
        extra.push(d);
        extraDates.add(d.date);
        extraWorkingDaysAdded++;
      }
    const definition: CalendarDefinition = {
      ...base,
      holidays: holidays.sort((a, b) => a.date.localeCompare(b.date)),
      extraWorkingDays: extra.sort((a, b) => a.date.localeCompare(b.date)),
    };
    const problems = checkCalendar(definition);
    if (problems.length)
      throw new ValidationFailed(
        under('/definition', problems),
        'Nothing was imported: the imported days conflict with the calendar (see the fields listed).',
      );
    recordAdminChange(tx, principal, {
      action: 'update',
      entityType: 'calendar',
      entityId: calendar.id,
      entityName: calendar.name,
      diff: diffOf({ definition: calendar.definition }, { definition }),
    });
    calendar.definition = definition;
    calendar.updatedAt = new Date();
    return { calendar, holidaysAdded, extraWorkingDaysAdded, warnings: under('/ics', imported.warnings) };
  });
  services.sla.catalog.invalidate();
  return result;
}

export type DuePreview = { from: Date; dueAt: Date; targetSeconds: number };

/**
 * When a target would fall due for a ticket created at `from` (now when absent), counted in a
 * calendar definition as the editor has it (saved or not): the week editor's live preview.
 */
export function calendarDuePreview(
  principal: Principal | null,
  input: { definition: unknown; amount: number; unit: SlaTimeUnit; from: Date },
): DuePreview {
  requireStaff(principal);
  const errors = under('/definition', checkCalendar(input.definition));
  const targetSeconds = slaTargetSeconds({ amount: input.amount, unit: input.unit, time: 'business' });
  if (!(input.amount > 0) || targetSeconds > MAX_SLA_SECONDS)
    errors.push(
      fieldError('/amount', 'out_of_range', 'The target must be more than zero and at most a year.'),
    );
  if (errors.length) throw new ValidationFailed(errors, 'No preview: fix the fields listed.');
  const calendar = createCalendar(input.definition as CalendarDefinition);
  return { from: input.from, dueAt: addBusinessSeconds(calendar, input.from, targetSeconds), targetSeconds };
}
