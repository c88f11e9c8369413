/**
 * SLA breaches on time with a million open tickets: 1,000,000 open tickets whose first-response
 * clocks run (each with its pg-boss timer jobs, as ticket creation enqueues them), 10,000 of them
 * due within the same minute. The real server process (`npm start`) fires them; the benchmark
 * reads how late each breach action ran (its audit entry's transaction time minus the due time)
 * and samples the server's resident memory before, during and after. Target: p99 lateness at most
 * 250 ms (the timers due soon are held in memory and taken at their time); memory flat.
 *
 *   BENCH_ONLY=sla-breach npm run bench      (or: npx tsx tests/bench/sla-breach.bench.ts)
 *
 * BENCH_SLA_TICKETS (default 1,000,000) and BENCH_SLA_HOT (default 10,000) change the sizes.
 * BENCH_SLA_HEAPSNAPSHOTS=<dir> has the server write a heap snapshot into <dir> just before the
 * minute and at the end (to compare in Chrome's DevTools; each stalls the server for seconds).
 * BENCH_SLA_SETTLE_SECONDS (default 30): how long the quiet after the end is watched.
 * BENCH_SLA_SERVERS=base=/path/to/checkout,new=. runs the benchmark once with each checkout's
 * server (same driver, same sizes), BENCH_SLA_ROUNDS times in alternation (default 1), and ends
 * with one summary line per run (label, commit, sizes, lateness, RSS, heap, load average) to
 * compare them side by side. Each run ends with such a line in any case.
 *
 * The tickets are loaded with SQL, not created one by one (that would take an hour): one ticket
 * is created through GraphQL under a bench policy (first response within 4 hours, counted round
 * the clock; at breach, notify the assignee), and its clock state and timer jobs are copied to
 * every loaded ticket with that ticket's own instants. Cold tickets were created up to three hours
 * ago (due in one to four hours); the hot ones four hours before a due time spread evenly over one
 * minute that starts a minute after they are loaded.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { benchDatabase, gql, login, percentile, startServerProcess } from './bench-server.ts';

const TICKETS = Number(process.env.BENCH_SLA_TICKETS ?? 1_000_000);
const HOT = Number(process.env.BENCH_SLA_HOT ?? 10_000);
const TARGET_LATENESS_MS = 250;
const WINDOW_MS = 60_000;
/** The hot minute starts this long after the hot tickets are loaded. */
const LEAD_MS = 60_000;

const SNAPSHOTS = process.env.BENCH_SLA_HEAPSNAPSHOTS;
const SETTLE_SECONDS = Number(process.env.BENCH_SLA_SETTLE_SECONDS ?? 30);

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

/** The server's JavaScript heap in use and reserved, and its external memory, MB (its /metrics, answered to loopback). */
const heapMb = async (url: string): Promise<{ mb: number; totalMb: number; externalMb: number }> => {
  const text = await fetch(`${url}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const read = (name: string) => {
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) / 2 ** 20 : Number.NaN;
  };
  return {
    mb: read('nodejs_heap_used_bytes'),
    totalMb: read('nodejs_heap_total_bytes'),
    externalMb: read('nodejs_external_memory_bytes'),
  };
};

/** ISO 8601 as JavaScript writes it (toISOString), from a timestamptz expression. */
const iso = (expr: string) => `to_char((${expr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Which server a run used: a label and the checkout it ran from (this one unless given). */
export type ServerUnderTest = { label: string; root?: string };

const commitOf = (root: string): string => {
  try {
    const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return '?';
  }
};

export async function run(
  log: (line: string) => void = console.log,
  under: ServerUnderTest = { label: 'this checkout', root: process.env.BENCH_SERVER_ROOT },
) {
  const serverRoot = resolve(under.root || join(import.meta.dirname, '..', '..'));
  const commit = commitOf(serverRoot);
  const loadAtStart = loadavg()[0]!;
  const db = await benchDatabase();
  if (SNAPSHOTS) mkdirSync(SNAPSHOTS, { recursive: true });
  const server = await startServerProcess(
    db.url,
    { DOCKET_EXAMPLE_WORKFLOWS: 'off' },
    SNAPSHOTS ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${SNAPSHOTS}`] : [],
    serverRoot,
  );
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const rss: { phase: string; mb: number }[] = [];
  const heap: { phase: string; mb: number; totalMb: number; externalMb: number }[] = [];
  const sample = (phase: string) => rss.push({ phase, mb: rssMb(server.pid) });
  const sampleHeap = async (phase: string) => heap.push({ phase, ...(await heapMb(server.url)) });
  /** A heap snapshot of the server (written while it stands still: wait until the file is whole). */
  const snapshot = async (name: string) => {
    if (!SNAPSHOTS) return;
    const before = new Set(readdirSync(SNAPSHOTS));
    process.kill(server.pid, 'SIGUSR2');
    for (;;) {
      await sleep(1000);
      const made = readdirSync(SNAPSHOTS).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
      // The server answers again once the snapshot is written.
      if (made && !Number.isNaN((await heapMb(server.url)).mb)) {
        renameSync(join(SNAPSHOTS, made), join(SNAPSHOTS, `${name}.heapsnapshot`));
        log(`  heap snapshot: ${join(SNAPSHOTS, `${name}.heapsnapshot`)}`);
        return;
      }
    }
  };
  try {
    const admin = await login(server.url, 'admin@docket.local');
    sample('started');
    const policy = await gql(
      server.url,
      `mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { __typename ... on SlaPolicy { id } ... on Error { message } } }`,
      {
        i: {
          name: 'SLA bench',
          position: 1,
          condition: 'ticket.template == "sla-bench"',
          targets: { first_response: { normal: { amount: 4, unit: 'hours', time: 'calendar' } } },
          actions: {
            first_response: [{ offsetMinutes: 0, kind: 'notify', recipients: [{ kind: 'assignee' }] }],
          },
        },
      },
      admin,
    );
    if (policy.createSlaPolicy.__typename !== 'SlaPolicy') throw new Error(JSON.stringify(policy));
    const template = await gql(
      server.url,
      `mutation($c: TemplateContentInput!) { createTemplate(key: "sla-bench", content: $c) { ... on TicketTemplate { id } } }`,
      {
        c: {
          name: 'SLA bench',
          categoryPath: ['Bench'],
          defaultPriority: 'normal',
          numberPattern: 'SLA-{seq:7}',
          formSchema: { type: 'object', properties: {} },
        },
      },
      admin,
    );
    await gql(
      server.url,
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
      {
        id: template.createTemplate.id,
      },
      admin,
    );
    const agent = (await pool.query("select id from app_user where email = 'agent.a@docket.local'")).rows[0]
      .id as number;
    const created = await gql(
      server.url,
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id } ... on Error { message } } }`,
      { i: { templateKey: 'sla-bench', title: 'Model ticket', assigneeId: agent, orgUnitId: 4 } },
      admin,
    );
    if (created.createTicket.__typename !== 'Ticket') throw new Error(JSON.stringify(created));
    const modelId = created.createTicket.id as string;

    // The model: its row, its clock state (as text, with its two instants) and its timer jobs.
    const model = (
      await pool.query(
        `select t.template_id, t.template_version_id, t.org_unit_id, t.org_path, s.policy_id, s.state::text as state,
                s.state->'clocks'->'first_response'->>'startedAt' as started, s.state->'clocks'->'first_response'->>'dueAt' as due
           from ticket t join ticket_sla s on s.ticket_id = t.id where t.id = $1`,
        [modelId],
      )
    ).rows[0];
    const jobs = (
      await pool.query(
        "select to_jsonb(j) as job from pgboss.job j where j.name = 'sla-timer' and j.data->>'ticketId' = $1",
        [modelId],
      )
    ).rows.map((r) => r.job);
    if (jobs.length === 0 || !model.due)
      throw new Error('the model ticket has no running clock or no timer job');
    await pool.query("delete from pgboss.job where name = 'sla-timer' and data->>'ticketId' = $1", [modelId]);
    log(
      `  model ticket: ${jobs.length} timer job(s) per ticket (${jobs.map((j) => j.data.actionIndex ?? 'breach').join(', ')})`,
    );

    /** Loads tickets g in [from, to], created at `createdAt` (SQL over g), each with its clocks and jobs. */
    const loadTickets = (from: number, to: number, createdAt: string, extra: unknown[] = []) =>
      pool.query(
        `with t as (
           insert into ticket (number, template_id, template_version_id, title, description, status, priority,
                               form_data, form_text, creator_user_id, assignee_id, org_unit_id, org_path, channel,
                               created_at, updated_at)
           select 'SB-' || g, $1, $2, 'SLA bench ' || g, '', 'open', 'normal', '{}'::jsonb, '', $3, $3, $4, $5, 'phone',
                  ${createdAt}, now()
             from generate_series($6::int, $7::int) g
           returning id, created_at
         ),
         s as (
           insert into ticket_sla (ticket_id, policy_id, state)
           select t.id, $8, replace(replace($9, $10, ${iso('t.created_at')}),
                                    $11, ${iso("t.created_at + interval '4 hours'")})::jsonb
             from t
         ),
         j as (
           insert into pgboss.job
           select (jsonb_populate_record(null::pgboss.job, m.job || jsonb_build_object(
                    'id', gen_random_uuid(),
                    'data', jsonb_set(m.job->'data', '{ticketId}', to_jsonb(t.id::text)),
                    'start_after', t.created_at + interval '4 hours',
                    'created_on', now(),
                    'keep_until', t.created_at + interval '30 days'))).*
             from t cross join jsonb_array_elements($12::jsonb) as m(job)
         )
         select count(*)::int as n from t`,
        [
          model.template_id,
          model.template_version_id,
          agent,
          model.org_unit_id,
          model.org_path,
          from,
          to,
          model.policy_id,
          model.state,
          model.started,
          model.due,
          JSON.stringify(jobs),
          ...extra,
        ],
      );

    const cold = TICKETS - HOT;
    const started = performance.now();
    const batch = 50_000;
    for (let from = 1; from <= cold; from += batch) {
      const to = Math.min(from + batch - 1, cold);
      // created up to three hours ago: due in one to four hours
      await loadTickets(from, to, `now() - (g % 10800) * interval '1 second'`);
      if (to % 200_000 === 0 || to === cold) log(`  loaded ${to.toLocaleString()} tickets`);
    }
    await pool.query('analyze ticket; analyze ticket_sla; analyze pgboss.job');
    sample('cold tickets loaded');
    // The hot minute: due times spread evenly over [hotStart, hotStart + 1 min).
    const hotStart = Date.now() + LEAD_MS;
    await loadTickets(
      cold + 1,
      TICKETS,
      `$13::timestamptz - interval '4 hours' + ((g - $6::int) * $14::float8 / $15::int) * interval '1 millisecond'`,
      [new Date(hotStart).toISOString(), WINDOW_MS, HOT],
    );
    const loadSeconds = (performance.now() - started) / 1000;
    const [{ n: pending }] = (
      await pool.query(
        "select count(*)::int as n from pgboss.job where name = 'sla-timer' and state = 'created'",
      )
    ).rows;
    log(
      `  loaded ${TICKETS.toLocaleString()} open tickets with running clocks and ${pending.toLocaleString()} pending timer jobs in ${loadSeconds.toFixed(0)} s; ${HOT.toLocaleString()} due from ${new Date(hotStart).toISOString()} over one minute`,
    );
    sample('all loaded');

    // Watch the minute go by.
    const hotFrom = String(cold + 1);
    const fired = async () =>
      (
        await pool.query(
          `select count(distinct e.ticket_id)::int as n from ticket_event e
            where e.kind = 'sla.action' and e.ticket_id >= (select min(id) from ticket where number = 'SB-' || $1)`,
          [hotFrom],
        )
      ).rows[0].n as number;
    await sampleHeap('all loaded');
    if (SNAPSHOTS && hotStart - Date.now() > 20_000) {
      await sleep(hotStart - Date.now() - 20_000);
      await snapshot('before');
    }
    while (Date.now() < hotStart) {
      await sleep(500);
      sample('before the minute');
    }
    await sampleHeap('before the minute');
    const loadAtHot = loadavg()[0]!;
    const deadline = hotStart + WINDOW_MS + 120_000;
    let done = 0;
    let heapAt = 0;
    while (Date.now() < deadline) {
      await sleep(500);
      const phase = Date.now() < hotStart + WINDOW_MS ? 'during the minute' : 'after the minute';
      sample(phase);
      if (Date.now() - heapAt >= 5_000) {
        heapAt = Date.now();
        await sampleHeap(phase);
      }
      done = await fired();
      if (done >= HOT && Date.now() > hotStart + WINDOW_MS) break;
    }
    for (let i = 0; i < 10; i++) {
      await sleep(500);
      sample('after the minute');
    }
    await sampleHeap('at the end');
    await snapshot('end');
    // Then quiet for a while: does the memory the minute took come back (garbage) or stay (held)?
    for (let i = 0; i < SETTLE_SECONDS * 2; i++) {
      await sleep(500);
      sample('settled');
    }
    if (SETTLE_SECONDS > 0) await sampleHeap('settled');

    const hotIds = `select id from ticket where number in (select 'SB-' || g from generate_series(${cold + 1}, ${TICKETS}) g)`;
    const lateness = (
      await pool.query(
        `select extract(epoch from (min(e.created_at) - (t.created_at + interval '4 hours'))) * 1000 as ms
           from ticket t join ticket_event e on e.ticket_id = t.id and e.kind = 'sla.action'
          where t.id in (${hotIds})
          group by t.id, t.created_at`,
      )
    ).rows
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const checks = (
      await pool.query(
        `select
           (select count(*)::int from ticket_event where kind = 'sla.action' and ticket_id in (${hotIds})) as actions,
           (select count(*)::int from notification where ticket_id in (${hotIds})) as notices,
           (select count(*)::int from ticket_sla where ticket_id in (${hotIds})
               and state->'clocks'->'first_response'->>'status' = 'breached') as breached,
           (select count(*)::int from ticket_event where kind in ('sla.action', 'sla.breached')
               and ticket_id not in (${hotIds}) and ticket_id <> $1) as early`,
        [modelId],
      )
    ).rows[0];
    return {
      label: under.label,
      commit,
      serverRoot,
      load: { atStart: loadAtStart, atHot: loadAtHot, atEnd: loadavg()[0]! },
      tickets: TICKETS,
      hot: HOT,
      pending,
      loadSeconds,
      fired: lateness.length,
      lateness: {
        p50: percentile(lateness, 50),
        p99: percentile(lateness, 99),
        max: lateness.at(-1) ?? Number.NaN,
        min: lateness[0] ?? Number.NaN,
      },
      checks,
      rss,
      heap,
      settleSeconds: SETTLE_SECONDS,
    };
  } finally {
    await pool.end();
    await server.stop();
    await db.drop();
  }
}

export function report(r: Awaited<ReturnType<typeof run>>): string[] {
  const f = (x: number) => x.toFixed(0);
  const byPhase = new Map<string, number[]>();
  for (const s of r.rss) byPhase.set(s.phase, [...(byPhase.get(s.phase) ?? []), s.mb]);
  const rssLine = [...byPhase].map(([phase, mbs]) => `${phase} ${f(Math.max(...mbs))}`).join(', ');
  const first = r.rss.find((s) => s.phase === 'before the minute')?.mb ?? Number.NaN;
  const peak = Math.max(...r.rss.filter((s) => s.phase !== 'started').map((s) => s.mb));
  const last = r.rss.filter((s) => s.phase !== 'settled').at(-1)?.mb ?? Number.NaN;
  const settled = r.rss.filter((s) => s.phase === 'settled').at(-1)?.mb;
  const heapAt = (phase: string) => r.heap.find((s) => s.phase === phase);
  const heapLine = (key: 'mb' | 'totalMb' | 'externalMb') =>
    `before the minute ${f(heapAt('before the minute')?.[key] ?? Number.NaN)}, peak ${f(Math.max(...r.heap.map((s) => s[key])))}, at the end ${f(heapAt('at the end')?.[key] ?? Number.NaN)}`;
  const isComplete = r.fired === r.hot && r.checks.actions === r.hot && r.checks.early === 0;
  return [
    `  server: ${r.label} at ${r.commit} (${r.serverRoot})`,
    `SLA breaches: ${r.tickets.toLocaleString()} open tickets with running clocks (${r.pending.toLocaleString()} pending timer jobs, loaded in ${f(r.loadSeconds)} s), ${r.hot.toLocaleString()} due within one minute, real PostgreSQL:`,
    `  breach action lateness (audit entry's transaction time - due time): p50 ${f(r.lateness.p50)} ms   p99 ${f(r.lateness.p99)} ms   max ${f(r.lateness.max)} ms   min ${f(r.lateness.min)} ms`,
    `  fired ${r.fired.toLocaleString()} of ${r.hot.toLocaleString()}; actions ${r.checks.actions}, notifications ${r.checks.notices}, clocks breached ${r.checks.breached}; actions on tickets not yet due: ${r.checks.early}`,
    `  server RSS MB (max per phase): ${rssLine}; before the minute ${f(first)}, peak ${f(peak)}, at the end ${f(last)}`,
    `  server JS heap MB, used: ${heapLine('mb')}; reserved: ${heapLine('totalMb')}; external: ${heapLine('externalMb')}`,
    ...(settled === undefined
      ? []
      : [
          `  after ${r.settleSeconds} s quiet: RSS ${f(settled)} MB, JS heap used ${f(heapAt('settled')?.mb ?? Number.NaN)} MB, reserved ${f(heapAt('settled')?.totalMb ?? Number.NaN)} MB`,
        ]),
    `  target p99 <= ${TARGET_LATENESS_MS} ms: ${isComplete && r.lateness.p99 <= TARGET_LATENESS_MS ? 'met' : 'NOT met'}${isComplete ? '' : ' (not every breach fired exactly once)'}`,
    summary(r),
  ];
}

/** The whole run in one line, to set runs side by side (RSS and heap in MB, lateness in ms). */
export function summary(r: Awaited<ReturnType<typeof run>>): string {
  const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '?' : x.toFixed(0));
  const before = r.rss.filter((s) => s.phase === 'before the minute').at(-1)?.mb;
  const during = r.rss.filter((s) => s.phase === 'during the minute' || s.phase === 'after the minute');
  const peak = Math.max(...during.map((s) => s.mb));
  const end = r.rss.filter((s) => s.phase !== 'settled').at(-1)?.mb;
  const settled = r.rss.filter((s) => s.phase === 'settled').at(-1)?.mb;
  const heapAt = (phase: string) => r.heap.find((s) => s.phase === phase);
  const heapPeak = (key: 'mb' | 'totalMb') => Math.max(...r.heap.map((s) => s[key]));
  const complete = r.fired === r.hot && r.checks.actions === r.hot && r.checks.early === 0;
  return [
    `SUMMARY sla-breach ${r.label} @${r.commit}`,
    `tickets ${r.tickets} hot ${r.hot} fired ${r.fired}${complete ? '' : ' INCOMPLETE'}`,
    `lateness p50 ${f(r.lateness.p50)} p99 ${f(r.lateness.p99)} max ${f(r.lateness.max)}`,
    `rss before ${f(before)} peak ${f(peak)} (+${f(peak - (before ?? Number.NaN))}) end ${f(end)} settled ${f(settled)}`,
    `heap used before ${f(heapAt('before the minute')?.mb)} peak ${f(heapPeak('mb'))} end ${f(heapAt('at the end')?.mb)} settled ${f(heapAt('settled')?.mb)}`,
    `reserved before ${f(heapAt('before the minute')?.totalMb)} peak ${f(heapPeak('totalMb'))}`,
    `load ${r.load.atStart.toFixed(1)}/${r.load.atHot.toFixed(1)}/${r.load.atEnd.toFixed(1)}`,
  ].join(' | ');
}

/** BENCH_SLA_SERVERS ("label=path,label=path"): the servers to compare, or none. */
export function serversToCompare(spec = process.env.BENCH_SLA_SERVERS): ServerUnderTest[] {
  if (!spec?.trim()) return [];
  return spec.split(',').map((part) => {
    const at = part.indexOf('=');
    if (at <= 0) throw new Error(`BENCH_SLA_SERVERS: "${part}" is not label=path`);
    return { label: part.slice(0, at).trim(), root: part.slice(at + 1).trim() };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const servers = serversToCompare();
  if (servers.length === 0) console.log(report(await run()).join('\n'));
  else {
    const rounds = Number(process.env.BENCH_SLA_ROUNDS ?? 1);
    const lines: string[] = [];
    for (let round = 1; round <= rounds; round++)
      for (const server of servers) {
        console.log(`\n== sla-breach, round ${round}, server ${server.label} (${server.root})`);
        const out = report(await run(console.log, server));
        console.log(out.join('\n'));
        lines.push(out.at(-1)!);
      }
    console.log(`\n${lines.join('\n')}`);
  }
  process.exit(0);
}
