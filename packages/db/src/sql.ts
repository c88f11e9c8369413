import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from './database.ts';
import { inTurn, together } from './transaction-group.ts';

/** Statements run through these helpers since the process started (for /metrics and benchmarks). */
export const sqlStats = { statements: 0 };

/**
 * Hand-written SQL through MikroORM's connection, with `?` bindings, inside the entity manager's
 * transaction when it has one. The hot paths (ticket inserts, step transactions, timer batches,
 * lists, reports) use it from their domain's repository; configuration is read and written through
 * entities. This module is the only place that knows how MikroORM's knex layer hands out
 * connections.
 */
export async function query<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  sqlStats.statements++;
  const bindings = params.map((v) => (Array.isArray(v) ? pgArray(v) : v));
  return (await inTurn(em, () =>
    em.getConnection().execute(sql, bindings as never[], 'all', em.getTransactionContext()),
  )) as T[];
}

/** knex would spread an array into a list; a PostgreSQL array literal binds it as one value. */
function pgArray(values: unknown[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

export async function queryOne<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T | undefined> {
  return (await query<T>(em, sql, params))[0];
}

/** A node-postgres client, as the pool hands it out. */
export type PgClient = {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
};
type KnexClient = {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
};

const knexClientOf = (em: EntityManager): { client: KnexClient; isTransaction: boolean } => {
  const trx = em.getTransactionContext() as { client: KnexClient } | undefined;
  if (trx) return { client: trx.client, isTransaction: true };
  return {
    client: (em.getConnection() as unknown as { getKnex(): { client: KnexClient } }).getKnex().client,
    isTransaction: false,
  };
};

/**
 * Runs `work` on the raw connection of the entity manager's transaction (for libraries that take
 * their own `executeSql`, such as pg-boss). Throws outside a transaction.
 */
export async function withTransactionConnection<T>(
  em: EntityManager,
  work: (client: PgClient) => Promise<T>,
): Promise<T> {
  const { client, isTransaction } = knexClientOf(em);
  if (!isTransaction) throw new Error('This needs an open transaction.');
  return work(await client.acquireConnection());
}

const positional = new Map<string, string>();

/**
 * A hot statement as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call. Same `?` bindings and results as `query`; inside the
 * entity manager's transaction when it has one. `isShared` says the connections share one
 * session (the embedded database), where statement names would clash: then it is a plain query.
 * The SQL must not use `?` for anything but bindings (no jsonb `?` operator).
 */
export async function queryPrepared<T = Record<string, unknown>>(
  em: EntityManager,
  statement: {
    name: string;
    sql: string;
    isShared: boolean;
    /**
     * Outside a transaction, on a connection of its own: the database cancels the statement
     * after this long (a lock it waits on included), so that nothing is half-done.
     */
    timeoutMs?: number;
  },
  params: unknown[],
): Promise<T[]> {
  if (statement.isShared) return query<T>(em, statement.sql, params);
  sqlStats.statements++;
  let text = positional.get(statement.name);
  if (text === undefined) {
    let n = 0;
    text = statement.sql.replace(/\?/g, () => `$${++n}`);
    positional.set(statement.name, text);
  }
  const values = params.map((v) => (Array.isArray(v) ? pgArray(v) : v));
  const { client, isTransaction } = knexClientOf(em);
  const connection = await client.acquireConnection();
  // A timeout applies only outside a transaction, where no group shares the connection.
  const timeout = !isTransaction && statement.timeoutMs ? Math.ceil(statement.timeoutMs) : 0;
  try {
    if (timeout)
      return await timedExecute<T>(em, connection, `${statement.name}_timed`, text, values, timeout);
    return (await inTurn(em, () => connection.query({ name: statement.name, text, values }))).rows as T[];
  } finally {
    // A transaction's connection stays with the transaction.
    if (!isTransaction) await client.releaseConnection(connection);
  }
}

/** Per connection, the statements prepared in SQL (PREPARE) for timedExecute. */
const preparedInSql = new WeakMap<PgClient, Set<string>>();

/**
 * A prepared statement run with its own statement_timeout in one round trip and one commit:
 * `set local statement_timeout; execute` as one simple-query message, which PostgreSQL runs as one
 * implicit transaction, so the timeout ends with it (no second statement to reset it, on success
 * or failure). The statement is PREPAREd in SQL once per connection, so it is planned once as well.
 */
async function timedExecute<T>(
  em: EntityManager,
  connection: PgClient,
  name: string,
  text: string,
  values: unknown[],
  timeoutMs: number,
): Promise<T[]> {
  let prepared = preparedInSql.get(connection);
  if (!prepared) {
    prepared = new Set();
    preparedInSql.set(connection, prepared);
  }
  if (!prepared.has(name)) {
    await connection.query(`prepare ${name} as ${text}`, []);
    prepared.add(name);
  }
  const args = values.map(sqlLiteral).join(', ');
  const sql = `set local statement_timeout = ${timeoutMs}; execute ${name}${args ? `(${args})` : ''}`;
  const results = (await inTurn(em, () => connection.query(sql, []))) as unknown as { rows: unknown[] }[];
  return results[results.length - 1]!.rows as T[];
}

/** A value as an SQL literal (an escape string, so backslashes mean the same on every setting). */
function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const s = value instanceof Date ? value.toISOString() : String(value);
  return `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A fresh entity manager (its own identity map) on the database. */
export const forkEm = (db: Pick<Database, 'orm'>): EntityManager => db.orm.em.fork() as EntityManager;

/** A lone UTF-16 surrogate as JSON.stringify escapes it (not after an escaping backslash). */
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/**
 * JSON for a jsonb parameter. PostgreSQL refuses a lone surrogate (half an emoji, cut by a client)
 * in jsonb; as a text parameter it would have become U+FFFD, and so it does here.
 */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\u') ? json.replace(LONE_SURROGATE, '$1\\ufffd') : json;
}

/** Escapes LIKE's wildcards so that a value matches itself. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One data-modifying statement of writeTogether: `sql` reads its input as the jsonb expression it is given. */
export type WritePart = {
  sql: (input: string) => string;
  input: unknown;
  /** Its SQL ends with RETURNING, and the caller wants those rows. */
  isReturning?: boolean;
  /**
   * `input` is an array of rows that the SQL writes each on its own: parts of the same SQL (the
   * members of a group transaction writing the same kind of rows) then go as one part, their rows
   * one after another. A returning one hands each part back the rows whose `id` its rows name.
   */
  isRows?: boolean;
};

/** Parts of the same SQL taking rows (`isRows`) as one part each; `from` maps a part to its merged one. */
export function mergeParts(parts: WritePart[]): { merged: WritePart[]; from: number[] } {
  const merged: WritePart[] = [];
  const from: number[] = [];
  const members: WritePart[][] = [];
  const byShape = new Map<string, number>();
  for (const p of parts) {
    const shape = p.isRows ? `${p.isReturning ? 'r' : 'w'}:${p.sql('$rows')}` : undefined;
    const at = shape === undefined ? undefined : byShape.get(shape);
    if (at !== undefined) {
      members[at]!.push(p);
      from.push(at);
      continue;
    }
    if (shape !== undefined) byShape.set(shape, merged.length);
    from.push(merged.length);
    members.push([p]);
    merged.push(p);
  }
  for (const [i, m] of members.entries())
    if (m.length > 1) merged[i] = { ...m[0]!, input: m.flatMap((p) => p.input as unknown[]) };
  return { merged, from };
}

/** The rows a merged part returned, split among its parts by the ids their rows name. */
function splitReturned(parts: WritePart[], from: number[], returned: Record<string, unknown>[][]) {
  const counts = new Map<number, number>();
  for (const at of from) counts.set(at, (counts.get(at) ?? 0) + 1);
  return parts.map((p, i) => {
    const at = from[i]!;
    const rows = returned[at] ?? [];
    if (!p.isReturning || counts.get(at) === 1) return rows;
    const ids = new Set((p.input as { id?: unknown }[]).map((r) => String(r.id)));
    return rows.filter((r) => ids.has(String(r.id)));
  });
}

const statementNames = new Map<string, string>();

/** Named statements writeTogether has prepared; past the limit, new shapes run unnamed. */
const MAX_NAMED_WRITES = 500;

/**
 * Runs several writes as one statement (data-modifying CTEs), one round trip for all of them:
 * each part reads its own input from one jsonb parameter. Returns, by index, the rows of the parts
 * marked `isReturning` (the others' entries are empty). The parts see the same snapshot and must
 * not touch the same rows. Repeated shapes run as named prepared statements unless `isShared`
 * (see queryPrepared). Inside a group transaction the writes of the members that write at the
 * same moment go as one statement (see `together`): members claim their rows, so their parts do
 * not touch the same rows either.
 */
export function writeTogether(
  em: EntityManager,
  parts: WritePart[],
  options: { isShared: boolean },
): Promise<Record<string, unknown>[][]> {
  if (parts.length === 0) return Promise.resolve([]);
  return together(em, `writeTogether:${options.isShared}`, parts, async (calls) => {
    const rows = await writeNow(em, calls.flat(), options);
    let at = 0;
    return calls.map((c) => {
      at += c.length;
      return rows.slice(at - c.length, at);
    });
  });
}

async function writeNow(
  em: EntityManager,
  parts: WritePart[],
  options: { isShared: boolean },
): Promise<Record<string, unknown>[][]> {
  const { merged, from } = mergeParts(parts);
  return splitReturned(parts, from, await writeParts(em, merged, options));
}

async function writeParts(
  em: EntityManager,
  parts: WritePart[],
  options: { isShared: boolean },
): Promise<Record<string, unknown>[][]> {
  const ctes = parts.map((p, i) => `w${i} as (${p.sql(`(select v->${i} from input)`)})`);
  const returning = parts.flatMap((p, i) => (p.isReturning ? [i] : []));
  const last = returning.length
    ? `select ${returning.map((i) => `(select coalesce(json_agg(w${i}), '[]'::json) from w${i}) as r${i}`).join(', ')}`
    : 'select 1 as done';
  const sql = `with input as (select ?::jsonb as v), ${ctes.join(',\n')}\n${last}`;
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_NAMED_WRITES) {
    name = `docket_w_${statementNames.size}`;
    statementNames.set(sql, name);
  }
  const [row] = await queryPrepared<Record<string, unknown>>(
    em,
    { name: name ?? '', sql, isShared: options.isShared || name === undefined },
    [pgJson(parts.map((p) => p.input))],
  );
  return parts.map((_p, i) => (row?.[`r${i}`] as Record<string, unknown>[] | undefined) ?? []);
}
