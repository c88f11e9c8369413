import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from './database.ts';
import { startJobBus } from './job-bus.ts';

/**
 * Moves an embedded database to a real PostgreSQL: copies a PGlite data directory (what
 * `npm start` keeps in DATA_DIR/pglite) into an empty PostgreSQL database, schema and data, and
 * checks that every table holds as many rows as the original.
 *
 *   npm run db:copy-to-postgres -- ./data postgres://docket@db.example.com/docket
 *
 * Stop the server first (the embedded database has one user at a time). The schema comes from the
 * migrations (both databases end at the newest), pg-boss's from pg-boss itself; then, in one
 * transaction, every table's rows are copied (foreign keys dropped and added again afterwards, so
 * they are checked once everything is there), sequences set where the original's stood, and the
 * counts compared. Nothing is left half copied: the data either all arrives or none does.
 */

export type CopyReport = {
  /** Rows per table ("schema.table"), the same in both. */
  tables: { table: string; rows: number }[];
  sequences: number;
  ms: number;
};

/** Tables of the target that its own setup fills and that are not copied. */
const SET_UP_BY_TARGET = new Set(['public.mikro_orm_migrations', 'pgboss.version', 'pgboss.queue']);

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const qualified = (table: string) => table.split('.').map(quote).join('.');

/** The PGlite folder in `dir`: DATA_DIR (with pglite/ inside) or the pglite folder itself. */
export function pgliteDirOf(dir: string): string {
  return existsSync(join(dir, 'pglite', 'PG_VERSION')) ? join(dir, 'pglite') : dir;
}

export async function copyPgliteToPostgres(options: {
  /** DATA_DIR, or its pglite folder. */
  from: string;
  /** An empty PostgreSQL database. */
  to: string;
  log?: (line: string) => void;
}): Promise<CopyReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const dir = pgliteDirOf(options.from);
  if (!existsSync(join(dir, 'PG_VERSION')))
    throw new Error(
      `${options.from} is not a PGlite data directory (no PG_VERSION in it or in its pglite folder).`,
    );

  const target = new pg.Client({ connectionString: options.to });
  await target.connect().catch((e: Error) => {
    throw new Error(`Cannot connect to the target database ${redact(options.to)}: ${e.message}`);
  });
  try {
    const existing = await target.query(
      `select table_schema || '.' || table_name as t from information_schema.tables
        where table_schema in ('public', 'pgboss') limit 5`,
    );
    if (existing.rows.length > 0)
      throw new Error(
        `The target database is not empty (it has ${existing.rows.map((r) => r.t).join(', ')}…): copy into a new, empty database.`,
      );

    log(`Opening the embedded database in ${dir} …`);
    const source = await openDatabase({ dataDir: dir });
    const src = new pg.Client({ connectionString: source.url });
    try {
      await src.connect();
      // The same schema on the target: the migrations, then pg-boss's own tables and queues.
      log('Creating the schema on the target …');
      const created = await openDatabase({ databaseUrl: options.to, poolSize: 2 });
      await created.close();
      const hasJobs = (
        await src.query(`select 1 from information_schema.schemata where schema_name = 'pgboss'`)
      ).rowCount;
      if (hasJobs) {
        const queues = (await src.query('select name from pgboss.queue order by name')).rows.map(
          (r) => r.name,
        );
        const jobs = await startJobBus({ url: options.to, queues, poolSize: 1 });
        await jobs.stop();
      }

      const tables = (
        await src.query(
          `select n.nspname || '.' || c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and not c.relispartition and n.nspname in ('public', 'pgboss')
            order by 1`,
        )
      ).rows
        .map((r) => r.t as string)
        .filter((t) => !SET_UP_BY_TARGET.has(t));

      await target.query('begin');
      // Foreign keys come off while rows arrive in any order, and go back on (checked) at the end.
      const keys = (
        await target.query(
          `select conrelid::regclass::text as t, conname as name, pg_get_constraintdef(oid) as def
             from pg_constraint where contype = 'f' and conparentid = 0
              and connamespace in ('public'::regnamespace, 'pgboss'::regnamespace)`,
        )
      ).rows as { t: string; name: string; def: string }[];
      for (const k of keys) await target.query(`alter table ${k.t} drop constraint ${quote(k.name)}`);
      // What the migrations wrote (default rows) makes way for the original's.
      await target.query(`truncate ${tables.map(qualified).join(', ')}`);

      const report: CopyReport = { tables: [], sequences: 0, ms: 0 };
      for (const table of tables) {
        const rows = await copyTable(src, target, table);
        log(`  ${table}: ${rows} rows`);
        report.tables.push({ table, rows });
      }
      for (const k of keys) await target.query(`alter table ${k.t} add constraint ${quote(k.name)} ${k.def}`);

      // Sequences: those the server makes as it goes (a template's ticket numbers) are made here
      // too, and each one continues where the original's stood.
      const sequences = (
        await src.query(
          `select schemaname || '.' || sequencename as s, data_type::text as type, start_value, min_value,
                  max_value, increment_by, cycle, last_value
             from pg_sequences where schemaname in ('public', 'pgboss')`,
        )
      ).rows;
      for (const q of sequences) {
        await target.query(
          `create sequence if not exists ${qualified(q.s)} as ${q.type} increment by ${q.increment_by}
             minvalue ${q.min_value} maxvalue ${q.max_value} start with ${q.start_value} ${q.cycle ? 'cycle' : 'no cycle'}`,
        );
        if (q.last_value !== null)
          await target.query('select setval($1::regclass, $2, true)', [qualified(q.s), q.last_value]);
      }
      report.sequences = sequences.length;

      // The counts, table by table, before anything is committed.
      for (const { table, rows } of report.tables) {
        const n = Number((await target.query(`select count(*) as n from ${qualified(table)}`)).rows[0].n);
        if (n !== rows) throw new Error(`${table}: ${rows} rows in the original, ${n} copied.`);
      }
      await target.query('commit');
      report.ms = Date.now() - started;
      return report;
    } catch (e) {
      await target.query('rollback').catch(() => {});
      throw e;
    } finally {
      await src.end().catch(() => {});
      await source.close();
    }
  } finally {
    await target.end().catch(() => {});
  }
}

/** Copies one table's rows through JSON, a cursor's batch at a time (generated columns are computed again). */
async function copyTable(src: pg.Client, target: pg.Client, table: string): Promise<number> {
  const [schema, name] = table.split('.') as [string, string];
  const columns = (
    await target.query(
      `select column_name from information_schema.columns
        where table_schema = $1 and table_name = $2 and is_generated = 'NEVER' order by ordinal_position`,
      [schema, name],
    )
  ).rows.map((r) => quote(r.column_name));
  const list = columns.join(', ');
  const insert = `insert into ${qualified(table)} (${list}) overriding system value
    select ${list} from jsonb_populate_recordset(null::${qualified(table)}, $1::jsonb)`;
  await target.query(`alter table ${qualified(table)} disable trigger user`);
  await src.query('begin');
  let copied = 0;
  try {
    await src.query(
      `declare copy_rows no scroll cursor for select to_jsonb(t) as r from ${qualified(table)} t`,
    );
    for (;;) {
      const batch = (await src.query('fetch 2000 from copy_rows')).rows.map((r) => r.r);
      if (batch.length === 0) break;
      await target.query(insert, [JSON.stringify(batch)]);
      copied += batch.length;
    }
  } finally {
    await src.query('commit');
  }
  await target.query(`alter table ${qualified(table)} enable trigger user`);
  return copied;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
