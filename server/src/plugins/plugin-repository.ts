import { type EntityManager, escapeLike, pgJson, query, queryOne } from '@docket/db';

/**
 * The plugins domain's SQL: key-value data, the log, call records and channel threads. Plugin
 * and version rows go through their entities (plugin-service.ts); these tables are written per
 * call, so by hand, and the log and call records in batches.
 */

// ---------------------------------------------------------------------------------------------
// Key-value data

const LIVE = '(expires_at is null or expires_at > now())';

export async function kvGet(em: EntityManager, plugin: string, key: string): Promise<unknown> {
  const row = await queryOne<{ value: unknown }>(
    em,
    `select value from plugin_kv where plugin = ? and key = ? and ${LIVE}`,
    [plugin, key],
  );
  return row ? row.value : null;
}

export async function kvSet(
  em: EntityManager,
  input: { plugin: string; key: string; value: unknown; ttlSeconds?: number | undefined },
): Promise<void> {
  await query(
    em,
    `insert into plugin_kv (plugin, key, value, expires_at, updated_at)
     values (?, ?, ?::jsonb, case when ?::int is null then null else now() + ?::int * interval '1 second' end, now())
     on conflict (plugin, key) do update set value = excluded.value, expires_at = excluded.expires_at, updated_at = now()`,
    [input.plugin, input.key, pgJson(input.value), input.ttlSeconds ?? null, input.ttlSeconds ?? null],
  );
}

export async function kvDelete(em: EntityManager, plugin: string, key: string): Promise<void> {
  await query(em, 'delete from plugin_kv where plugin = ? and key = ?', [plugin, key]);
}

export async function kvList(
  em: EntityManager,
  input: { plugin: string; prefix: string; limit: number },
): Promise<{ key: string; value: unknown }[]> {
  return query(
    em,
    `select key, value from plugin_kv where plugin = ? and key like ? and ${LIVE} order by key collate "C" limit ?`,
    [input.plugin, `${escapeLike(input.prefix)}%`, input.limit],
  );
}

/** How many live entries a plugin keeps, and how many bytes of JSON. */
export async function kvUsage(
  em: EntityManager,
  plugin: string,
): Promise<{ entries: number; bytes: number }> {
  const row = await queryOne<{ entries: string; bytes: string | null }>(
    em,
    `select count(*) as entries, sum(length(value::text)) as bytes from plugin_kv where plugin = ? and ${LIVE}`,
    [plugin],
  );
  return { entries: Number(row?.entries ?? 0), bytes: Number(row?.bytes ?? 0) };
}

// ---------------------------------------------------------------------------------------------
// Log and call records

export type PluginLogRow = {
  plugin: string;
  version: string;
  kind: 'log' | 'metric' | 'event';
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data: unknown;
  handler: string | null;
  call_id: string | null;
  created_at: string;
};

export type PluginCallRow = {
  plugin: string;
  version: string;
  handler: string;
  call_id: string | null;
  is_ok: boolean;
  error_code: string | null;
  duration_ms: number;
  created_at: string;
};

/**
 * Writes log entries and call records in batches (one statement per table every quarter second,
 * or sooner when many wait), so a busy plugin costs the database a few statements a second. An
 * entry of a plugin that is gone by then (purged) is dropped.
 */
export class PluginRecorder {
  private logs: PluginLogRow[] = [];
  private calls: PluginCallRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { em: () => EntityManager; onError: (e: unknown) => void; intervalMs?: number },
  ) {}

  log(row: Omit<PluginLogRow, 'created_at'>): void {
    this.logs.push({ ...row, created_at: new Date().toISOString() });
    this.schedule();
  }

  call(row: Omit<PluginCallRow, 'created_at'>): void {
    this.calls.push({ ...row, created_at: new Date().toISOString() });
    this.schedule();
  }

  private schedule(): void {
    if (this.logs.length + this.calls.length >= 500) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.deps.intervalMs ?? 250);
    this.timer.unref?.();
  }

  /** Writes what waits (and waits for a write already under way). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const logs = this.logs;
    const calls = this.calls;
    this.logs = [];
    this.calls = [];
    this.flushing = this.flushing.then(async () => {
      if (logs.length === 0 && calls.length === 0) return;
      const em = this.deps.em();
      try {
        if (logs.length > 0)
          await query(
            em,
            `insert into plugin_log (plugin, version, kind, level, message, data, handler, call_id, created_at)
             select r.plugin, r.version, r.kind, r.level, r.message, r.data, r.handler, r.call_id, r.created_at
               from jsonb_to_recordset(?::jsonb) as r(plugin text, version text, kind text, level text, message text,
                                                      data jsonb, handler text, call_id text, created_at timestamptz)
               join plugin p on p.name = r.plugin`,
            [pgJson(logs)],
          );
        if (calls.length > 0)
          await query(
            em,
            `insert into plugin_call (plugin, version, handler, call_id, is_ok, error_code, duration_ms, created_at)
             select r.plugin, r.version, r.handler, r.call_id, r.is_ok, r.error_code, r.duration_ms, r.created_at
               from jsonb_to_recordset(?::jsonb) as r(plugin text, version text, handler text, call_id text, is_ok boolean,
                                                      error_code text, duration_ms double precision, created_at timestamptz)
               join plugin p on p.name = r.plugin`,
            [pgJson(calls)],
          );
      } catch (e) {
        this.deps.onError(e);
      }
    });
    return this.flushing;
  }
}

export type PluginLogFilter = {
  plugin: string;
  first: number;
  levels?: string[] | null;
  kinds?: string[] | null;
};

export async function readPluginLog(
  em: EntityManager,
  f: PluginLogFilter,
): Promise<(Omit<PluginLogRow, 'created_at'> & { id: string; created_at: Date })[]> {
  const where = ['plugin = ?'];
  const params: unknown[] = [f.plugin];
  if (f.levels?.length) {
    where.push('level = any(?::text[])');
    params.push(f.levels);
  }
  if (f.kinds?.length) {
    where.push('kind = any(?::text[])');
    params.push(f.kinds);
  }
  params.push(f.first);
  return query(
    em,
    `select id, plugin, version, kind, level, message, data, handler, call_id, created_at
       from plugin_log where ${where.join(' and ')} order by id desc limit ?`,
    params,
  );
}

/** Call counts, errors and latency percentiles of a plugin since a time, per handler and overall. */
export type PluginCallStats = {
  handler: string | null;
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Error codes and how often each came. */
  errorCodes: { code: string; count: number }[];
};

export async function readCallStats(
  em: EntityManager,
  input: { plugin: string; since: Date },
): Promise<PluginCallStats[]> {
  const rows = await query<{
    handler: string | null;
    calls: string;
    errors: string;
    p50: number | null;
    p95: number | null;
    p99: number | null;
  }>(
    em,
    `select handler, count(*) as calls, count(*) filter (where not is_ok) as errors,
            percentile_cont(0.5) within group (order by duration_ms) as p50,
            percentile_cont(0.95) within group (order by duration_ms) as p95,
            percentile_cont(0.99) within group (order by duration_ms) as p99
       from plugin_call where plugin = ? and created_at >= ?
      group by grouping sets ((handler), ())
      order by handler nulls first`,
    [input.plugin, input.since],
  );
  const codes = await query<{ handler: string | null; error_code: string | null; n: string }>(
    em,
    `select handler, error_code, count(*) as n
       from plugin_call where plugin = ? and created_at >= ? and not is_ok
      group by grouping sets ((handler, error_code), (error_code))`,
    [input.plugin, input.since],
  );
  return rows.map((r) => ({
    handler: r.handler,
    calls: Number(r.calls),
    errors: Number(r.errors),
    p50Ms: r.p50 === null ? null : Number(r.p50),
    p95Ms: r.p95 === null ? null : Number(r.p95),
    p99Ms: r.p99 === null ? null : Number(r.p99),
    errorCodes: codes
      .filter((c) => c.handler === r.handler)
      .map((c) => ({ code: c.error_code ?? 'UNKNOWN', count: Number(c.n) }))
      .sort((a, b) => b.count - a.count),
  }));
}

// ---------------------------------------------------------------------------------------------
// Channel threads

export async function ticketOfThread(
  em: EntityManager,
  channel: string,
  threadKey: string,
): Promise<string | undefined> {
  const row = await queryOne<{ ticket_id: string }>(
    em,
    'select ticket_id::text from plugin_thread where channel = ? and thread_key = ?',
    [channel, threadKey],
  );
  return row?.ticket_id;
}

/** The threads among `threadKeys` that have a ticket already, with it. */
export async function ticketsOfThreads(
  em: EntityManager,
  channel: string,
  threadKeys: string[],
): Promise<Map<string, string>> {
  if (threadKeys.length === 0) return new Map();
  const rows = await query<{ thread_key: string; ticket_id: string }>(
    em,
    'select thread_key, ticket_id::text from plugin_thread where channel = ? and thread_key = any(?::text[])',
    [channel, threadKeys],
  );
  return new Map(rows.map((r) => [r.thread_key, r.ticket_id]));
}

export async function threadOfTicket(
  em: EntityManager,
  channel: string,
  ticketId: string | number,
): Promise<string | undefined> {
  const row = await queryOne<{ thread_key: string }>(
    em,
    'select thread_key from plugin_thread where channel = ? and ticket_id = ? order by created_at limit 1',
    [channel, ticketId],
  );
  return row?.thread_key;
}

export async function recordThread(
  em: EntityManager,
  input: { channel: string; plugin: string; threadKey: string; ticketId: string | number },
): Promise<void> {
  await query(
    em,
    'insert into plugin_thread (channel, thread_key, plugin, ticket_id) values (?, ?, ?, ?) on conflict do nothing',
    [input.channel, input.threadKey, input.plugin, input.ticketId],
  );
}

/**
 * Takes a message's own key (a mail's Message-ID) as one more key of its ticket's thread, in the
 * caller's transaction; false when the channel has it already (the same message came before).
 */
export async function claimThreadKey(
  em: EntityManager,
  input: { channel: string; plugin: string; threadKey: string; ticketId: string | number },
): Promise<boolean> {
  const rows = await query<{ thread_key: string }>(
    em,
    `insert into plugin_thread (channel, thread_key, plugin, ticket_id) values (?, ?, ?, ?)
     on conflict do nothing returning thread_key`,
    [input.channel, input.threadKey, input.plugin, input.ticketId],
  );
  return rows.length > 0;
}

/** Who an outgoing reply is from (the agent's name) and to (the requester's email or phone). */
export async function replyPeople(
  em: EntityManager,
  input: { ticketId: string; authorUserId: number | null },
): Promise<{ authorName: string | null; recipients: string[] }> {
  const row = await queryOne<{ author: string | null; email: string | null; phone: string | null }>(
    em,
    `select (select name from app_user where id = ?) as author, c.email, c.phone
       from ticket t left join customer c on c.id = t.requester_id where t.id = ?`,
    [input.authorUserId, input.ticketId],
  );
  return {
    authorName: row?.author ?? null,
    recipients: [row?.email ?? row?.phone].filter((x): x is string => Boolean(x)),
  };
}

/** A ticket by its number, with its requester (replies naming a ticket number must come from them). */
export async function requesterOfTicketNumber(
  em: EntityManager,
  number: string,
): Promise<{ id: string; requesterId: number | null } | undefined> {
  const row = await queryOne<{ id: string; requester_id: number | null }>(
    em,
    'select id::text, requester_id from ticket where number = ?',
    [number],
  );
  return row ? { id: row.id, requesterId: row.requester_id } : undefined;
}

/** What the desk is told about a caller: the customer found by phone or email, and their open tickets. */
export type CallerFacts = {
  phone: string | null;
  email: string | null;
  customer: { id: string; name: string; email: string | null; phone: string | null } | null;
  openTickets: { id: string; number: string; title: string; status: string; createdAt: string }[];
};

export async function callerOf(
  em: EntityManager,
  who: { phone?: string; email?: string },
): Promise<CallerFacts> {
  const phone = who.phone?.trim() || null;
  const email = who.email?.trim() || null;
  const found = await queryOne<{ id: number; name: string; email: string | null; phone: string | null }>(
    em,
    `select id, name, email, phone from customer
      where (?::text is not null and phone = ?) or (?::text is not null and lower(email) = lower(?))
      order by (phone = ?) desc nulls last, id limit 1`,
    [phone, phone, email, email, phone],
  );
  const open = found
    ? await query<{ id: string; number: string; title: string; status: string; created_at: Date }>(
        em,
        `select id::text, number, title, status, created_at from ticket
          where requester_id = ? and status not in ('solved', 'closed') order by created_at desc limit 20`,
        [found.id],
      )
    : [];
  return {
    phone,
    email,
    customer: found
      ? { id: String(found.id), name: found.name, email: found.email, phone: found.phone }
      : null,
    openTickets: open.map((t) => ({
      id: t.id,
      number: t.number,
      title: t.title,
      status: t.status,
      createdAt: new Date(t.created_at).toISOString(),
    })),
  };
}
