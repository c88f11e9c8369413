import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmbeddedPostgres } from '@docket/db';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { freshDatabaseUrl } from '../helpers/test-database.ts';

/**
 * `npm run db:copy-to-postgres -- DATA_DIR postgres://…`: an embedded database with example data,
 * tickets, tasks and their timer jobs, copied into an empty PostgreSQL database. Every table has
 * as many rows in both (counted here, apart from the command's own check), and a server started
 * on the copy signs the same users in, finds the tickets and numbers new ones after them.
 */
const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function gql(base: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body)}`);
  return body.data;
}

const login = async (base: string) =>
  (
    await gql(
      base,
      'mutation { login(email: "agent.a@docket.local", password: "docket-demo") { ... on Session { token } } }',
    )
  ).login.token as string;

const createReturn = async (base: string, token: string, title: string) =>
  (
    await gql(
      base,
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id number } } }',
      {
        i: {
          templateKey: 'returns',
          title,
          formData: {
            returnReason: 'defective',
            productModel: 'X200',
            purchaseDate: '2026-11-01',
            logistics: { carrier: 'SF Express', trackingNumber: 'SF123456789' },
          },
        },
      },
      token,
    )
  ).createTicket as { id: string; number: string };

async function counts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (
      await c.query(
        `select n.nspname || '.' || c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and not c.relispartition and n.nspname in ('public', 'pgboss') order by 1`,
      )
    ).rows.map((r) => r.t as string);
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await c.query(`select count(*) as n from ${t}`)).rows[0].n);
    return out;
  } finally {
    await c.end();
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('copying the embedded database into PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docket-copy-'));
  let server: ServerProcess | undefined;
  let drop: () => Promise<void> = async () => {};
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('copies schema and data (the same counts), and a server on the copy carries on', async () => {
    // The embedded database as `npm start` leaves it: example data, tickets, tasks, timer jobs.
    server = await startServerProcess({ DATA_DIR: dataDir, DOCKET_TIME_ZONE: 'Asia/Shanghai' });
    let token = await login(server.url);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createReturn(server.url, token, `Before the move ${i}`));
    await server.stop('SIGTERM');
    expect(server.proc.exitCode).toBe(0);

    const target = await freshDatabaseUrl({ empty: true });
    drop = target.drop;
    const copy = await run('npm', ['run', '--silent', 'db:copy-to-postgres', '--', dataDir, target.url!], {
      cwd: root,
    });
    expect(copy.stdout).toMatch(/public\.ticket: 3 rows/);
    expect(copy.stdout).toMatch(/Copied \d+ rows in \d+ tables \(counts checked\)/);

    // Counted here too: the original (opened again) against the copy, table by table.
    const embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pglite'), isBackground: true });
    let before: Record<string, number>;
    try {
      before = await counts(embedded.url);
    } finally {
      await embedded.stop();
    }
    const after = await counts(target.url!);
    expect(before['public.ticket']).toBe(3);
    expect(before['pgboss.job']).toBeGreaterThan(0);
    for (const t of ['public.mikro_orm_migrations', 'pgboss.version', 'pgboss.queue']) {
      delete before[t];
      delete after[t];
    }
    expect(after).toEqual(before);

    // A server on the copy: the same users, the tickets with their tasks, numbering carries on.
    server = await startServerProcess({ DATABASE_URL: target.url!, DOCKET_TIME_ZONE: 'Asia/Shanghai' });
    expect(server.output()).not.toMatch(/Example data loaded/);
    token = await login(server.url);
    const found = await gql(
      server.url,
      'query($n: String!) { ticket(number: $n) { title tasks { status } } }',
      {
        n: made[2]!.number,
      },
      token,
    );
    expect(found.ticket.title).toBe('Before the move 2');
    expect(found.ticket.tasks.length).toBeGreaterThan(0);
    const next = await createReturn(server.url, token, 'After the move');
    expect(Number(next.id)).toBeGreaterThan(Number(made[2]!.id));
    expect(next.number > made[2]!.number).toBe(true);
    await server.stop('SIGTERM');

    // A database that is not empty is refused, and left as it was.
    const again = await run('npm', ['run', '--silent', 'db:copy-to-postgres', '--', dataDir, target.url!], {
      cwd: root,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((again as { code: number }).code).toBe(1);
    expect((again as { stderr: string }).stderr).toMatch(/The target database is not empty/);
    expect((await counts(target.url!))['public.ticket']).toBe(4);
  }, 300_000);
});
