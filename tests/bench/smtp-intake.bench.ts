import { pathToFileURL } from 'node:url';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { buildFirstPartyPlugins } from '../../plugins/build.ts';
import { startServerProcess as startServer } from '../helpers/server-process.ts';
import { benchDatabase, percentile } from './bench-server.ts';

const RATE = Number(process.env.BENCH_MAIL_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_MAIL_SECONDS ?? 10);
const CONNECTIONS = 16;

/**
 * Mail into tickets through the SMTP listener: the real server (`npm start` with the example pack
 * and its email plugin, DOCKET_SMTP_PORT set) on real PostgreSQL, offered RATE mails per second for
 * SECONDS seconds over CONNECTIONS pooled SMTP connections. Latency is end of DATA to the
 * committed ticket, read from the database's own clock: the message row is written when DATA
 * ends (before the 250), and marked done in the transaction after the ticket's commit. Baseline,
 * same run: the same mails to a bare SMTP server in this process that keeps nothing (what the
 * client and SMTP itself cost on this machine), and the intake taking each mail alone
 * (DOCKET_MAIL_BATCH=1; BENCH_MAIL_ALONE=off leaves it out). The latency starts at the end of
 * DATA as the listener saw it (received_at is that instant), so time waiting to be stored counts.
 */
export async function run() {
  await buildFirstPartyPlugins({ names: ['email'] });
  const total = RATE * SECONDS;
  const baseline = await offer(await bareSmtpServer(), total);
  // Each mail alone (DOCKET_MAIL_BATCH=1: a claim, a lookup, a ticket insert and a finish per
  // mail), then the intake's batches, in this run on the same machine.
  const alone = process.env.BENCH_MAIL_ALONE === 'off' ? null : await intake(total, '1');
  const docket = await intake(total, process.env.BENCH_MAIL_BATCH ?? '64');
  return { offered: { mailsPerSecond: RATE, seconds: SECONDS, total }, baseline, alone, docket };
}

async function intake(total: number, batch: string) {
  const db = await benchDatabase();
  // BENCH_SMTP_CPU_PROF=<dir>: the server process writes a V8 CPU profile there when it stops.
  const profileDir = process.env.BENCH_SMTP_CPU_PROF;
  const server = await startServer(
    {
      DATABASE_URL: db.url,
      DOCKET_SMTP_PORT: '0',
      DOCKET_EXAMPLE_WORKFLOWS: 'off',
      DOCKET_MAIL_BATCH: batch,
    },
    profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
  );
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const m = /Mail intake \(SMTP\):\s+\S+:(\d+)/.exec(server.output());
    if (!m) throw new Error(`the server did not start its SMTP listener:\n${server.output().slice(-2000)}`);
    const port = Number(m[1]);
    await offer({ port, close: async () => {} }, 200); // warm up: JIT, the plugin's isolate, pools
    await waitDone(pool, 200);
    await pool.query('delete from inbound_message');
    const before = await serverMetrics(server.url);
    const accepted = await offer({ port, close: async () => {} }, total);
    await waitDone(pool, total);
    const rows = await pool.query<{ ms: number }>(
      `select extract(epoch from (m.updated_at - m.received_at)) * 1000 as ms
         from inbound_message m where m.status = 'done' and m.ticket_id is not null order by 1`,
    );
    const span = await pool.query<{ s: number }>(
      `select extract(epoch from (max(updated_at) - min(received_at))) as s from inbound_message where status = 'done'`,
    );
    const latencies = rows.rows.map((r) => Number(r.ms));
    const after = await serverMetrics(server.url);
    await server.stop();
    const stages = stagesOf(server.output());
    return {
      batch: Number(batch),
      ...accepted,
      tickets: latencies.length,
      ticketsPerSecond: latencies.length / Number(span.rows[0]!.s),
      endOfDataToTicketMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
      },
      perMail: {
        sqlStatements: (after.statements - before.statements) / total,
        serverCpuMs: ((after.cpuSeconds - before.cpuSeconds) * 1000) / total,
      },
      stages,
    };
  } finally {
    await pool.end();
    await server.stop();
    await db.drop();
  }
}

/** Waits (at most two minutes) until `total` messages are no longer pending. */
async function waitDone(pool: pg.Pool, total: number): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const r = await pool.query<{ n: number }>(
      "select count(*)::int as n from inbound_message where status <> 'pending'",
    );
    if (r.rows[0]!.n >= total) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The server's own counters (GET /metrics): statements through its SQL helpers, CPU seconds. */
async function serverMetrics(url: string): Promise<{ statements: number; cpuSeconds: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { statements: value('docket_sql_statements_total'), cpuSeconds: value('process_cpu_seconds_total') };
}

/** The intake's stage times the server logs when it stops: mean ms per batch (queued: per mail). */
function stagesOf(output: string): Record<string, number> | null {
  const line = output.split('\n').find((l) => l.includes('"mail intake stages"'));
  if (!line) return null;
  const s = JSON.parse(line) as Record<string, number>;
  const out: Record<string, number> = { tries: s.tries ?? 0, batches: s.batches ?? 0 };
  out.queuedMs = (s.queuedMs ?? 0) / Math.max(1, s.tries ?? 0);
  for (const k of ['claimMs', 'parseMs', 'pluginMs', 'ticketMs'])
    out[k] = (s[k] ?? 0) / Math.max(1, s.batches ?? 0);
  return out;
}

/** Sends `total` mails at RATE per second over a pool; the 250s' latencies and the rate reached. */
async function offer(target: { port: number; close: () => Promise<void> }, total: number) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: target.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const acks: number[] = [];
  let failures = 0;
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    sends.push(
      transport
        .sendMail({
          from: `Customer ${i % 50} <customer${i % 50}@example.com>`,
          to: 'support@docket.local',
          subject: `Kettle ${i} leaks`,
          text: `Hello, kettle ${i} leaks from the base after each use.\nRegards`,
        })
        .then(
          () => {
            acks.push(performance.now() - t0);
          },
          () => {
            failures++;
          },
        ),
    );
  }
  await Promise.all(sends);
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  await target.close();
  acks.sort((a, b) => a - b);
  if (failures) throw new Error(`${failures} of ${total} mails were refused`);
  return {
    acceptedPerSecond: total / seconds,
    ackMs: { p50: percentile(acks, 50), p99: percentile(acks, 99) },
  };
}

async function bareSmtpServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export function report(r: Awaited<ReturnType<typeof run>>): string[] {
  const f = (n: number) => n.toFixed(1);
  const lines = (name: string, d: typeof r.docket) => [
    `${name} (DOCKET_MAIL_BATCH=${d.batch}): ${f(d.acceptedPerSecond)} mails/s accepted (250 after p50 ${f(d.ackMs.p50)} ms, p99 ${f(d.ackMs.p99)} ms); ${d.tickets} tickets at ${f(d.ticketsPerSecond)}/s`,
    `  end of DATA -> committed ticket: p50 ${f(d.endOfDataToTicketMs.p50)} ms, p90 ${f(d.endOfDataToTicketMs.p90)} ms, p99 ${f(d.endOfDataToTicketMs.p99)} ms, max ${f(d.endOfDataToTicketMs.max)} ms`,
    `  per mail: ${f(d.perMail.sqlStatements)} SQL statements, ${f(d.perMail.serverCpuMs)} ms CPU in the server process` +
      (d.stages
        ? `; queued ${f(d.stages.queuedMs!)} ms a mail; mean wall time per batch: claim ${f(d.stages.claimMs!)} ms, parse ${f(d.stages.parseMs!)} ms, plugin ${f(d.stages.pluginMs!)} ms, tickets ${f(d.stages.ticketMs!)} ms (${d.stages.tries} tries in ${d.stages.batches} batches)`
        : ''),
  ];
  return [
    `offered ${r.offered.mailsPerSecond} mails/s for ${r.offered.seconds} s (${r.offered.total} mails, ${CONNECTIONS} SMTP connections)`,
    `baseline (bare SMTP server, keeps nothing): ${f(r.baseline.acceptedPerSecond)} mails/s accepted, 250 after p50 ${f(r.baseline.ackMs.p50)} ms, p99 ${f(r.baseline.ackMs.p99)} ms`,
    ...(r.alone ? lines('each mail alone', r.alone) : []),
    ...lines('docket', r.docket),
    `ratio: ${r.alone ? `tickets/s batched against alone ${f(r.docket.ticketsPerSecond / r.alone.ticketsPerSecond)}x; ` : ''}docket accepted ${f((r.docket.acceptedPerSecond / r.baseline.acceptedPerSecond) * 100)}% of the baseline's rate; target 200 mails/s`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  console.log(report(await run()).join('\n'));
