import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { benchDatabase, load, login, startServerProcess } from './bench-server.ts';
import { CLIENTS, CREATE_INPUTS, createOne, createPlainTemplate, serverCounters } from './real-load.ts';

/**
 * Three servers against one, in the same run, on one machine's PostgreSQL: createTicket over
 * HTTP (CLIENTS concurrent callers, the plain template: no workflow, no SLA) sent to one server,
 * then spread round robin over three server processes on the same database, then to one again
 * (the one-server figure is the mean of both, so warming up favours neither). Each row prints
 * creates/s, p50/p99, the servers' CPU and the database's CPU (every `postgres` process on the
 * machine, from /proc) per create and in cores. On a 2-core machine shared by the servers, the
 * database and the load generator, the database and the cores bound both.
 *
 *   BENCH_ONLY=scale-out npm run bench      BENCH_SCALE_OUT (default 3000) creates per row
 */
const COUNT = Number(process.env.BENCH_SCALE_OUT ?? 3_000);

/** CPU seconds used so far by every PostgreSQL process (postmaster and backends) on this machine. */
function databaseCpuSeconds(): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command.
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

export type ScaleRow = {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
  serverCpuMsPerOp: number;
  databaseCpuMsPerOp: number;
  databaseCores: number;
};

export type ScaleOutResult = { one: ScaleRow; three: ScaleRow; load: string };

async function row(name: string, urls: string[], token: string, offset: number): Promise<ScaleRow> {
  let failures = 0;
  const cpu = async () => (await Promise.all(urls.map(serverCounters))).reduce((n, c) => n + c.cpuSeconds, 0);
  const before = { server: await cpu(), db: databaseCpuSeconds(), at: performance.now() };
  const r = await load(COUNT, CLIENTS, async (i) => {
    // A keep-alive socket the server closed as it was reused answers ECONNRESET: a failure, counted.
    const ok = await createOne(urls[i % urls.length]!, token, CREATE_INPUTS.plain!(offset + i)).catch(
      () => false,
    );
    if (!ok) failures++;
  });
  const after = { server: await cpu(), db: databaseCpuSeconds(), at: performance.now() };
  return {
    name,
    perSecond: r.perSecond,
    p50: r.p50,
    p99: r.p99,
    failures,
    serverCpuMsPerOp: ((after.server - before.server) * 1000) / COUNT,
    databaseCpuMsPerOp: ((after.db - before.db) * 1000) / COUNT,
    databaseCores: (after.db - before.db) / ((after.at - before.at) / 1000),
  };
}

export async function run(): Promise<ScaleOutResult> {
  const db = await benchDatabase();
  const env = { DOCKET_SECRET: 'scale-out-bench-secret' };
  const first = await startServerProcess(db.url, env);
  const others = await Promise.all([
    startServerProcess(db.url, { ...env, DOCKET_EXAMPLES: 'off' }),
    startServerProcess(db.url, { ...env, DOCKET_EXAMPLES: 'off' }),
  ]);
  const urls = [first.url, ...others.map((s) => s.url)];
  try {
    const admin = await login(first.url, 'admin@docket.local');
    const agent = await login(first.url, 'agent.a@docket.local');
    await createPlainTemplate(first.url, admin);
    // Warm every server up (V8 optimises the hot path after some thousand calls).
    await load(1_500, CLIENTS, async (i) => {
      await createOne(urls[i % 3]!, agent, CREATE_INPUTS.plain!(i)).catch(() => false);
    });
    const oneBefore = await row('one server', [first.url], agent, 10_000);
    const three = await row('three servers', urls, agent, 20_000);
    const oneAfter = await row('one server (again)', [first.url], agent, 30_000);
    const mean = (a: number, b: number) => (a + b) / 2;
    const one: ScaleRow = {
      name: 'one server (mean of before and after)',
      perSecond: mean(oneBefore.perSecond, oneAfter.perSecond),
      p50: mean(oneBefore.p50, oneAfter.p50),
      p99: mean(oneBefore.p99, oneAfter.p99),
      failures: oneBefore.failures + oneAfter.failures,
      serverCpuMsPerOp: mean(oneBefore.serverCpuMsPerOp, oneAfter.serverCpuMsPerOp),
      databaseCpuMsPerOp: mean(oneBefore.databaseCpuMsPerOp, oneAfter.databaseCpuMsPerOp),
      databaseCores: mean(oneBefore.databaseCores, oneAfter.databaseCores),
    };
    return {
      one,
      three,
      load: loadavg()
        .map((x) => x.toFixed(2))
        .join(' '),
    };
  } finally {
    await Promise.all([first, ...others].map((s) => s.stop()));
    await db.drop();
  }
}

export function report(r: ScaleOutResult): string[] {
  const n = (x: number, d = 1) => x.toFixed(d);
  const line = (f: ScaleRow) =>
    `  ${f.name.padEnd(38)} ${n(f.perSecond).padStart(7)}/s  p50 ${n(f.p50).padStart(6)} ms  p99 ${n(f.p99).padStart(6)} ms  server CPU/op ${n(f.serverCpuMsPerOp, 2)} ms  database CPU/op ${n(f.databaseCpuMsPerOp, 2)} ms (${n(f.databaseCores, 2)} cores)${f.failures ? `  FAILURES ${f.failures}` : ''}`;
  return [
    `createTicket, ${CLIENTS} clients, ${COUNT} per row, one PostgreSQL on this machine (load average ${r.load}):`,
    line(r.one),
    line(r.three),
    `  three servers / one server: ${n(r.three.perSecond / r.one.perSecond, 2)}`,
  ];
}
