import {
  type Channel,
  type FieldError,
  fieldError,
  type Principal,
  type Priority,
  type StatusCategory,
  type TemplateContent,
  ValidationFailed,
  validateFormData,
} from '@docket/core';
import { type EntityManager, queryOne } from '@docket/db';
import { requirePostMessage, requireStaff } from '../access/policy.ts';
import { findVisibleTicket } from './ticket-repository.ts';
import type { TicketRow } from './ticket-row.ts';
import { activeStatus, type TicketStatusRow } from './ticket-statuses.ts';
import { actorOf, type TicketFields, type TicketStore } from './ticket-store.ts';

/** What changing a ticket needs from the app's services. */
export type ChangeTicketDeps = { tickets: TicketStore };

export type UpdateTicketInput = {
  id: number | string;
  title?: string | null;
  description?: string | null;
  priority?: Priority | null;
  status?: StatusCategory | null;
  /** A named status (its category comes with it); '' clears the name. */
  statusName?: string | null;
  formData?: unknown;
};

/**
 * Changes a ticket's fields. Form data is checked against the template version the ticket is
 * pinned to. The SLA clocks hear a status or priority change in the same transaction.
 */
export async function updateTicket(
  deps: ChangeTicketDeps,
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: UpdateTicketInput,
): Promise<TicketRow> {
  const staff = requireStaff(principal, 'ticket.update');
  return em.transactional(async (tx) => {
    const t = await findVisibleTicket(tx, staff, { id: input.id }, { forUpdate: true });
    const errors: FieldError[] = [];
    const title = input.title?.trim();
    if (input.title != null && !title)
      errors.push(fieldError('/title', 'required', 'A ticket needs a title.'));
    if (title && title.length > 200)
      errors.push(fieldError('/title', 'too_long', 'The title may have at most 200 characters.'));
    if (input.formData != null) {
      const version = await queryOne<{ content: TemplateContent }>(
        tx,
        'select content from ticket_template_version where id = ?',
        [t.template_version_id],
      );
      errors.push(...validateFormData(version!.content.formSchema, input.formData, '/formData'));
    }
    let named: TicketStatusRow | null | undefined;
    if (input.statusName) {
      named = await activeStatus(tx, input.statusName.trim(), '/statusName');
      if (input.status != null && input.status !== named.category)
        errors.push(
          fieldError(
            '/status',
            'mismatch',
            `The status "${named.name}" belongs to ${named.category}, not ${input.status}: give one of them or both matching.`,
          ),
        );
    } else if (input.statusName === '') named = null;
    if (errors.length)
      throw new ValidationFailed(errors, 'The ticket was not changed: fix the fields listed.');

    const status = named ? named.category : (input.status ?? t.status);
    // A name stays while its category does; another category without a name drops it.
    const statusName =
      named !== undefined ? (named?.name ?? null) : status === t.status ? t.status_name : null;
    const fields: TicketFields = { status, statusName };
    if (title !== undefined) fields.title = title;
    if (input.description != null) fields.description = input.description;
    if (input.priority != null) fields.priority = input.priority;
    if (input.formData != null) fields.formData = input.formData;
    const { row } = await deps.tickets.change(tx, t.id, {
      fields,
      entry: { kind: 'updated', isPublic: true },
      actor: actorOf(staff, channel),
      origin: 'ticket',
      before: t,
    });
    return row;
  });
}

export type AssignTicketInput = {
  id: number | string;
  assigneeId?: number | null;
  teamId?: number | null;
  orgUnitId?: number | null;
};

/** Sets (or, with an explicit null, clears) a ticket's assignee, team and org unit. */
export async function assignTicket(
  deps: ChangeTicketDeps,
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: AssignTicketInput,
): Promise<TicketRow> {
  const staff = requireStaff(principal, 'ticket.assign');
  return em.transactional(async (tx) => {
    const t = await findVisibleTicket(tx, staff, { id: input.id }, { forUpdate: true });
    const errors: FieldError[] = [];
    if (
      input.assigneeId != null &&
      !(await queryOne(tx, 'select 1 from app_user where id = ? and is_active', [input.assigneeId]))
    )
      errors.push(
        fieldError('/assigneeId', 'not_found', `User ${input.assigneeId} does not exist or is deactivated.`),
      );
    if (input.teamId != null && !(await queryOne(tx, 'select 1 from team where id = ?', [input.teamId])))
      errors.push(fieldError('/teamId', 'not_found', `Team ${input.teamId} does not exist.`));
    if (
      input.orgUnitId != null &&
      !(await queryOne(tx, 'select 1 from org_unit where id = ?', [input.orgUnitId]))
    )
      errors.push(fieldError('/orgUnitId', 'not_found', `Org unit ${input.orgUnitId} does not exist.`));
    if (errors.length)
      throw new ValidationFailed(errors, 'The ticket was not reassigned: fix the fields listed.');
    const fields: TicketFields = {};
    if (input.assigneeId !== undefined) fields.assigneeId = input.assigneeId;
    if (input.teamId !== undefined) fields.teamId = input.teamId;
    if (input.orgUnitId !== undefined) fields.orgUnitId = input.orgUnitId;
    // A first assignee opens a new ticket.
    if (t.status === 'new' && input.assigneeId != null && input.assigneeId !== t.assignee_id)
      fields.status = 'open';
    const { row } = await deps.tickets.change(tx, t.id, {
      fields,
      entry: { kind: 'assigned', isPublic: true },
      actor: actorOf(staff, channel),
      origin: 'ticket',
      before: t,
    });
    return row;
  });
}

const MAX_BODY = 50_000;

/**
 * A public reply (staff or the ticket's customer) or an internal note (staff only). An agent's
 * first reply opens a new ticket; a customer's reply reopens one waiting on them (pending) or
 * solved. Public replies drive the SLA response clocks (first response, next response, periodic
 * update): the clocks hear them from the ticket store.
 */
export async function postMessage(
  deps: ChangeTicketDeps,
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: { id: number | string; body: string; isPublic: boolean },
): Promise<TicketRow> {
  const p = requirePostMessage(principal, input.isPublic);
  const body = input.body.trim();
  if (!body) throw new ValidationFailed([fieldError('/body', 'required', 'The message is empty.')]);
  if (body.length > MAX_BODY)
    throw new ValidationFailed([
      fieldError('/body', 'too_long', `A message may have at most ${MAX_BODY} characters.`),
    ]);
  return em.transactional(async (tx) => {
    const t = await findVisibleTicket(tx, p, { id: input.id }, { forUpdate: true });
    let status: StatusCategory = t.status;
    if (input.isPublic && p.kind === 'user' && t.status === 'new') status = 'open';
    if (p.kind === 'customer' && (t.status === 'pending' || t.status === 'solved')) status = 'open';
    const { row } = await deps.tickets.change(tx, t.id, {
      fields: status === t.status ? {} : { status, statusName: null },
      entry: { kind: input.isPublic ? 'reply' : 'note', body, isPublic: input.isPublic },
      actor: actorOf(p, channel),
      origin: 'ticket',
      before: t,
    });
    return row;
  });
}
