import {
  fieldError,
  isStatusCategory,
  type Principal,
  type StatusCategory,
  ValidationFailed,
} from '@docket/core';
import { type EntityManager, isUniqueViolation, TicketStatus } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { diffOf, flushAudited, recordAdminChange } from '../audit/admin-audit.ts';
import { NotFoundError } from '../errors.ts';

/**
 * Named statuses ("Waiting for parts"), through the entity manager: each within one status
 * category, which is what lists and SLA clocks go by; an SLA policy may pause its clocks in
 * statuses it names. A name is a status's key and never changes; a status no longer wanted is
 * deactivated (tickets in it keep it).
 */
export type { TicketStatus };
/** The named status as other modules read it (name and category). */
export type TicketStatusRow = TicketStatus;

const MAX_NAME = 60;
const inOrder = { orderBy: { position: 'asc', id: 'asc' } } as const;

export function listTicketStatuses(
  em: EntityManager,
  principal: Principal | null,
  includeInactive: boolean,
): Promise<TicketStatus[]> {
  requireStaff(principal);
  return em.find(TicketStatus, includeInactive ? {} : { isActive: true }, inOrder);
}

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
  const count = await em.count(TicketStatus, {
    name: String(change.statusName),
    category: change.status as StatusCategory,
  });
  if (count === 0) change.statusName = null;
}

/** The active status of that name, or a field error at `path` naming the choices. */
export async function activeStatus(em: EntityManager, name: string, path: string): Promise<TicketStatus> {
  const status = await em.findOne(TicketStatus, { name, isActive: true });
  if (status) return status;
  const names = (await em.find(TicketStatus, { isActive: true }, inOrder)).map((s) => `"${s.name}"`);
  throw new ValidationFailed([
    fieldError(
      path,
      'not_found',
      `There is no active status named "${name}"; ${names.length ? `the statuses are ${names.join(', ')}` : 'no named statuses are defined'}.`,
    ),
  ]);
}

const nameTaken = (name: string) =>
  new ValidationFailed(
    [fieldError('/name', 'taken', `A status named "${name}" exists already; pick another name.`)],
    'The status was not saved: fix the fields listed.',
  );

/** Adds a named status; without a position it goes last (10 after the highest). */
export async function createTicketStatus(
  em: EntityManager,
  principal: Principal | null,
  input: { name: string; category: StatusCategory; position?: number | null },
): Promise<TicketStatus> {
  requireStaff(principal, 'template.manage');
  const name = (input.name ?? '').trim();
  const errors = [];
  if (!name) errors.push(fieldError('/name', 'required', 'A status needs a name.'));
  else if (name.length > MAX_NAME)
    errors.push(fieldError('/name', 'too_long', `A status name may have at most ${MAX_NAME} characters.`));
  if (!isStatusCategory(input.category))
    errors.push(fieldError('/category', 'invalid', `"${input.category}" is not a status category.`));
  if (errors.length) throw new ValidationFailed(errors, 'The status was not saved: fix the fields listed.');
  if (await em.findOne(TicketStatus, { name })) throw nameTaken(name);
  const [last] = await em.find(TicketStatus, {}, { orderBy: { position: 'desc' }, limit: 1 });
  const status = em.create(TicketStatus, {
    name,
    category: input.category,
    position: input.position ?? (last?.position ?? 0) + 10,
  });
  try {
    await flushAudited(em, principal, () => ({
      action: 'create',
      entityType: 'ticket_status',
      entityId: status.id,
      entityName: status.name,
      diff: diffOf({}, { category: status.category, position: status.position }),
    }));
  } catch (e) {
    // Another admin created the same name a moment ago.
    if (isUniqueViolation(e, 'ticket_status_name_key')) {
      em.clear();
      throw nameTaken(name);
    }
    throw e;
  }
  return status;
}

/** Moves or (de)activates a status. */
export async function updateTicketStatus(
  em: EntityManager,
  principal: Principal | null,
  input: { id: number | string; position?: number | null; isActive?: boolean | null },
): Promise<TicketStatus> {
  requireStaff(principal, 'template.manage');
  const status = /^[0-9]{1,9}$/.test(String(input.id))
    ? await em.findOne(TicketStatus, Number(input.id))
    : null;
  if (!status) throw new NotFoundError(`Status ${input.id}`, '/id');
  const before = { position: status.position, isActive: status.isActive };
  if (input.position != null) status.position = input.position;
  if (input.isActive != null) status.isActive = input.isActive;
  status.updatedAt = new Date();
  const diff = diffOf(before, { position: status.position, isActive: status.isActive });
  if (diff)
    recordAdminChange(em, principal, {
      action: 'update',
      entityType: 'ticket_status',
      entityId: status.id,
      entityName: status.name,
      diff,
    });
  await em.flush();
  return status;
}
