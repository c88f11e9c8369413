import { createHash } from 'node:crypto';
import { type EntityManager, query, queryOne } from '@docket/db';
import { type FileStorage, newFileId } from '../files/file-storage.ts';
import { baseType, cleanFileName } from '../files/file-types.ts';

/**
 * The channels domain's SQL: inbound messages kept raw before a plugin sees them, claimed for a
 * try with a lease (the next try's time), finished in the transaction that records what they
 * became; and inbound mail attachments, kept as stored files (files/).
 */

/** Writer keys of what a new ticket from an inbound message writes with it (registerInboundWriters). */
export const INBOUND_THREAD_ROWS = 'inbound_thread';
export const INBOUND_DONE_ROWS = 'inbound_done';
export const INBOUND_FILE_ROWS = 'inbound_files';
export const INBOUND_REFUSED_ROWS = 'inbound_refused';

/** What a ticket made from an inbound message writes with it. */
export type InboundTicketRow = {
  messageId: string;
  channel: string;
  plugin: string;
  threadKey: string;
  outcome: Record<string, unknown>;
  /** The timeline entry naming the attachments that were not kept, if any. */
  refused?: { body: string; diff: unknown };
};

/** The rows to hand createTicket so that the ticket, its thread and its message's marking commit as one. */
export const inboundTicketRows = (row: InboundTicketRow): Record<string, readonly unknown[]> => ({
  [INBOUND_THREAD_ROWS]: [row],
  [INBOUND_DONE_ROWS]: [row],
  [INBOUND_FILE_ROWS]: [row],
  ...(row.refused ? { [INBOUND_REFUSED_ROWS]: [row] } : {}),
});

/**
 * A ticket made from an inbound message is written in one statement with its thread (the
 * channel's thread key, the mail's Message-ID, unique per channel: a second ticket for the same
 * thread fails whole, writing nothing), the message marked done with it, and the files its
 * attachments were stored as given to it (and a timeline entry naming those not kept). So a crash leaves either all of it or none, and a retry of a message
 * whose ticket committed finds it done (or its thread taken) instead of making a second ticket.
 */
export function registerInboundWriters(tickets: {
  addRowWriter(w: { key: string; insert: (from: string) => string }): void;
}): void {
  tickets.addRowWriter({
    key: INBOUND_THREAD_ROWS,
    insert: (from) =>
      `insert into plugin_thread (channel, thread_key, plugin, ticket_id)
       select x->>'channel', x->>'threadKey', x->>'plugin', r.id from ${from}`,
  });
  tickets.addRowWriter({
    key: INBOUND_DONE_ROWS,
    insert: (from) =>
      `update inbound_message m
          set status = 'done', channel = x->>'channel', ticket_id = r.id, outcome = x->'outcome',
              last_error = null, updated_at = now()
         from ${from} where m.id = (x->>'messageId')::bigint`,
  });
  tickets.addRowWriter({
    key: INBOUND_FILE_ROWS,
    insert: (from) =>
      `update file f set ticket_id = r.id, uploaded_by_customer = (r.v->>'requester_id')::int
         from ${from} where f.inbound_message_id = (x->>'messageId')::bigint and f.ticket_id is null`,
  });
  tickets.addRowWriter({
    key: INBOUND_REFUSED_ROWS,
    insert: (from) =>
      `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, via_token_id, channel, is_public, body, diff, created_at)
       select r.id, 'files.refused', 'system', null, null, x->>'channel', false, x->'refused'->>'body',
              x->'refused'->'diff', r.at from ${from}`,
  });
}

/**
 * Stores received messages in one statement; returns their ids in the order given (the ids are
 * drawn in that order, so the statement's ids sorted are theirs).
 */
export async function insertInboundMany(
  em: EntityManager,
  inputs: { transport: string; envelope: Record<string, unknown>; raw: Buffer; receivedAt: Date }[],
): Promise<string[]> {
  if (inputs.length === 0) return [];
  const rows = await query<{ id: string }>(
    em,
    `insert into inbound_message (transport, envelope, raw, received_at)
     select x->>'transport', x->'envelope', decode(x->>'raw', 'base64'), (x->>'receivedAt')::timestamptz
       from jsonb_array_elements(?::jsonb) with ordinality as a(x, n) order by n
     returning id::text`,
    [
      JSON.stringify(
        inputs.map((i) => ({
          transport: i.transport,
          envelope: i.envelope,
          raw: i.raw.toString('base64'),
          receivedAt: i.receivedAt.toISOString(),
        })),
      ),
    ],
  );
  const ids = rows
    .map((r) => r.id)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  if (ids.length !== inputs.length) throw new Error(`stored ${ids.length} of ${inputs.length} messages`);
  return ids;
}

export type ClaimedInbound = {
  id: string;
  raw: Buffer;
  envelope: Record<string, unknown>;
  attempts: number;
  receivedAt: Date;
};

/**
 * How long a try holds its message: no other try (a sweep here or in another process) takes it
 * meanwhile, and a try that died with its process is retried when it ends. A lease as short as
 * the first backoff (5 s) ran out under load while the try was still at work, and a sweep began
 * a second one: the plugin was asked twice, and its answer mailed twice.
 */
export const INBOUND_LEASE_SECONDS = 120;

/**
 * Claims the pending, due messages among `ids` for one try each, oldest first, with a lease of
 * INBOUND_LEASE_SECONDS. A message that is not due is left out. A failed try sets its next time
 * by the backoff (failInbound).
 */
export async function claimInboundMany(em: EntityManager, ids: string[]): Promise<ClaimedInbound[]> {
  if (ids.length === 0) return [];
  const rows = await query<{
    id: string;
    raw: Buffer;
    envelope: Record<string, unknown>;
    attempts: number;
    received_at: Date;
  }>(
    em,
    `update inbound_message
        set attempts = attempts + 1, updated_at = now(),
            next_attempt_at = now() + ? * interval '1 second'
      where id = any(?::bigint[]) and status = 'pending' and next_attempt_at <= now()
      returning id::text, raw, envelope, attempts, received_at`,
    [INBOUND_LEASE_SECONDS, ids],
  );
  return rows
    .map((r) => ({
      id: r.id,
      raw: r.raw,
      envelope: r.envelope,
      attempts: r.attempts,
      receivedAt: new Date(r.received_at),
    }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/**
 * Marks messages done or ignored in one statement; those with a ticket made from a new thread
 * record the thread in the same statement (so a message is done exactly when its thread is kept).
 */
export async function finishInboundMany(
  em: EntityManager,
  input: {
    channel: string;
    plugin: string;
    rows: {
      id: string;
      status: 'done' | 'ignored';
      ticketId: string | null;
      threadKey: string | null;
      outcome: Record<string, unknown>;
    }[];
  },
): Promise<void> {
  if (input.rows.length === 0) return;
  const values = input.rows.map(() => '(?::bigint, ?::text, ?::bigint, ?::text, ?::jsonb)').join(', ');
  await query(
    em,
    `with v(id, status, ticket_id, thread_key, outcome) as (values ${values}),
          threads as (
            insert into plugin_thread (channel, thread_key, plugin, ticket_id)
            select ?, thread_key, ?, ticket_id from v where thread_key is not null and ticket_id is not null
            on conflict do nothing)
     update inbound_message m
        set status = v.status, channel = ?, ticket_id = v.ticket_id, outcome = v.outcome, last_error = null,
            updated_at = now()
       from v where m.id = v.id`,
    [
      ...input.rows.flatMap((r) => [r.id, r.status, r.ticketId, r.threadKey, JSON.stringify(r.outcome)]),
      input.channel,
      input.plugin,
      input.channel,
    ],
  );
}

/** Pending messages due for a try, oldest first. */
export async function dueInbound(em: EntityManager, limit: number): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    `select id::text from inbound_message where status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at limit ?`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export async function finishInbound(
  tx: EntityManager,
  id: string,
  input: {
    status: 'done' | 'ignored';
    channel: string;
    ticketId: string | null;
    outcome: Record<string, unknown>;
  },
): Promise<void> {
  await query(
    tx,
    `update inbound_message set status = ?, channel = ?, ticket_id = ?, outcome = ?::jsonb, last_error = null,
            updated_at = now() where id = ?`,
    [input.status, input.channel, input.ticketId, JSON.stringify(input.outcome), id],
  );
}

/**
 * A failed try: the message stays pending with why (and the channel that tried, when known), and
 * its next try comes after the backoff (5 s after the first try, doubling, at most hourly). A
 * message another try finished meanwhile is left as it is.
 */
export function failInbound(
  em: EntityManager,
  id: string,
  input: { channel: string | null; error: string },
): Promise<void> {
  return failInboundMany(em, [id], input);
}

/** failInbound for several messages at once, with one reason (a try that failed as a whole). */
export async function failInboundMany(
  em: EntityManager,
  ids: string[],
  input: { channel: string | null; error: string },
): Promise<void> {
  if (ids.length === 0) return;
  await query(
    em,
    `update inbound_message
        set channel = coalesce(?, channel), last_error = ?, updated_at = now(),
            next_attempt_at = now() + least(interval '1 hour', interval '5 seconds' * power(2, greatest(attempts - 1, 0)))
      where id = any(?::bigint[]) and status = 'pending'`,
    [input.channel, input.error.slice(0, 4000), ids],
  );
}

export type InboundState = {
  id: string;
  status: 'pending' | 'done' | 'ignored';
  attempts: number;
  last_error: string | null;
  channel: string | null;
  ticket_id: string | null;
  outcome: Record<string, unknown> | null;
};

export async function readInbound(em: EntityManager, id: string): Promise<InboundState | undefined> {
  return queryOne<InboundState>(
    em,
    'select id::text, status, attempts, last_error, channel, ticket_id::text, outcome from inbound_message where id = ?',
    [id],
  );
}

/** An attachment of an inbound mail, as parsed. */
export type MailFile = { filename: string; contentType: string; content: Buffer };

/**
 * Drops the files an earlier try of a message stored and no ticket took (their bytes first, then
 * their rows: a crash between leaves rows the next drop removes again).
 */
export async function dropStagedFiles(
  em: EntityManager,
  storage: FileStorage,
  messageId: string,
): Promise<void> {
  const rows = await query<{ id: string }>(
    em,
    'select id from file where inbound_message_id = ? and ticket_id is null',
    [messageId],
  );
  if (rows.length === 0) return;
  for (const r of rows) await storage.remove(r.id);
  await query(em, 'delete from file where inbound_message_id = ? and ticket_id is null', [messageId]);
}

/**
 * Stores a message's attachments as files on no ticket yet, before the statement that writes its
 * ticket (or reply) takes them: what an earlier try stored and left goes first, so a retry keeps
 * one copy. Each row is committed before its bytes are written, so a crash leaves no bytes that
 * no row names (the next try's drop removes both).
 */
export async function stageMailFiles(
  em: EntityManager,
  storage: FileStorage,
  input: { messageId: string; files: MailFile[] },
): Promise<void> {
  await dropStagedFiles(em, storage, input.messageId);
  for (const f of input.files) {
    const id = newFileId();
    await query(
      em,
      `insert into file (id, name, content_type, size, sha256, inbound_message_id)
       values (?, ?, ?, ?, ?, ?)`,
      [
        id,
        cleanFileName(f.filename),
        baseType(f.contentType || 'application/octet-stream'),
        f.content.length,
        createHash('sha256').update(f.content).digest('hex'),
        input.messageId,
      ],
    );
    await storage.write(id, f.content);
  }
}

/** Gives a message's stored attachments to a ticket in the caller's transaction (a reply's). */
export async function takeStagedFiles(
  tx: EntityManager,
  input: { messageId: string; ticketId: string },
): Promise<void> {
  await query(tx, 'update file set ticket_id = ? where inbound_message_id = ? and ticket_id is null', [
    input.ticketId,
    input.messageId,
  ]);
}

/** A ticket's files that came with its mails (without their bytes). */
export async function attachmentsOfTicket(
  em: EntityManager,
  ticketId: string,
): Promise<{ id: string; filename: string; content_type: string; size: number }[]> {
  return query(
    em,
    `select id, name as filename, content_type, size::int as size from file
      where ticket_id = ? and inbound_message_id is not null order by created_at, id`,
    [ticketId],
  );
}

/**
 * Moves attachments kept in the mail tables (before they were stored files) to the files
 * directory, a few at a time: each row is first given the id of its file (committed), then its
 * bytes are written under that id, then its file row is made and the old row removed in one
 * transaction. A move cut short anywhere resumes with the same id, so it leaves one copy and no
 * bytes without a row. Returns how many were moved.
 */
export async function moveInboundAttachments(em: EntityManager, storage: FileStorage): Promise<number> {
  let moved = 0;
  for (;;) {
    const rows = await query<{
      id: string;
      message_id: string;
      ticket_id: string | null;
      filename: string;
      content_type: string;
      content: Buffer;
      file_id: string | null;
      created_at: Date;
    }>(
      em,
      `select id::text, message_id::text, ticket_id::text, filename, content_type, content, file_id, created_at
         from inbound_attachment order by id limit 20`,
    );
    if (rows.length === 0) return moved;
    for (const r of rows) {
      let fileId = r.file_id;
      if (!fileId) {
        fileId = newFileId();
        await query(em, 'update inbound_attachment set file_id = ? where id = ?', [fileId, r.id]);
      }
      const { sha256 } = await storage.write(fileId, r.content);
      await em.transactional(async (tx) => {
        await query(
          tx,
          `insert into file (id, name, content_type, size, sha256, ticket_id, inbound_message_id, created_at)
           values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
          [
            fileId,
            cleanFileName(r.filename),
            baseType(r.content_type || 'application/octet-stream'),
            r.content.length,
            sha256,
            r.ticket_id,
            r.message_id,
            r.created_at,
          ],
        );
        await query(tx, 'delete from inbound_attachment where id = ?', [r.id]);
      });
      moved++;
    }
  }
}
