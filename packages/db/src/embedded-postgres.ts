import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type EmbeddedPostgres = {
  /** A postgres:// URL any ordinary driver (pg, MikroORM, pg-boss) can connect to. */
  url: string;
  stop: () => Promise<void>;
};

export type EmbeddedPostgresOptions = {
  /** Folder for the data files; omit for an in-memory database that vanishes on stop. */
  dataDir?: string;
  /** Loopback port; 0 or omitted picks a free one. */
  port?: number;
  /**
   * PGlite serves one query at a time; the socket server multiplexes connections onto it and
   * serialises transactions. It must allow more than one connection, or a pool's second
   * connection is dropped ("Connection terminated unexpectedly").
   */
  maxConnections?: number;
};

/**
 * Starts PostgreSQL compiled to WASM (PGlite) behind a loopback socket, so the server talks to it
 * through the same driver, SQL and migrations as to a real PostgreSQL.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  const port = options.port || (await freePort());
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port,
    maxConnections: options.maxConnections ?? 32,
  });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
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
