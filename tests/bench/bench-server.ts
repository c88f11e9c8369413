import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import pg from 'pg';
import { startServerProcess as startServer } from '../helpers/server-process.ts';

export const benchDatabaseBase = (): string =>
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** A new, empty database on the benchmark's PostgreSQL server; dropped by the returned function. */
export async function benchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = benchDatabaseBase();
  const name = `${process.env.BENCH_DB_PREFIX ?? 'docket_bench'}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * The real server in its own process, as `npm start` runs it, on the given database; from the
 * checkout `serverRoot` when given (else BENCH_SERVER_ROOT, else this one), to compare against a
 * baseline's server with the same benchmark (that checkout needs its node_modules).
 */
export async function startServerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  serverRoot: string | undefined = process.env.BENCH_SERVER_ROOT,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  // BENCH_SERVER_NODE_ARGS adds node flags, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
  const server = await startServer(
    { DATABASE_URL: databaseUrl, ...env },
    [...nodeArgs, ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    undefined,
    serverRoot || undefined,
  );
  return { url: server.url, pid: server.pid, stop: () => server.stop() };
}

/** What withBenchServer hands its work: the server's URL and pid, and a small pool on its database. */
export type BenchServer = { url: string; pid: number; databaseUrl: string; pool: pg.Pool };

/**
 * A fresh database with the real server process on it and a pool of `poolSize` connections to
 * it, for the length of `work`; afterwards the pool is closed, the server stopped and the database
 * dropped, whatever happened.
 */
export async function withBenchServer<T>(
  work: (s: BenchServer) => Promise<T>,
  options: { poolSize?: number; env?: Record<string, string> } = {},
): Promise<T> {
  const db = await benchDatabase();
  try {
    const server = await startServerProcess(db.url, options.env);
    try {
      const pool = new pg.Pool({ connectionString: db.url, max: options.poolSize ?? 4 });
      try {
        return await work({ url: server.url, pid: server.pid, databaseUrl: db.url, pool });
      } finally {
        await pool.end();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A lean GraphQL POST over a keep-alive socket (the load generator shares the machine with the server). */
export function post(url: string, body: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(`${url}/graphql`);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A GraphQL call that must succeed: throws with the answer on a non-200, `errors` or no `data`. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<T> {
  const r = await post(url, JSON.stringify({ query, variables }), token);
  const body = JSON.parse(r.text) as { data?: T; errors?: unknown };
  if (r.status !== 200 || body.errors || !body.data) throw new Error(`GraphQL failed: ${r.text}`);
  return body.data;
}

export async function login(url: string, email: string): Promise<string> {
  const r = await post(
    url,
    JSON.stringify({
      query: `mutation { login(email: "${email}", password: "docket-demo") { ... on Session { token } } }`,
    }),
  );
  return JSON.parse(r.text).data.login.token;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Sends GraphQL bodies one after another (round robin), after 20 warm-up calls: p50 and p95 in
 * ms, and the last answer of each body parsed.
 */
export async function sampleSequential(
  url: string,
  bodies: string[],
  token: string,
  samples: number,
): Promise<{ p50: number; p95: number; answers: any[] }> {
  for (let i = 0; i < 20; i++) await post(url, bodies[i % bodies.length]!, token);
  const times: number[] = [];
  const answers: any[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const r = await post(url, bodies[i % bodies.length]!, token);
    times.push(performance.now() - t0);
    answers[i % bodies.length] = JSON.parse(r.text);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), answers };
}

/** Runs `task` on `clients` concurrent loops until `total` calls are done; returns latencies in ms. */
export async function load(total: number, clients: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    seconds,
  };
}

/** CPU time of a process in ms (utime + stime from /proc), or null when it is gone. */
export function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // CLK_TCK is 100 on Linux
  } catch {
    return null;
  }
}
