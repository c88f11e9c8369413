import { describe, expect, it } from 'vitest';
import { WriteBatcher } from './write-batcher.ts';

/** A write that records each statement's rows and settles when the test says so. */
function recorder(fail?: (rows: number[]) => unknown) {
  const statements: number[][] = [];
  const pending: (() => void)[] = [];
  const write = (rows: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      statements.push(rows);
      pending.push(() => {
        const error = fail?.(rows);
        if (error) reject(error);
        else resolve(rows.map((r) => `row ${r}`));
      });
    });
  const settleAll = async () => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { statements, write, settleAll };
}

const refused = (code: string) => Object.assign(new Error(`refused ${code}`), { code });

describe('WriteBatcher', () => {
  it('sends a lone write at once and batches the writes that arrive while statements run', async () => {
    const r = recorder();
    const b = new WriteBatcher(r.write, { maxInFlight: 1, maxBatch: 3 });
    const first = b.submit(1);
    expect(r.statements).toEqual([[1]]);
    const rest = [2, 3, 4, 5].map((n) => b.submit(n));
    expect(r.statements).toEqual([[1]]);
    await r.settleAll();
    expect(await first).toBe('row 1');
    expect(await Promise.all(rest)).toEqual(['row 2', 'row 3', 'row 4', 'row 5']);
    expect(r.statements).toEqual([[1], [2, 3, 4], [5]]);
    expect(b.stats).toMatchObject({ statements: 3, rows: 5, retriedAlone: 0 });
  });

  it('runs up to maxInFlight statements at once', async () => {
    const r = recorder();
    const b = new WriteBatcher(r.write, { maxInFlight: 2, maxBatch: 10 });
    const all = [1, 2, 3, 4].map((n) => b.submit(n));
    expect(r.statements).toEqual([[1], [2]]);
    expect(b.waiting).toBe(2);
    await r.settleAll();
    await Promise.all(all);
    expect(r.statements).toEqual([[1], [2], [3, 4]]);
    expect(b.waiting).toBe(0);
  });

  it('writes the rows of a refused batch one by one, so only the bad row fails', async () => {
    const r = recorder((rows) => (rows.includes(3) ? refused('23503') : undefined));
    const b = new WriteBatcher(r.write, { maxInFlight: 1, maxBatch: 10 });
    const first = b.submit(1);
    const rest = [2, 3, 4].map((n) => b.submit(n).catch((e: Error) => e.message));
    await r.settleAll();
    await first;
    expect(await Promise.all(rest)).toEqual(['row 2', 'refused 23503', 'row 4']);
    expect(r.statements).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    expect(b.stats.retriedAlone).toBe(3);
  });

  it('fails the whole batch, writing nothing again, when the statement may have committed', async () => {
    const r = recorder((rows) =>
      rows.length > 1 ? new Error('Connection terminated unexpectedly') : undefined,
    );
    const b = new WriteBatcher(r.write, { maxInFlight: 1, maxBatch: 10 });
    const first = b.submit(1);
    const rest = [2, 3].map((n) => b.submit(n).catch((e: Error) => e.message));
    await r.settleAll();
    await first;
    expect(await Promise.all(rest)).toEqual([
      'Connection terminated unexpectedly',
      'Connection terminated unexpectedly',
    ]);
    expect(r.statements).toEqual([[1], [2, 3]]);
  });

  it('refuses a write that returns fewer rows than it was given', async () => {
    const b = new WriteBatcher(async (rows: number[]) => rows.slice(1), { maxInFlight: 1, maxBatch: 10 });
    await expect(b.submit(1)).rejects.toThrow('A batched write of 1 rows returned 0 results.');
  });
});
