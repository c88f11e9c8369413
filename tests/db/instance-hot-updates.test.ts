import { type Database, openDatabase, query } from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, freshDatabaseUrl, withDump } from '../helpers/test-database.ts';

/**
 * A workflow step rewrites its instance's row (state, status, seq, updated_at). On the migrated
 * tables that update is a HOT update (no new entry in any index of workflow_instance), which it is
 * only while no index covers a column a step changes, the conditions of partial indexes included.
 * Counted inside the transaction (pg_stat_get_xact_tuples_hot_updated), so other work on the same
 * server does not disturb it.
 */
describe(`workflow instance updates stay HOT (${databaseKind()})`, () => {
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    db = await openDatabase(
      fresh.url ? { databaseUrl: fresh.url, poolSize: 2 } : { poolSize: 2, ...withDump(fresh) },
    );
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('a step that moves a waiting instance on adds no index entries', async () => {
    const em = db.orm.em.fork();
    await query(em, `insert into workflow (key, name, draft) values ('hot', 'Hot', '{}')`);
    await query(
      em,
      `insert into workflow_version (workflow_id, version, graph) select id, 1, '{}' from workflow where key = 'hot'`,
    );
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    for (const id of ids)
      await query(
        em,
        `insert into workflow_instance (id, workflow_version_id, status, state, seq)
         select ?::uuid, id, 'waiting', '{"trace": []}', 0 from workflow_version`,
        [id],
      );
    const hot = await em.transactional(async (tx) => {
      // As a step writes it (workflow-repository's instance update): the same status, a new state.
      for (const id of ids)
        await query(
          tx,
          `update workflow_instance set state = ?::jsonb, status = 'waiting', seq = seq + 1, updated_at = now()
            where id = ?::uuid`,
          [JSON.stringify({ trace: [{ kind: 'step', nodeId: 'review' }] }), id],
        );
      return query<{ updated: number; hot: number }>(
        tx,
        `select pg_stat_get_xact_tuples_updated('workflow_instance'::regclass)::int as updated,
                pg_stat_get_xact_tuples_hot_updated('workflow_instance'::regclass)::int as hot`,
      );
    });
    expect(hot[0]).toEqual({ updated: 2, hot: 2 });
  });
});
