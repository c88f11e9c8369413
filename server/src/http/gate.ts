/** More callers are waiting for a turn than the gate holds. */
export class GateFull extends Error {
  constructor(readonly waiting: number) {
    super(`More than ${waiting} large requests are already waiting.`);
  }
}

/**
 * A turnstile: at most `concurrency` holders at once, at most `maxWaiting` callers queued (in
 * arrival order) behind them; one more is refused at once. `enter` resolves to the release
 * function, which may be called more than once.
 */
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  async enter(): Promise<() => void> {
    if (this.active < this.concurrency) this.active++;
    else {
      if (this.waiting.length >= this.maxWaiting) throw new GateFull(this.maxWaiting);
      // The releasing holder hands its place over: `active` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  get holding(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
