import { type FieldError, fieldError, type Principal, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { urgeTicket } from '../sla/urge-ticket.ts';
import type { TemplateCatalog } from '../templates/template-catalog.ts';
import { postMessage } from '../tickets/change-ticket.ts';
import { type CreateTicketDeps, createTicket } from '../tickets/create-ticket.ts';
import { findOrCreateCustomer } from '../tickets/customers.ts';
import { rereadTicket } from '../tickets/ticket-repository.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import type { FollowLinks, RateLimiter } from './follow-links.ts';
import { customerName, publicFormKeys, savePublicFormKeys } from './portal-repository.ts';

/**
 * The public form of a template (no login): an admin enables it per template; anyone may submit
 * it with their contact details, within limits on rate (per client address) and size. The
 * receipt carries the ticket's number and a private link to follow it.
 */

export type PortalDeps = CreateTicketDeps & {
  followLinks: FollowLinks;
  submissions: RateLimiter;
};

/** The most a submission may weigh (title, description and form data, as JSON). */
export const MAX_SUBMISSION_BYTES = 32_768;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9 ()-]{5,30}$/;

export type PublicFormInput = {
  templateKey: string;
  title: string;
  description?: string | null;
  formData?: unknown;
  contact: { name: string; email?: string | null; phone?: string | null };
};

export type Receipt = { ticket: TicketRow; followToken: string };

export async function isPublicForm(em: EntityManager, templateKey: string): Promise<boolean> {
  return (await publicFormKeys(em)).includes(templateKey);
}

/** The template of an enabled public form, as the form renders it; NotFound otherwise. */
export async function publicFormTemplate(
  deps: { templates: TemplateCatalog },
  em: EntityManager,
  templateKey: string,
) {
  const template = (await isPublicForm(em, templateKey))
    ? await deps.templates.latestPublished(em, { key: templateKey })
    : null;
  if (!template) throw new NotFoundError(`A public form "${templateKey}"`, '/templateKey');
  return template;
}

export async function submitPublicForm(
  deps: PortalDeps,
  em: EntityManager,
  input: PublicFormInput,
  clientAddress: string,
): Promise<Receipt> {
  const template = await publicFormTemplate(deps, em, input.templateKey);
  const errors: FieldError[] = [];
  const size = Buffer.byteLength(
    JSON.stringify([input.title, input.description ?? '', input.formData ?? {}]),
  );
  if (size > MAX_SUBMISSION_BYTES)
    errors.push(
      fieldError(
        '/formData',
        'too_large',
        `The submission has ${size} bytes; at most ${MAX_SUBMISSION_BYTES}. Shorten the text.`,
      ),
    );
  const name = input.contact.name?.trim() ?? '';
  const email = input.contact.email?.trim() || null;
  const phone = input.contact.phone?.trim() || null;
  if (!name) errors.push(fieldError('/contact/name', 'required', 'Tell us your name.'));
  if (name.length > 100)
    errors.push(fieldError('/contact/name', 'too_long', 'A name may have at most 100 characters.'));
  if (!email && !phone)
    errors.push(fieldError('/contact/email', 'required', 'Give an email address or a phone number.'));
  if (email && (!EMAIL_RE.test(email) || email.length > 200))
    errors.push(fieldError('/contact/email', 'invalid', `"${email}" is not an email address.`));
  if (phone && !PHONE_RE.test(phone))
    errors.push(fieldError('/contact/phone', 'invalid', `"${phone}" is not a phone number.`));
  if (errors.length) throw new ValidationFailed(errors, 'Nothing was sent: fix the fields listed.');
  if (!deps.submissions.take(clientAddress))
    throw new ValidationFailed(
      [fieldError('', 'rate_limited', 'Too many submissions from your address; try again in a few minutes.')],
      'Too many submissions from your address; try again in a few minutes.',
    );

  const customerId = await em.transactional((tx) => findOrCreateCustomer(tx, { name, email, phone }));
  const requester: Principal = { kind: 'customer', customerId, name };
  const ticket = await createTicket(deps, em, requester, 'web', {
    templateId: template.templateId,
    title: input.title,
    description: input.description ?? '',
    formData: input.formData ?? {},
  });
  return { ticket, followToken: deps.followLinks.tokenFor(ticket.id) };
}

/** The ticket a follow link is for, and its requester; NotFound for a link this server did not make. */
export async function followedTicket(
  deps: { followLinks: FollowLinks },
  em: EntityManager,
  token: string,
): Promise<TicketRow> {
  const id = deps.followLinks.ticketIdOf(token);
  const row = id ? await rereadTicket(em, id) : undefined;
  if (!row) throw new NotFoundError('A ticket for this link', '/token');
  return row;
}

/** A reply through a follow link: as the ticket's requester, public. */
export async function replyByFollowLink(
  deps: PortalDeps,
  em: EntityManager,
  input: { token: string; body: string },
): Promise<TicketRow> {
  const ticket = await followedTicket(deps, em, input.token);
  if (ticket.requester_id === null) throw new NotFoundError('A ticket for this link', '/token');
  const requester: Principal = {
    kind: 'customer',
    customerId: ticket.requester_id,
    name: await customerName(em, ticket.requester_id),
  };
  return postMessage(deps, em, requester, 'web', { id: ticket.id, body: input.body, isPublic: true });
}

/** The requester urges their ticket through its follow link (the urge rules limit how often). */
export async function urgeByFollowLink(
  deps: PortalDeps & Parameters<typeof urgeTicket>[0],
  em: EntityManager,
  token: string,
): Promise<TicketRow> {
  const ticket = await followedTicket(deps, em, token);
  if (ticket.requester_id === null) throw new NotFoundError('A ticket for this link', '/token');
  const requester: Principal = {
    kind: 'customer',
    customerId: ticket.requester_id,
    name: await customerName(em, ticket.requester_id),
  };
  const urged = await urgeTicket(deps, em, requester, 'web', { id: ticket.id });
  return urged.ticket;
}

/** Turns a template's public form on or off (template.manage). */
export async function setPublicForm(
  deps: { templates: TemplateCatalog },
  em: EntityManager,
  principal: Principal | null,
  input: { templateKey: string; isEnabled: boolean },
): Promise<string[]> {
  requireStaff(principal, 'template.manage');
  if (!(await deps.templates.latestPublished(em, { key: input.templateKey })))
    throw new NotFoundError(`A published template "${input.templateKey}"`, '/templateKey');
  const keys = new Set(await publicFormKeys(em));
  if (input.isEnabled) keys.add(input.templateKey);
  else keys.delete(input.templateKey);
  await savePublicFormKeys(em, [...keys].sort());
  return [...keys].sort();
}
