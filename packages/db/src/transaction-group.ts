import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WriteBatcher } from './write-batcher.ts';

/**
 * A caller's work refused before it wrote anything (a task already closed, an actor who may not
 * act): the shared transaction goes on for the others, and the caller gets `reason`.
 */
export class NothingWritten extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

/** Another member of the group holds a row this one wants: it runs again in a later transaction. */
class Claimed extends Error {}

type Member = {
  work: (tx: EntityManager) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

type Waiting = {
  run: (inputs: unknown[]) => Promise<unknown[]>;
  calls: { input: unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[];
};

/** One group transaction while it runs: its members still working, their claims, their pending statements. */
class GroupRun {
  unfinished: number;
  waiting = 0;
  readonly pending = new Map<string, Waiting>();
  readonly claims = new Map<string, number>();
  /** The last statement sent on the transaction's connection: the next goes after it. */
  tail: Promise<unknown> = Promise.resolve();

  constructor(size: number) {
    this.unfinished = size;
  }

  /** Every member still working waits on a shared statement: run each kind's as one. */
  flushWhenAllWait(): void {
    if (this.waiting === 0 || this.waiting < this.unfinished) return;
    const kinds = [...this.pending.values()];
    this.pending.clear();
    this.waiting = 0;
    for (const { run, calls } of kinds)
      void run(calls.map((c) => c.input)).then(
        (out) => {
          if (out.length !== calls.length)
            throw new Error(`A shared statement for ${calls.length} callers returned ${out.length} results.`);
          for (const [i, c] of calls.entries()) c.resolve(out[i]);
        },
        (e) => {
          for (const c of calls) c.reject(e);
        },
      );
  }

  finish(): void {
    this.unfinished--;
    this.flushWhenAllWait();
  }
}

const runs = new WeakMap<object, GroupRun>();
const memberOf = new AsyncLocalStorage<number>();

const runOf = (tx: EntityManager): GroupRun | undefined => {
  const trx = tx.getTransactionContext() as object | undefined;
  return trx ? runs.get(trx) : undefined;
};

/**
 * A statement that several members of a group transaction would each run for themselves (lock my
 * task, write my step): inside a group it waits until every member still working waits on such a
 * statement, then each kind runs once for all of them (`runMany` gets the inputs in order and
 * returns one result per input). Outside a group it runs at once for this caller alone, except a
 * read (`isRead`) outside any transaction: concurrent callers' reads of one kind then share a
 * statement while the database is busy (see sharedReads).
 */
export function together<I, O>(
  tx: EntityManager,
  kind: string,
  input: I,
  runMany: (inputs: I[]) => Promise<O[]>,
  options: { isRead?: boolean } = {},
): Promise<O> {
  const run = runOf(tx);
  if (!run && options.isRead && !tx.isInTransaction()) return sharedReads(tx, kind, runMany).submit(input);
  if (!run || run.unfinished < 2) return runMany([input]).then((out) => out[0]!);
  return new Promise<O>((resolve, reject) => {
    let waiting = run.pending.get(kind);
    if (!waiting) {
      waiting = { run: runMany as Waiting['run'], calls: [] };
      run.pending.set(kind, waiting);
    }
    waiting.calls.push({ input, resolve: resolve as (v: unknown) => void, reject });
    run.waiting++;
    run.flushWhenAllWait();
  });
}

/** Reads outside transactions, by database and kind: each coalesces the callers of the same moment. */
const reads = new WeakMap<
  object,
  Map<string, { batcher: WriteBatcher<unknown, unknown>; runMany: unknown }>
>();

/**
 * The batcher of one kind of read outside transactions (a new ticket's team pick, say): a lone
 * read goes at once; while two run, the reads that come meanwhile wait and go as one statement
 * (as WriteBatcher does for writes). The statement runs on the latest caller's entity manager:
 * outside a transaction every one of them reads through the same pool.
 */
function sharedReads<I, O>(
  em: EntityManager,
  kind: string,
  runMany: (inputs: I[]) => Promise<O[]>,
): WriteBatcher<I, O> {
  const key = em.getConnection() as object;
  let kinds = reads.get(key);
  if (!kinds) {
    kinds = new Map();
    reads.set(key, kinds);
  }
  let entry = kinds.get(kind);
  if (!entry) {
    const created: { batcher: WriteBatcher<unknown, unknown>; runMany: unknown } = {
      runMany,
      batcher: new WriteBatcher(
        (inputs) => (created.runMany as (inputs: unknown[]) => Promise<unknown[]>)(inputs),
        { maxInFlight: 2, maxBatch: 64 },
      ),
    };
    entry = created;
    kinds.set(kind, entry);
  }
  entry.runMany = runMany;
  return entry.batcher as WriteBatcher<I, O>;
}

/**
 * Sends a statement of a group transaction once the statements sent before it on the
 * transaction's one connection have answered (the driver takes one at a time). Outside a group
 * it sends at once.
 */
export function inTurn<T>(tx: EntityManager, send: () => Promise<T>): Promise<T> {
  const run = runOf(tx);
  if (!run) return send();
  const sent = run.tail.then(send, send);
  run.tail = sent.catch(() => undefined);
  return sent;
}

/**
 * Claims rows (keys like `ticket:42`) for the calling member of a group transaction: members run
 * at once, so two of them must not change the same rows. When another member holds one, this one
 * runs again later; it must claim before it writes anything. Outside a group it does nothing.
 */
export function claimRows(tx: EntityManager, keys: string[]): void {
  const run = runOf(tx);
  const member = memberOf.getStore();
  if (!run || member === undefined) return;
  for (const key of keys) {
    const holder = run.claims.get(key);
    if (holder !== undefined && holder !== member) throw new Claimed(key);
  }
  for (const key of keys) run.claims.set(key, member);
}

/**
 * Group commit of whole transactions: concurrent callers' transactions run inside one database
 * transaction, which commits once for all of them. Each caller's promise settles only when that
 * transaction has committed (or, for a refusal, at once), so nobody is told of a change that is
 * not durable. While `maxInFlight` group transactions run, new callers queue; the next
 * transaction takes up to `maxBatch` of them. Nobody waits on a timer: a lone caller runs in a
 * transaction of its own at once, and groups grow only while the database is busy.
 *
 * The members run at the same time on the transaction's one connection: each claims the rows it
 * changes (claimRows; a member that finds one claimed runs again in a later transaction), and the
 * statements they all run (`together`) go as one statement for all. A member that refuses before
 * writing (throws `NothingWritten`) fails alone. Any other failure (a constraint, a lost
 * connection, a bug after a write) rolls the group back, and every member runs again in a
 * transaction of its own, so a failure is reported only to the caller whose work fails by
 * itself. Work must therefore check the state it reads (a task still open), as it would anyway.
 */
export class TransactionGroup {
  private readonly queue: Member[] = [];
  private inFlight = 0;
  private nextMember = 0;
  /** Group transactions run, members committed in them, members run again alone, and members put back for a claimed row. */
  readonly stats = { transactions: 0, members: 0, ranAlone: 0, putBack: 0 };

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
      void (batch.length === 1 ? this.runAlone(batch[0]!) : this.runGroup(batch)).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async runAlone(m: Member): Promise<void> {
    try {
      m.resolve(await this.em().transactional((tx) => m.work(tx)));
    } catch (e) {
      m.reject(e instanceof NothingWritten ? e.reason : e);
    }
  }

  private async runGroup(batch: Member[]): Promise<void> {
    type Settled = { ok: true; value: unknown } | { ok: false; error: unknown } | { putBack: true };
    const settled: Settled[] = [];
    try {
      await this.em().transactional(async (tx) => {
        const run = new GroupRun(batch.length);
        runs.set(tx.getTransactionContext() as object, run);
        const results = await Promise.allSettled(
          batch.map((m) =>
            memberOf.run(this.nextMember++, async () => {
              try {
                return await m.work(tx);
              } finally {
                run.finish();
              }
            }),
          ),
        );
        let failure: unknown;
        for (const r of results) {
          if (r.status === 'fulfilled') settled.push({ ok: true, value: r.value });
          else if (r.reason instanceof Claimed) settled.push({ putBack: true });
          else if (r.reason instanceof NothingWritten) settled.push({ ok: false, error: r.reason.reason });
          else failure ??= r.reason;
        }
        if (failure !== undefined) throw failure;
      });
    } catch {
      // The group rolled back: every member runs again alone (a refusal too: what it saw is gone).
      this.stats.ranAlone += batch.length;
      await Promise.all(batch.map((m) => this.runAlone(m)));
      return;
    }
    this.stats.transactions++;
    const putBack: Member[] = [];
    for (const [i, m] of batch.entries()) {
      const s = settled[i]!;
      if ('putBack' in s) putBack.push(m);
      else if (s.ok) {
        this.stats.members++;
        m.resolve(s.value);
      } else m.reject(s.error);
    }
    // First in the queue, in their order: they came before anyone waiting there.
    this.stats.putBack += putBack.length;
    this.queue.unshift(...putBack);
  }
}
