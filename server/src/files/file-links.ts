import type { EntityManager } from '@docket/db';
import type { Actor, CreationPlan, TicketChanged } from '../tickets/ticket-store.ts';
import { linkFilesToTicket } from './file-repository.ts';
import { isFileId } from './file-storage.ts';

/** The file ids a ticket's form data names: every `{ id: "f_…" }` in it, at any depth. */
export function fileIdsIn(formData: unknown): string[] {
  const ids = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const id = (v as { id?: unknown }).id;
      if (typeof id === 'string' && isFileId(id)) ids.add(id);
      Object.values(v).forEach(walk);
    }
  };
  walk(formData);
  return [...ids];
}

const uploaderOf = (actor: Actor) =>
  actor.kind === 'system' || actor.id === null ? null : { kind: actor.kind, id: actor.id };

/** A new ticket whose form names files takes them, in its creating transaction. */
export function planFileLinks(_em: EntityManager, plan: CreationPlan): Promise<void> {
  const fileIds = fileIdsIn(plan.input.formData);
  const uploader = uploaderOf(plan.input.actor);
  if (fileIds.length > 0 && uploader)
    plan.afterInsert.push({
      run: async (tx, row) => {
        await linkFilesToTicket(tx, { ticketId: String(row.id), fileIds, uploader });
        return false;
      },
    });
  return Promise.resolve();
}

/** A changed form that names newly attached files links them to the ticket too. */
export async function linkFilesOnChange(tx: EntityManager, change: TicketChanged): Promise<void> {
  const formChange = change.diff.formData;
  if (!formChange) return;
  const uploader = uploaderOf(change.actor);
  const fileIds = fileIdsIn(formChange.to);
  if (fileIds.length > 0 && uploader)
    await linkFilesToTicket(tx, { ticketId: change.ticketId, fileIds, uploader });
}
