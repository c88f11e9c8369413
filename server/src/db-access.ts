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

export const forkEm = (db: Database): EntityManager => db.orm.em.fork() as EntityManager;
