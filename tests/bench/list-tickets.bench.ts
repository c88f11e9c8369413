import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { benchDatabase, login, percentile, post, startServerProcess } from './bench-server.ts';

const TICKETS = Number(process.env.BENCH_LIST_TICKETS ?? 1_000_000);
const SAMPLES = 300;

/**
 * With a million tickets loaded, the first page of a filtered list (status, org subtree, newest
 * first) over HTTP GraphQL, measured sequentially: p50 and p95 per query shape.
 */
export async function run(log: (line: string) => void = console.log) {
  const db = await benchDatabase();
  const server = await startServerProcess(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  try {
    const ids = Object.fromEntries(
      (
        await pool.query<{ name: string; id: number; path: string }>('select name, id, path from org_unit')
      ).rows.map((r) => [r.name, r]),
    );
    const stores = [
      'Store A (Beijing Chaoyang)',
      'Store B (Tianjin Heping)',
      'Store C (Guangzhou Tianhe)',
      'Customer Service Department',
    ].map((n) => ids[n]!);
    const tpl = (
      await pool.query(
        "select t.id, v.id as vid from ticket_template t join ticket_template_version v on v.template_id = t.id where t.key = 'returns'",
      )
    ).rows[0];
    const started = performance.now();
    const batch = 100_000;
    for (let from = 0; from < TICKETS; from += batch) {
      await pool.query(
        `insert into ticket (number, template_id, template_version_id, title, description, status, priority, form_data,
                             form_text, creator_user_id, org_unit_id, org_path, channel, created_at, updated_at)
         select 'L-' || g, $1, $2, 'Ticket ' || g, 'Generated for the list benchmark',
                (array['new','open','pending','on_hold','solved','closed'])[1 + g % 6],
                (array['urgent','high','normal','low'])[1 + g % 4], '{}'::jsonb, 'kettle ' || g, 1,
                ($3::int[])[1 + g % 4], ($4::text[])[1 + g % 4], 'phone',
                now() - g * interval '30 seconds', now()
           from generate_series($5::int, $6::int) g`,
        [
          tpl.id,
          tpl.vid,
          stores.map((s) => s.id),
          stores.map((s) => s.path),
          from + 1,
          Math.min(from + batch, TICKETS),
        ],
      );
      log(`  loaded ${Math.min(from + batch, TICKETS).toLocaleString()} tickets`);
    }
    await pool.query('analyze ticket');
    const loadSeconds = (performance.now() - started) / 1000;

    const admin = await login(server.url, 'admin@docket.local');
    const agentA = await login(server.url, 'agent.a@docket.local');
    const manager = await login(server.url, 'manager.north@docket.local');
    const query = (filter: string) =>
      JSON.stringify({
        query: `{ tickets(first: 25, filter: ${filter}) { edges { node { id number title status priority createdAt } } pageInfo { hasNextPage endCursor } } }`,
      });
    const shapes = [
      {
        name: 'admin, status open, North region subtree',
        token: admin,
        body: query(`{ status: [open], orgUnitId: ${ids['North Region']!.id} }`),
      },
      {
        name: 'regional manager (scope North), status open',
        token: manager,
        body: query('{ status: [open] }'),
      },
      {
        name: 'store agent (scope Store A), status open+pending',
        token: agentA,
        body: query('{ status: [open, pending] }'),
      },
    ];
    const results = [];
    for (const shape of shapes) {
      for (let i = 0; i < 20; i++) await post(server.url, shape.body, shape.token);
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now();
        const r = await post(server.url, shape.body, shape.token);
        times.push(performance.now() - t0);
        rows = JSON.parse(r.text).data.tickets.edges.length;
      }
      times.sort((a, b) => a - b);
      results.push({ name: shape.name, rows, p50: percentile(times, 50), p95: percentile(times, 95) });
    }
    return { tickets: TICKETS, loadSeconds, results };
  } finally {
    await pool.end();
    await server.stop();
    await db.drop();
  }
}

export function report(r: Awaited<ReturnType<typeof run>>): string[] {
  return [
    `First page of a filtered ticket list over HTTP GraphQL, ${r.tickets.toLocaleString()} tickets on PostgreSQL (loaded in ${r.loadSeconds.toFixed(0)} s):`,
    ...r.results.map(
      (x) =>
        `  ${x.name.padEnd(48)} ${x.rows} rows   p50 ${x.p50.toFixed(1)} ms   p95 ${x.p95.toFixed(1)} ms   ${x.p95 <= 30 ? 'meets' : 'MISSES'} p95 <= 30 ms`,
    ),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(report(await run()).join('\n'));
}
