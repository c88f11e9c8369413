/**
 * Collects the keys asked for within one tick and loads them with one query (the N+1 guard for
 * nested fields). One instance lives for one request.
 */
export class BatchLoader<K extends string | number, V> {
  private pending = new Map<K, Array<(v: V | null) => void>>();
  private readonly done = new Map<K, V | null>();
  private scheduled = false;
  private failures: Array<(e: unknown) => void> = [];

  constructor(private readonly fetch: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V | null> {
    if (this.done.has(key)) return Promise.resolve(this.done.get(key) ?? null);
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push(resolve);
      else this.pending.set(key, [resolve]);
      this.failures.push(reject);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    const failures = this.failures;
    this.pending = new Map();
    this.failures = [];
    this.scheduled = false;
    try {
      const found = await this.fetch([...batch.keys()]);
      for (const [key, waiters] of batch) {
        const v = found.get(key) ?? null;
        this.done.set(key, v);
        for (const w of waiters) w(v);
      }
    } catch (e) {
      for (const f of failures) f(e);
    }
  }
}
