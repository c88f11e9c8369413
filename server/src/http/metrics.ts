import { sqlStats } from '@docket/db';
import type Router from '@koa/router';

/**
 * GET /metrics: the process's counters in Prometheus' text format (statements the server ran
 * through its SQL helpers, CPU time, memory), for monitoring and for the benchmarks' per-operation
 * figures. Answered to loopback callers only: it tells nothing about tickets, but nothing to the
 * outside either.
 */
export function mountMetrics(
  router: Router,
  largeBodies?: { readonly holding: number; readonly queued: number },
): void {
  router.get('/metrics', (ctx) => {
    const address = ctx.req.socket.remoteAddress ?? '';
    if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address)) {
      ctx.status = 403;
      ctx.body = 'Metrics are served to loopback callers only.\n';
      return;
    }
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    ctx.type = 'text/plain; version=0.0.4';
    ctx.body = [
      '# HELP docket_sql_statements_total Statements run through the SQL helpers (hot paths; the ORM and the job queue not counted).',
      '# TYPE docket_sql_statements_total counter',
      `docket_sql_statements_total ${sqlStats.statements}`,
      '# HELP process_cpu_seconds_total User and system CPU time of the server process.',
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
      '# HELP process_resident_memory_bytes Resident memory of the server process.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${memory.rss}`,
      '# HELP nodejs_heap_used_bytes JavaScript heap in use (after the last garbage collection, roughly).',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${memory.heapUsed}`,
      '# HELP nodejs_heap_total_bytes JavaScript heap reserved (used and free).',
      '# TYPE nodejs_heap_total_bytes gauge',
      `nodejs_heap_total_bytes ${memory.heapTotal}`,
      '# HELP nodejs_external_memory_bytes Memory of C++ objects bound to JavaScript objects (buffers among them).',
      '# TYPE nodejs_external_memory_bytes gauge',
      `nodejs_external_memory_bytes ${memory.external}`,
      ...(largeBodies
        ? [
            '# HELP docket_large_bodies_reading Large request bodies being read and parsed now.',
            '# TYPE docket_large_bodies_reading gauge',
            `docket_large_bodies_reading ${largeBodies.holding}`,
            '# HELP docket_large_bodies_waiting Large request bodies waiting, unread, for their turn.',
            '# TYPE docket_large_bodies_waiting gauge',
            `docket_large_bodies_waiting ${largeBodies.queued}`,
          ]
        : []),
      '',
    ].join('\n');
  });
}
