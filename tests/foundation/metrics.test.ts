import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** GET /metrics: the server's counters for monitoring and the benchmarks, to loopback callers only. */
describe(`metrics (${databaseKind()})`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());

  const counters = async () => {
    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1]);
    return {
      statements: value('docket_sql_statements_total'),
      cpu: value('process_cpu_seconds_total'),
      rss: value('process_resident_memory_bytes'),
      heapUsed: value('nodejs_heap_used_bytes'),
      heapTotal: value('nodejs_heap_total_bytes'),
      external: value('nodejs_external_memory_bytes'),
    };
  };

  it('counts the statements the server runs, its CPU and memory (heap too), in Prometheus text', async () => {
    const before = await counters();
    expect(before.rss).toBeGreaterThan(1_000_000);
    // The JavaScript heap: in use, within what is reserved, within the resident memory.
    expect(before.heapUsed).toBeGreaterThan(1_000_000);
    expect(before.heapTotal).toBeGreaterThanOrEqual(before.heapUsed);
    expect(before.rss).toBeGreaterThan(before.heapUsed);
    expect(before.external).toBeGreaterThan(0);
    const token = await s.login('agent.a@docket.local');
    const r = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
      { i: { templateKey: 'product-b-issue', title: 'Counted', formData: { question: 'Does it count?' } } },
      token,
    );
    expect(r.data?.createTicket.__typename).toBe('Ticket');
    const after = await counters();
    expect(after.statements).toBeGreaterThan(before.statements);
    expect(after.cpu).toBeGreaterThan(before.cpu);
  });

  it('is not a page of the web app, and refuses callers from another address', async () => {
    const res = await fetch(`${s.url}/metrics`, { headers: { accept: 'text/html' } });
    expect(await res.text()).toContain('docket_sql_statements_total');
    // The same app listening on every address, reached through this machine's own network address.
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!outside) throw new Error('This test needs a non-loopback IPv4 address on the machine.');
    const server = createServer((req, res) => s.app.callback(req, res));
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const refused = await fetch(`http://${outside}:${port}/metrics`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toMatch(/loopback callers only/);
    } finally {
      server.close();
    }
  });
});
