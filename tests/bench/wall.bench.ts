/**
 * The live wall with a year of tickets (1,000,000 by default, BENCH_WALL_TICKETS): the newest
 * BENCH_WALL_OPEN (20,000) are open with SLA clocks (some breached, some about to breach), the
 * rest solved or closed. Measures, on PostgreSQL:
 *
 * - `wallSnapshot` over HTTP GraphQL (p50, p95), with a wall token (North region) and as the admin;
 * - the wall's first paint in Chromium: a fresh browser profile opening /wall?token=… until the
 *   figures are on screen (the page, its JavaScript and the first answer of the subscription).
 *   Target: at most 1 s.
 *
 *   BENCH_ONLY=wall npm run bench
 */
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { ensureWebAppBuilt } from '../../designer/scripts/build-if-stale.ts';
import { launchBrowser, newContext } from '../browser/browser.ts';
import {
  benchDatabase,
  gql,
  login,
  percentile,
  sampleSequential,
  startServerProcess,
} from './bench-server.ts';

const TICKETS = Number(process.env.BENCH_WALL_TICKETS ?? 1_000_000);
const OPEN = Math.min(TICKETS, Number(process.env.BENCH_WALL_OPEN ?? 20_000));
const SAMPLES = 50;
const PAINTS = 10;
export const FIRST_PAINT_TARGET_MS = 1_000;

const SNAPSHOT = `createdToday solvedToday open atRisk breached openByStatus { status count }
  atRiskTickets { number dueAt } breachedTickets { number dueAt } byRegion { name open atRisk breached }
  byTeam { name open } csat { count average } trend { hour created solved } nextChangeAt`;

/** An ISO instant as the SLA engine stores it in its JSON state. */
const isoSql = (expr: string) => `to_char((${expr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export async function run(log: (line: string) => void = console.log) {
  await ensureWebAppBuilt({ log });
  const db = await benchDatabase();
  const server = await startServerProcess(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const browser = await launchBrowser();
  try {
    const units = Object.fromEntries(
      (
        await pool.query<{ name: string; id: number; path: string }>('select name, id, path from org_unit')
      ).rows.map((r) => [r.name, r]),
    );
    const stores = [
      'Store A (Beijing Chaoyang)',
      'Store B (Tianjin Heping)',
      'Store C (Guangzhou Tianhe)',
      'Customer Service Department',
    ].map((n) => units[n]!);
    const teams = (await pool.query<{ id: number }>('select id from team order by id')).rows.map((r) => r.id);
    const tpl = (
      await pool.query(
        "select t.id, v.id as vid from ticket_template t join ticket_template_version v on v.template_id = t.id where t.key = 'returns'",
      )
    ).rows[0];
    // A year: ticket g was created g steps ago.
    const stepSeconds = (365 * 86_400) / TICKETS;
    const started = performance.now();
    const batch = 100_000;
    for (let from = 0; from < TICKETS; from += batch) {
      await pool.query(
        `insert into ticket (number, template_id, template_version_id, title, description, status, priority, form_data,
                             form_text, creator_user_id, org_unit_id, org_path, team_id, channel, created_at, updated_at,
                             solved_at)
         select 'W-' || g, $1, $2, 'Ticket ' || g, 'Generated for the wall benchmark',
                case when g <= $7 then (array['new','open','pending','on_hold'])[1 + g % 4]
                     else (array['solved','closed'])[1 + g % 2] end,
                (array['urgent','high','normal','low'])[1 + g % 4], '{}'::jsonb, '', 1,
                ($3::int[])[1 + g % 4], ($4::text[])[1 + g % 4], ($8::int[])[1 + g % array_length($8::int[], 1)],
                'phone', now() - g * $9::float8 * interval '1 second', now(),
                case when g <= $7 then null
                     else least(now(), now() - g * $9::float8 * interval '1 second' + (g % 200) * interval '1 hour') end
           from generate_series($5::int, $6::int) g`,
        [
          tpl.id,
          tpl.vid,
          stores.map((s) => s.id),
          stores.map((s) => s.path),
          from + 1,
          Math.min(from + batch, TICKETS),
          OPEN,
          teams,
          stepSeconds,
        ],
      );
      log(`  loaded ${Math.min(from + batch, TICKETS).toLocaleString()} tickets`);
    }
    // The open tickets' clocks: first response due 4 h after creation (ended for a third of them),
    // resolution after 3 days (paused while on hold).
    await pool.query(
      `insert into ticket_sla (ticket_id, policy_id, state)
       select t.id, null, jsonb_build_object('clocks', jsonb_build_object(
                'first_response', jsonb_build_object(
                  'dueAt', ${isoSql("t.created_at + interval '4 hours'")}, 'breachedAt', null, 'pausedAt', null,
                  'endedAt', case when t.id % 3 = 0 then ${isoSql("t.created_at + interval '1 hour'")} end),
                'resolution', jsonb_build_object(
                  'dueAt', ${isoSql("t.created_at + interval '3 days'")}, 'breachedAt', null,
                  'pausedAt', case when t.status = 'on_hold' then ${isoSql('t.created_at')} end, 'endedAt', null)))
         from ticket t where t.status in ('new', 'open', 'pending', 'on_hold')`,
    );
    await pool.query('analyze ticket');
    await pool.query('analyze ticket_sla');
    const loadSeconds = (performance.now() - started) / 1000;

    const admin = await login(server.url, 'admin@docket.local');
    const made = await gql<{ createWallToken: { token: string } }>(
      server.url,
      'mutation($o: Int!) { createWallToken(name: "Bench TV", orgUnitId: $o) { ... on CreatedWallToken { token } } }',
      { o: units['North Region']!.id },
      admin,
    );
    const token = made.createWallToken.token;
    const body = (withToken: boolean) =>
      JSON.stringify({
        query: `query($token: String) { wallSnapshot(token: $token) { ${SNAPSHOT} } }`,
        variables: withToken ? { token } : {},
      });
    const viaToken = await sampleSequential(server.url, [body(true)], '', SAMPLES);
    const asAdmin = await sampleSequential(server.url, [body(false)], admin, SAMPLES);
    const figures = viaToken.answers[0].data.wallSnapshot;

    // First paint: a fresh profile each time (nothing cached), until the figures are on screen.
    const paints: number[] = [];
    for (let i = 0; i < PAINTS; i++) {
      const context = await newContext(browser, 'en-US');
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${server.url}/wall?token=${token}`);
      await page.getByTestId('wall-created-today').waitFor({ state: 'visible' });
      paints.push(performance.now() - t0);
      await context.close();
    }
    paints.sort((a, b) => a - b);
    return {
      tickets: TICKETS,
      open: OPEN,
      loadSeconds,
      figures: {
        createdToday: figures.createdToday,
        open: figures.open,
        atRisk: figures.atRisk,
        breached: figures.breached,
      },
      snapshot: {
        token: { p50: viaToken.p50, p95: viaToken.p95 },
        admin: { p50: asAdmin.p50, p95: asAdmin.p95 },
      },
      firstPaint: { p50: percentile(paints, 50), max: paints.at(-1)!, all: paints },
    };
  } finally {
    await browser.close();
    await pool.end();
    await server.stop();
    await db.drop();
  }
}

export function report(r: Awaited<ReturnType<typeof run>>): string[] {
  const meets = r.firstPaint.max <= FIRST_PAINT_TARGET_MS;
  return [
    `The live wall, ${r.tickets.toLocaleString()} tickets over a year (${r.open.toLocaleString()} open with SLA clocks) on PostgreSQL (loaded in ${r.loadSeconds.toFixed(0)} s):`,
    `  North region's wall: ${r.figures.createdToday} created today, ${r.figures.open} open, ${r.figures.atRisk} about to breach, ${r.figures.breached} breached`,
    `  wallSnapshot, wall token (North)   p50 ${r.snapshot.token.p50.toFixed(1)} ms   p95 ${r.snapshot.token.p95.toFixed(1)} ms`,
    `  wallSnapshot, admin (every ticket) p50 ${r.snapshot.admin.p50.toFixed(1)} ms   p95 ${r.snapshot.admin.p95.toFixed(1)} ms`,
    `  first paint of /wall?token=… in Chromium (fresh profile, ${r.firstPaint.all.length} loads): p50 ${r.firstPaint.p50.toFixed(0)} ms   max ${r.firstPaint.max.toFixed(0)} ms   ${meets ? 'meets' : 'MISSES'} <= ${FIRST_PAINT_TARGET_MS} ms`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(report(await run()).join('\n'));
}
