import {
  type FieldError,
  fieldError,
  fillPlaceholders,
  type Principal,
  ValidationFailed,
} from '@docket/core';
import { DescriptionTemplate, type EntityManager, TicketTemplate } from '@docket/db';
import { mayUseOwned, requireKnowledgeEditor, requireSignedIn, requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import { placeholderFacts } from './knowledge-repository.ts';

export type SaveDescriptionTemplateInput = {
  id?: number | string | null;
  /** A public template of this ticket template (template.manage); absent: the caller's personal one. */
  templateKey?: string | null;
  name: string;
  body: string;
};

/** The values placeholders read: the ticket's, and the agent's own name. */
export type PlaceholderValues = {
  ticket?: { number: string; title: string };
  requester?: { name: string | null; email: string | null };
  form?: Record<string, unknown>;
  agent?: { name: string };
};

/** The description templates for a ticket template: its public ones, then the caller's personal ones. */
export async function descriptionTemplates(
  em: EntityManager,
  principal: Principal | null,
  templateKey: string,
): Promise<DescriptionTemplate[]> {
  const staff = requireStaff(principal);
  const template = await em.findOne(TicketTemplate, { key: templateKey });
  if (!template) throw new NotFoundError(`Template "${templateKey}"`, '/templateKey');
  const rows = await em.find(
    DescriptionTemplate,
    { $or: [{ template: template.id }, { ownerUser: staff.userId }] },
    { orderBy: { name: 'asc' } },
  );
  // The public ones first.
  return [...rows.filter((r) => r.ownerUser == null), ...rows.filter((r) => r.ownerUser != null)];
}

/** Creates or changes a description template: a public one needs template.manage; a personal one is the caller's own. */
export async function saveDescriptionTemplate(
  em: EntityManager,
  principal: Principal | null,
  input: SaveDescriptionTemplateInput,
): Promise<DescriptionTemplate> {
  const staff = input.templateKey ? requireKnowledgeEditor(principal) : requireStaff(principal);
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push(fieldError('/name', 'required', 'A description template needs a name.'));
  if (name.length > 100) errors.push(fieldError('/name', 'too_long', 'A name has at most 100 characters.'));
  if (!input.body.trim())
    errors.push(fieldError('/body', 'required', 'A description template needs a body.'));
  if (input.body.length > 20_000)
    errors.push(fieldError('/body', 'too_long', 'A body has at most 20,000 characters.'));
  const template = input.templateKey ? await em.findOne(TicketTemplate, { key: input.templateKey }) : null;
  if (input.templateKey && !template)
    errors.push(fieldError('/templateKey', 'not_found', `There is no template "${input.templateKey}".`));
  if (errors.length) throw new ValidationFailed(errors);
  let row: DescriptionTemplate | null;
  if (input.id != null) {
    row = await em.findOne(DescriptionTemplate, { id: Number(input.id) });
    // Someone else's personal template is not there for this caller.
    if (!row || !mayUseOwned(staff, row.ownerUser))
      throw new NotFoundError(`Description template ${input.id}`, '/id');
    if (!row.ownerUser) requireKnowledgeEditor(principal);
    Object.assign(row, { name, body: input.body, updatedAt: new Date() });
  } else
    row = em.create(DescriptionTemplate, {
      name,
      body: input.body,
      template: template?.id ?? null,
      ownerUser: template ? null : staff.userId,
    } as never);
  await em.flush();
  return row;
}

/**
 * A description template's text with its placeholders filled: from a ticket the caller may see
 * (its number, title, requester and form), or from the values a ticket being entered already has.
 */
export async function renderDescriptionTemplate(
  em: EntityManager,
  principal: Principal | null,
  input: { id: number | string; ticketId?: number | string | null; values?: PlaceholderValues | null },
): Promise<{ text: string; missing: string[] }> {
  const staff = requireStaff(principal);
  const row = await em.findOne(DescriptionTemplate, { id: Number(input.id) });
  if (!row || !mayUseOwned(staff, row.ownerUser))
    throw new NotFoundError(`Description template ${input.id}`, '/id');
  return fillPlaceholders(row.body, await placeholderValues(em, principal, input.ticketId, input.values));
}

/** The values of a ticket the principal may see (and the acting agent), over values given for a ticket not yet created. */
export async function placeholderValues(
  em: EntityManager,
  principal: Principal | null,
  ticketId?: number | string | null,
  given?: PlaceholderValues | null,
): Promise<PlaceholderValues> {
  const p = requireSignedIn(principal);
  const values: PlaceholderValues = { ...given, ...(p.kind === 'user' ? { agent: { name: p.name } } : {}) };
  if (ticketId == null) return values;
  const ticket = await findVisibleTicket(em, p, { id: ticketId });
  const facts = await placeholderFacts(em, ticket.id);
  return {
    ...values,
    ticket: { number: ticket.number, title: ticket.title },
    requester: { name: facts?.requester_name ?? null, email: facts?.requester_email ?? null },
    form: ticket.form_data,
  };
}
