import { useSyncExternalStore } from 'react';

/**
 * The current second, shared: one interval for every countdown on the page. A countdown does not
 * re-render on a tick: it subscribes with `onTick` and writes its own text node; only a change of
 * tone (amber, red) re-renders it. `useNow` is for the rare component that must re-render.
 */
const listeners = new Set<(now: number) => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

/** Calls `listener` with the time once a second (all listeners on one timer); returns the unsubscribe. */
export function onTick(listener: (now: number) => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l(now);
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

export function useNow(): number {
  return useSyncExternalStore(
    (changed) => onTick(() => changed()),
    () => now,
  );
}
