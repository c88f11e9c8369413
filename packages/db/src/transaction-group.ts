import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A caller's work refused before it wrote anything (a task already closed, an actor who may not
 * act): the shared transaction goes on for the others, and the caller gets `reason`.
 */
export class NothingWritten extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

type Member = {
  work: (tx: EntityManager) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

/**
 * Group commit of whole transactions: concurrent callers' transactions run one after another
 * inside one database transaction, which commits once for all of them. Each caller's promise
 * settles only when that transaction has committed (or, for a refusal, at once), so nobody is told
 * of a change that is not durable. While `maxInFlight` group transactions run, new callers queue;
 * the next transaction takes up to `maxBatch` of them. Nobody waits on a timer: a lone caller runs
 * in a transaction of its own at once, and groups grow only while the database is busy.
 *
 * The members run one at a time, so each sees the ones before it as a later transaction would
 * (serial order). A member that refuses before writing (throws `NothingWritten`) fails alone.
 * Any other failure (a constraint, a lost connection, a bug after a write) rolls the group back,
 * and every member runs again in a transaction of its own, so a failure is reported only to the
 * caller whose work fails by itself.
 */
export class TransactionGroup {
  private readonly queue: Member[] = [];
  private inFlight = 0;
  /** Group transactions run, members committed in them, and members run again alone. */
  readonly stats = { transactions: 0, members: 0, ranAlone: 0 };

  constructor(
    private readonly em: () => EntityManager,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {}

  run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.runGroup(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async runGroup(batch: Member[]): Promise<void> {
    const settled: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await this.em().transactional(async (tx) => {
        for (const m of batch) {
          try {
            settled.push({ ok: true, value: await m.work(tx) });
          } catch (e) {
            if (!(e instanceof NothingWritten) || batch.length === 1) throw e;
            settled.push({ ok: false, error: e.reason });
          }
        }
      });
    } catch (e) {
      if (batch.length === 1) {
        const error = e instanceof NothingWritten ? e.reason : e;
        batch[0]!.reject(error);
        return;
      }
      // The group rolled back: every member runs again alone (a refusal too: what it saw is gone).
      this.stats.ranAlone += batch.length;
      await Promise.all(
        batch.map(async (m) => {
          try {
            m.resolve(await this.em().transactional((tx) => m.work(tx)));
          } catch (alone) {
            m.reject(alone instanceof NothingWritten ? alone.reason : alone);
          }
        }),
      );
      return;
    }
    this.stats.transactions++;
    this.stats.members += batch.length;
    for (const [i, m] of batch.entries()) {
      const s = settled[i]!;
      if (s.ok) m.resolve(s.value);
      else m.reject(s.error);
    }
  }
}
