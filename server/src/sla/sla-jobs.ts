import { SLA_METRICS, type SlaMetric } from '@docket/core';
import { type Database, forkEm, type JobBus } from '@docket/db';
import type { Log } from '../services.ts';
import { SLA_TIMER_QUEUE, type SlaService, type SlaTimerData } from './sla-service.ts';

function timerData(data: Record<string, unknown>): SlaTimerData | undefined {
  const { ticketId, metric, version, actionIndex } = data;
  if (typeof ticketId !== 'string' || !SLA_METRICS.includes(metric as SlaMetric)) return undefined;
  if (typeof version !== 'number' || !(actionIndex === null || typeof actionIndex === 'number'))
    return undefined;
  return { ticketId, metric: metric as SlaMetric, version, actionIndex };
}

/**
 * The worker that fires SLA timers: holds the timers due within the next two seconds in memory
 * and takes each at its due time (a breach is marked within milliseconds of it), polls every half
 * second for anything else, and takes up to 100 due jobs at once, handled in one transaction
 * (SlaService.handleTimers), so ten thousand breaches in a minute cost a few hundred
 * transactions. When a batch fails, its jobs run one after another, each in its own transaction,
 * so one bad ticket cannot hold back the others' breaches; pg-boss then retries the batch, where
 * the jobs that went through find nothing left to do.
 */
export async function startSlaWorkers(db: Database, jobs: JobBus, sla: SlaService, log: Log): Promise<void> {
  await jobs.work(
    SLA_TIMER_QUEUE,
    { batchSize: 100, pollingIntervalSeconds: 0.5, holdDueWithinMs: 2_000 },
    async (batch) => {
      const timers: (SlaTimerData & { jobId: string })[] = [];
      for (const { id, data } of batch) {
        const timer = timerData(data);
        if (timer) timers.push({ ...timer, jobId: id });
        else log('warn', 'SLA timer job without a usable payload; dropped', { jobId: id, data });
      }
      if (timers.length === 0) return;
      let outcomes: ('missing' | 'stale' | 'applied')[];
      try {
        outcomes = await sla.handleTimers(forkEm(db), timers);
      } catch (e) {
        log('warn', 'SLA timer batch failed; handling its jobs one by one', {
          jobs: timers.length,
          error: String((e as Error)?.message ?? e),
        });
        // One at a time: a hundred transactions at once would take the pool from everyone else.
        outcomes = [];
        let failure: unknown;
        for (const t of timers) {
          try {
            outcomes.push(await sla.handleTimer(forkEm(db), t, t.jobId));
          } catch (error) {
            failure ??= error;
            outcomes.push('stale');
          }
        }
        if (failure !== undefined) throw failure;
      }
      outcomes.forEach((outcome, i) => {
        if (outcome === 'missing')
          log('warn', 'SLA timer for a ticket without SLA clocks; nothing to do', { ...timers[i] });
      });
    },
  );
}
