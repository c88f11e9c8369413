import { type Database, forkEm, openDatabase, pgJson, query } from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, freshDatabaseUrl, withDump } from '../helpers/test-database.ts';

/**
 * Bound strings are inlined into the statement by the ORM's platform (Docket's own escape, built
 * for large JSON parameters): whatever a string holds reaches the database unchanged.
 */
describe(`strings bound to hand-written SQL (${databaseKind()})`, () => {
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    db = await openDatabase(fresh.url ? { databaseUrl: fresh.url } : withDump(fresh));
  }, 180_000);
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('arrive as they were, quotes, backslashes and all, as text and as jsonb', async () => {
    const texts = ["it's", 'C:\\temp\\', "\\' or 1=1 --", "E'x'", 'Kettle 🫖\nleaks', '?', ''];
    const doc = { title: "o'clock \\ done", path: 'C:\\a\\b', list: texts };
    const [row] = await query<{ texts: string[]; doc: unknown }>(
      forkEm(db),
      `select array[${texts.map(() => '?::text').join(', ')}] as texts, ?::jsonb as doc`,
      [...texts, pgJson(doc)],
    );
    expect(row!.texts).toEqual(texts);
    expect(row!.doc).toEqual(doc);
  });
});
