import {
  type Database,
  type FetchedJob,
  forkEm,
  type JobBus,
  openDatabase,
  query,
  startJobBus,
} from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, freshDatabaseUrl } from '../helpers/test-database.ts';

/**
 * Jobs due soon are held in memory and taken at their due time, not at the next poll: with a
 * poll only every 30 seconds, a job due in a second and a half still runs on time, once, and two
 * buses holding the same job never both run it.
 */
describe(`job bus holding jobs due soon (${databaseKind()})`, () => {
  let db: Database;
  let drop: () => Promise<void>;
  const buses: JobBus[] = [];

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    db = await openDatabase(fresh.url ? { databaseUrl: fresh.url } : {});
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
