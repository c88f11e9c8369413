import {
  type Channel,
  type FieldError,
  fieldError,
  formText,
  isChannel,
  numberAround,
  type Principal,
  type Priority,
  ValidationFailed,
  validateFormData,
} from '@docket/core';
import type { EntityManager } from '@docket/db';
import { requirePrincipal, requireStaff } from '../access/guards.ts';
import { queryOne } from '../db-access.ts';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import { ticketNumberSequence } from '../templates/template-catalog.ts';
import { actorOf } from './ticket-events.ts';
import { TICKET_COLUMNS, type TicketRow } from './ticket-row.ts';

export type CreateTicketInput = {
  templateKey?: string | null;
  templateId?: number | null;
  title: string;
  description?: string | null;
  formData?: unknown;
  priority?: Priority | null;
  channel?: Channel | null;
  /** An existing customer; or `requester` to find one by email or phone, creating it when new. */
  requesterId?: number | null;
  requester?: { name?: string | null; email?: string | null; phone?: string | null } | null;
  orgUnitId?: number | null;
  teamId?: number | null;
  assigneeId?: number | null;
};

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 20_000;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Foreign keys a create can break, and the input field each one names. */
const FK_FIELDS: Record<string, string> = {
  ticket_org_unit_id_fkey: '/orgUnitId',
  ticket_team_id_fkey: '/teamId',
  ticket_assignee_id_fkey: '/assigneeId',
  ticket_requester_id_fkey: '/requesterId',
};

/**
 * Creates a ticket from the newest published version of a template. The form data is checked
 * against that version's JSON Schema first; on any error nothing is written. The ticket, its first
 * audit event, its SLA clocks and its workflow's first steps are written in one transaction.
 */
export async function createTicket(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  channelOfRequest: Channel,
  input: CreateTicketInput,
): Promise<TicketRow> {
  const p = requirePrincipal(principal);
  if (p.kind === 'user') requireStaff(p, 'ticket.create');
  if (p.kind === 'user' && input.assigneeId != null) requireStaff(p, 'ticket.assign');

  if (input.templateId == null && !input.templateKey)
    throw new ValidationFailed([
      fieldError('/templateKey', 'required', 'Name the template by templateKey or templateId.'),
    ]);
  const template = await services.templates.latestPublished(
    em,
    input.templateId != null ? { id: input.templateId } : { key: input.templateKey! },
  );
  if (!template)
    throw new NotFoundError(
      `A published template "${input.templateKey ?? input.templateId}"`,
      input.templateId != null ? '/templateId' : '/templateKey',
    );

  const errors: FieldError[] = [];
  const title = (input.title ?? '').trim();
  if (!title) errors.push(fieldError('/title', 'required', 'A ticket needs a title.'));
  else if (title.length > MAX_TITLE)
    errors.push(
      fieldError('/title', 'too_long', `The title has ${title.length} characters; at most ${MAX_TITLE}.`),
    );
  const description = input.description ?? '';
  if (description.length > MAX_DESCRIPTION)
    errors.push(
      fieldError(
        '/description',
        'too_long',
        `The description may have at most ${MAX_DESCRIPTION} characters.`,
      ),
    );
  const formData = input.formData ?? {};
  errors.push(...validateFormData(template.content.formSchema, formData, '/formData'));
  const channel = input.channel ?? channelOfRequest;
  if (!isChannel(channel) || channel === 'system')
    errors.push(fieldError('/channel', 'invalid', `"${channel}" is not a channel a ticket can come from.`));

  let requesterId: number | null = null;
  if (p.kind === 'customer') {
    if (input.requesterId != null || input.requester || input.assigneeId != null || input.teamId != null)
      errors.push(
        fieldError(
          '/requesterId',
          'not_allowed',
          'Customers create tickets for themselves and cannot route them.',
        ),
      );
    requesterId = p.customerId;
  } else if (input.requesterId != null) requesterId = input.requesterId;
  else if (input.requester) {
    const r = input.requester;
    if (r.email && !EMAIL_RE.test(r.email))
      errors.push(fieldError('/requester/email', 'invalid', `"${r.email}" is not an email address.`));
    if (!r.email && !r.phone)
      errors.push(fieldError('/requester', 'required', 'Give the requester an email or a phone number.'));
  }
  if (errors.length) throw new ValidationFailed(errors, 'The ticket was not created: fix the fields listed.');

  const insert = async (tx: EntityManager): Promise<TicketRow> => {
    if (requesterId === null && input.requester)
      requesterId = await findOrCreateCustomer(tx, input.requester);
    if (
      input.assigneeId != null &&
      !(await queryOne(tx, 'select 1 from app_user where id = ? and is_active', [input.assigneeId]))
    )
      throw new ValidationFailed([
        fieldError('/assigneeId', 'not_found', `User ${input.assigneeId} does not exist or is deactivated.`),
      ]);
    const now = new Date();
    const { prefix, width, suffix } = numberAround(template.numberPattern, now, services.config.timeZone);
    const actor = actorOf(p);
    const priority = input.priority ?? template.content.defaultPriority;
    const created = {
      template: { from: null, to: `${template.key}@${template.version}` },
      status: { from: null, to: 'new' },
      priority: { from: null, to: priority },
      ...(input.assigneeId != null ? { assigneeId: { from: null, to: input.assigneeId } } : {}),
      ...(input.teamId != null ? { teamId: { from: null, to: input.teamId } } : {}),
      ...(input.orgUnitId != null ? { orgUnitId: { from: null, to: input.orgUnitId } } : {}),
    };
    return (await queryOne<TicketRow>(
      tx,
      `with n as (select nextval(?::regclass)::text as seq),
       t as (
         insert into ticket (number, template_id, template_version_id, title, description, priority, form_data,
                             form_text, requester_id, creator_user_id, assignee_id, team_id, org_unit_id, org_path, channel)
         select ? || case when length(n.seq) >= ? then n.seq else lpad(n.seq, ?, '0') end || ?,
                ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, w.org_unit_id, coalesce(u.path, '/'), ?
           from n
           cross join (select coalesce(?::int, (select org_unit_id from team where id = ?::int)) as org_unit_id) w
           left join org_unit u on u.id = w.org_unit_id
         returning ${TICKET_COLUMNS}
       ),
       e as (
         insert into ticket_event (ticket_id, kind, actor_kind, actor_id, via_token_id, channel, is_public, diff, created_at)
         select t.id, 'created', ?, ?, ?, ?, true, ?::jsonb, t.created_at from t
       )
       select * from t`,
      [
        ticketNumberSequence(template.templateId),
        prefix,
        width,
        width,
        suffix,
        template.templateId,
        template.versionId,
        title,
        description,
        priority,
        JSON.stringify(formData),
        formText(formData),
        requesterId,
        p.kind === 'user' ? p.userId : null,
        input.assigneeId ?? null,
        input.teamId ?? null,
        channel,
        input.orgUnitId ?? null,
        input.teamId ?? null,
        actor.kind,
        actor.id,
        actor.viaTokenId,
        channelOfRequest,
        JSON.stringify(created),
      ],
    ))!;
  };

  const workflowVersionId = template.workflowVersionId;
  // The ticket, its first audit event, its SLA clocks, its workflow instance and everything the
  // workflow's first steps do (tasks, field changes, timer jobs) commit together or not at all.
  const insertAndStart = async (tx: EntityManager): Promise<TicketRow> => {
    const reread = async (id: TicketRow['id']) =>
      (await queryOne<TicketRow>(tx, `select ${TICKET_COLUMNS} from ticket where id = ?`, [id]))!;
    let row = await insert(tx);
    // An SLA action due at once (an offset before the clock's start) may change the ticket.
    const isChangedBySla = await services.sla.startTicket(tx, row.id, {
      requesterId: row.requester_id,
      row: {
        priority: row.priority,
        status: row.status,
        channel: row.channel,
        org_path: row.org_path,
        form_data: row.form_data,
        template_key: template.key,
        category_path: template.content.categoryPath,
      },
    });
    if (isChangedBySla) row = await reread(row.id);
    if (workflowVersionId === null) return row;
    await services.workflows.startForTicket(
      tx,
      row,
      workflowVersionId,
      { templateVersionId: template.versionId, templateKey: template.key, content: template.content },
      { userId: p.kind === 'user' ? p.userId : null, channel: channelOfRequest },
    );
    return reread(row.id);
  };
  try {
    return await em.transactional(insertAndStart);
  } catch (e) {
    const constraint = (e as { constraint?: string }).constraint;
    if (constraint === 'ticket_number_key')
      throw new ValidationFailed([
        fieldError(
          '/templateKey',
          'number_taken',
          `Template "${template.key}" numbered this ticket ${(e as { detail?: string }).detail?.match(/\(number\)=\(([^)]*)\)/)?.[1] ?? ''}, which another template already used: give its number pattern a prefix of its own.`,
        ),
      ]);
    const path = constraint ? FK_FIELDS[constraint] : undefined;
    if (path)
      throw new ValidationFailed([
        fieldError(path, 'not_found', `${path.slice(1)} names something that does not exist.`),
      ]);
    throw e;
  }
}

async function findOrCreateCustomer(
  tx: EntityManager,
  r: { name?: string | null; email?: string | null; phone?: string | null },
): Promise<number> {
  const found = await queryOne<{ id: number }>(
    tx,
    `select id from customer where (? and lower(email) = lower(?)) or (? and phone = ?) order by (lower(email) = lower(?)) desc limit 1`,
    [Boolean(r.email), r.email ?? '', Boolean(r.phone), r.phone ?? '', r.email ?? ''],
  );
  if (found) return found.id;
  const created = await queryOne<{ id: number }>(
    tx,
    'insert into customer (name, email, phone) values (?, ?, ?) returning id',
    [r.name?.trim() || r.email || r.phone || 'Customer', r.email ?? null, r.phone ?? null],
  );
  return created!.id;
}
