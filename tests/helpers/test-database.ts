import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * A fresh, empty, migrated database for one suite: a new database on TEST_DATABASE_URL's server
 * when that is set (real PostgreSQL), else undefined (the caller starts an in-memory PGlite, from
 * `loadDataDir` when given). When the run's template exists (tests/helpers/database-template.ts)
 * the new database is a copy of it, already migrated; `empty` asks for one without tables.
 */
export async function freshDatabaseUrl(options: { empty?: boolean } = {}): Promise<{
  url: string | undefined;
  loadDataDir?: Blob;
  drop: () => Promise<void>;
}> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const dump = migratedPgliteDump();
    return { url: undefined, ...(dump ? { loadDataDir: dump } : {}), drop: async () => {} };
  }
  const name = `docket_test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? undefined : process.env.DOCKET_TEST_TEMPLATE_DATABASE;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The embedded database's start from the run's migrated dump, when there is one. */
export const withDump = (fresh: { loadDataDir?: Blob }): { loadDataDir?: Blob } =>
  fresh.loadDataDir ? { loadDataDir: fresh.loadDataDir } : {};

let dumpBytes: Uint8Array<ArrayBuffer> | undefined;

/** The run's migrated PGlite data directory (read once per worker), or undefined outside such a run. */
function migratedPgliteDump(): Blob | undefined {
  const file = process.env.DOCKET_TEST_PGLITE_DUMP;
  if (!file) return undefined;
  dumpBytes ??= new Uint8Array(readFileSync(file));
  return new Blob([dumpBytes]);
}

export const databaseKind = (): string => (process.env.TEST_DATABASE_URL ? 'postgresql' : 'pglite');
