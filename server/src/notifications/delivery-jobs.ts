import { type Database, forkEm, type JobBus } from '@docket/db';
import type { Log } from '../services.ts';
import { DELIVERY_QUEUE, type Notifier } from './notifier.ts';

/**
 * The worker that sends notices through outside targets: each job one notice through one target,
 * retried with backoff by the job queue; the last attempt's results go on the ticket's timeline
 * whatever they are. A slow target holds only its own jobs: they run side by side.
 */
export async function startDeliveryWorkers(
  db: Database,
  jobs: JobBus,
  notifier: Notifier,
  log: Log,
): Promise<void> {
  await jobs.work(DELIVERY_QUEUE, { batchSize: 10, pollingIntervalSeconds: 0.5 }, async (batch) => {
    const failures = await Promise.allSettled(
      batch.map((job) =>
        notifier.deliver(forkEm(db), job.data as Parameters<Notifier['deliver']>[1], {
          isLast: job.isLastAttempt,
        }),
      ),
    );
    const failed = failures.find((f) => f.status === 'rejected');
    if (failed) {
      log('warn', 'notification delivery failed; it will be retried', { error: String(failed.reason) });
      throw failed.reason;
    }
  });
}
