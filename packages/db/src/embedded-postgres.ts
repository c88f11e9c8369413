import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { type EmbeddedLog, servePglite } from './pglite-multiplexer.ts';

export { DEFAULT_IDLE_IN_TRANSACTION_MS, type EmbeddedLog } from './pglite-multiplexer.ts';

export type EmbeddedPostgres = {
  /** A postgres:// URL any ordinary driver (pg, MikroORM, pg-boss) can connect to. */
  url: string;
  /** The data directory as a tar archive, which `loadDataDir` starts another instance from. */
  dump: () => Promise<Blob>;
  stop: () => Promise<void>;
};

export type EmbeddedPostgresOptions = {
  /** Folder for the data files; omit for an in-memory database that vanishes on stop. */
  dataDir?: string;
  /** Loopback port; 0 or omitted picks a free one. */
  port?: number;
  /**
   * PGlite is one session; the server multiplexes connections onto it, one request cycle or
   * transaction at a time (see SessionQueue). It must allow more than one connection, or a
   * pool's second connection is refused.
   */
  maxConnections?: number;
  /**
   * Start from this data directory (a `dump()` of another instance) instead of an empty one: a
   * fresh in-memory copy without initdb and migrations (the test suites' fresh databases).
   */
  loadDataDir?: Blob;
  /** Do not keep the process running for this database (a command-line tool that ends when its work does). */
  isBackground?: boolean;
  /**
   * A connection that holds the database (open transaction or unfinished request cycle) and sends
   * nothing for this long loses it: its work is rolled back and it is closed with a FATAL error
   * (SQLSTATE 25P03), so the other connections, which wait for it, go on. Default 60 000 (the
   * server's DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS); 0 never.
   */
  idleInTransactionMs?: number;
  /** Where such a cut is reported (a warning); a JSON line on stderr by default. */
  log?: EmbeddedLog;
};

/**
 * Starts PostgreSQL compiled to WASM (PGlite) behind a loopback socket, so the server talks to it
 * through the same driver, SQL and migrations as to a real PostgreSQL.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = options.loadDataDir
    ? await PGlite.create({ dataDir: options.dataDir ?? 'memory://', loadDataDir: options.loadDataDir })
    : await PGlite.create(options.dataDir ?? 'memory://');
  const port = options.port || (await freePort());
  const server = await servePglite({
    db,
    host: '127.0.0.1',
    port,
    maxConnections: options.maxConnections ?? 32,
    ...(options.idleInTransactionMs !== undefined
      ? { idleInTransactionMs: options.idleInTransactionMs }
      : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.isBackground ? { isBackground: true } : {}),
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dump: async () => await db.dumpDataDir('none'),
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
