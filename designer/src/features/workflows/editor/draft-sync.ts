import type { WorkflowGraph } from '@docket/core';

/*
 * Autosave of a workflow draft. Every change is kept in this browser at once (so a server that is
 * down, or a closed tab, loses nothing) and saved to the server shortly after the last change,
 * over the version this editor last saw: a draft another admin saved meanwhile is never
 * overwritten silently. Framework-free; the page shows its status.
 */

export type SaveOutcome<TProblems> =
  | { kind: 'saved'; updatedAt: string; problems: TProblems }
  | { kind: 'conflict'; message: string }
  | { kind: 'refused'; message: string }
  | { kind: 'offline'; message: string };

export type SyncStatus = 'saved' | 'unsaved' | 'saving' | 'offline' | 'conflict' | 'refused';

export type SyncState = {
  status: SyncStatus;
  /** The server's updatedAt of the draft this editor last loaded or saved. */
  updatedAt: string;
  lastSavedAt: number | undefined;
  /** Why the last save did not go through (the server's words). */
  message: string | undefined;
};

/** A copy of an unsaved draft kept in this browser. */
export type LocalDraft = { graph: WorkflowGraph; baseUpdatedAt: string; changedAt: number };

export type LocalDraftStore = {
  read(key: string): LocalDraft | undefined;
  write(key: string, draft: LocalDraft): void;
  remove(key: string): void;
};

/** The browser's localStorage as a LocalDraftStore (a private window that refuses storage keeps nothing). */
export const browserDraftStore = (
  storage: Storage | undefined = globalThis.localStorage,
): LocalDraftStore => ({
  read(key) {
    try {
      const text = storage?.getItem(`docket.workflow-draft.${key}`);
      if (!text) return undefined;
      const value = JSON.parse(text) as LocalDraft;
      return value && typeof value === 'object' && value.graph ? value : undefined;
    } catch {
      return undefined;
    }
  },
  write(key, draft) {
    try {
      storage?.setItem(`docket.workflow-draft.${key}`, JSON.stringify(draft));
    } catch {
      // storage full or refused: the server save still runs
    }
  },
  remove(key) {
    try {
      storage?.removeItem(`docket.workflow-draft.${key}`);
    } catch {
      // nothing to do
    }
  },
});

export type DraftSyncOptions<TProblems> = {
  key: string;
  updatedAt: string;
  save: (graph: WorkflowGraph, expectedUpdatedAt: string) => Promise<SaveOutcome<TProblems>>;
  onSaved: (problems: TProblems, graph: WorkflowGraph) => void;
  local: LocalDraftStore;
  /** Quiet time after the last change before saving. */
  delayMs?: number;
  /** Wait before trying again while the server cannot be reached. */
  retryMs?: number;
  now?: () => number;
  setTimer?: (f: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
};

export class DraftSync<TProblems> {
  private state: SyncState;
  private readonly listeners = new Set<() => void>();
  private pending: WorkflowGraph | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: unknown;
  private isStopped = false;
  private readonly o: Required<Omit<DraftSyncOptions<TProblems>, 'updatedAt'>>;

  constructor(options: DraftSyncOptions<TProblems>) {
    this.o = {
      delayMs: 800,
      retryMs: 5_000,
      now: Date.now,
      setTimer: (f, ms) => setTimeout(f, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      ...options,
    };
    this.state = {
      status: 'saved',
      updatedAt: options.updatedAt,
      lastSavedAt: undefined,
      message: undefined,
    };
  }

  getState = (): SyncState => this.state;
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The graph changed: keep it here at once, save it to the server after a quiet moment. */
  changed(graph: WorkflowGraph): void {
    this.pending = graph;
    this.o.local.write(this.o.key, { graph, baseUpdatedAt: this.state.updatedAt, changedAt: this.o.now() });
    if (this.state.status === 'conflict' || this.state.status === 'refused') {
      this.set({});
      return; // waits for the person to decide; the copy here is up to date
    }
    this.set({ status: this.state.status === 'offline' ? 'offline' : 'unsaved' });
    this.schedule(this.state.status === 'offline' ? this.o.retryMs : this.o.delayMs);
  }

  /** Saves what is pending now (Ctrl+S, leaving the page). */
  saveNow(): Promise<void> {
    this.schedule(undefined);
    return this.flush();
  }

  /**
   * After a conflict: save this editor's graph over the server's draft whose updatedAt the person
   * has now seen, or (theirs) start again from the server's version.
   */
  resolve(
    choice:
      | { keep: 'mine'; serverUpdatedAt: string; graph: WorkflowGraph }
      | { keep: 'theirs'; serverUpdatedAt: string },
  ): Promise<void> {
    this.set({ updatedAt: choice.serverUpdatedAt, status: 'saved', message: undefined });
    if (choice.keep === 'theirs') {
      this.pending = undefined;
      return Promise.resolve();
    }
    this.pending = choice.graph;
    return this.flush();
  }

  /** The person dropped the copy kept here. */
  discardLocal(): void {
    this.o.local.remove(this.o.key);
  }

  stop(): void {
    this.isStopped = true;
    this.schedule(undefined);
  }

  private schedule(ms: number | undefined): void {
    if (this.timer !== undefined) this.o.clearTimer(this.timer);
    this.timer = undefined;
    if (ms === undefined || this.isStopped) return;
    this.timer = this.o.setTimer(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private async flush(): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      if (this.pending) return this.flush();
      return;
    }
    const graph = this.pending;
    if (!graph || this.state.status === 'conflict' || this.state.status === 'refused') return;
    this.pending = undefined;
    this.set({ status: 'saving' });
    this.inFlight = (async () => {
      let outcome: SaveOutcome<TProblems>;
      try {
        outcome = await this.o.save(graph, this.state.updatedAt);
      } catch (e) {
        outcome = { kind: 'offline', message: (e as Error).message };
      }
      switch (outcome.kind) {
        case 'saved':
          this.set({
            status: this.pending ? 'unsaved' : 'saved',
            updatedAt: outcome.updatedAt,
            lastSavedAt: this.o.now(),
            message: undefined,
          });
          if (!this.pending) this.o.local.remove(this.o.key);
          else
            this.o.local.write(this.o.key, {
              graph: this.pending,
              baseUpdatedAt: outcome.updatedAt,
              changedAt: this.o.now(),
            });
          this.o.onSaved(outcome.problems, graph);
          if (this.pending) this.schedule(this.o.delayMs);
          break;
        case 'offline':
          this.pending = this.pending ?? graph;
          this.set({ status: 'offline', message: outcome.message });
          this.schedule(this.o.retryMs);
          break;
        case 'conflict':
        case 'refused':
          this.pending = this.pending ?? graph;
          this.set({ status: outcome.kind, message: outcome.message });
          break;
      }
    })();
    try {
      await this.inFlight;
    } finally {
      this.inFlight = undefined;
    }
  }

  private set(change: Partial<SyncState>): void {
    this.state = { ...this.state, ...change };
    for (const l of this.listeners) l();
  }
}
