import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Channel, Principal } from '@docket/core';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { type Authentication, authenticate } from '../auth/authenticate.ts';
import { sessionCookie } from '../auth/login.ts';
import { applyCors, isAllowedOrigin } from '../http/cors.ts';
import { BodyTooLarge, readBody } from '../http/read-body.ts';
import type { Services } from '../services.ts';

/** Where one connection carries every subscription of a browser tab (graphql-sse's single connection mode). */
export const EVENT_STREAM_PATH = '/graphql/stream';
/** The header (or query parameter `token`) naming a reserved stream. */
const TOKEN_HEADER = 'x-graphql-event-stream-token';
/** A reservation nobody connects to within this time is dropped. */
const RESERVATION_MS = 30_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 12_000;
/** The stream's caller is authenticated again this often: a revoked session or token ends its operations. */
const RECHECK_MS = 10_000;
/** At most this many operations at once on one stream. */
const MAX_OPERATIONS = 100;

type ServerContext = {
  requestId: string;
  principal: Principal | null;
  channel: Channel;
  cookies: string[];
  address: string;
  isSecure: boolean;
  session: { sid: string; expiresAt: Date } | null;
};

/** What runs one operation: yoga's fetch handler (its limits, error masking and context). */
type Yoga = {
  fetch: (request: Request, context: ServerContext) => Promise<Response> | Response;
  fetchAPI: { Request: typeof Request };
};

type Operation = { stop: () => void };

type Reservation = {
  token: string;
  owner: string;
  /** The credentials it was reserved with, authenticated again every RECHECK_MS. */
  credentials: { authorization?: string; cookie?: string };
  operations: Map<string, Operation>;
  /** The open event stream; messages sent before it opens wait in `pending`. */
  stream: PassThrough | undefined;
  pending: string[];
  timers: NodeJS.Timeout[];
  isClosed: boolean;
};

/** Who a request is, as a reservation compares it: the same person and channel, or nobody. */
const ownerOf = (auth: { principal: Principal | null; channel: Channel }): string =>
  !auth.principal
    ? 'anonymous'
    : auth.principal.kind === 'user'
      ? `user:${auth.principal.userId}:${auth.channel}`
      : `customer:${auth.principal.customerId}`;

const message = (event: 'next' | 'complete', data: unknown) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const errorPayload = (text: string, code: string) => ({ errors: [{ message: text, extensions: { code } }] });

/**
 * GraphQL over one event stream per browser tab, as graphql-sse's "single connection mode" has it:
 * PUT reserves a stream (answering its token), GET with the token opens it, each POST of an
 * operation with the token and an `extensions.operationId` starts that operation, whose results
 * come on the stream as `next` events ({ id, payload }) and end with `complete` ({ id }), and
 * DELETE ?operationId= stops one. Every request carries the caller's credentials, checked as on
 * /graphql (bearer token or session cookie with the same CSRF rule) and matched against the
 * reservation's; the stream's credentials are checked again every few seconds, and a revoked
 * session or token ends every operation with its error. Closing the stream stops its operations.
 */
export class EventStreams {
  private readonly reservations = new Map<string, Reservation>();

  constructor(
    private readonly services: Services,
    private readonly yoga: Yoga,
  ) {}

  /** Open streams (for metrics and tests). */
  get size(): number {
    return this.reservations.size;
  }

  mount(router: Router): void {
    router.all(EVENT_STREAM_PATH, async (ctx) => {
      applyCors(ctx, this.services.config.allowedOrigins);
      if (ctx.method === 'OPTIONS') {
        ctx.set('access-control-allow-methods', 'GET, PUT, POST, DELETE, OPTIONS');
        ctx.status = 204;
        return;
      }
      const auth = await authenticate(this.services, ctx.headers);
      if ('error' in auth) {
        if (auth.viaCookie) ctx.set('set-cookie', sessionCookie(null, 0, ctx.secure));
        return fail(ctx, auth.status, auth.error, 'UNAUTHENTICATED');
      }
      // The cookie goes along with cross-site requests too: those must come from an allowed
      // origin, and a POST must be JSON (which a foreign page cannot send without a preflight).
      if (auth.viaCookie && ctx.method !== 'GET') {
        const type = String(ctx.get('content-type')).split(';')[0]?.trim();
        if (
          !isAllowedOrigin(ctx, this.services.config.allowedOrigins) ||
          (ctx.method === 'POST' && type !== 'application/json' && !ctx.get('x-docket-csrf'))
        )
          return fail(
            ctx,
            403,
            'Cookie-authenticated requests must be same-origin JSON (or carry the x-docket-csrf header).',
            'CSRF',
          );
      }
      if (ctx.method === 'PUT') return this.reserve(ctx, auth);
      const reservation = this.reservationOf(ctx, auth);
      if (!reservation) return;
      if (ctx.method === 'GET') return this.open(ctx, reservation);
      if (ctx.method === 'POST') return this.start(ctx, reservation, auth);
      if (ctx.method === 'DELETE') {
        const id = String(ctx.query.operationId ?? '');
        reservation.operations.get(id)?.stop();
        ctx.status = 200;
        ctx.body = '';
        return;
      }
      ctx.set('allow', 'GET, PUT, POST, DELETE, OPTIONS');
      return fail(ctx, 405, 'The event stream takes PUT, GET, POST and DELETE.', 'METHOD_NOT_ALLOWED');
    });
  }

  /** Ends every stream (their operations stop; clients reconnect elsewhere). */
  close(): void {
    for (const reservation of [...this.reservations.values()]) this.end(reservation);
  }

  private reserve(ctx: Context, auth: Exclude<Authentication, { error: string }>): void {
    const token = randomBytes(24).toString('base64url');
    const reservation: Reservation = {
      token,
      owner: ownerOf(auth),
      credentials: {
        ...(ctx.headers.authorization ? { authorization: ctx.headers.authorization } : {}),
        ...(ctx.headers.cookie ? { cookie: ctx.headers.cookie } : {}),
      },
      operations: new Map(),
      stream: undefined,
      pending: [],
      timers: [],
      isClosed: false,
    };
    reservation.timers.push(
      setTimeout(() => {
        if (!reservation.stream) this.end(reservation);
      }, RESERVATION_MS),
    );
    this.reservations.set(token, reservation);
    ctx.status = 201;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = token;
  }

  /** The reservation a request names, when its caller is the one who made it; else answers the refusal. */
  private reservationOf(
    ctx: Context,
    auth: Exclude<Authentication, { error: string }>,
  ): Reservation | undefined {
    const token = String(ctx.get(TOKEN_HEADER) || ctx.query.token || '');
    if (!token) {
      fail(ctx, 400, `Name the stream in the ${TOKEN_HEADER} header (PUT reserves one).`, 'BAD_REQUEST');
      return undefined;
    }
    const reservation = this.reservations.get(token);
    // Someone else's stream is answered as an unknown one: its token says nothing to them.
    if (!reservation || reservation.owner !== ownerOf(auth)) {
      fail(
        ctx,
        404,
        'No such event stream (it closed, or was never reserved): reserve one with PUT.',
        'NOT_FOUND',
      );
      return undefined;
    }
    return reservation;
  }

  private open(ctx: Context, reservation: Reservation): void {
    if (reservation.stream) {
      fail(ctx, 409, 'This event stream is open already.', 'CONFLICT');
      return;
    }
    const stream = new PassThrough();
    reservation.stream = stream;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.set('content-type', 'text/event-stream; charset=utf-8');
    ctx.set('cache-control', 'no-cache');
    ctx.set('x-accel-buffering', 'no');
    ctx.body = stream;
    stream.write(':\n\n');
    for (const text of reservation.pending.splice(0)) stream.write(text);
    const ended = () => this.end(reservation);
    ctx.req.on('close', ended);
    stream.on('close', ended);
    reservation.timers.push(
      setInterval(() => stream.write(':\n\n'), KEEP_ALIVE_MS),
      setInterval(() => void this.recheck(reservation), RECHECK_MS),
    );
  }

  private async recheck(reservation: Reservation): Promise<void> {
    const auth = await authenticate(this.services, reservation.credentials).catch(() => undefined);
    if (!auth || reservation.isClosed) return;
    const refusal =
      'error' in auth
        ? auth.error
        : ownerOf(auth) !== reservation.owner
          ? 'You are no longer signed in.'
          : null;
    if (!refusal) return;
    for (const id of [...reservation.operations.keys()]) {
      this.send(reservation, message('next', { id, payload: errorPayload(refusal, 'UNAUTHENTICATED') }));
      this.send(reservation, message('complete', { id }));
    }
    this.end(reservation);
  }

  private async start(
    ctx: Context,
    reservation: Reservation,
    auth: Exclude<Authentication, { error: string }>,
  ): Promise<void> {
    const limit = auth.principal
      ? this.services.config.maxBodyBytes
      : this.services.config.maxAnonymousBodyBytes;
    let params: { query?: unknown; extensions?: { operationId?: unknown } | null };
    let body: Buffer;
    try {
      body = await readBody(ctx.req, limit);
      params = JSON.parse(body.toString('utf8')) as typeof params;
    } catch (e) {
      if (e instanceof BodyTooLarge) return fail(ctx, 413, e.message, 'PAYLOAD_TOO_LARGE');
      return fail(ctx, 400, 'The operation must be a JSON object.', 'BAD_REQUEST');
    }
    const id = params?.extensions?.operationId;
    if (typeof id !== 'string' || !id || id.length > 100)
      return fail(ctx, 400, 'Give the operation an id in extensions.operationId.', 'BAD_REQUEST');
    if (reservation.operations.has(id))
      return fail(ctx, 409, `An operation with the id ${id} is running on this stream.`, 'CONFLICT');
    if (reservation.operations.size >= MAX_OPERATIONS)
      return fail(ctx, 429, `At most ${MAX_OPERATIONS} operations run on one stream.`, 'TOO_MANY_OPERATIONS');
    const serverContext: ServerContext = {
      requestId: randomUUID(),
      principal: auth.principal,
      channel: auth.channel,
      cookies: [],
      address: ctx.ip,
      isSecure: ctx.secure,
      session: auth.session,
    };
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let isStopped = false;
    reservation.operations.set(id, {
      stop: () => {
        isStopped = true;
        reservation.operations.delete(id);
        void reader?.cancel().catch(() => undefined);
      },
    });
    ctx.status = 202;
    ctx.body = '';
    void this.run(reservation, id, body, serverContext, (r) => {
      reader = r;
      return isStopped;
    });
  }

  /** Runs one operation through yoga, passing each result on as a `next` event with its id. */
  private async run(
    reservation: Reservation,
    id: string,
    body: Buffer,
    serverContext: ServerContext,
    attach: (reader: ReadableStreamDefaultReader<Uint8Array>) => boolean,
  ): Promise<void> {
    const isLive = () => reservation.operations.has(id) && !reservation.isClosed;
    try {
      const response = await this.yoga.fetch(
        new this.yoga.fetchAPI.Request('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: body as unknown as BodyInit,
        }),
        serverContext,
      );
      const type = response.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream') || !response.body) {
        const payload = await response
          .json()
          .catch(() => errorPayload(`The server answered ${response.status}.`, 'INTERNAL_SERVER_ERROR'));
        if (isLive()) this.send(reservation, message('next', { id, payload }));
        return;
      }
      const reader = response.body.getReader();
      if (attach(reader)) {
        await reader.cancel();
        return;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !isLive()) break;
        buffer += decoder.decode(value, { stream: true });
        for (;;) {
          const end = buffer.indexOf('\n\n');
          if (end < 0) break;
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
          const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
          if (event === 'complete') {
            await reader.cancel();
            return;
          }
          if ((event === 'next' || event === 'message') && data && isLive())
            this.send(reservation, `event: next\ndata: {"id":${JSON.stringify(id)},"payload":${data}}\n\n`);
        }
      }
    } catch (e) {
      if (isLive()) {
        const errorId = randomUUID();
        this.services.log('error', 'event stream operation failed', {
          errorId,
          error: String((e as Error)?.stack ?? e),
        });
        this.send(
          reservation,
          message('next', {
            id,
            payload: errorPayload(
              `Unexpected error. Quote error id ${errorId} when reporting it.`,
              'INTERNAL_SERVER_ERROR',
            ),
          }),
        );
      }
    } finally {
      if (isLive()) {
        reservation.operations.delete(id);
        this.send(reservation, message('complete', { id }));
      }
    }
  }

  private send(reservation: Reservation, text: string): void {
    if (reservation.isClosed) return;
    if (reservation.stream) reservation.stream.write(text);
    else reservation.pending.push(text);
  }

  private end(reservation: Reservation): void {
    if (reservation.isClosed) return;
    reservation.isClosed = true;
    this.reservations.delete(reservation.token);
    for (const timer of reservation.timers) clearTimeout(timer);
    for (const operation of [...reservation.operations.values()]) operation.stop();
    reservation.stream?.end();
  }
}

function fail(ctx: Context, status: number, text: string, code: string): void {
  ctx.status = status;
  ctx.body = errorPayload(text, code);
}
