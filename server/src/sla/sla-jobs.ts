import { SLA_METRICS, type SlaMetric } from '@docket/core';
import type { Database, JobBus } from '@docket/db';
import { forkEm } from '../db-access.ts';
import type { Services } from '../services.ts';
import { SLA_TIMER_QUEUE, type SlaService, type SlaTimerData } from './sla-service.ts';

function timerData(data: Record<string, unknown>): SlaTimerData | undefined {
  const { ticketId, metric, version, actionIndex } = data;
  if (typeof ticketId !== 'string' || !SLA_METRICS.includes(metric as SlaMetric)) return undefined;
  if (typeof version !== 'number' || !(actionIndex === null || typeof actionIndex === 'number'))
    return undefined;
  return { ticketId, metric: metric as SlaMetric, version, actionIndex };
}

/**
 * The worker that fires SLA timers: polls every half second (a breach is marked within about a
 * second of its due time), each job in a transaction of its own under the ticket's row lock.
 */
export async function startSlaWorkers(
  db: Database,
  jobs: JobBus,
  sla: SlaService,
  log: Services['log'],
): Promise<void> {
  await jobs.work(SLA_TIMER_QUEUE, { batchSize: 50, pollingIntervalSeconds: 0.5 }, async (batch) => {
    const outcomes = await Promise.allSettled(
      batch.map(async ({ id, data }) => {
        const timer = timerData(data);
        if (!timer) {
          log('warn', 'SLA timer job without a usable payload; dropped', { jobId: id, data });
          return;
        }
        const outcome = await sla.handleTimer(forkEm(db), timer, id);
        if (outcome === 'missing')
          log('warn', 'SLA timer for a ticket without SLA clocks; nothing to do', { jobId: id, ...timer });
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    // pg-boss retries the batch; jobs that went through are no-ops the second time (stale or already fired).
    if (failed) throw failed.reason;
  });
}
