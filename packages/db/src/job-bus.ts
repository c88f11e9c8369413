import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import PgBoss from 'pg-boss';
import { insertJobsSql, JOB_ROW_COLUMNS, type JobSpec, jobRowOf } from './job-rows.ts';
import { withTransactionConnection } from './sql.ts';

export type { JobSpec } from './job-rows.ts';

/** A fetched job; `isLastAttempt` when a failure now would not be retried. */
export type FetchedJob = { id: string; data: Record<string, unknown>; isLastAttempt: boolean };
export type JobHandler = (jobs: FetchedJob[]) => Promise<void>;

export type JobBus = {
  /** Inserts the jobs on the transaction's own connection: they exist only if it commits. */
  sendInTransaction(em: EntityManager, jobs: JobSpec[]): Promise<void>;
  /** Inserts the jobs now, outside any transaction. */
  send(jobs: JobSpec[]): Promise<void>;
  work(
    queue: string,
    options: {
      batchSize?: number;
      pollingIntervalSeconds?: number;
      /**
       * Also hold the jobs due within this many milliseconds in memory and take each at its due
       * time, instead of at the next poll after it (see holdSoonDue). The database stays the
       * record: a held job is taken only if no worker has taken it meanwhile.
       */
      holdDueWithinMs?: number;
    },
    handler: JobHandler,
  ): Promise<void>;
  stop(): Promise<void>;
};

/** A job id derived from its key (UUID-shaped, as pg-boss stores ids as uuid). */
export function jobIdOf(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * pg-boss on the application's database (its own schema, `pgboss`). Jobs that belong to a business
 * change are inserted inside that change's transaction, so a rolled-back change leaves no job and
 * a committed one always has its job.
 */
export async function startJobBus(options: {
  url: string;
  queues: string[];
  poolSize?: number;
  onError?: (e: Error) => void;
}): Promise<JobBus> {
  const boss = new PgBoss({
    connectionString: options.url,
    max: options.poolSize ?? 4,
    schema: 'pgboss',
    clockMonitorIntervalSeconds: 60,
    // Maintenance returns the jobs of a crashed process once they expire: look often, so work
    // resumes within a minute or so of a restart.
    maintenanceIntervalSeconds: 15,
  });
  boss.on('error', (e) => options.onError?.(e as Error));
  await boss.start();
  for (const q of options.queues) await boss.createQueue(q);
  const holders: (() => Promise<void>)[] = [];
  let stopping = false;
  const INSERT = insertJobsSql(`jsonb_to_recordset($1::jsonb) as j(${JOB_ROW_COLUMNS})`);
  return {
    async sendInTransaction(em, jobs) {
      if (jobs.length === 0) return;
      await withTransactionConnection(em, (client) =>
        client.query(INSERT, [JSON.stringify(jobs.map(jobRowOf))]),
      );
    },
    async send(jobs) {
      if (jobs.length) await boss.getDb().executeSql(INSERT, [JSON.stringify(jobs.map(jobRowOf))]);
    },
    async work(queue, o, handler) {
      if (o.holdDueWithinMs && !stopping)
        holders.push(
          holdSoonDue({
            executeSql: (text, values) => boss.getDb().executeSql(text, values) as never,
            queue,
            withinMs: o.holdDueWithinMs,
            batchSize: o.batchSize ?? 20,
            handler,
            settle: {
              complete: (ids) => boss.complete(queue, ids),
              fail: (ids, error) =>
                Promise.all(
                  ids.map((id) =>
                    boss.fail(queue, id, { message: String((error as Error)?.message ?? error) }),
                  ),
                ),
            },
            onError: (e) => options.onError?.(e as Error),
          }),
        );
      await boss.work(
        queue,
        {
          batchSize: o.batchSize ?? 20,
          pollingIntervalSeconds: o.pollingIntervalSeconds ?? 0.5,
          includeMetadata: true,
        },
        async (jobs) =>
          handler(
            jobs.map((j) => ({
              id: j.id,
              data: j.data as Record<string, unknown>,
              isLastAttempt: j.retryCount >= j.retryLimit,
            })),
          ),
      );
    },
    async stop() {
      stopping = true;
      // No new batches; those the fast-timer path holds finish and are settled first, while
      // pg-boss's pool is still open (stopped together, pg-boss closed its pool under them and
      // their jobs stayed active, to run again elsewhere once they expired).
      await Promise.all(holders.map((stop) => stop()));
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
    },
  };
}

/**
 * How finely held jobs are grouped: those due within the same slot are taken together, in one
 * batch. While few fall due, a slot is 5 ms, so each runs within milliseconds of its time. In a
 * burst (more than 40 a second, such as ten thousand SLA breaches in one minute) a slot is 25 ms:
 * at most 40 batches a second, a few jobs each, instead of one transaction per job, whose fixed
 * cost in work and garbage is what a burst is made of (a 10,000-breach minute: heap growth
 * roughly halved), for at most 20 ms more lateness.
 */
export function slotFor(dueCount: number, withinMs: number): number {
  return (dueCount * 1000) / withinMs > 40 ? 25 : 5;
}

/** A batch of jobs, as pg-boss hands them to a worker, settled as pg-boss settles them. */
type Settle = {
  complete: (ids: string[]) => Promise<unknown>;
  fail: (ids: string[], error: unknown) => Promise<unknown>;
};

/**
 * Holds the jobs of a queue that fall due within `withinMs` in memory and takes each batch at its
 * due time (PostgreSQL's clock decides what is due), so a job runs within milliseconds of its time
 * rather than at the next poll. Looks again every half window; the pg-boss worker beside it still
 * takes whatever this misses. A job is taken as pg-boss takes it (state active, one retry counted
 * when it was started before), only while no worker has it, so two processes never both run it.
 * Never more than one look at a time.
 * Returns a function that stops it, resolving once the batches being handled are settled.
 */
function holdSoonDue(options: {
  executeSql: (text: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
  queue: string;
  withinMs: number;
  batchSize: number;
  handler: JobHandler;
  settle: Settle;
  onError: (e: unknown) => void;
}): () => Promise<void> {
  const { executeSql, queue, withinMs, handler, settle, onError } = options;
  const held = new Set<string>();
  const timers = new Map<number, { ids: string[]; timer: NodeJS.Timeout }>();
  let isStopped = false;
  // Jobs whose time has come, taken up to a batch at a time, at most two batches at once: one
  // at a time when the database keeps up, batches when it does not (as pg-boss's own fetch).
  const ready: { id: string; tries: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  const pump = () => {
    while (!isStopped && inFlight.size < 2 && ready.length > 0) {
      const batch = ready.splice(0, options.batchSize);
      const running: Promise<void> = take(batch)
        .catch((e) => {
          for (const x of batch) held.delete(x.id);
          onError(e);
        })
        .finally(() => {
          inFlight.delete(running);
          pump();
        });
      inFlight.add(running);
    }
  };
  const take = async (batch: { id: string; tries: number }[]): Promise<void> => {
    const taken = (
      await executeSql(
        `with next as (
           select id from pgboss.job where name = $1 and id = any($2::uuid[]) and state < 'active'
              and start_after <= now() for update skip locked
         )
         update pgboss.job j set state = 'active', started_on = now(),
                retry_count = case when j.started_on is not null then j.retry_count + 1 else j.retry_count end
           from next where j.name = $1 and j.id = next.id
         returning j.id, j.data, j.retry_count, j.retry_limit`,
        [queue, batch.map((x) => x.id)],
      )
    ).rows;
    const got = new Set(taken.map((r) => String(r.id)));
    // Not due yet by PostgreSQL's clock (a timer may fire a little early): again a moment later.
    // Nor when another worker took it: then it is let go.
    const again: { id: string; tries: number }[] = [];
    for (const x of batch)
      if (got.has(x.id)) continue;
      else if (x.tries < 10) again.push({ id: x.id, tries: x.tries + 1 });
      else held.delete(x.id);
    if (again.length)
      setTimeout(() => {
        ready.push(...again);
        pump();
      }, 10);
    if (taken.length === 0) return;
    const ids = taken.map((r) => String(r.id));
    try {
      await handler(
        taken.map((r) => ({
          id: String(r.id),
          data: r.data as Record<string, unknown>,
          isLastAttempt: Number(r.retry_count) >= Number(r.retry_limit),
        })),
      );
      await settle.complete(ids);
    } catch (e) {
      await settle.fail(ids, e);
    } finally {
      for (const id of ids) held.delete(id);
    }
  };
  const look = async () => {
    // PostgreSQL's now() falls between sending and answering: counting from the sending, a timer
    // fires at the due time or a little before (then it tries again a moment later), never late.
    const sentAt = Date.now();
    const due = await executeSql(
      `select id, greatest(0, extract(epoch from (start_after - now())) * 1000)::int as in_ms
         from pgboss.job where name = $1 and state < 'active' and start_after < now() + $2 * interval '1 millisecond'
        order by start_after limit 10000`,
      [queue, withinMs],
    );
    const slotMs = slotFor(due.rows.length, withinMs);
    for (const r of due.rows) {
      const id = String(r.id);
      if (held.has(id)) continue;
      held.add(id);
      const at = Math.ceil((sentAt + Number(r.in_ms)) / slotMs) * slotMs;
      const slot = timers.get(at);
      if (slot) slot.ids.push(id);
      else {
        const ids = [id];
        const timer = setTimeout(() => {
          timers.delete(at);
          ready.push(...ids.map((x) => ({ id: x, tries: 0 })));
          pump();
        }, at - Date.now());
        timers.set(at, { ids, timer });
      }
    }
  };
  // One look at a time, the next half a window after the last one answered: when the database is
  // slow, looks started on a fixed beat would pile up, each holding a connection of the job pool
  // (starving the workers beside them) and each reading back the whole backlog.
  let loop: NodeJS.Timeout | undefined;
  const again = () => {
    if (isStopped) return;
    loop = setTimeout(
      () => {
        look().catch(onError).finally(again);
      },
      Math.max(50, withinMs / 2),
    );
  };
  look().catch(onError).finally(again);
  return async () => {
    isStopped = true;
    clearTimeout(loop);
    for (const { timer } of timers.values()) clearTimeout(timer);
    await Promise.all(inFlight);
  };
}
