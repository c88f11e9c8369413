import type { JobBus } from '@docket/db';
import { PLUGIN_CALL_QUEUE } from './plugin-contributions.ts';
import type { PluginService } from './plugin-service.ts';

/**
 * The worker of plugin calls made for workflow steps, SLA timers and outgoing channel replies.
 * Jobs of a batch run side by side (a slow plugin holds only its own); each job handles its own
 * failures (PluginService.runJob), so a batch is retried only when even that could not be written.
 */
export async function startPluginWorkers(jobs: JobBus, plugins: PluginService): Promise<void> {
  await jobs.work(PLUGIN_CALL_QUEUE, { batchSize: 10, pollingIntervalSeconds: 0.5 }, async (batch) => {
    const results = await Promise.allSettled(batch.map((job) => plugins.runJob(job)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });
}
