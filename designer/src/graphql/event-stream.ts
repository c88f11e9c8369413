import { SseParser } from './sse.ts';

/** The header naming a reserved stream (graphql-sse's single connection mode). */
const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** Waits before reconnecting: 1 s, 2 s, 4 s … up to 15 s, so a restarting server is not hammered. */
export const reconnectDelay = (attempt: number): number => Math.min(15_000, 1_000 * 2 ** attempt);

/** The last operation stopped: the stream stays open this long in case another comes (a page change). */
const IDLE_MS = 1_000;

type Failure = Error & { status: number };

export type OperationHandlers = {
  /** Each result, as the server sent it (data and/or errors). */
  onResult: (result: { data?: unknown; errors?: unknown[] }) => void;
  /** The operation failed before it ran (refused) or the stream cannot be had (signed out). */
  onError: (error: Failure) => void;
  /** The server ended the operation. */
  onComplete: () => void;
  /** The stream dropped: the operation is started again on the next one (after a backoff). */
  onReconnecting: (error: Failure) => void;
  /**
   * The server took the operation (on a new stream too, after one dropped): it runs from about
   * now (the server starts it just after answering), so what happened before was not heard.
   */
  onStarted?: () => void;
};

type Operation = { id: string; body: string; handlers: OperationHandlers; postedTo: string | undefined };

/**
 * One event stream carrying every subscription of the page (graphql-sse's "single connection
 * mode"): PUT <url> reserves it, GET <url> with the reservation's token opens it, each operation
 * is POSTed with the token and its id (results come back on the stream as `next` events tagged
 * with the id, then `complete`), and DELETE <url>?operationId= stops one. A browser allows six
 * connections to a host: one stream per tab, whatever the page subscribes to, leaves the others
 * for queries and other tabs. When the stream drops it is reserved again with backoff and every
 * live operation is started on the new one.
 */
export class EventStream {
  private readonly operations = new Map<string, Operation>();
  private nextId = 1;
  private state: 'idle' | 'connecting' | 'open' = 'idle';
  private token: string | undefined;
  private controller: AbortController | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: {
      url: string;
      headers: Record<string, string>;
      /** The error for a refusal (and it tells the app when the session is no longer accepted). */
      failureOf: (status: number, body: unknown) => Failure;
      networkError: (message: string) => Failure;
      /** The stream closed for want of operations: forget it. */
      onIdle: () => void;
    },
  ) {}

  /** Starts an operation; the answer stops it (and only it). */
  start(params: { query: string; variables: unknown }, handlers: OperationHandlers): () => void {
    const id = String(this.nextId++);
    const operation: Operation = {
      id,
      body: JSON.stringify({ ...params, extensions: { operationId: id } }),
      handlers,
      postedTo: undefined,
    };
    this.operations.set(id, operation);
    clearTimeout(this.idleTimer);
    if (this.state === 'open') void this.post(operation);
    else if (this.state === 'idle' && !this.retryTimer) void this.connect();
    return () => this.stop(id);
  }

  /**
   * Opens a new stream for the live operations (the person signed in or out: a stream belongs to
   * whoever reserved it, and the server refuses anyone else's operations on it).
   */
  restart(): void {
    if (this.state === 'idle' && !this.retryTimer) return;
    this.controller?.abort();
    this.controller = undefined;
    this.state = 'idle';
    this.token = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    for (const operation of this.operations.values()) operation.postedTo = undefined;
    if (this.operations.size > 0) void this.connect();
    else this.close();
  }

  private stop(id: string): void {
    const operation = this.operations.get(id);
    if (!operation) return;
    this.operations.delete(id);
    if (this.state === 'open' && operation.postedTo && operation.postedTo === this.token)
      this.sendStop(id, operation.postedTo);
    if (this.operations.size === 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        if (this.operations.size === 0) this.close();
      }, IDLE_MS);
    }
  }

  private sendStop(id: string, token: string): void {
    void fetch(`${this.options.url}?operationId=${encodeURIComponent(id)}`, {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: { ...this.options.headers, [TOKEN_HEADER]: token },
    }).catch(() => undefined);
  }

  private close(): void {
    this.state = 'idle';
    this.token = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.controller?.abort();
    this.controller = undefined;
    this.options.onIdle();
  }

  private async connect(): Promise<void> {
    this.state = 'connecting';
    const controller = new AbortController();
    this.controller = controller;
    const { url, headers } = this.options;
    try {
      const reserved = await fetch(url, {
        method: 'PUT',
        credentials: 'same-origin',
        headers,
        signal: controller.signal,
      });
      if (reserved.status !== 201) throw this.options.failureOf(reserved.status, await jsonOf(reserved));
      const token = await reserved.text();
      const response = await fetch(url, {
        credentials: 'same-origin',
        headers: { ...headers, accept: 'text/event-stream', [TOKEN_HEADER]: token },
        signal: controller.signal,
      });
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.includes('text/event-stream') || !response.body)
        throw this.options.failureOf(response.status, await jsonOf(response));
      this.state = 'open';
      this.token = token;
      this.attempt = 0;
      for (const operation of this.operations.values()) void this.post(operation);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) this.dispatch(event.event, event.data);
      }
      throw this.options.networkError('The event stream ended.');
    } catch (e) {
      if (controller !== this.controller) return;
      this.dropped(
        (e as Failure).status !== undefined
          ? (e as Failure)
          : this.options.networkError((e as Error).message),
      );
    }
  }

  private dispatch(event: string, data: string): void {
    if (event !== 'next' && event !== 'complete') return;
    const message = JSON.parse(data) as { id: string; payload?: { data?: unknown; errors?: unknown[] } };
    const operation = this.operations.get(message.id);
    if (!operation) return;
    if (event === 'complete') {
      this.operations.delete(message.id);
      operation.handlers.onComplete();
    } else if (message.payload) operation.handlers.onResult(message.payload);
  }

  /** The stream failed or ended: a refusal ends every operation; anything else is tried again. */
  private dropped(error: Failure): void {
    this.controller?.abort();
    this.controller = undefined;
    this.state = 'idle';
    this.token = undefined;
    if (error.status === 401 || error.status === 403) {
      const refused = [...this.operations.values()];
      this.operations.clear();
      for (const operation of refused) operation.handlers.onError(error);
      return;
    }
    for (const operation of this.operations.values()) {
      operation.postedTo = undefined;
      operation.handlers.onReconnecting(error);
    }
    if (this.operations.size === 0) {
      this.close();
      return;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        if (this.state === 'idle' && this.operations.size > 0) void this.connect();
      },
      reconnectDelay(this.attempt++),
    );
  }

  private async post(operation: Operation): Promise<void> {
    const token = this.token;
    if (!token) return;
    operation.postedTo = token;
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { ...this.options.headers, 'content-type': 'application/json', [TOKEN_HEADER]: token },
        body: operation.body,
      });
    } catch {
      return; // the stream drops too, and the operation is posted again on the next one
    }
    if (response.status === 202) {
      // Stopped while it was being started: the DELETE may have come first.
      if (!this.operations.has(operation.id)) {
        if (token === this.token) this.sendStop(operation.id, token);
      } else if (token === this.token) operation.handlers.onStarted?.();
      return;
    }
    if (token !== this.token || !this.operations.has(operation.id)) return;
    const error = this.options.failureOf(response.status, await jsonOf(response));
    // The stream is gone (the server restarted between the two requests): start over.
    if (response.status === 404) {
      if (this.state === 'open') this.dropped(this.options.networkError(error.message));
      return;
    }
    this.operations.delete(operation.id);
    operation.handlers.onError(error);
  }
}

async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}
