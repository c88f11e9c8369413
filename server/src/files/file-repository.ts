import { type EntityManager, query, queryOne } from '@docket/db';
import type { SqlCondition } from '../access/policy.ts';

/** A stored file's row, as the routes read it. */
export type FileRow = {
  id: string;
  name: string;
  content_type: string;
  size: string | number;
  sha256: string;
  ticket_id: string | null;
};

export async function insertFile(
  em: EntityManager,
  file: {
    id: string;
    name: string;
    contentType: string;
    size: number;
    sha256: string;
    uploadedByUser: number | null;
    uploadedByCustomer: number | null;
  },
): Promise<void> {
  await query(
    em,
    `insert into file (id, name, content_type, size, sha256, uploaded_by_user, uploaded_by_customer)
     values (?, ?, ?, ?, ?, ?, ?)`,
    [
      file.id,
      file.name,
      file.contentType,
      file.size,
      file.sha256,
      file.uploadedByUser,
      file.uploadedByCustomer,
    ],
  );
}

/** The file if the scope (policy.fileScope over `f` and its ticket `t`) lets the reader see it. */
export async function findVisibleFile(
  em: EntityManager,
  id: string,
  scope: SqlCondition,
): Promise<FileRow | undefined> {
  return queryOne<FileRow>(
    em,
    `select f.id, f.name, f.content_type, f.size, f.sha256, f.ticket_id
       from file f left join ticket t on t.id = f.ticket_id
      where f.id = ? and ${scope.sql}`,
    [id, ...scope.params],
  );
}

/**
 * Links the files a ticket's form names to it: only files not yet on a ticket, uploaded by the
 * one who fills in the form (a file id copied from elsewhere links nothing). Returns the ids linked.
 */
export async function linkFilesToTicket(
  em: EntityManager,
  input: {
    ticketId: string;
    fileIds: readonly string[];
    uploader: { kind: 'user' | 'customer'; id: number };
  },
): Promise<string[]> {
  if (input.fileIds.length === 0) return [];
  const column = input.uploader.kind === 'user' ? 'uploaded_by_user' : 'uploaded_by_customer';
  const rows = await query<{ id: string }>(
    em,
    `update file set ticket_id = ?
      where id in (${input.fileIds.map(() => '?').join(', ')}) and ticket_id is null and ${column} = ?
      returning id`,
    [input.ticketId, ...input.fileIds, input.uploader.id],
  );
  return rows.map((r) => r.id);
}

/** A file on a ticket, as the ticket page lists it. */
export type TicketFileRow = {
  id: string;
  name: string;
  content_type: string;
  size: string | number;
  created_at: Date;
  uploaded_by_user: number | null;
  uploaded_by_customer: number | null;
};

/** The files on a ticket (its form's and those attached to it), oldest first. */
export function filesOfTicket(em: EntityManager, ticketId: string): Promise<TicketFileRow[]> {
  return query<TicketFileRow>(
    em,
    `select id, name, content_type, size, created_at, uploaded_by_user, uploaded_by_customer
       from file where ticket_id = ? order by created_at, id`,
    [ticketId],
  );
}
