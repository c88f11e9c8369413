import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

/** Frontend message types that end a request cycle: Sync ends an extended-protocol run, Query is one on its own. */
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

type Pending = {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (e: unknown) => void;
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
 */
export class SessionQueue {
  private readonly queue: Pending[] = [];
  private isProcessing = false;
  /** The client whose request cycle or transaction owns the session now. */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
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
      }
    } finally {
      this.isProcessing = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.handlerId === handlerId)
        this.queue.splice(i, 1)[0]!.reject(new Error('Handler disconnected'));
  }

  /** A client that disconnects mid-transaction or mid-cycle gives the session back, its transaction rolled back. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.runExclusive(() => this.db.exec('ROLLBACK'));
    this.owner = null;
    void this.process();
  }
}

/** A loopback PostgreSQL wire-protocol server in front of one PGlite, for any number of clients up to `maxConnections`. */
export async function servePglite(options: {
  db: PGlite;
  host: string;
  port: number;
  maxConnections: number;
  /** Do not keep the process running for this server (a command-line tool that ends when its work does). */
  isBackground?: boolean;
}): Promise<{ stop: () => Promise<void> }> {
  const queue = new SessionQueue(options.db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server: Server = createServer((socket: Socket) => {
    if (handlers.size >= options.maxConnections) {
      socket.end('Too many connections\n');
      return;
    }
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
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
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
