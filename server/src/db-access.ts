import type { Database, EntityManager } from '@docket/db';

/**
 * Raw SQL through MikroORM's connection, with `?` bindings, inside the entity manager's
 * transaction when it has one. Hot paths and reports use it; CRUD goes through entities.
 */
export async function query<T = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const bindings = params.map((v) => (Array.isArray(v) ? pgArray(v) : v));
  return (await em
    .getConnection()
    .execute(sql, bindings as never[], 'all', em.getTransactionContext())) as T[];
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

type PgClient = {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
};
type KnexClient = {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
};

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
  statement: { name: string; sql: string; isShared: boolean },
  params: unknown[],
): Promise<T[]> {
  if (statement.isShared) return query<T>(em, statement.sql, params);
  let text = positional.get(statement.name);
  if (text === undefined) {
    let n = 0;
    text = statement.sql.replace(/\?/g, () => `$${++n}`);
    positional.set(statement.name, text);
  }
  const values = params.map((v) => (Array.isArray(v) ? pgArray(v) : v));
  const trx = em.getTransactionContext() as { client: KnexClient } | undefined;
  const client =
    trx?.client ?? (em.getConnection() as unknown as { getKnex(): { client: KnexClient } }).getKnex().client;
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ name: statement.name, text, values })).rows as T[];
  } finally {
    // A transaction's connection stays with the transaction.
    if (!trx) await client.releaseConnection(connection);
  }
}

export const forkEm = (db: Database): EntityManager => db.orm.em.fork() as EntityManager;
