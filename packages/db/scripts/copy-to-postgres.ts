/**
 * Copies an embedded database (a PGlite data directory) into an empty PostgreSQL database,
 * schema and data, and checks the row counts table by table. Stop the server first.
 *
 *   npm run db:copy-to-postgres -- <DATA_DIR or its pglite folder> <postgres://… of an empty database>
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { copyPgliteToPostgres, pgliteDirOf } from '../src/copy-to-postgres.ts';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error(
    'Usage: npm run db:copy-to-postgres -- <DATA_DIR or its pglite folder> <postgres://… of an empty database>',
  );
  process.exit(2);
}
try {
  const report = await copyPgliteToPostgres({ from, to, log: (line) => console.log(line) });
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  console.log(
    `Copied ${rows} rows in ${report.tables.length} tables (counts checked) and ${report.sequences} sequences in ${report.ms} ms.`,
  );
  const keyFile = join(pgliteDirOf(from), '..', 'secret-key');
  if (existsSync(keyFile))
    console.log(
      `Stored secrets are sealed with the key in ${keyFile}: start the servers with DOCKET_SECRET_KEY set to its content.`,
    );
  console.log('Start the servers with DATABASE_URL set to the new database.');
} catch (e) {
  console.error(`The copy failed, no rows were committed: ${(e as Error).message}`);
  process.exit(1);
}
