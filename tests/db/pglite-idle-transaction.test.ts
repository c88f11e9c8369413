import { connect as connectSocket, type Socket } from 'node:net';
import { type EmbeddedLog, type EmbeddedPostgres, startEmbeddedPostgres } from '@docket/db';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, freshDatabaseUrl, withDump } from '../helpers/test-database.ts';
import { waitFor } from '../helpers/wait.ts';

/** Short for a test, long enough that a loaded machine's stalls between two statements stay under it. */
const LIMIT_MS = 800;

/**
 * The embedded database serves one connection at a time (SessionQueue), so a connection that
 * holds it in a transaction and goes silent would stop every other. Past the idle limit it loses
 * the session: its work is rolled back, it hears why (FATAL 25P03) and is closed, the server
 * warns, and the others go on. Time its own statements run is not idle time.
 */
describe(`the embedded database's idle-in-transaction limit (run on ${databaseKind()})`, () => {
  let embedded: EmbeddedPostgres;
  const warnings: { message: string; extra: Record<string, unknown> }[] = [];
  const clients: pg.Client[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Always PGlite: this is the embedded database's own server. From the run's migrated dump when
    // there is one (a PGlite run), else an empty one.
    const fresh = databaseKind() === 'pglite' ? withDump(await freshDatabaseUrl()) : {};
    const log: EmbeddedLog = (_level, message, extra) => warnings.push({ message, extra });
    embedded = await startEmbeddedPostgres({ ...fresh, idleInTransactionMs: LIMIT_MS, log });
    const setup = await client();
    await setup.query('create table idle_probe (id int primary key, note text not null)');
  }, 120_000);
  afterEach(async () => {
    // Bounded: without a working limit a client's end waits for the session like anything else.
    for (const c of clients.splice(0)) await within(2_000, 'end', c.end()).catch(() => {});
    for (const s of sockets.splice(0)) s.destroy();
  });
  afterAll(async () => {
    await embedded?.stop();
  });

  /** A connected client whose connection errors are kept (a closed connection is not a crash here). */
  async function client(errors: Error[] = []): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: embedded.url });
    c.on('error', (e) => errors.push(e));
    await c.connect();
    clients.push(c);
    return c;
  }

  /** Fails in `ms` instead of hanging the suite when the session is never given back. */
  const within = <T>(ms: number, what: string, work: Promise<T>): Promise<T> =>
    Promise.race([
      work,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms).unref(),
      ),
    ]);

  const ids = async (from: number, to: number) =>
    (
      await (
        await client()
      ).query<{ id: number }>('select id from idle_probe where id between $1 and $2 order by id', [from, to])
    ).rows.map((r) => r.id);

  it('takes the session from a connection idle in a transaction: the others go on, its work is undone, it is told why', async () => {
    const idleErrors: Error[] = [];
    const idle = await client(idleErrors);
    await idle.query('begin');
    await idle.query('insert into idle_probe (id, note) values (1, $1)', ['written, never committed']);
    const since = Date.now();

    // Another connection's query waits for the session, then gets it once the idle one is cut.
    const { rows } = await within(
      10_000,
      "another connection's query",
      client().then((other) => other.query('select 41 + 1 as n')),
    );
    expect(rows).toEqual([{ n: 42 }]);
    expect(Date.now() - since).toBeGreaterThanOrEqual(LIMIT_MS - 50);

    // The idle connection hears a PostgreSQL error that says what happened, and is closed.
    const fatal = await waitFor('the idle connection to hear why it was closed', async () => idleErrors[0]);
    expect(fatal).toMatchObject({
      severity: 'FATAL',
      code: '25P03',
      message: `terminating connection: idle in a transaction for more than ${LIMIT_MS} ms on the embedded database`,
    });
    expect((fatal as Error & { hint?: string }).hint).toMatch(/DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS/);
    // Its next query fails at once instead of writing outside the transaction it thinks it is in.
    await expect(
      idle.query('insert into idle_probe (id, note) values (2, $1)', ['after the cut']),
    ).rejects.toThrow();
    await expect(idle.query('commit')).rejects.toThrow();

    expect(await ids(1, 2)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(
      new RegExp(`idle in a transaction for more than ${LIMIT_MS} ms was rolled back and closed`),
    );
    expect(warnings[0]!.extra).toMatchObject({
      limitMs: LIMIT_MS,
      lastStatement: 'insert into idle_probe (id, note) values (1, $1)',
    });
    expect(warnings[0]!.extra.idleMs as number).toBeGreaterThanOrEqual(LIMIT_MS);

    // The session serves everyone as before.
    const again = await client();
    await again.query('begin');
    await again.query(`insert into idle_probe (id, note) values (3, 'committed')`);
    await again.query('commit');
    expect(await ids(1, 3)).toEqual([3]);
  });

  it('does not cut a transaction that keeps working past the limit, nor one whose statement runs longer', async () => {
    const warned = warnings.length;
    const errors: Error[] = [];
    const busy = await client(errors);
    const since = Date.now();
    const work = async () => {
      await busy.query('begin');
      // Statements with short pauses between them, for several times the limit.
      for (let id = 10; Date.now() - since < 3 * LIMIT_MS; id++) {
        await busy.query('insert into idle_probe (id, note) values ($1, $2)', [id, 'kept']);
        await new Promise((r) => setTimeout(r, LIMIT_MS / 8));
      }
      // One statement that runs twice the limit: the connection waits for the database, not the reverse.
      await busy.query('select pg_sleep($1)', [(2 * LIMIT_MS) / 1000]);
      await busy.query(`insert into idle_probe (id, note) values (99, 'after the long statement')`);
      await busy.query('commit');
    };
    // A failure says whether the connection was cut, and how long it was found idle.
    await work().catch((e: Error) => {
      throw new Error(`${e.message}; warnings: ${JSON.stringify(warnings.slice(warned))}`);
    });

    expect(Date.now() - since).toBeGreaterThan(5 * LIMIT_MS);
    expect(errors).toEqual([]);
    const kept = await ids(10, 99);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.at(-1)).toBe(99);
    expect(warnings.length).toBe(warned);
  });

  it('takes the session from a connection that stops in the middle of a request (no Sync), undoing its statement', async () => {
    const warned = warnings.length;
    // A hand-written client: an insert sent with the extended protocol, then silence before Sync.
    const { socket, received } = await rawConnection();
    socket.write(
      Buffer.concat([
        parse(`insert into idle_probe (id, note) values (50, 'never synced')`),
        frontend('B', Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])), // unnamed portal and statement, no parameters
        frontend('E', Buffer.from([0, 0, 0, 0, 0])), // unnamed portal, all rows
        frontend('H', Buffer.alloc(0)), // Flush: answers so far, but no Sync
      ]),
    );
    await waitFor('the insert to run', async () => (received().includes('INSERT 0 1') ? true : undefined));

    const { rows } = await within(
      10_000,
      "another connection's query",
      client().then((other) => other.query('select 1 as n')),
    );
    expect(rows).toEqual([{ n: 1 }]);
    await waitFor('the silent connection to be closed', async () => (socket.closed ? true : undefined));
    expect(received()).toMatch(/FATAL.*25P03/);
    expect(await ids(50, 50)).toEqual([]);
    expect(warnings.length).toBe(warned + 1);
  });

  /** A wire-protocol connection past its startup, and everything it has received as text. */
  async function rawConnection(): Promise<{ socket: Socket; received: () => string }> {
    const { port, hostname } = new URL(embedded.url);
    const socket = connectSocket(Number(port), hostname);
    sockets.push(socket);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4); // protocol 3.0
    socket.write(Buffer.concat([startup, params]));
    await waitFor('the startup to finish', async () => (text.includes(READY_FOR_QUERY) ? true : undefined));
    return { socket, received: () => text };
  }
});

/** ReadyForQuery, not in a transaction, as latin1 text. */
const READY_FOR_QUERY = String.fromCharCode(0x5a, 0, 0, 0, 5, 0x49);

function frontend(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** Parse of the unnamed statement, no parameter types. */
const parse = (sql: string) => frontend('P', Buffer.concat([Buffer.from(`\0${sql}\0`), Buffer.from([0, 0])]));
