import {
  type Channel,
  type FieldError,
  fieldError,
  fillPlaceholders,
  isStatusCategory,
  PRIORITIES,
  type Principal,
  ValidationFailed,
} from '@docket/core';
import { type EntityManager, Macro } from '@docket/db';
import { mayUseOwned, requireKnowledgeEditor, requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { assignTicket, type ChangeTicketDeps, postMessage, updateTicket } from '../tickets/change-ticket.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { placeholderValues } from './description-templates.ts';

/** What a macro changes on a ticket besides its reply. */
export type MacroChanges = {
  status?: string;
  statusName?: string;
  priority?: string;
  assigneeId?: number | null;
  teamId?: number | null;
};

export type SaveMacroInput = {
  id?: number | string | null;
  name: string;
  reply?: string | null;
  isPublicReply?: boolean | null;
  changes?: unknown;
  /** Shared with every agent (template.manage); otherwise the caller's own. */
  isShared?: boolean | null;
};

const CHANGE_KEYS = ['status', 'statusName', 'priority', 'assigneeId', 'teamId'];

function checkChanges(raw: unknown, errors: FieldError[]): MacroChanges {
  if (raw == null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(
      fieldError(
        '/changes',
        'type',
        'Changes are an object: {status, statusName, priority, assigneeId, teamId}.',
      ),
    );
    return {};
  }
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c))
    if (!CHANGE_KEYS.includes(key))
      errors.push(
        fieldError(`/changes/${key}`, 'unknown', `A macro changes only ${CHANGE_KEYS.join(', ')}.`),
      );
  if (c.status !== undefined && !isStatusCategory(c.status))
    errors.push(
      fieldError(
        '/changes/status',
        'unknown',
        'Not a status category (new, open, pending, on_hold, solved, closed).',
      ),
    );
  if (c.priority !== undefined && !(PRIORITIES as readonly unknown[]).includes(c.priority))
    errors.push(
      fieldError('/changes/priority', 'unknown', `The priority is one of ${PRIORITIES.join(', ')}.`),
    );
  for (const key of ['assigneeId', 'teamId'])
    if (c[key] !== undefined && c[key] !== null && !Number.isInteger(c[key]))
      errors.push(fieldError(`/changes/${key}`, 'type', 'An id is a whole number (or null to clear).'));
  if (c.statusName !== undefined && typeof c.statusName !== 'string')
    errors.push(fieldError('/changes/statusName', 'type', 'A named status is its name.'));
  return c as MacroChanges;
}

/** The macros the caller may apply: the shared ones and the caller's own. */
export function macros(em: EntityManager, principal: Principal | null): Promise<Macro[]> {
  const staff = requireStaff(principal);
  return em.find(
    Macro,
    { $or: [{ ownerUser: null }, { ownerUser: staff.userId }] },
    { orderBy: { name: 'asc' } },
  );
}

/** Creates or changes a macro: a shared one needs template.manage. */
export async function saveMacro(
  em: EntityManager,
  principal: Principal | null,
  input: SaveMacroInput,
): Promise<Macro> {
  const staff = input.isShared ? requireKnowledgeEditor(principal) : requireStaff(principal);
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push(fieldError('/name', 'required', 'A macro needs a name.'));
  const reply = input.reply ?? '';
  const changes = checkChanges(input.changes, errors);
  if (!reply.trim() && Object.keys(changes).length === 0)
    errors.push(fieldError('/reply', 'required', 'A macro needs a reply, changes, or both.'));
  if (errors.length) throw new ValidationFailed(errors);
  let row: Macro | null;
  if (input.id != null) {
    row = await em.findOne(Macro, { id: Number(input.id) });
    if (!row || !mayUseOwned(staff, row.ownerUser)) throw new NotFoundError(`Macro ${input.id}`, '/id');
    if (!row.ownerUser) requireKnowledgeEditor(principal);
    Object.assign(row, {
      name,
      reply,
      isPublicReply: input.isPublicReply ?? row.isPublicReply,
      changes,
      updatedAt: new Date(),
    });
  } else
    row = em.create(Macro, {
      name,
      reply,
      isPublicReply: input.isPublicReply ?? true,
      changes,
      ownerUser: input.isShared ? null : staff.userId,
    } as never);
  await em.flush();
  return row;
}

/**
 * Applies a macro to a ticket in one transaction: its reply (placeholders filled from the
 * ticket) and its field changes, each as the caller's own action with its usual checks; either
 * everything is applied or nothing.
 */
export async function applyMacro(
  deps: ChangeTicketDeps,
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: { macroId: number | string; ticketId: number | string },
): Promise<TicketRow> {
  const staff = requireStaff(principal);
  const macro = await em.findOne(Macro, { id: Number(input.macroId) });
  if (!macro || !mayUseOwned(staff, macro.ownerUser))
    throw new NotFoundError(`Macro ${input.macroId}`, '/macroId');
  return em.transactional(async (tx) => {
    let row: TicketRow | undefined;
    if (macro.reply.trim()) {
      const values = await placeholderValues(tx, staff, input.ticketId);
      const body = fillPlaceholders(macro.reply, values as Record<string, unknown>).text;
      row = await postMessage(deps, tx, staff, channel, {
        id: input.ticketId,
        body,
        isPublic: macro.isPublicReply,
      });
    }
    const c = macro.changes as MacroChanges;
    if (c.status !== undefined || c.statusName !== undefined || c.priority !== undefined)
      row = await updateTicket(deps, tx, staff, channel, {
        id: input.ticketId,
        ...(c.status !== undefined ? { status: c.status as never } : {}),
        ...(c.statusName !== undefined ? { statusName: c.statusName } : {}),
        ...(c.priority !== undefined ? { priority: c.priority as never } : {}),
      });
    if (c.assigneeId !== undefined || c.teamId !== undefined)
      row = await assignTicket(deps, tx, staff, channel, {
        id: input.ticketId,
        ...(c.assigneeId !== undefined ? { assigneeId: c.assigneeId } : {}),
        ...(c.teamId !== undefined ? { teamId: c.teamId } : {}),
      });
    if (!row)
      throw new ValidationFailed([
        fieldError('/macroId', 'empty', 'This macro neither replies nor changes anything.'),
      ]);
    return row;
  });
}
