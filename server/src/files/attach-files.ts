import { type Channel, fieldError, type Principal, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import { requireAttachFiles } from '../access/policy.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { actorOf, type TicketStore } from '../tickets/ticket-store.ts';
import { filesOfTicket, linkFilesToTicket } from './file-repository.ts';
import { isFileId } from './file-storage.ts';

/** The most files one call attaches. */
export const MAX_FILES_PER_ATTACH = 20;

/**
 * Attaches files the caller uploaded (POST /files) to a ticket they may update: each file must be
 * theirs and on no ticket yet. One `files.attached` entry on the timeline names them (internal:
 * the customer's portal does not list staff files).
 */
export async function attachFiles(
  deps: { tickets: TicketStore },
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: { id: number | string; fileIds: readonly (number | string)[] },
): Promise<TicketRow> {
  const staff = requireAttachFiles(principal);
  const fileIds = input.fileIds.map(String);
  const errors = fileIds.flatMap((id, i) =>
    isFileId(id)
      ? []
      : [fieldError(`/fileIds/${i}`, 'invalid', `"${id}" is not a file id (upload the file first).`)],
  );
  if (fileIds.length === 0) errors.push(fieldError('/fileIds', 'required', 'Name at least one file.'));
  if (fileIds.length > MAX_FILES_PER_ATTACH)
    errors.push(
      fieldError('/fileIds', 'too_many', `Attach at most ${MAX_FILES_PER_ATTACH} files at a time.`),
    );
  if (new Set(fileIds).size !== fileIds.length)
    errors.push(fieldError('/fileIds', 'duplicate', 'A file is named twice.'));
  if (errors.length) throw new ValidationFailed(errors, 'Nothing was attached: fix the fields listed.');
  return em.transactional(async (tx) => {
    const ticket = await findVisibleTicket(tx, staff, { id: input.id }, { forUpdate: true });
    const linked = new Set(
      await linkFilesToTicket(tx, {
        ticketId: String(ticket.id),
        fileIds,
        uploader: { kind: 'user', id: staff.userId },
      }),
    );
    const missing = fileIds.flatMap((id, i) =>
      linked.has(id)
        ? []
        : [
            fieldError(
              `/fileIds/${i}`,
              'not_found',
              `File ${id} is not one you uploaded, or it is on a ticket already.`,
            ),
          ],
    );
    // Thrown inside the transaction: nothing stays linked.
    if (missing.length) throw new ValidationFailed(missing, 'Nothing was attached: fix the fields listed.');
    const names = (await filesOfTicket(tx, String(ticket.id)))
      .filter((f) => linked.has(f.id))
      .map((f) => f.name);
    const { row } = await deps.tickets.change(tx, ticket.id, {
      entry: { kind: 'files.attached', body: names.join('\n'), isPublic: false },
      actor: actorOf(staff, channel),
      origin: 'ticket',
      before: ticket,
    });
    return row;
  });
}
