import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { benchDatabase, load, login, post, startServerProcess } from './bench-server.ts';

const TOTAL = Number(process.env.BENCH_TICKETS ?? 20_000);
const CLIENTS = 32;

const MUTATION = JSON.stringify({
  query: `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id number } ... on Error { message } } }`,
  variables: {
    i: {
      templateKey: 'returns',
      title: 'Kettle leaks from the base',
      description: 'Customer reports water under the kettle after each use.',
      channel: 'phone',
      orgUnitId: 4,
      formData: {
        returnReason: 'defective',
        productModel: 'X200 kettle',
        purchaseDate: '2026-11-01',
        logistics: { carrier: 'SF Express', trackingNumber: 'SF123456789' },
      },
    },
  },
});

/**
 * createTicket over HTTP GraphQL with 32 concurrent clients on real PostgreSQL, beside a raw
 * baseline in the same run: as many transactions inserting a ticket row and an audit row with `pg`.
 */
export async function run() {
  const db = await benchDatabase();
  // Ticket creation itself: the example templates without their workflows (the workflow bench
  // measures those).
  const server = await startServerProcess(db.url, { DOCKET_EXAMPLE_WORKFLOWS: 'off' });
  try {
    const token = await login(server.url, 'agent.a@docket.local');
    // warm up: JIT (V8 needs a few thousand calls to optimise the hot path), pools, caches
    await load(2000, CLIENTS, async () => {
      await post(server.url, MUTATION, token);
    });
    const pool = new pg.Pool({ connectionString: db.url, max: CLIENTS });
    let failures = 0;
    const apiCommits = await commitsDuring(pool, () =>
      load(TOTAL, CLIENTS, async () => {
        const r = await post(server.url, MUTATION, token);
        if (r.status !== 200 || !r.text.includes('"Ticket"')) failures++;
      }),
    );
    if (failures) throw new Error(`${failures} createTicket calls failed`);

    const tpl = (
      await pool.query(
        "select t.id, v.id as vid from ticket_template t join ticket_template_version v on v.template_id = t.id where t.key = 'returns'",
      )
    ).rows[0];
    // The same row Docket writes: same columns, same searchable text, so PostgreSQL does the same work.
    const form = JSON.parse(MUTATION).variables.i.formData;
    const formText = 'defective X200 kettle 2026-11-01 SF Express SF123456789';
    const rawCommits = await commitsDuring(pool, () =>
      load(TOTAL, CLIENTS, async (i) => {
        const c = await pool.connect();
        try {
          await c.query('begin');
          const t = await c.query(
            `insert into ticket (number, template_id, template_version_id, title, description, priority, form_data,
                               form_text, creator_user_id, channel, org_unit_id, org_path)
           values ($1, $2, $3, $4, $5, 'normal', $6, $7, 4, 'phone', 4, '/1/2/4/') returning id`,
            [
              `RAW-${i}`,
              tpl.id,
              tpl.vid,
              'Kettle leaks from the base',
              'Customer reports water under the kettle after each use.',
              form,
              formText,
            ],
          );
          await c.query(
            `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, channel, is_public, diff)
           values ($1, 'created', 'user', 4, 'agent', true, $2)`,
            [
              t.rows[0].id,
              '{"template":{"from":null,"to":"returns@1"},"status":{"from":null,"to":"new"},"priority":{"from":null,"to":"normal"}}',
            ],
          );
          await c.query('commit');
        } finally {
          c.release();
        }
      }),
    );
    await pool.end();
    const api = { ...apiCommits.result, commitsPerCall: apiCommits.commits / TOTAL };
    const raw = { ...rawCommits.result, commitsPerCall: rawCommits.commits / TOTAL };
    return { api, raw, ratio: api.perSecond / raw.perSecond };
  } finally {
    await server.stop();
    await db.drop();
  }
}

/** What `work` returns, and the commits in the bench database meanwhile (the server's job polling included). */
async function commitsDuring<T>(
  pool: pg.Pool,
  work: () => Promise<T>,
): Promise<{ result: T; commits: number }> {
  const commits = async () => {
    const c = await pool.connect();
    try {
      await c.query('select pg_stat_clear_snapshot()');
      const r = await c.query(
        'select xact_commit::int as n from pg_stat_database where datname = current_database()',
      );
      return r.rows[0].n as number;
    } finally {
      c.release();
    }
  };
  const before = await commits();
  const result = await work();
  // A busy backend reports its counts at most once a second; an idle one within 10 s.
  await new Promise((r) => setTimeout(r, 11_000));
  return { result, commits: (await commits()) - before };
}

export function report(r: Awaited<ReturnType<typeof run>>): string[] {
  const f = (x: number) => x.toFixed(1);
  return [
    `createTicket over HTTP GraphQL, ${CLIENTS} clients, ${TOTAL} tickets, real PostgreSQL:`,
    `  docket   ${f(r.api.perSecond)} tickets/s   p50 ${f(r.api.p50)} ms   p99 ${f(r.api.p99)} ms   commits/ticket ${r.api.commitsPerCall.toFixed(3)}`,
    `  raw pg   ${f(r.raw.perSecond)} tx/s        p50 ${f(r.raw.p50)} ms   p99 ${f(r.raw.p99)} ms   commits/ticket ${r.raw.commitsPerCall.toFixed(3)}`,
    '  (docket: concurrent creates share one insert statement; commits include the server polling its job queues)',
    `  ratio    ${r.ratio.toFixed(3)} of baseline (target >= 0.35)   throughput target >= 1000/s: ${r.api.perSecond >= 1000 ? 'met' : 'NOT met'}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(report(await run()).join('\n'));
}
