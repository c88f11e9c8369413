import type { WritePart } from './sql.ts';

/**
 * Jobs written by Docket's own statements: the same rows pg-boss 10's insert writes (id from the
 * job's key, retries with backoff, the queue's policy and dead letter, 14 days kept), so a
 * statement that writes a ticket or a workflow step can write the jobs it schedules too, instead
 * of a round trip through pg-boss's API. The job bus's own inserts use the same SQL.
 */

/** A durable job: runs at `startAfter` (or at once), at least once, on whichever process fetches it. */
export type JobSpec = {
  queue: string;
  data: Record<string, unknown>;
  /** When to run; at once when absent. */
  startAfter?: Date;
  /**
   * A stable key for the job: the same key gives the same job id, so enqueueing it twice (a step
   * retried after a crash) leaves one job.
   */
  key: string;
  retryLimit?: number;
  /**
   * How long a fetched job may run before pg-boss takes it for dead and hands it out again (a
   * process that crashed mid-job never finishes it). 60 s when absent; a job that waits on the
   * outside world needs its own timeout plus a margin.
   */
  expireInSeconds?: number;
};

/** A job as a JSON row of a statement's input (see JOB_ROW_COLUMNS). */
export type JobRow = {
  key: string;
  name: string;
  data: Record<string, unknown>;
  start_after: string | null;
  retry_limit: number;
  expire_seconds: number;
};

export const jobRowOf = (spec: JobSpec): JobRow => ({
  key: spec.key,
  name: spec.queue,
  data: spec.data,
  start_after: spec.startAfter ? spec.startAfter.toISOString() : null,
  retry_limit: spec.retryLimit ?? 5,
  expire_seconds: spec.expireInSeconds ?? 60,
});

/** The record definition of JobRow, for jsonb_to_recordset. */
export const JOB_ROW_COLUMNS =
  'key text, name text, data jsonb, start_after timestamptz, retry_limit int, expire_seconds int';

/** The job id of a key, as jobIdOf computes it (sha256 of the key, shaped as a UUID). */
export const jobIdSql = (keyExpr: string): string =>
  `(select (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-5' || substr(h, 14, 3) || '-a' || substr(h, 18, 3) || '-' || substr(h, 21, 12))::uuid
      from (select encode(sha256(convert_to(${keyExpr}, 'UTF8')), 'hex') as h) k)`;

/**
 * Inserts jobs from a relation `source` with the columns of JobRow (aliased `j`). A job whose id
 * exists already is left alone (the same key enqueued twice is one job).
 */
export const insertJobsSql = (source: string): string =>
  `insert into pgboss.job (id, name, data, priority, start_after, expire_in, keep_until, retry_limit, retry_delay,
                           retry_backoff, policy, dead_letter)
   select ${jobIdSql('j.key')}, j.name, j.data, 0, coalesce(j.start_after, now()), j.expire_seconds * interval '1 second',
          coalesce(j.start_after, now()) + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),
          j.retry_limit, 1, true, q.policy, q.dead_letter
     from ${source} join pgboss.queue q on q.name = j.name
   on conflict do nothing`;

/** Jobs as one part of a statement (writeTogether). */
export const jobsPart = (jobs: JobSpec[]): WritePart => ({
  input: jobs.map(jobRowOf),
  isRows: true,
  sql: (input) => insertJobsSql(`jsonb_to_recordset(${input}) as j(${JOB_ROW_COLUMNS})`),
});
