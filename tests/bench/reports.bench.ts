import { pathToFileURL } from 'node:url';
import { REPORT_GROUPINGS } from '@docket/core';
import pg from 'pg';
import { benchDatabase, login, percentile, post, startServerProcess } from './bench-server.ts';
import { CREATE_INPUTS, createOne, formatFigure, measure } from './real-load.ts';

const newPool = (url: string): pg.Pool => new pg.Pool({ connectionString: url, max: 4 });

const TICKETS = Number(process.env.BENCH_REPORT_TICKETS ?? 1_000_000);
/** Calls per report after one warm-up; each report over a year of tickets is slow to sample. */
const SAMPLES = Number(process.env.BENCH_REPORT_SAMPLES ?? 5);
const CREATES = Number(process.env.BENCH_REPORT_CREATES ?? 3_000);
const TARGET_MS = 1_000;
const GROUPINGS = REPORT_GROUPINGS;

const REPORT = `query($input: TicketReportInput!) { ticketReport(input: $input) { __typename
  ... on TicketReport { totals { created solved backlog firstResponseP50 resolutionP90 csatAverage sla { metric attainment } } }
  ... on Error { message } } }`;

/**
 * A year of tickets loaded with bulk SQL (as list-tickets.bench.ts does): each ticket with its
 * audit trail (created, a public reply after 1 h, solved after 4 h for two in three, reopened for
 * one in twenty), its SLA clocks' state and, for one solved ticket in five, a rating. Then each
 * report over the whole year, and createTicket throughput alone and with reports running beside it.
 */
export async function run(log: (line: string) => void = console.log) {
  const db = await benchDatabase();
  const server = await startServerProcess(db.url);
  const pool = newPool(db.url);
  try {
    const org = (
      await pool.query<{ id: number; path: string }>(
        "select id, path from org_unit where kind = 'store' order by id",
      )
    ).rows;
    const agents = (
      await pool.query<{ id: number }>("select id from app_user where email like 'agent%' order by id")
    ).rows.map((r) => r.id);
    const tpl = (
      await pool.query(
        "select t.id, v.id as vid from ticket_template t join ticket_template_version v on v.template_id = t.id where t.key = 'returns'",
      )
    ).rows[0];
    const started = performance.now();
    const batch = 50_000;
    const step = (365 * 86_400) / TICKETS; // seconds between tickets: a year in all
    for (let from = 1; from <= TICKETS; from += batch) {
      const to = Math.min(from + batch - 1, TICKETS);
      const client = await pool.connect();
      try {
        await client.query('begin');
        const ids = await client.query<{ lo: string; hi: string }>(
          `with made as (insert into ticket (number, template_id, template_version_id, title, status, priority, form_data, form_text,
                               creator_user_id, assignee_id, org_unit_id, org_path, channel, created_at, updated_at)
           select 'R-' || g, $1, $2, 'Ticket ' || g,
                  case when g % 3 = 0 or g % 20 = 1 then 'open' else 'solved' end,
                  (array['urgent','high','normal','low'])[1 + g % 4], '{}'::jsonb, '', 1,
                  ($3::int[])[1 + g % array_length($3::int[], 1)],
                  ($4::int[])[1 + g % array_length($4::int[], 1)], ($5::text[])[1 + g % array_length($5::text[], 1)],
                  (array['phone','email','web'])[1 + g % 3],
                  now() - interval '365 days' + g * $8::float8 * interval '1 second', now()
             from generate_series($6::int, $7::int) g
           returning id) select min(id)::text as lo, max(id)::text as hi from made`,
          [tpl.id, tpl.vid, agents, org.map((o) => o.id), org.map((o) => o.path), from, to, step],
        );
        const { lo, hi } = ids.rows[0]!;
        await client.query(
          `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, channel, is_public, body, diff, created_at)
           select t.id, e.kind, e.actor_kind, t.assignee_id, t.channel, true, null, e.diff, t.created_at + e.after
             from ticket t
             cross join lateral (select substr(t.number, 3)::int as g) n
             cross join lateral (values
               ('created', 'user', null::jsonb, interval '0'),
               ('reply', 'user', null::jsonb, interval '1 hour'),
               ('changed', 'user', '{"status":{"from":"open","to":"solved"}}'::jsonb, interval '4 hours'),
               ('changed', 'user', '{"status":{"from":"solved","to":"open"}}'::jsonb, interval '1 day')
             ) e(kind, actor_kind, diff, after)
            where t.id between $1 and $2
              and (e.diff is null
                or (e.diff->'status'->>'to' = 'solved' and g % 3 <> 0)
                or (e.diff->'status'->>'to' = 'open' and g % 3 <> 0 and g % 20 = 1))`,
          [lo, hi],
        );
        await client.query(
          `insert into ticket_sla (ticket_id, policy_id, state)
           select t.id, null, jsonb_build_object('clocks', jsonb_build_object(
               'first_response', jsonb_build_object('history', jsonb_build_array(
                 jsonb_build_object('kind', 'start', 'at', t.created_at),
                 jsonb_build_object('kind', case when g % 7 = 0 then 'stop' else 'met' end, 'reason', 'agent_public_reply',
                   'at', t.created_at + interval '1 hour', 'consumedSeconds', 1800 + g % 3600))),
               'resolution', jsonb_build_object('history', case when g % 3 <> 0 then jsonb_build_array(
                 jsonb_build_object('kind', 'start', 'at', t.created_at),
                 jsonb_build_object('kind', 'met', 'reason', 'status_changed',
                   'at', t.created_at + interval '4 hours', 'consumedSeconds', 7200 + g % 7200))
                 else jsonb_build_array(jsonb_build_object('kind', 'start', 'at', t.created_at)) end)))
             from ticket t cross join lateral (select substr(t.number, 3)::int as g) n
            where t.id between $1 and $2`,
          [lo, hi],
        );
        await client.query(
          `insert into csat_rating (ticket_id, reason, scale, score, asked_at, expires_at, rated_at)
           select t.id, 'solved', 'five', 1 + g % 5, t.created_at + interval '4 hours',
                  t.created_at + interval '8 days', t.created_at + interval '5 hours'
             from ticket t cross join lateral (select substr(t.number, 3)::int as g) n
            where t.id between $1 and $2 and g % 3 <> 0 and g % 5 = 0`,
          [lo, hi],
        );
        await client.query('commit');
      } finally {
        client.release();
      }
      log(`  loaded ${to.toLocaleString()} tickets`);
    }
    // Vacuumed as well as analysed, so autovacuum does not catch up with the load during a measurement.
    for (const table of ['ticket', 'ticket_event', 'ticket_sla', 'csat_rating'])
      await pool.query(`vacuum analyze ${table}`);
    const loadSeconds = (performance.now() - started) / 1000;

    const admin = await login(server.url, 'admin@docket.local');
    const manager = await login(server.url, 'manager.north@docket.local');
    // One instant for both ends: two readings of the clock could put them more than 366 days apart.
    const now = Date.now();
    const period = {
      from: new Date(now - 365 * 86_400_000).toISOString(),
      to: new Date(now + 86_400_000).toISOString(),
    };
    const body = (groupBy: string) =>
      JSON.stringify({ query: REPORT, variables: { input: { ...period, groupBy } } });
    const reports = [
      ...GROUPINGS.map((g) => ({ name: `admin, a year by ${g}`, token: admin, body: body(g) })),
      { name: 'regional manager, a year by org_unit', token: manager, body: body('org_unit') },
    ];
    // The first report brings the rollup up to date: every loaded ticket is marked dirty.
    const built = performance.now();
    const firstAnswer = await post(server.url, reports[0]!.body, admin);
    if (!firstAnswer.text.includes('"TicketReport"'))
      throw new Error(`report failed: ${firstAnswer.text.slice(0, 500)}`);
    const rollupSeconds = (performance.now() - built) / 1000;
    log(`  rollup built in ${rollupSeconds.toFixed(0)} s`);
    for (const table of ['report_ticket_fact', 'report_dirty_ticket'])
      await pool.query(`vacuum analyze ${table}`);
    const results = [];
    for (const r of reports) {
      const first = await post(server.url, r.body, r.token); // warm-up, and the answer checked
      if (!first.text.includes('"TicketReport"'))
        throw new Error(`report failed: ${first.text.slice(0, 500)}`);
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now();
        await post(server.url, r.body, r.token);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const created = JSON.parse(first.text).data.ticketReport.totals.created as number;
      results.push({ name: r.name, created, p50: percentile(times, 50), p95: percentile(times, 95) });
      log(`  ${r.name}: p95 ${percentile(times, 95).toFixed(0)} ms`);
    }

    // createTicket throughput alone, then with one client running reports back to back beside it.
    const agent = await login(server.url, 'agent.a@docket.local');
    const input = CREATE_INPUTS.returns!;
    const ctx = { url: server.url, pool };
    await measure('warm-up', ctx, 300, (i) => createOne(server.url, agent, input(i)));
    const alone = await measure('createTicket alone', ctx, CREATES, (i) =>
      createOne(server.url, agent, input(i)),
    );
    // The same without the rollup's triggers (the write cost of keeping the facts), then put back.
    const triggers = ['ticket_event report_ticket_event_added', 'ticket_sla report_ticket_sla_changed'];
    const lastId = (await pool.query<{ id: string }>('select max(id)::text as id from ticket')).rows[0]!.id;
    for (const t of triggers) await pool.query(`alter table ${t.replace(' ', ' disable trigger ')}`);
    const untriggered = await measure('createTicket without the triggers', ctx, CREATES, (i) =>
      createOne(server.url, agent, input(2 * CREATES + i)),
    );
    for (const t of triggers) await pool.query(`alter table ${t.replace(' ', ' enable trigger ')}`);
    await pool.query('insert into report_dirty_ticket (ticket_id) select id from ticket where id > $1', [
      lastId,
    ]);
    // Alone once more, so a drift of the machine's load between the phases shows.
    const aloneAgain = await measure('createTicket alone, again', ctx, CREATES, (i) =>
      createOne(server.url, agent, input(3 * CREATES + i)),
    );
    let isRunning = true;
    let reportsRun = 0;
    const background = (async () => {
      for (let i = 0; isRunning; i++) {
        const r = reports[i % GROUPINGS.length]!;
        await post(server.url, r.body, r.token);
        reportsRun++;
      }
    })();
    const beside = await measure('createTicket beside reports', ctx, CREATES, (i) =>
      createOne(server.url, agent, input(CREATES + i)),
    );
    isRunning = false;
    await background;
    return {
      tickets: TICKETS,
      loadSeconds,
      rollupSeconds,
      results,
      alone,
      untriggered,
      aloneAgain,
      beside,
      reportsRun,
    };
  } finally {
    await pool.end();
    await server.stop();
    // BENCH_KEEP_DATABASE=1 keeps the loaded database (its URL printed) to look at its plans afterwards.
    if (process.env.BENCH_KEEP_DATABASE === '1') log(`  database kept: ${db.url}`);
    else await db.drop();
  }
}

export function report(r: Awaited<ReturnType<typeof run>>): string[] {
  // The baseline: the mean of both runs alone (before and after the run without the triggers).
  const baseline = { ...r.alone, perSecond: (r.alone.perSecond + r.aloneAgain.perSecond) / 2 };
  const loss = 1 - r.beside.perSecond / baseline.perSecond;
  const triggerCost = 1 - baseline.perSecond / r.untriggered.perSecond;
  return [
    `ticketReport over a year, ${r.tickets.toLocaleString()} tickets on PostgreSQL (loaded in ${r.loadSeconds.toFixed(0)} s; the first report built their facts in ${r.rollupSeconds.toFixed(0)} s), ${SAMPLES} calls each:`,
    ...r.results.map(
      (x) =>
        `  ${x.name.padEnd(40)} created ${x.created}   p50 ${x.p50.toFixed(0)} ms   p95 ${x.p95.toFixed(0)} ms   ${x.p95 <= TARGET_MS ? 'meets' : 'MISSES'} p95 <= ${TARGET_MS} ms`,
    ),
    'createTicket (returns template), 32 clients: alone, without the rollup triggers, alone again, and with reports running beside it (ratios to the mean of both runs alone):',
    formatFigure(r.alone, baseline),
    formatFigure(r.untriggered, baseline),
    formatFigure(r.aloneAgain, baseline),
    formatFigure(r.beside, baseline),
    `  the triggers' cost: ${(triggerCost * 100).toFixed(1)} % of create throughput`,
    `  reports run meanwhile: ${r.reportsRun}; create throughput lost: ${(loss * 100).toFixed(1)} % (${loss <= 0.1 ? 'meets' : 'MISSES'} <= 10 %)`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(report(await run()).join('\n'));
}
