import {
  type Channel,
  type FieldError,
  fieldError,
  formText,
  type Principal,
  type Priority,
  type StatusCategory,
  type TemplateContent,
  ValidationFailed,
  validateFormData,
} from '@docket/core';
import { type EntityManager, queryOne } from '@docket/db';
import { requirePostMessage, requireStaff } from '../access/policy.ts';
import type { Services } from '../services.ts';
import type { SlaTicketEvent } from '../sla/sla-service.ts';
import { loadVisibleTicket } from './load-ticket.ts';
import { appendEvent, diffOf } from './ticket-events.ts';
import { TICKET_COLUMNS, type TicketRow } from './ticket-row.ts';
import { activeStatus, type TicketStatusRow } from './ticket-statuses.ts';

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
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: UpdateTicketInput,
): Promise<TicketRow> {
  const staff = requireStaff(principal, 'ticket.update');
  return em.transactional(async (tx) => {
    const t = await loadVisibleTicket(tx, staff, { id: input.id }, { forUpdate: true });
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

    const nextStatus = named ? named.category : (input.status ?? t.status);
    // A name stays while its category does; another category without a name drops it.
    const nextName =
      named !== undefined ? (named?.name ?? null) : nextStatus === t.status ? t.status_name : null;
    const after = {
      title: title ?? undefined,
      description: input.description ?? undefined,
      priority: input.priority ?? undefined,
      status: nextStatus,
      statusName: nextName,
      formData: input.formData ?? undefined,
    };
    const diff = diffOf(
      {
        title: t.title,
        description: t.description,
        priority: t.priority,
        status: t.status,
        statusName: t.status_name,
        formData: t.form_data,
      },
      after,
    );
    if (Object.keys(diff).length === 0) return t;
    const status = nextStatus;
    const row = await queryOne<TicketRow>(
      tx,
      `update ticket set title = ?, description = ?, priority = ?, status = ?, status_name = ?, form_data = ?::jsonb, form_text = ?,
              solved_at = case when ? in ('solved', 'closed') then coalesce(solved_at, now()) else null end,
              closed_at = case when ? = 'closed' then coalesce(closed_at, now()) else null end,
              updated_at = now()
        where id = ? returning ${TICKET_COLUMNS}`,
      [
        title ?? t.title,
        input.description ?? t.description,
        input.priority ?? t.priority,
        status,
        nextName,
        JSON.stringify(input.formData ?? t.form_data),
        formText(input.formData ?? t.form_data),
        status,
        status,
        t.id,
      ],
    );
    await appendEvent(tx, { ticketId: t.id, kind: 'updated', actor: staff, channel, diff });
    const events: SlaTicketEvent[] = [];
    if (diff.status || diff.statusName)
      events.push({ type: 'status_changed', category: status, status: nextName });
    if (diff.priority) events.push({ type: 'priority_changed', priority: row!.priority });
    await services.sla.ticketChanged(tx, t.id, events);
    return row!;
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
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: AssignTicketInput,
): Promise<TicketRow> {
  const staff = requireStaff(principal, 'ticket.assign');
  return em.transactional(async (tx) => {
    const t = await loadVisibleTicket(tx, staff, { id: input.id }, { forUpdate: true });
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
    let orgPath = t.org_path;
    if (input.orgUnitId != null) {
      const unit = await queryOne<{ path: string }>(tx, 'select path from org_unit where id = ?', [
        input.orgUnitId,
      ]);
      if (!unit)
        errors.push(fieldError('/orgUnitId', 'not_found', `Org unit ${input.orgUnitId} does not exist.`));
      else orgPath = unit.path;
    } else if (input.orgUnitId === null) orgPath = '/';
    if (errors.length)
      throw new ValidationFailed(errors, 'The ticket was not reassigned: fix the fields listed.');
    const before = { assigneeId: t.assignee_id, teamId: t.team_id, orgUnitId: t.org_unit_id };
    const after = {
      assigneeId: input.assigneeId === undefined ? undefined : input.assigneeId,
      teamId: input.teamId === undefined ? undefined : input.teamId,
      orgUnitId: input.orgUnitId === undefined ? undefined : input.orgUnitId,
    };
    const diff = diffOf(before, after);
    if (Object.keys(diff).length === 0) return t;
    const row = await queryOne<TicketRow>(
      tx,
      `update ticket set assignee_id = ?, team_id = ?, org_unit_id = ?, org_path = ?,
              status = case when status = 'new' and ?::int is not null then 'open' else status end, updated_at = now()
        where id = ? returning ${TICKET_COLUMNS}`,
      [
        after.assigneeId === undefined ? t.assignee_id : after.assigneeId,
        after.teamId === undefined ? t.team_id : after.teamId,
        after.orgUnitId === undefined ? t.org_unit_id : after.orgUnitId,
        orgPath,
        after.assigneeId ?? null,
        t.id,
      ],
    );
    if (row!.status !== t.status) diff.status = { from: t.status, to: row!.status };
    await appendEvent(tx, { ticketId: t.id, kind: 'assigned', actor: staff, channel, diff });
    // A new org unit may select another SLA policy; a first assignee opens a new ticket.
    await services.sla.ticketChanged(
      tx,
      t.id,
      diff.status ? [{ type: 'status_changed', category: row!.status }] : [],
    );
    return row!;
  });
}

const MAX_BODY = 50_000;

/**
 * A public reply (staff or the ticket's customer) or an internal note (staff only). An agent's
 * first reply opens a new ticket; a customer's reply reopens one waiting on them (pending).
 * Public replies drive the SLA response clocks (first response, next response, periodic update).
 */
export async function postMessage(
  services: Services,
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
    const t = await loadVisibleTicket(tx, p, { id: input.id }, { forUpdate: true });
    let next: StatusCategory = t.status;
    if (input.isPublic && p.kind === 'user' && t.status === 'new') next = 'open';
    if (p.kind === 'customer' && (t.status === 'pending' || t.status === 'solved')) next = 'open';
    const row = await queryOne<TicketRow>(
      tx,
      `update ticket set status = ?, solved_at = case when ? in ('solved', 'closed') then solved_at else null end,
              updated_at = now() where id = ? returning ${TICKET_COLUMNS}`,
      [next, next, t.id],
    );
    await appendEvent(tx, {
      ticketId: t.id,
      kind: input.isPublic ? 'reply' : 'note',
      actor: p,
      channel,
      isPublic: input.isPublic,
      body,
      diff: next !== t.status ? { status: { from: t.status, to: next } } : null,
    });
    if (input.isPublic) {
      const events: SlaTicketEvent[] = [
        { type: p.kind === 'user' ? 'agent_public_reply' : 'customer_message' },
      ];
      if (next !== t.status) events.push({ type: 'status_changed', category: next });
      await services.sla.ticketChanged(tx, t.id, events);
    }
    return row!;
  });
}
