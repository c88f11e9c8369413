import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export type ShutdownGate = {
  /** The request listener to give the HTTP server: the app's, with the requests counted. */
  listener: Listener;
  /** Requests being answered (event streams aside). */
  readonly inFlight: number;
  /**
   * Stops taking requests and waits for those in flight: the server stops listening (a new
   * connection is refused), idle keep-alive connections close, a request arriving on a connection
   * opened before is answered 503 SERVER_SHUTTING_DOWN (retryable, the connection closed), each
   * answer in flight closes its connection once sent, and subscriptions' event streams end (their
   * clients reconnect, to another server behind a load balancer). Resolves when the last request
   * in flight has been answered.
   */
  close: (server: Server) => Promise<void>;
};

const SHUTTING_DOWN = JSON.stringify({
  errors: [
    {
      message: 'The server is shutting down; send the request again.',
      extensions: { code: 'SERVER_SHUTTING_DOWN', isRetryable: true },
    },
  ],
});

/** Counts the requests `listener` is answering, so that a shutdown can let them finish. */
export function shutdownGate(listener: Listener): ShutdownGate {
  let isClosing = false;
  const answering = new Set<ServerResponse>();
  const streams = new Set<ServerResponse>();
  let onIdle: (() => void) | undefined;
  return {
    listener: (req, res) => {
      if (isClosing) {
        res.writeHead(503, {
          'content-type': 'application/json; charset=utf-8',
          connection: 'close',
          'retry-after': '1',
        });
        res.end(SHUTTING_DOWN);
        return;
      }
      // A subscription's event stream lasts as long as its client: it does not hold a shutdown up.
      const set = String(req.headers.accept ?? '').includes('text/event-stream') ? streams : answering;
      set.add(res);
      res.once('close', () => {
        set.delete(res);
        if (isClosing && answering.size === 0) onIdle?.();
      });
      listener(req, res);
    },
    get inFlight() {
      return answering.size;
    },
    async close(server) {
      isClosing = true;
      const idle = new Promise<void>((resolve) => {
        onIdle = resolve;
      });
      server.close();
      server.closeIdleConnections();
      for (const res of answering) if (!res.headersSent) res.setHeader('connection', 'close');
      for (const res of streams) res.destroy();
      if (answering.size > 0) await idle;
      server.closeAllConnections();
    },
  };
}
