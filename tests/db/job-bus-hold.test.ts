import {
  type Database,
  type FetchedJob,
  forkEm,
  type JobBus,
  openDatabase,
  query,
  startJobBus,
} from '@docket/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, freshDatabaseUrl, withDump } from '../helpers/test-database.ts';

/**
 * Jobs due soon are held in memory and taken at their due time, not at the next poll: with a
 * poll only every 30 seconds, a job due in a second and a half still runs on time, once, and two
 * buses holding the same job never both run it. When the database is slow to answer, the bus
 * looks for due jobs once at a time (looks started on a beat piled up, each holding one of the
 * job pool's few connections).
 */
describe(`job bus holding jobs due soon (${databaseKind()})`, () => {
  let db: Database;
  let drop: () => Promise<void>;
  const buses: JobBus[] = [];

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    db = await openDatabase(fresh.url ? { databaseUrl: fresh.url } : withDump(fresh));
  }, 60_000);
  afterAll(async () => {
    for (const b of buses) await b.stop();
    await db?.close();
    await drop?.();
  });

  it('runs each job once, within a fraction of a second of its due time, though nobody polls', async () => {
    const ran: { id: string; at: number; bus: number }[] = [];
    for (const n of [0, 1]) {
      const bus = await startJobBus({ url: db.url, queues: ['hold-probe'] });
      buses.push(bus);
      await bus.work(
        'hold-probe',
        { batchSize: 10, pollingIntervalSeconds: 30, holdDueWithinMs: 2_000 },
        async (jobs: FetchedJob[]) => {
          for (const j of jobs) ran.push({ id: String(j.data.n), at: Date.now(), bus: n });
        },
      );
    }
    const dueAt = Date.now() + 1_500;
    await buses[0]!.send(
      [0, 1, 2].map((n) => ({
        queue: 'hold-probe',
        data: { n },
        key: `hold-probe-${n}`,
        startAfter: new Date(dueAt + n * 100),
      })),
    );
    const deadline = Date.now() + 6_000;
    while (ran.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    expect(ran.map((r) => r.id).sort()).toEqual(['0', '1', '2']);
    for (const r of ran) {
      const late = r.at - (dueAt + Number(r.id) * 100);
      expect(late, `job ${r.id} ran ${late} ms after its due time`).toBeGreaterThanOrEqual(-20);
      expect(late, `job ${r.id} ran ${late} ms after its due time`).toBeLessThan(400);
    }
  }, 30_000);

  it('takes a burst of jobs falling due in batches of 25 ms, each once, none early', async () => {
    const batches: { ids: number[]; at: number }[] = [];
    const bus = await startJobBus({ url: db.url, queues: ['hold-burst'] });
    buses.push(bus);
    await bus.work(
      'hold-burst',
      { batchSize: 100, pollingIntervalSeconds: 30, holdDueWithinMs: 2_000 },
      async (jobs: FetchedJob[]) => {
        batches.push({ ids: jobs.map((j) => Number(j.data.n)), at: Date.now() });
      },
    );
    // 300 jobs due over one second (300 a second, as ten thousand breaches in a minute are 167).
    const firstAt = Date.now() + 2_500;
    const dueOf = (n: number) => firstAt + Math.floor(n * (1_000 / 300));
    await bus.send(
      Array.from({ length: 300 }, (_, n) => ({
        queue: 'hold-burst',
        data: { n },
        key: `hold-burst-${n}`,
        startAfter: new Date(dueOf(n)),
      })),
    );
    const deadline = Date.now() + 10_000;
    while (batches.flatMap((b) => b.ids).length < 300 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const ids = batches.flatMap((b) => b.ids).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 300 }, (_, n) => n));
    // Slots of 25 ms make about 40 batches (one per job would be 300); fewer when the database is slow.
    expect(batches.length, `${batches.length} batches for 300 jobs`).toBeLessThanOrEqual(80);
    for (const b of batches)
      for (const n of b.ids) {
        const late = b.at - dueOf(n);
        expect(late, `job ${n} ran ${late} ms after its due time`).toBeGreaterThanOrEqual(-20);
        expect(late, `job ${n} ran ${late} ms after its due time`).toBeLessThan(1_000);
      }
  }, 30_000);

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'looks for jobs due soon once at a time while the database does not answer',
    async () => {
      // Only this bus looks meanwhile.
      for (const b of buses.splice(0)) await b.stop();
      const bus = await startJobBus({ url: db.url, queues: ['hold-slow'] });
      buses.push(bus);
      await bus.work(
        'hold-slow',
        { batchSize: 10, pollingIntervalSeconds: 30, holdDueWithinMs: 400 },
        async () => {},
      );
      // Another session locks the job table: every read of it waits (a database far behind).
      const locker = new pg.Client({ connectionString: db.url });
      await locker.connect();
      const watcher = new pg.Client({ connectionString: db.url });
      await watcher.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table pgboss.job in access exclusive mode');
        // Ten beats of the look (every 200 ms) go by while the table is locked.
        await new Promise((r) => setTimeout(r, 2_000));
        const waiting = await watcher.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and state = 'active' and query like '%greatest(0, extract(epoch from (start_after%'
              and query not like '%pg_stat_activity%'`,
        );
        expect(waiting.rows[0]!.n).toBe(1);
      } finally {
        await locker.query('rollback').catch(() => {});
        await locker.end();
        await watcher.end();
      }
    },
    30_000,
  );

  it('settles a held job still running when the bus stops, so it does not run again elsewhere', async () => {
    const bus = await startJobBus({ url: db.url, queues: ['hold-stop'] });
    let started = false;
    let finished = false;
    await bus.work(
      'hold-stop',
      { batchSize: 10, pollingIntervalSeconds: 30, holdDueWithinMs: 2_000 },
      async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 1_000));
        finished = true;
      },
    );
    await bus.send([
      { queue: 'hold-stop', data: {}, key: 'hold-stop-1', startAfter: new Date(Date.now() + 300) },
    ]);
    const deadline = Date.now() + 5_000;
    while (!started && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(true);
    await bus.stop();
    expect(finished).toBe(true);
    const rows = await query<{ state: string }>(
      forkEm(db),
      `select state from pgboss.job where name = 'hold-stop'`,
    );
    expect(rows.map((r) => r.state)).toEqual(['completed']);
  }, 30_000);
});
