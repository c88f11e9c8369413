import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh, empty database for one suite: a new database on TEST_DATABASE_URL's server when that
 * is set (real PostgreSQL), else undefined (the caller starts an in-memory PGlite).
 */
export async function freshDatabaseUrl(): Promise<{ url: string | undefined; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => {} };
  const name = `docket_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
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

export const databaseKind = (): string => (process.env.TEST_DATABASE_URL ? 'postgresql' : 'pglite');
