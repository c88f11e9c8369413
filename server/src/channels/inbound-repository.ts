import { type EntityManager, query, queryOne } from '@docket/db';

/**
 * The channels domain's SQL: inbound messages kept raw before a plugin sees them, claimed for a
 * try with a lease (the next try's time), finished in the transaction that records what they
 * became; and inbound mail attachments.
 */

/** Writer keys of what a new ticket from an inbound message writes with it (registerInboundWriters). */
export const INBOUND_THREAD_ROWS = 'inbound_thread';
export const INBOUND_DONE_ROWS = 'inbound_done';
export const INBOUND_FILE_ROWS = 'inbound_files';

/** What a ticket made from an inbound message writes with it. */
export type InboundTicketRow = {
  messageId: string;
  channel: string;
  plugin: string;
  threadKey: string;
  outcome: Record<string, unknown>;
};

/** The rows to hand createTicket so that the ticket, its thread and its message's marking commit as one. */
export const inboundTicketRows = (row: InboundTicketRow): Record<string, readonly unknown[]> => ({
  [INBOUND_THREAD_ROWS]: [row],
  [INBOUND_DONE_ROWS]: [row],
  [INBOUND_FILE_ROWS]: [row],
});

/**
 * A ticket made from an inbound message is written in one statement with its thread (the
 * channel's thread key, the mail's Message-ID, unique per channel: a second ticket for the same
 * thread fails whole, writing nothing), the message marked done with it, and the message's staged
 * attachments given to it. So a crash leaves either all of it or none, and a retry of a message
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
      `update inbound_attachment a set ticket_id = r.id
         from ${from} where a.message_id = (x->>'messageId')::bigint and a.ticket_id is null`,
  });
}

/**
 * Stages a message's attachments before its ticket is written (that statement gives them to it):
 * those an earlier try staged and left without a ticket go first, so a retry keeps one copy.
 */
export async function stageAttachments(
  tx: EntityManager,
  input: { messageId: string; files: { filename: string; contentType: string; content: Buffer }[] },
): Promise<void> {
  await query(tx, 'delete from inbound_attachment where message_id = ? and ticket_id is null', [
    input.messageId,
  ]);
  await insertAttachments(tx, { ...input, ticketId: null });
}

/** Gives a message's attachments to a ticket in the caller's transaction (dropping any an earlier try staged). */
export async function attachFiles(
  tx: EntityManager,
  input: {
    messageId: string;
    ticketId: string;
    files: { filename: string; contentType: string; content: Buffer }[];
  },
): Promise<void> {
  await query(tx, 'delete from inbound_attachment where message_id = ? and ticket_id is null', [
    input.messageId,
  ]);
  await insertAttachments(tx, input);
}

export async function insertInbound(
  em: EntityManager,
  input: { transport: string; envelope: Record<string, unknown>; raw: Buffer; receivedAt: Date },
): Promise<string> {
  const row = await queryOne<{ id: string }>(
    em,
    'insert into inbound_message (transport, envelope, raw, received_at) values (?, ?::jsonb, ?, ?) returning id::text',
    [input.transport, JSON.stringify(input.envelope), input.raw, input.receivedAt],
  );
  return row!.id;
}

export type ClaimedInbound = {
  id: string;
  raw: Buffer;
  envelope: Record<string, unknown>;
  attempts: number;
  receivedAt: Date;
};

/**
 * Claims the pending, due messages among `ids` for one try each, oldest first: each one's next try
 * moves out by the backoff (so another process leaves it alone meanwhile, and a crash retries it
 * then). A message that is not due is left out.
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
            next_attempt_at = now() + least(interval '1 hour', interval '5 seconds' * power(2, attempts))
      where id = any(?::bigint[]) and status = 'pending' and next_attempt_at <= now()
      returning id::text, raw, envelope, attempts, received_at`,
    [ids],
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

export async function failInbound(
  em: EntityManager,
  id: string,
  input: { channel: string | null; error: string },
): Promise<void> {
  await query(em, 'update inbound_message set channel = ?, last_error = ?, updated_at = now() where id = ?', [
    input.channel,
    input.error.slice(0, 4000),
    id,
  ]);
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

export async function insertAttachments(
  tx: EntityManager,
  input: {
    messageId: string;
    ticketId: string | null;
    files: { filename: string; contentType: string; content: Buffer }[];
  },
): Promise<void> {
  for (const f of input.files)
    await query(
      tx,
      `insert into inbound_attachment (message_id, ticket_id, filename, content_type, size, content)
       values (?, ?, ?, ?, ?, ?)`,
      [input.messageId, input.ticketId, f.filename, f.contentType, f.content.length, f.content],
    );
}

/** A ticket's inbound attachments (without their bytes). */
export async function attachmentsOfTicket(
  em: EntityManager,
  ticketId: string,
): Promise<{ id: string; filename: string; content_type: string; size: number }[]> {
  return query(
    em,
    'select id::text, filename, content_type, size from inbound_attachment where ticket_id = ? order by inbound_attachment.id',
    [ticketId],
  );
}
