import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { benchDatabase, startServerProcess } from './bench-server.ts';

/**
 * The hostile-body attack of issue 11: 16 callers keep sending 1 MB bodies of directives and
 * aliases while /healthz and a logged-in query are timed. Baseline: the same probes with no attack,
 * in the same run. Target: p99 under 100 ms while the attack runs.
 */
// Encoded once: the attacking client only writes bytes (its own CPU is measured and reported).
const HOSTILE = [
  JSON.stringify({ query: `{ __typename ${'@include(if: true) '.repeat(50_000)} }` }),
  JSON.stringify({ query: `{ ${'a: __typename '.repeat(65_000)} }` }),
].map((b) => Buffer.from(b));

const attackAgent = new Agent({ keepAlive: true, maxSockets: 16 });
/**
 * One hostile POST over a kept-alive socket; resolves with the status once the answer is read, or
 * with 0 when the connection failed (a reset under load is counted, not fatal to the run).
 */
const attack = (url: string, token: string, body: Buffer) =>
  new Promise<number>((resolve) => {
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: attackAgent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });

/** CPU milliseconds (user + system) a process has used so far, from /proc. */
const processCpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function run() {
  const db = await benchDatabase();
  const server = await startServerProcess(db.url);
  try {
    const login = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation { login(email: "agent.a@docket.local", password: "docket-demo") { ... on Session { token } } }',
      }),
    });
    const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const probe = async (n: number) => {
      const health: number[] = [];
      const query: number[] = [];
      for (let i = 0; i < n; i++) {
        let t0 = performance.now();
        await (await fetch(`${server.url}/healthz`)).text();
        health.push(performance.now() - t0);
        t0 = performance.now();
        await (
          await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ query: '{ me { id } myTasks { id } }' }),
          })
        ).text();
        query.push(performance.now() - t0);
      }
      return { health, query };
    };
    await probe(20);
    const baseline = await probe(200);
    let isAttacking = true;
    let sent = 0;
    const statuses: Record<number, number> = {};
    const t0 = performance.now();
    const client0 = process.cpuUsage();
    const server0 = processCpuMs(server.pid);
    const attackers = Array.from({ length: 16 }, async (_, i) => {
      while (isAttacking) {
        const status = await attack(server.url, token, HOSTILE[i % 2]!);
        statuses[status] = (statuses[status] ?? 0) + 1;
        sent++;
      }
    });
    const attacked = await probe(200);
    isAttacking = false;
    const seconds = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(client0);
    const cpu = {
      seconds,
      client: (client.user + client.system) / 1e6 / seconds,
      server: (processCpuMs(server.pid) - server0) / 1000 / seconds,
    };
    await Promise.all(attackers);
    attackAgent.destroy();
    return { baseline, attacked, sent, statuses, cpu };
  } finally {
    await server.stop();
    await db.drop();
  }
}

type Probe = { health: number[]; query: number[] };
type Cpu = { seconds: number; client: number; server: number };
export function report(r: {
  baseline: Probe;
  attacked: Probe;
  sent: number;
  statuses: Record<number, number>;
  cpu: Cpu;
}): string[] {
  const line = (name: string, xs: number[], base: number[]) =>
    `${name}: p50 ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms (no attack: p50 ${pct(base, 0.5).toFixed(1)}, p99 ${pct(base, 0.99).toFixed(1)}; target p99 < 100 ms)`;
  return [
    `16 callers sent ${r.sent} hostile 1 MB bodies in ${r.cpu.seconds.toFixed(1)} s while probing (answers by status, 0 = connection failed: ${JSON.stringify(r.statuses)})`,
    `CPU while attacked, in cores: server ${r.cpu.server.toFixed(2)}, bench process (attack and probes) ${r.cpu.client.toFixed(2)}`,
    line('/healthz', r.attacked.health, r.baseline.health),
    line('logged-in query', r.attacked.query, r.baseline.query),
  ];
}
