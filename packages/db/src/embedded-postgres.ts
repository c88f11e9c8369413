import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { servePglite } from './pglite-multiplexer.ts';

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
