/**
 * Concurrent callers' writes of one kind, coalesced into one statement ("group commit" in the
 * application): while `maxInFlight` statements run, new writes queue, and the next statement takes
 * up to `maxBatch` of them. Nobody waits on a timer: a lone write goes at once, and batches grow
 * only while the database is busy. Each caller's promise settles when the statement holding its
 * row has committed, with that row's result.
 *
 * A statement the database refuses for its data (a constraint, a bad value: SQLSTATE classes 22
 * and 23) is tried again one row at a time, so one bad row fails alone with its own error and the
 * others are written. Any other failure (a lost connection, a timeout) fails the whole batch: the
 * statement may have committed, and writing its rows again could write them twice.
 */
export class WriteBatcher<In, Out> {
  private readonly queue: { input: In; resolve: (out: Out) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  /** Statements run and rows written, for benchmarks and tests. */
  readonly stats = { statements: 0, rows: 0, retriedAlone: 0 };

  /** Writes waiting for a statement (not yet in one). */
  get waiting(): number {
    return this.queue.length;
  }

  constructor(
    private readonly write: (inputs: In[]) => Promise<Out[]>,
    private readonly options: {
      maxInFlight: number;
      maxBatch: number;
      /** Writes that may wait at most; more are refused at once (WriteQueueFull), to be retried. */
      maxQueue?: number;
    },
  ) {}

  submit(input: In): Promise<Out> {
    if (this.options.maxQueue !== undefined && this.queue.length >= this.options.maxQueue)
      return Promise.reject(new WriteQueueFull(this.options.maxQueue));
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: typeof this.queue): Promise<void> {
    try {
      const out = await this.statement(batch.map((b) => b.input));
      for (const [i, b] of batch.entries()) b.resolve(out[i]!);
    } catch (e) {
      if (batch.length === 1 || !isRefusedData(e)) {
        for (const b of batch) b.reject(e);
        return;
      }
      this.stats.retriedAlone += batch.length;
      for (const b of batch) {
        try {
          b.resolve((await this.statement([b.input]))[0]!);
        } catch (alone) {
          b.reject(alone);
        }
      }
    }
  }

  private async statement(inputs: In[]): Promise<Out[]> {
    const out = await this.write(inputs);
    if (out.length !== inputs.length)
      throw new Error(`A batched write of ${inputs.length} rows returned ${out.length} results.`);
    this.stats.statements++;
    this.stats.rows += inputs.length;
    return out;
  }
}

/** Too many writes wait already: nothing was written, and trying again later is safe. */
export class WriteQueueFull extends Error {
  readonly isRetryable = true;
  constructor(readonly limit: number) {
    super(`${limit} writes are waiting for the database already; nothing was written: try again shortly.`);
  }
}

/**
 * The database cancelled a statement before it committed (statement or lock timeout): nothing of
 * it was written, so the caller may try again.
 */
export function isCancelledStatement(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '57014' || code === '55P03';
}

/** PostgreSQL refused the rows themselves: a data exception (22) or an integrity constraint (23). */
function isRefusedData(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
