import { type Database, type EntityManager, forkEm, type JobBus, type SecretBox } from '@docket/db';
import type { WorkflowEvent } from '@docket/engine';
import type { Log } from '../services.ts';
import { type OutboundCall, readOutboundCall, recordCallAnswer } from './workflow-repository.ts';
import type { WorkflowRuntime } from './workflow-runtime.ts';
import { fillSecrets } from './workflow-secrets.ts';
import { EVENT_QUEUE, OUTBOUND_QUEUE, SYSTEM_CAUSE, TIMER_QUEUE } from './workflow-types.ts';

/**
 * Makes one outbound HTTP call. The Idempotency-Key header is the same on every retry of the
 * same step, so a receiver that saw the call before (we crashed before recording its answer) can
 * answer without doing the work twice.
 */
async function performCall(
  em: EntityManager,
  secrets: SecretBox,
  call: OutboundCall,
): Promise<Record<string, unknown>> {
  const r = call.request;
  try {
    // The stored request names its secrets; their values join it only here.
    const filled = await fillSecrets(em, secrets, call.instance_id, r.headers);
    if ('error' in filled) return { ok: false, error: filled.error };
    const res = await fetch(r.url, {
      method: r.method,
      headers: {
        ...(r.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...filled,
        'idempotency-key': call.idempotency_key,
      },
      ...(r.body === undefined || r.method === 'GET' ? {} : { body: JSON.stringify(r.body) }),
      signal: AbortSignal.timeout(r.timeoutMs),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // keep the text
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return res.ok
      ? { ok: true, status: res.status, body, headers }
      : { ok: false, status: res.status, body, error: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as Error;
    return {
      ok: false,
      error:
        err.name === 'TimeoutError'
          ? `No answer within ${r.timeoutMs} ms.`
          : `The call failed: ${err.message}`,
    };
  }
}

/** Registers the workers that fire timers, make outbound calls and deliver events between instances. */
export async function startWorkflowWorkers({
  db,
  jobs,
  runtime,
  secrets,
  log,
}: {
  db: Database;
  jobs: JobBus;
  runtime: WorkflowRuntime;
  secrets: SecretBox;
  log: Log;
}): Promise<void> {
  const dispatch = (instanceId: string, event: WorkflowEvent) =>
    runtime.dispatch(forkEm(db), instanceId, event, SYSTEM_CAUSE);

  await jobs.work(TIMER_QUEUE, { batchSize: 50, pollingIntervalSeconds: 0.5 }, async (batch) => {
    await Promise.all(
      batch.map(({ data }) =>
        dispatch(String(data.instanceId), {
          type: 'timer_fired',
          timerId: String(data.timerId),
          version: Number(data.version),
        }),
      ),
    );
  });

  await jobs.work(EVENT_QUEUE, { batchSize: 20, pollingIntervalSeconds: 0.5 }, async (batch) => {
    for (const { data } of batch) await dispatch(String(data.instanceId), data.event as WorkflowEvent);
  });

  await jobs.work(OUTBOUND_QUEUE, { batchSize: 10, pollingIntervalSeconds: 0.5 }, async (batch) => {
    await Promise.all(
      batch.map(async ({ data }) => {
        const em = forkEm(db);
        const call = await readOutboundCall(em, String(data.callId));
        if (!call) return;
        const payload = call.status === 'done' ? call.response : await performCall(em, secrets, call);
        await em.transactional(async (tx) => {
          await recordCallAnswer(tx, call.id, payload);
          await runtime.dispatchIn(
            tx,
            call.instance_id,
            { type: 'outside_event', name: call.reply.name, key: call.reply.key, payload },
            SYSTEM_CAUSE,
          );
        });
        log('info', 'outbound call', { callId: call.id, ok: (payload as { ok?: boolean }).ok });
      }),
    );
  });
}
