import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import PgBoss from 'pg-boss';
import { insertJobsSql, JOB_ROW_COLUMNS, jobRowOf } from './job-rows.ts';
import { withTransactionConnection } from './sql.ts';

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
    options: { batchSize?: number; pollingIntervalSeconds?: number },
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
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
    },
  };
}
