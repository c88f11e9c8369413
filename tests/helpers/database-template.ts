import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@docket/db';
import pg from 'pg';

/**
 * Once per run (vitest globalSetup): a migrated, empty database that every suite's fresh database
 * is copied from, so each suite skips initdb and the migrations (about 10 s per suite on PGlite).
 * On PostgreSQL (TEST_DATABASE_URL) a template database, on PGlite a dump of its data directory.
 * The migrations themselves still run here, once, on the database kind under test.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Two projects (api, browser) list this setup; the first to run makes the template for both.
  if (process.env.DOCKET_TEST_TEMPLATE_DATABASE || process.env.DOCKET_TEST_PGLITE_DUMP) return async () => {};
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const name = `docket_test_template_${randomBytes(6).toString('hex')}`;
    await adminQuery(base, `create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
    await db.close();
    process.env.DOCKET_TEST_TEMPLATE_DATABASE = name;
    return async () => {
      await adminQuery(base, `drop database if exists ${name} with (force)`);
    };
  }
  const db = await openDatabase({ poolSize: 2 });
  const dump = await db.dumpEmbedded?.();
  await db.close();
  if (!dump) throw new Error('the embedded database gave no dump');
  const dir = mkdtempSync(join(tmpdir(), 'docket-test-template-'));
  const file = join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.DOCKET_TEST_PGLITE_DUMP = file;
  return async () => rmSync(dir, { recursive: true, force: true });
}

async function adminQuery(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
