import {
  type Channel,
  type FieldError,
  fieldError,
  type Principal,
  type Priority,
  ValidationFailed,
  validateFormData,
} from '@docket/core';
import { afterCommit, type EntityManager, queryOne } from '@docket/db';
import { customerScope, mayPlaceTicket, requireCreateTicket } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { canHandToPerson } from '../org/assignees.ts';
import type { OrgPaths } from '../org/org-paths.ts';
import type { TemplateCatalog } from '../templates/template-catalog.ts';
import { type ChannelRegistry, checkInboundChannel } from './channels.ts';
import { findOrCreateCustomer } from './customers.ts';
import type { TicketRow } from './ticket-row.ts';
import { actorOf, type Diff, type TicketStore } from './ticket-store.ts';

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

/** What creating a ticket needs from the app's services. */
export type CreateTicketDeps = {
  tickets: TicketStore;
  templates: TemplateCatalog;
  orgPaths: OrgPaths;
  registries: { channels: ChannelRegistry };
  /** Hears each new ticket once it is committed (the desk's live lists). */
  feed?: { created(ticketId: string | number): void };
};

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 20_000;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Foreign keys a create can break: the input field each one names, and what it names. */
const FK_FIELDS: Record<string, { path: keyof CreateTicketInput; what: string }> = {
  ticket_org_unit_id_fkey: { path: 'orgUnitId', what: 'Org unit' },
  ticket_team_id_fkey: { path: 'teamId', what: 'Team' },
  ticket_assignee_id_fkey: { path: 'assigneeId', what: 'User' },
  ticket_requester_id_fkey: { path: 'requesterId', what: 'Customer' },
};

/**
 * Creates a ticket from the newest published version of a template. The form data is checked
 * against that version's JSON Schema first; on any error nothing is written. The ticket store
 * writes the ticket with everything its creation starts (audit trail, SLA clocks, its workflow's
 * first steps) in one statement or one transaction.
 */
export async function createTicket(
  deps: CreateTicketDeps,
  em: EntityManager,
  principal: Principal | null,
  channelOfRequest: Channel,
  input: CreateTicketInput,
  options: {
    /**
     * Rows registered writers write with the ticket, in its statement or transaction (an inbound
     * mail's thread and its marking as done), by writer key.
     */
    rows?: Record<string, readonly unknown[]>;
  } = {},
): Promise<TicketRow> {
  const p = requireCreateTicket(principal, input);

  if (input.templateId == null && !input.templateKey)
    throw new ValidationFailed([
      fieldError('/templateKey', 'required', 'Name the template by templateKey or templateId.'),
    ]);
  const template = await deps.templates.latestPublished(
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
  const formData = (input.formData ?? {}) as Record<string, unknown>;
  errors.push(...validateFormData(template.content.formSchema, formData, '/formData'));
  const channel = input.channel ?? channelOfRequest;
  const channelError = checkInboundChannel(deps.registries.channels, channel, '/channel');
  if (channelError) errors.push(channelError);

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

  const priority = input.priority ?? template.content.defaultPriority;
  const teamId = input.teamId ?? null;
  // A staff member's ticket lands in their own org unit unless placed elsewhere (by team or org
  // unit), so that the scopes isolation rests on reach it.
  const orgUnitId = input.orgUnitId ?? (p.kind === 'user' && teamId === null ? p.orgUnitId : null);
  const created: Diff = {
    template: { from: null, to: `${template.key}@${template.version}` },
    status: { from: null, to: 'new' },
    priority: { from: null, to: priority },
    ...(input.assigneeId != null ? { assigneeId: { from: null, to: input.assigneeId } } : {}),
    ...(teamId !== null ? { teamId: { from: null, to: teamId } } : {}),
    ...(orgUnitId !== null ? { orgUnitId: { from: null, to: orgUnitId } } : {}),
  };

  const create = async (db: EntityManager): Promise<TicketRow> => {
    if (requesterId === null && input.requester)
      requesterId = await findOrCreateCustomer(db, input.requester);
    // A requester named by id is checked here, before a shared statement could fail on it; staff
    // name only customers they reach (one they may not see is "not found" alike).
    if (p.kind === 'user' && input.requesterId != null) {
      const reach = customerScope(p, 'c');
      if (
        !(await queryOne(db, `select 1 from customer c where c.id = ?::int and ${reach.sql}`, [
          input.requesterId,
          ...reach.params,
        ]))
      )
        throw new ValidationFailed([
          fieldError(
            '/requesterId',
            'not_found',
            `Customer ${input.requesterId} does not exist, or is not among the customers you serve.`,
          ),
        ]);
    }
    if (
      input.assigneeId != null &&
      !(await queryOne(db, 'select 1 from app_user where id = ? and is_active', [input.assigneeId]))
    )
      throw new ValidationFailed([
        fieldError('/assigneeId', 'not_found', `User ${input.assigneeId} does not exist or is deactivated.`),
      ]);
    const place = await deps.orgPaths.of(db, { orgUnitId, teamId });
    if (p.kind === 'user') {
      if (input.orgUnitId != null && place.path !== '/' && !mayPlaceTicket(p, place.path))
        throw new ValidationFailed([
          fieldError(
            '/orgUnitId',
            'not_allowed',
            `Org unit ${input.orgUnitId} is outside your part of the org tree: create the ticket in your own unit and transfer it.`,
          ),
        ]);
      if (input.assigneeId != null && !(await canHandToPerson(db, p, input.assigneeId)))
        throw new ValidationFailed([
          fieldError(
            '/assigneeId',
            'not_allowed',
            `You may not hand work to user ${input.assigneeId} (outside your org unit and teams).`,
          ),
        ]);
    }
    return deps.tickets.create(db, {
      template,
      title,
      description,
      priority,
      formData,
      channel,
      requesterId,
      creatorUserId: p.kind === 'user' ? p.userId : null,
      assigneeId: input.assigneeId ?? null,
      teamId,
      orgUnitId,
      place,
      createdDiff: created,
      actor: actorOf(p, channelOfRequest),
      ...(options.rows ? { rows: options.rows } : {}),
    });
  };
  try {
    // A requester given by email or phone may need a customer row: that write joins the transaction.
    const row = requesterId === null && input.requester ? await em.transactional(create) : await create(em);
    if (deps.feed) {
      const feed = deps.feed;
      afterCommit(em, () => feed.created(row.id));
    }
    return row;
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
    const fk = constraint ? FK_FIELDS[constraint] : undefined;
    if (fk)
      throw new ValidationFailed([
        fieldError(`/${fk.path}`, 'not_found', `${fk.what} ${String(input[fk.path])} does not exist.`),
      ]);
    throw e;
  }
}
