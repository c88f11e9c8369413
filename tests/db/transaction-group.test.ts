import {
  claimRows,
  type Database,
  type EntityManager,
  forkEm,
  NothingWritten,
  openDatabase,
  query,
  TransactionGroup,
  together,
  type WritePart,
  writeTogether,
} from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, freshDatabaseUrl, withDump } from '../helpers/test-database.ts';

/**
 * Step transactions committed together: on a real database, concurrent callers share one
 * transaction; a refusal fails alone; a failure after a write rolls the group back and every
 * caller runs again alone, so only the failing one is told of a failure and nothing it wrote stays.
 */
describe(`TransactionGroup (${databaseKind()})`, () => {
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    db = await openDatabase(
      fresh.url ? { databaseUrl: fresh.url, poolSize: 4 } : { poolSize: 4, ...withDump(fresh) },
    );
    await query(
      forkEm(db),
      'create table group_probe (id int primary key, note text not null, tx bigint not null)',
    );
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  const insert = (tx: EntityManager, id: number, note: string | null) =>
    query(tx, 'insert into group_probe (id, note, tx) values (?, ?, txid_current())', [id, note]);
  const rows = async (ids: number[]) =>
    query<{ id: number; note: string; tx: string }>(
      forkEm(db),
      'select id, note, tx::text from group_probe where id = any(?) order by id',
      [ids],
    );

  it('commits concurrent callers in one transaction, each answered after the commit', async () => {
    const group = new TransactionGroup(() => forkEm(db), { maxInFlight: 1, maxBatch: 10 });
    const ids = [1, 2, 3, 4, 5];
    const answers = await Promise.all(
      ids.map((id) =>
        group.run(async (tx) => {
          await insert(tx, id, `n${id}`);
          return id * 10;
        }),
      ),
    );
    expect(answers).toEqual([10, 20, 30, 40, 50]);
    const written = await rows(ids);
    expect(written.map((r) => r.note)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    // The first ran alone at once; the four that came while it ran shared one transaction.
    expect(new Set(written.slice(1).map((r) => r.tx)).size).toBe(1);
    expect(written[0]!.tx).not.toBe(written[1]!.tx);
    expect(group.stats).toMatchObject({ transactions: 1, members: 4, ranAlone: 0 });
  });

  it('lets a caller that refuses before writing fail alone while the others commit', async () => {
    const group = new TransactionGroup(() => forkEm(db), { maxInFlight: 1, maxBatch: 10 });
    const results = await Promise.allSettled(
      [11, 12, 13, 14].map((id) =>
        group.run(async (tx) => {
          if (id === 13) throw new NothingWritten(new Error('task 13 is already completed'));
          await insert(tx, id, 'ok');
          return id;
        }),
      ),
    );
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      11,
      12,
      'task 13 is already completed',
      14,
    ]);
    expect((await rows([11, 12, 13, 14])).map((r) => r.id)).toEqual([11, 12, 14]);
    expect(group.stats.ranAlone).toBe(0);
  });

  it('rolls the group back when one caller fails after writing, and runs every caller again alone', async () => {
    const group = new TransactionGroup(() => forkEm(db), { maxInFlight: 1, maxBatch: 10 });
    const runs: number[] = [];
    const results = await Promise.allSettled(
      [21, 22, 23, 24].map((id) =>
        group.run(async (tx) => {
          runs.push(id);
          // 23 writes a row the database refuses (note is not null), after 22's row in the same group.
          await insert(tx, id, id === 23 ? null : 'ok');
          return id;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/null value/);
    const written = await rows([21, 22, 23, 24]);
    expect(written.map((r) => r.id)).toEqual([21, 22, 24]);
    // 22 and 24 committed each in its own transaction after the group rolled back.
    expect(new Set(written.map((r) => r.tx)).size).toBe(3);
    expect(group.stats.ranAlone).toBe(3);
    expect(runs.filter((id) => id === 22)).toHaveLength(2);
  });

  it('answers refusals to every member of a later group that finds the row changed', async () => {
    const group = new TransactionGroup(() => forkEm(db), { maxInFlight: 1, maxBatch: 10 });
    await insert(forkEm(db), 31, 'open');
    const take = () =>
      group.run(async (tx) => {
        const [row] = await query<{ note: string }>(
          tx,
          'select note from group_probe where id = 31 for update',
        );
        if (row?.note !== 'open') throw new NothingWritten(new Error('already taken'));
        await query(tx, "update group_probe set note = 'taken' where id = 31");
        return 'took it';
      });
    const first = take();
    const results = await Promise.allSettled([take(), take(), take()]);
    expect(await first).toBe('took it');
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('runs the statements members share as one, and puts a member back when another holds its row', async () => {
    const group = new TransactionGroup(() => forkEm(db), { maxInFlight: 1, maxBatch: 10 });
    await query(forkEm(db), "insert into group_probe (id, note, tx) values (41, 'a', 0), (42, 'b', 0)");
    const statements: string[][] = [];
    /** Appends to a row's note; members on the same row must not both read the old note. */
    const append = (id: number, text: string) =>
      group.run(async (tx) => {
        const [row] = await together(tx, 'read', id, async (ids) => {
          statements.push(ids.map(String));
          return query<{ id: number; note: string }>(
            tx,
            'select id, note from group_probe where id = any(?::int[]) order by id for update',
            [ids],
          ).then((rows) => ids.map((i) => rows.filter((r) => r.id === i)));
        });
        claimRows(tx, [`probe:${id}`]);
        await query(tx, 'update group_probe set note = ? where id = ?', [`${row!.note}${text}`, id]);
        return text;
      });
    const lone = append(41, '0');
    const answers = await Promise.all([append(41, '1'), append(42, '2'), append(41, '3'), append(42, '4')]);
    expect(await lone).toBe('0');
    expect(answers).toEqual(['1', '2', '3', '4']);
    const written = await rows([41, 42]);
    // Every append kept: nothing read a note another member was changing.
    expect(written.map((r) => [...r.note].sort().join(''))).toEqual(['013a', '24b']);
    // The group of four read its rows with one statement; the two put back shared the next.
    expect(statements).toEqual([['41'], ['41', '42', '41', '42'], ['41', '42']]);
    expect(group.stats.putBack).toBe(2);
  });

  it("writes the members' rows of each kind with one part of the group's statement, and hands each member its own returned rows", async () => {
    const group = new TransactionGroup(() => forkEm(db), { maxInFlight: 1, maxBatch: 10 });
    await query(
      forkEm(db),
      "insert into group_probe (id, note, tx) select g, 'old', 0 from generate_series(71, 74) g",
    );
    // How many parts of each kind the statements held (a part's SQL is built once per part it is).
    const built = { insert: 0, update: 0 };
    const parts = (id: number): WritePart[] => [
      {
        input: [
          { id: id + 10, note: `new ${id}` },
          { id: id + 20, note: `new ${id}` },
        ],
        isRows: true,
        sql: (input) => {
          if (input.startsWith('(select v->')) built.insert++;
          return `insert into group_probe (id, note, tx)
                  select (r->>'id')::int, r->>'note', txid_current() from jsonb_array_elements(${input}) r`;
        },
      },
      {
        input: [{ id, note: `changed ${id}` }],
        isRows: true,
        isReturning: true,
        sql: (input) => {
          if (input.startsWith('(select v->')) built.update++;
          return `update group_probe p set note = r->>'note' from jsonb_array_elements(${input}) r
                   where p.id = (r->>'id')::int returning p.id, p.note`;
        },
      },
    ];
    const ids = [71, 72, 73, 74];
    const lone = group.run((tx) => writeTogether(tx, parts(70), { isShared: true }));
    const answers = await Promise.all(
      ids.map((id) => group.run((tx) => writeTogether(tx, parts(id), { isShared: true }))),
    );
    await lone;
    // Each member gets back the row it changed, and nothing from its own insert.
    expect(answers).toEqual(ids.map((id) => [[], [{ id, note: `changed ${id}` }]]));
    const written = await rows([...ids, ...ids.map((i) => i + 10), ...ids.map((i) => i + 20)]);
    expect(written.map((r) => r.note)).toEqual([
      ...ids.map((i) => `changed ${i}`),
      ...ids.map((i) => `new ${i}`),
      ...ids.map((i) => `new ${i}`),
    ]);
    // The lone caller's statement, then the group's: one part of each kind for all four members.
    expect(built).toEqual({ insert: 2, update: 2 });
    expect(new Set(written.filter((r) => r.id > 80).map((r) => r.tx)).size).toBe(1);
  });

  it('lets reads outside any transaction share a statement while the database is busy', async () => {
    await query(
      forkEm(db),
      "insert into group_probe (id, note, tx) select g, 'r' || g, 0 from generate_series(51, 60) g",
    );
    const statements: number[][] = [];
    const read = (id: number) => {
      const em = forkEm(db);
      return together(
        em,
        'probe-read',
        id,
        async (ids) => {
          statements.push(ids);
          const found = await query<{ id: number; note: string }>(
            em,
            'select id, note from group_probe where id = any(?::int[])',
            [ids],
          );
          return ids.map((i) => found.find((r) => r.id === i)?.note ?? null);
        },
        { isRead: true },
      );
    };
    const ids = [51, 52, 53, 54, 55, 56, 57, 58, 59, 60];
    const notes = await Promise.all(ids.map(read));
    // Each caller gets its own row, in its order.
    expect(notes).toEqual(ids.map((id) => `r${id}`));
    // Two went at once; the eight that came while they ran shared one statement.
    expect(statements).toEqual([[51], [52], [53, 54, 55, 56, 57, 58, 59, 60]]);
    // Inside a transaction a read is its caller's own.
    const inside = await forkEm(db).transactional(async (tx) =>
      together(tx, 'probe-read', 51, async (x) => x.map((i) => `own ${i}`), { isRead: true }),
    );
    expect(inside).toBe('own 51');
  });
});
