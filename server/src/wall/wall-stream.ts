import type { WallSnapshot } from './wall-snapshot.ts';

/** A burst of changes (a batch of tickets written together) is answered with one snapshot. */
const GATHER_MS = 100;
/** At most two snapshots a second per wall, however fast tickets come. */
const MIN_GAP_MS = 500;
/** A wall with nothing happening is still refreshed (the day turns, ratings come in). */
const REFRESH_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A wall's live figures: a snapshot at once, then a new one shortly after each change heard on
 * `changes`, at the instant the figures change by the clock alone (snapshot.nextChangeAt), and
 * every REFRESH_MS. `snapshot` checks the viewer again each time: a revoked token ends the stream
 * with its error.
 */
export async function* wallStream(input: {
  changes: AsyncIterable<unknown>;
  snapshot: () => Promise<WallSnapshot>;
}): AsyncGenerator<WallSnapshot> {
  const changes = input.changes[Symbol.asyncIterator]();
  let isDirty = false;
  let isDone = false;
  let wake: (() => void) | undefined;
  // Listening starts before the first snapshot is read: no change is missed.
  const pump = (async () => {
    try {
      for (;;) {
        const next = await changes.next();
        if (next.done) break;
        isDirty = true;
        wake?.();
      }
    } finally {
      isDone = true;
      wake?.();
    }
  })();
  try {
    let startedAt = Date.now();
    let snapshot = await input.snapshot();
    yield snapshot;
    while (!isDone) {
      if (!isDirty) {
        const byClock = snapshot.nextChangeAt
          ? snapshot.nextChangeAt.getTime() - Date.now() + 50
          : REFRESH_MS;
        const wait = Math.max(0, Math.min(REFRESH_MS, byClock));
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, wait);
        });
        clearTimeout(timer);
        wake = undefined;
        if (isDone) break;
      }
      await sleep(Math.max(GATHER_MS, MIN_GAP_MS - (Date.now() - startedAt)));
      isDirty = false;
      startedAt = Date.now();
      snapshot = await input.snapshot();
      yield snapshot;
    }
  } finally {
    // Ends the pump's pending read (the pump then finishes on its own).
    await changes.return?.();
    void pump.catch(() => undefined);
  }
}
