import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Channel, Principal } from '@docket/core';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { type Authentication, authenticate } from '../auth/authenticate.ts';
import { sessionCookie } from '../auth/login.ts';
import { applyCors, isAllowedOrigin } from '../http/cors.ts';
import { BodyTooLarge, readBody } from '../http/read-body.ts';
import type { Services } from '../services.ts';
import { createTopics, type PubSubEventTarget } from './pubsub.ts';

/** Where one connection carries every subscription of a browser tab (graphql-sse's single connection mode). */
export const EVENT_STREAM_PATH = '/graphql/stream';
/** The header (or query parameter `token`) naming a reserved stream. */
const TOKEN_HEADER = 'x-graphql-event-stream-token';
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

/** What a server that took a POST or DELETE for a stream open on another server sends it. */
type Forwarded = { kind: 'start'; id: string; body: string } | { kind: 'stop'; id: string };

type Reservation = {
  token: string;
  owner: string;
  /** Who opened the stream: forwarded operations run as them (the forwarding server checked it is the same person). */
  auth: Exclude<Authentication, { error: string }>;
  address: string;
  isSecure: boolean;
  /** Stops hearing operations forwarded from other servers. */
  unsubscribe: () => void;
  /** The credentials it was reserved with, authenticated again every RECHECK_MS. */
  credentials: { authorization?: string; cookie?: string };
  operations: Map<string, Operation>;
  /** The open event stream. */
  stream: PassThrough;
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

const message_ = (event: 'next' | 'complete', data: unknown) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const errorPayload = (text: string, code: string) => ({ errors: [{ message: text, extensions: { code } }] });

/**
 * GraphQL over one event stream per browser tab, as graphql-sse's "single connection mode" has it:
 * PUT reserves a stream (answering its token), GET with the token opens it, each POST of an
 * operation with the token and an `extensions.operationId` starts that operation, whose results
 * come on the stream as `next` events ({ id, payload }) and end with `complete` ({ id }), and
 * DELETE ?operationId= stops one. Every request carries the caller's credentials, checked as on
 * /graphql (bearer token or session cookie with the same CSRF rule); the token is signed for the
 * person who reserved it, so nobody else can use it, on any server. A POST or DELETE that reaches
 * another server than the stream's is passed on to it (through Redis when there are several).
 * The stream's credentials are checked again every few seconds: a revoked session or token ends
 * every operation with its error. Closing the stream stops its operations.
 */
export class EventStreams {
  private readonly reservations = new Map<string, Reservation>();
  private readonly forwarded;

  /**
   * `secret` signs stream tokens for their owner, so that any server can check a token; with an
   * `eventTarget` (Redis), a POST or DELETE reaching another server than the stream's is passed on
   * to it: no sticky sessions are needed behind a load balancer.
   */
  constructor(
    private readonly services: Services,
    private readonly yoga: Yoga,
    private readonly secret: string,
    eventTarget?: PubSubEventTarget,
  ) {
    this.forwarded = createTopics<{ eventStreamOperation: [token: string, message: Forwarded] }>(eventTarget);
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
      const token = this.tokenOf(ctx, auth);
      if (!token) return;
      if (ctx.method === 'GET') return this.open(ctx, token, auth);
      if (ctx.method === 'POST') return this.start(ctx, token, auth);
      if (ctx.method === 'DELETE') {
        const id = String(ctx.query.operationId ?? '');
        const reservation = this.reservations.get(token);
        if (reservation) reservation.operations.get(id)?.stop();
        else await this.forwarded.publish('eventStreamOperation', token, { kind: 'stop', id });
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

  /** A stream token: random, signed for its owner (any server can tell whose it is). */
  private signed(random: string, owner: string): string {
    return createHmac('sha256', this.secret).update(`event-stream:${random}:${owner}`).digest('base64url');
  }

  private reserve(ctx: Context, auth: Exclude<Authentication, { error: string }>): void {
    const random = randomBytes(18).toString('base64url');
    ctx.status = 201;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${random}.${this.signed(random, ownerOf(auth))}`;
  }

  /** The stream token a request names, when it was reserved by its caller; else answers the refusal. */
  private tokenOf(ctx: Context, auth: Exclude<Authentication, { error: string }>): string | undefined {
    const token = String(ctx.get(TOKEN_HEADER) || ctx.query.token || '');
    if (!token) {
      fail(ctx, 400, `Name the stream in the ${TOKEN_HEADER} header (PUT reserves one).`, 'BAD_REQUEST');
      return undefined;
    }
    const [random = '', signature = ''] = token.split('.');
    const expected = Buffer.from(this.signed(random, ownerOf(auth)));
    const given = Buffer.from(signature);
    // Someone else's stream is answered as an unknown one: its token says nothing to them.
    if (!random || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      fail(
        ctx,
        404,
        'No such event stream (it was reserved by someone else): reserve one with PUT.',
        'NOT_FOUND',
      );
      return undefined;
    }
    return token;
  }

  private open(ctx: Context, token: string, auth: Exclude<Authentication, { error: string }>): void {
    if (this.reservations.has(token)) {
      fail(ctx, 409, 'This event stream is open already.', 'CONFLICT');
      return;
    }
    const stream = new PassThrough();
    // Operations POSTed to other servers for this stream come here.
    const heard = this.forwarded.subscribe('eventStreamOperation', token)[Symbol.asyncIterator]();
    const reservation: Reservation = {
      token,
      owner: ownerOf(auth),
      auth,
      address: ctx.ip,
      isSecure: ctx.secure,
      unsubscribe: () => void heard.return?.(),
      credentials: {
        ...(ctx.headers.authorization ? { authorization: ctx.headers.authorization } : {}),
        ...(ctx.headers.cookie ? { cookie: ctx.headers.cookie } : {}),
      },
      operations: new Map(),
      stream,
      timers: [],
      isClosed: false,
    };
    this.reservations.set(token, reservation);
    void (async () => {
      for (;;) {
        const next = await heard.next();
        if (next.done || reservation.isClosed) return;
        const message = next.value;
        if (message.kind === 'stop') reservation.operations.get(message.id)?.stop();
        else {
          const refusal = this.refusalOf(reservation, message.id);
          if (refusal) {
            this.send(
              reservation,
              message_('next', { id: message.id, payload: errorPayload(refusal.text, refusal.code) }),
            );
            this.send(reservation, message_('complete', { id: message.id }));
          } else
            this.begin(
              reservation,
              message.id,
              Buffer.from(message.body),
              this.contextOf(reservation.auth, reservation),
            );
        }
      }
    })();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.set('content-type', 'text/event-stream; charset=utf-8');
    ctx.set('cache-control', 'no-cache');
    ctx.set('x-accel-buffering', 'no');
    ctx.body = stream;
    stream.write(':\n\n');
    const ended = () => this.end(reservation);
    ctx.req.on('close', ended);
    stream.on('close', ended);
    reservation.timers.push(
      setInterval(() => stream.write(':\n\n'), KEEP_ALIVE_MS),
      setInterval(() => void this.recheck(reservation), RECHECK_MS),
    );
  }

  /** Why an operation cannot start on a stream: its id is taken, or the stream has enough. */
  private refusalOf(
    reservation: Reservation,
    id: string,
  ): { status: number; text: string; code: string } | undefined {
    if (reservation.operations.has(id))
      return {
        status: 409,
        text: `An operation with the id ${id} is running on this stream.`,
        code: 'CONFLICT',
      };
    if (reservation.operations.size >= MAX_OPERATIONS)
      return {
        status: 429,
        text: `At most ${MAX_OPERATIONS} operations run on one stream.`,
        code: 'TOO_MANY_OPERATIONS',
      };
    return undefined;
  }

  private contextOf(
    auth: Exclude<Authentication, { error: string }>,
    where: { address: string; isSecure: boolean },
  ): ServerContext {
    return {
      requestId: randomUUID(),
      principal: auth.principal,
      channel: auth.channel,
      cookies: [],
      address: where.address,
      isSecure: where.isSecure,
      session: auth.session,
    };
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
      this.send(reservation, message_('next', { id, payload: errorPayload(refusal, 'UNAUTHENTICATED') }));
      this.send(reservation, message_('complete', { id }));
    }
    this.end(reservation);
  }

  private async start(
    ctx: Context,
    token: string,
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
    const reservation = this.reservations.get(token);
    if (!reservation) {
      // The stream is open on another server (or about to close): it runs the operation there.
      await this.forwarded.publish('eventStreamOperation', token, {
        kind: 'start',
        id,
        body: body.toString('utf8'),
      });
      ctx.status = 202;
      ctx.body = '';
      return;
    }
    const refusal = this.refusalOf(reservation, id);
    if (refusal) return fail(ctx, refusal.status, refusal.text, refusal.code);
    this.begin(reservation, id, body, this.contextOf(auth, { address: ctx.ip, isSecure: ctx.secure }));
    ctx.status = 202;
    ctx.body = '';
  }

  private begin(reservation: Reservation, id: string, body: Buffer, serverContext: ServerContext): void {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let isStopped = false;
    reservation.operations.set(id, {
      stop: () => {
        isStopped = true;
        reservation.operations.delete(id);
        void reader?.cancel().catch(() => undefined);
      },
    });
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
        if (isLive()) this.send(reservation, message_('next', { id, payload }));
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
          message_('next', {
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
        this.send(reservation, message_('complete', { id }));
      }
    }
  }

  private send(reservation: Reservation, text: string): void {
    if (!reservation.isClosed) reservation.stream.write(text);
  }

  private end(reservation: Reservation): void {
    if (reservation.isClosed) return;
    reservation.isClosed = true;
    this.reservations.delete(reservation.token);
    for (const timer of reservation.timers) clearTimeout(timer);
    reservation.unsubscribe();
    for (const operation of [...reservation.operations.values()]) operation.stop();
    reservation.stream.end();
  }
}

function fail(ctx: Context, status: number, text: string, code: string): void {
  ctx.status = status;
  ctx.body = errorPayload(text, code);
}
