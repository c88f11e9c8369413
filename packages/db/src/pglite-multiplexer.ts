import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

/** Frontend message types that end a request cycle: Sync ends an extended-protocol run, Query is one on its own. */
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const PARSE = 0x50; // 'P'
const TERMINATE = 0x58; // 'X'

/** How long an owner may hold the session without sending anything, unless told otherwise. */
export const DEFAULT_IDLE_IN_TRANSACTION_MS = 60_000;

/** Where the embedded database's warnings go; by default a JSON line on stderr, the server log's shape. */
export type EmbeddedLog = (level: 'warn', message: string, extra: Record<string, unknown>) => void;

export const defaultEmbeddedLog: EmbeddedLog = (level, message, extra) =>
  console.warn(JSON.stringify({ level, message, ...extra }));

type Pending = {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (e: unknown) => void;
};

export type SessionQueueOptions = {
  /**
   * An owner that holds the session this long without sending a message (idle in a transaction,
   * or in the middle of a request cycle) loses it; 0 never. Time its own statements run does not count.
   */
  idleInTransactionMs?: number;
  /** Sends `error` (a PostgreSQL ErrorResponse) to the client's connection and closes it. */
  terminate?: (handlerId: number, error: Uint8Array) => void;
  log?: EmbeddedLog;
};

/**
 * Runs the messages of many client connections on PGlite's one backend session, one at a time.
 *
 * PGlite is a single PostgreSQL session, so two clients must never interleave inside each other's
 * work. pglite-socket's own queue switches clients between any two messages unless a transaction
 * is open; but a driver's extended-protocol query is several messages (Parse, Bind, Describe,
 * Execute, Sync), and another client's Parse in between replaces the unnamed statement, which
 * leaves the first client waiting for an answer that never comes (seen as a hang at about 40
 * concurrent transactions). This queue hands the session to one client from its first message
 * until its Sync or simple Query completes, and for as long as it holds a transaction open.
 *
 * Every other client waits while the owner holds the session, so an owner that goes silent (a
 * crashed worker, a leaked transaction, a test that forgot to commit) would stop them all. Like
 * PostgreSQL's idle_in_transaction_session_timeout, an owner that has sent nothing for
 * `idleInTransactionMs` (60 s by default) while holding the session, in a transaction or in the
 * middle of a request cycle, loses it: its work is rolled back, its connection gets a FATAL error
 * (SQLSTATE 25P03) and is closed, a warning is logged, and the next client goes on. Only time spent
 * waiting for the client counts: while one of its statements runs, the owner is not idle.
 */
export class SessionQueue {
  private readonly queue: Pending[] = [];
  private isProcessing = false;
  /** The client whose request cycle or transaction owns the session now. */
  private owner: number | null = null;
  /** The owner's last message did not end a request cycle (it sent Parse, Bind... but no Sync yet). */
  private isOwnerMidCycle = false;
  /** The owner's last Query or Parse since it took the session, named in the warning when it is cut. */
  private ownerStatement: Uint8Array | undefined;
  /** When the owner's last message finished running, while it sends nothing more (performance.now()). */
  private idleSince: number | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Clients cut off for idling: what they still send is dropped until their connection closes. */
  private readonly cutOff = new Set<number>();
  private readonly idleLimitMs: number;
  private readonly terminate: (handlerId: number, error: Uint8Array) => void;
  private readonly log: EmbeddedLog;

  constructor(
    private readonly db: PGlite,
    options: SessionQueueOptions = {},
  ) {
    this.idleLimitMs = options.idleInTransactionMs ?? DEFAULT_IDLE_IN_TRANSACTION_MS;
    this.terminate = options.terminate ?? (() => {});
    this.log = options.log ?? defaultEmbeddedLog;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    // Its connection is being closed with the error that says why; an answer now would only confuse.
    if (this.cutOff.has(handlerId)) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  private next(): Pending | undefined {
    if (this.owner === null) return this.queue.shift();
    const i = this.queue.findIndex((p) => p.handlerId === this.owner);
    return i === -1 ? undefined : this.queue.splice(i, 1)[0];
  }

  private async process(): Promise<void> {
    if (this.isProcessing) return;
    this.isProcessing = true;
    try {
      for (let p = this.next(); p; p = this.next()) {
        this.idleSince = null;
        if (p.handlerId !== this.owner) this.ownerStatement = undefined;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(p.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                p.onData(data);
              },
            }),
          );
          p.resolve(bytes);
        } catch (e) {
          p.reject(e);
        }
        const type = p.message[0];
        const isCycleEnd = type === SYNC || type === QUERY || type === TERMINATE || type === 0;
        this.owner = !isCycleEnd || this.db.isInTransaction() ? p.handlerId : null;
        this.isOwnerMidCycle = !isCycleEnd;
        if (type === QUERY || type === PARSE) this.ownerStatement = p.message;
      }
    } finally {
      this.isProcessing = false;
    }
    // The owner keeps the session but has nothing more to run: it is waiting for its client (from
    // the end of its last message on, not from another client's arrival in the queue).
    if (this.owner !== null && this.idleSince === null) {
      this.idleSince = performance.now();
      this.watchIdleOwner(this.idleLimitMs);
    }
  }

  /** One timer at most, armed when an owner turns idle and checked when it fires, not reset per message. */
  private watchIdleOwner(ms: number): void {
    if (this.idleLimitMs <= 0 || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      // Free, or busy running the owner's message (the loop watches again when it ends).
      if (this.owner === null || this.idleSince === null || this.isProcessing) return;
      const idleMs = performance.now() - this.idleSince;
      if (idleMs < this.idleLimitMs) this.watchIdleOwner(this.idleLimitMs - idleMs);
      else void this.cutIdleOwner(this.owner, idleMs);
    }, ms);
    this.idleTimer.unref?.();
  }

  /** Takes the session from an owner idle past the limit: rolls its work back, closes its connection, goes on. */
  private async cutIdleOwner(handlerId: number, idleMs: number): Promise<void> {
    this.isProcessing = true;
    this.cutOff.add(handlerId);
    const statement = this.ownerStatement ? statementText(this.ownerStatement) : undefined;
    try {
      await this.db.runExclusive(() => this.rollBackOwnerWork());
    } catch (e) {
      this.log('warn', 'embedded database: rolling back an idle connection failed', { error: String(e) });
    }
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.handlerId === handlerId) this.queue.splice(i, 1)[0]!.resolve(0);
    this.owner = null;
    this.idleSince = null;
    this.ownerStatement = undefined;
    this.isProcessing = false;
    const limit = formatDuration(this.idleLimitMs);
    this.terminate(
      handlerId,
      errorResponse({
        S: 'FATAL',
        V: 'FATAL',
        C: '25P03',
        M: `terminating connection: idle in a transaction for more than ${limit} on the embedded database`,
        D: 'The connection held the embedded database, which serves one client at a time, and sent nothing; its transaction was rolled back so that the other connections could go on.',
        H: 'Commit or roll back before waiting on anything else, or raise DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS.',
      }),
    );
    this.log(
      'warn',
      `embedded database: a connection idle in a transaction for more than ${limit} was rolled back and closed (DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS)`,
      {
        connection: handlerId,
        idleMs: Math.round(idleMs),
        limitMs: this.idleLimitMs,
        waiting: this.queue.length,
        ...(statement ? { lastStatement: statement } : {}),
      },
    );
    void this.process();
  }

  /**
   * Ends whatever the owner left open. In the middle of a request cycle, ROLLBACK aborts the
   * cycle's implicit transaction or the open block (PostgreSQL ignores it when the cycle already
   * failed) and Sync ends the cycle; a block still open (one that had failed) is then rolled back.
   */
  private async rollBackOwnerWork(): Promise<void> {
    if (this.isOwnerMidCycle) {
      await this.runUnheard(ROLLBACK_MESSAGE);
      await this.runUnheard(SYNC_MESSAGE);
    }
    if (this.db.isInTransaction()) await this.runUnheard(ROLLBACK_MESSAGE);
    this.isOwnerMidCycle = false;
  }

  /**
   * Runs a message of the queue's own and drops its answer. (PGlite keeps the last stream's
   * onRawData for later calls, execProtocolRaw's included: its answer would reach the last client.)
   */
  private runUnheard(message: Uint8Array): Promise<void> {
    return this.db.execProtocolRawStream(message, { onRawData: () => {} });
  }

  /** Stops watching for idle owners (the server is stopping). */
  dispose(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.idleSince = null;
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.handlerId === handlerId)
        this.queue.splice(i, 1)[0]!.reject(new Error('Handler disconnected'));
  }

  /** A client that disconnects mid-transaction or mid-cycle gives the session back, its work rolled back. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    // One cut off for idling has given the session back already.
    if (this.cutOff.delete(handlerId) || this.owner !== handlerId) return;
    this.idleSince = null; // gone, not idle: no cut while its work is rolled back here
    await this.db.runExclusive(() => this.rollBackOwnerWork());
    this.owner = null;
    this.idleSince = null;
    void this.process();
  }
}

const encoder = new TextEncoder();

/** A frontend Query message. */
function queryMessage(sql: string): Uint8Array {
  const text = encoder.encode(`${sql}\0`);
  const message = new Uint8Array(5 + text.length);
  message[0] = QUERY;
  new DataView(message.buffer).setInt32(1, 4 + text.length);
  message.set(text, 5);
  return message;
}

const ROLLBACK_MESSAGE = queryMessage('ROLLBACK');
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);

/** A backend ErrorResponse with the given fields (S severity, C SQLSTATE, M message, D detail, H hint...). */
export function errorResponse(fields: Record<string, string>): Uint8Array {
  const body = encoder.encode(
    `${Object.entries(fields)
      .map(([code, value]) => `${code}${value}\0`)
      .join('')}\0`,
  );
  const message = new Uint8Array(5 + body.length);
  message[0] = 0x45; // 'E'
  new DataView(message.buffer).setInt32(1, 4 + body.length);
  message.set(body, 5);
  return message;
}

/** The SQL of a Query or Parse message, shortened for a log line. */
function statementText(message: Uint8Array): string {
  let start = 5;
  if (message[0] === PARSE) start = message.indexOf(0, start) + 1; // after the statement's name
  const end = message.indexOf(0, start);
  const sql = new TextDecoder().decode(message.subarray(start, end === -1 ? undefined : end)).trim();
  return sql.length > 200 ? `${sql.slice(0, 200)}…` : sql;
}

const formatDuration = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** A loopback PostgreSQL wire-protocol server in front of one PGlite, for any number of clients up to `maxConnections`. */
export async function servePglite(options: {
  db: PGlite;
  host: string;
  port: number;
  maxConnections: number;
  /** See SessionQueueOptions.idleInTransactionMs (default 60 s). */
  idleInTransactionMs?: number;
  log?: EmbeddedLog;
  /** Do not keep the process running for this server (a command-line tool that ends when its work does). */
  isBackground?: boolean;
}): Promise<{ stop: () => Promise<void> }> {
  const sockets = new Map<number, Socket>();
  const queue = new SessionQueue(options.db, {
    ...(options.idleInTransactionMs !== undefined
      ? { idleInTransactionMs: options.idleInTransactionMs }
      : {}),
    ...(options.log ? { log: options.log } : {}),
    terminate: (handlerId, error) => {
      const socket = sockets.get(handlerId);
      if (!socket || socket.destroyed) return;
      // The error first, then the end of the connection (as PostgreSQL does); a client that does
      // not close its side is dropped a little later.
      socket.end(error);
      setTimeout(() => socket.destroy(), 2_000).unref();
    },
  });
  const handlers = new Set<PGLiteSocketHandler>();
  const server: Server = createServer((socket: Socket) => {
    if (handlers.size >= options.maxConnections) {
      socket.end('Too many connections\n');
      return;
    }
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handlers.add(handler);
    sockets.set(handler.handlerId, socket);
    const forget = () => {
      handlers.delete(handler);
      sockets.delete(handler.handlerId);
    };
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  await options.db.waitReady;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  if (options.isBackground) server.unref();
  return {
    stop: async () => {
      for (const h of handlers) await h.detach(true);
      handlers.clear();
      queue.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
