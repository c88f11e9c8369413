import {
  fieldError,
  isStatusCategory,
  type Principal,
  type StatusCategory,
  ValidationFailed,
} from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';

/**
 * Named statuses ("Waiting for parts"): each within one status category, which is what lists and
 * SLA clocks go by; an SLA policy may pause its clocks in statuses it names. A name is a status's
 * key and never changes; a status no longer wanted is deactivated (tickets in it keep it).
 */
export type TicketStatusRow = {
  id: number;
  name: string;
  category: StatusCategory;
  position: number;
  is_active: boolean;
};

const COLUMNS = 'id, name, category, position, is_active';
const MAX_NAME = 60;

export function listTicketStatuses(em: EntityManager, principal: Principal | null, includeInactive: boolean) {
  requireStaff(principal);
  return query<TicketStatusRow>(
    em,
    `select ${COLUMNS} from ticket_status ${includeInactive ? '' : 'where is_active'} order by position, id`,
  );
}

/** The active status of that name, or a field error at `path` naming the choices. */
/**
 * A workflow's patch of a ticket keeps its named status only when that status is stored within
 * the patch's category; otherwise (a version published before end statuses were checked) the
 * ticket takes the category alone.
 */
export async function keepStoredStatusName(
  em: EntityManager,
  change: { status?: unknown; statusName?: unknown },
): Promise<void> {
  if (!change.statusName) return;
  const row = await queryOne(em, 'select 1 from ticket_status where name = ? and category = ?', [
    change.statusName,
    change.status,
  ]);
  if (!row) change.statusName = null;
}

export async function activeStatus(em: EntityManager, name: string, path: string): Promise<TicketStatusRow> {
  const row = await queryOne<TicketStatusRow>(
    em,
    `select ${COLUMNS} from ticket_status where name = ? and is_active`,
    [name],
  );
  if (row) return row;
  const names = (
    await query<{ name: string }>(em, 'select name from ticket_status where is_active order by position, id')
  ).map((r) => `"${r.name}"`);
  throw new ValidationFailed([
    fieldError(
      path,
      'not_found',
      `There is no active status named "${name}"; ${names.length ? `the statuses are ${names.join(', ')}` : 'no named statuses are defined'}.`,
    ),
  ]);
}

export async function createTicketStatus(
  em: EntityManager,
  principal: Principal | null,
  input: { name: string; category: StatusCategory; position?: number | null },
): Promise<TicketStatusRow> {
  requireStaff(principal, 'template.manage');
  const name = (input.name ?? '').trim();
  const errors = [];
  if (!name) errors.push(fieldError('/name', 'required', 'A status needs a name.'));
  else if (name.length > MAX_NAME)
    errors.push(fieldError('/name', 'too_long', `A status name may have at most ${MAX_NAME} characters.`));
  if (!isStatusCategory(input.category))
    errors.push(fieldError('/category', 'invalid', `"${input.category}" is not a status category.`));
  if (errors.length === 0 && (await queryOne(em, 'select 1 from ticket_status where name = ?', [name])))
    errors.push(fieldError('/name', 'taken', `A status named "${name}" exists already; pick another name.`));
  if (errors.length) throw new ValidationFailed(errors, 'The status was not saved: fix the fields listed.');
  try {
    return (await queryOne<TicketStatusRow>(
      em,
      `insert into ticket_status (name, category, position) values (?, ?, coalesce(?::int, (select coalesce(max(position), 0) + 10 from ticket_status)))
       returning ${COLUMNS}`,
      [name, input.category, input.position ?? null],
    ))!;
  } catch (e) {
    // Another admin created the same name a moment ago.
    if ((e as { constraint?: string }).constraint === 'ticket_status_name_key')
      throw new ValidationFailed(
        [fieldError('/name', 'taken', `A status named "${name}" exists already; pick another name.`)],
        'The status was not saved: fix the fields listed.',
      );
    throw e;
  }
}

export async function updateTicketStatus(
  em: EntityManager,
  principal: Principal | null,
  input: { id: number | string; position?: number | null; isActive?: boolean | null },
): Promise<TicketStatusRow> {
  requireStaff(principal, 'template.manage');
  if (!/^[0-9]{1,9}$/.test(String(input.id))) throw new NotFoundError(`Status ${input.id}`, '/id');
  const row = await queryOne<TicketStatusRow>(
    em,
    `update ticket_status set position = coalesce(?::int, position), is_active = coalesce(?::boolean, is_active), updated_at = now()
      where id = ?::int returning ${COLUMNS}`,
    [input.position ?? null, input.isActive ?? null, input.id],
  );
  if (!row) throw new NotFoundError(`Status ${input.id}`, '/id');
  return row;
}
