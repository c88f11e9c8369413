import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createCalendar, numberAround, ValidationFailed } from '@docket/core';
import {
  type Database,
  forkEm,
  isCancelledStatement,
  query,
  queryOne,
  runAfterCommitWork,
  SecretBox,
  startJobBus,
  TransactionGroup,
  WriteQueueFull,
} from '@docket/db';
import { type Clock, systemClock } from '@docket/engine';
import Router from '@koa/router';
import { GraphQLError } from 'graphql';
import { createYoga } from 'graphql-yoga';
import Koa from 'koa';
import { authenticate } from './auth/authenticate.ts';
import { sessionCookie } from './auth/login.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { Principals } from './auth/principals.ts';
import { SessionTokens } from './auth/session-tokens.ts';
import { moveInboundAttachments, registerInboundWriters } from './channels/inbound-repository.ts';
import { MailIntake } from './channels/mail-intake.ts';
import { startSmtpListener } from './channels/smtp-listener.ts';
import { webFormRoutes } from './channels/web-form-route.ts';
import type { Config } from './config.ts';
import { CsatService } from './csat/csat-service.ts';
import { ratingPageRoutes } from './csat/rating-page.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from './errors.ts';
import { createRegistries } from './extensions/registries.ts';
import { linkFilesOnChange, planFileLinks } from './files/file-links.ts';
import { fileRoutes } from './files/file-routes.ts';
import { FileStorage } from './files/file-storage.ts';
import { badArgumentsPlugin } from './graphql/bad-arguments.ts';
import type { Ctx } from './graphql/context.ts';
import { EventStreams } from './graphql/event-streams.ts';
import { executeJsonPost } from './graphql/json-post.ts';
import { queryLimitPlugins, staffOnlyIntrospection } from './graphql/limits.ts';
import { createLoaders } from './graphql/loaders.ts';
import { redisEventTarget } from './graphql/redis-events.ts';
import { schema } from './graphql/schema.ts';
import { applyCors, isAllowedOrigin } from './http/cors.ts';
import { Gate, GateFull } from './http/gate.ts';
import { mountGraphiqlAssets, renderLocalGraphiQL } from './http/graphiql.ts';
import { mountMetrics } from './http/metrics.ts';
import { BodyTooLarge, BodyTooSlow, readBody } from './http/read-body.ts';
import { webAppMiddleware } from './http/web-app.ts';
import { startDeliveryWorkers } from './notifications/delivery-jobs.ts';
import { DELIVERY_QUEUE, Notifier } from './notifications/notifier.ts';
import { forgetPeople } from './org/assignees.ts';
import { OrgPaths } from './org/org-paths.ts';
import { PLUGIN_CALL_QUEUE } from './plugins/plugin-contributions.ts';
import { startPluginWorkers } from './plugins/plugin-jobs.ts';
import { pluginRoutes } from './plugins/plugin-routes.ts';
import { PluginService, type PluginServiceDeps } from './plugins/plugin-service.ts';
import { FollowLinks, RateLimiter } from './portal/follow-links.ts';
import { type Log, type Services, sharedSession } from './services.ts';
import { startSlaWorkers } from './sla/sla-jobs.ts';
import { SLA_QUEUES, SlaService } from './sla/sla-service.ts';
import { TemplateCatalog } from './templates/template-catalog.ts';
import { TicketFeed } from './tickets/ticket-feed.ts';
import { TicketStore } from './tickets/ticket-store.ts';
import { InvitationTokens } from './users/invitation-tokens.ts';
import { WallFeed } from './wall/wall-feed.ts';
import { startWorkflowWorkers } from './workflows/workflow-jobs.ts';
import { WorkflowRuntime } from './workflows/workflow-runtime.ts';
import { sealPlaintextSecrets } from './workflows/workflow-secrets.ts';
import { WORKFLOW_QUEUES } from './workflows/workflow-types.ts';

export type App = {
  koa: Koa;
  services: Services;
  callback: ReturnType<Koa['callback']>;
  /** Mail in for channel plugins: the SMTP listener's port when DOCKET_SMTP_PORT is set. */
  smtp: { port: number } | undefined;
  mailIntake: MailIntake;
  /** Stops the job workers (the database stays open: its owner closes it). */
  close: () => Promise<void>;
};

/** The session-signing secret: DOCKET_SECRET, else one generated on first start and kept in the database. */
async function sessionSecret(db: Database, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const em = forkEm(db);
  await query(
    em,
    "insert into app_setting (key, value) values ('session_secret', ?::jsonb) on conflict do nothing",
    [JSON.stringify(randomBytes(32).toString('base64url'))],
  );
  const row = await queryOne<{ value: string }>(
    em,
    "select value from app_setting where key = 'session_secret'",
  );
  return row!.value;
}

const isGraphQLError = (e: unknown): e is { originalError?: unknown } =>
  e instanceof Error && 'extensions' in e && 'locations' in e;

type ServerContext = Pick<
  Ctx,
  'requestId' | 'principal' | 'channel' | 'cookies' | 'address' | 'isSecure' | 'session'
>;

/**
 * The media type a JSON POST's answer takes on the fast path: application/graphql-response+json
 * when the client prefers it, application/json otherwise; undefined when it accepts neither.
 */
function jsonResponseType(accept: string): string | undefined {
  if (!accept || accept.includes('*/*')) return 'application/json';
  const modern = accept.indexOf('application/graphql-response+json');
  const legacy = accept.indexOf('application/json');
  if (modern >= 0 && (legacy < 0 || modern < legacy)) return 'application/graphql-response+json';
  return legacy >= 0 ? 'application/json' : undefined;
}

export type BuildAppOptions = {
  /** The time SLA clocks and urges run at; a test passes a clock it moves by hand. */
  clock?: Clock;
  /** The built web app to serve at every other path; designer/dist unless given. */
  webAppDir?: string;
  /** The plugin sandbox's ceilings and host process options (tests lower them). */
  plugins?: Pick<PluginServiceDeps, 'maxLimits' | 'sandbox'>;
};

/** Builds the Koa app: GraphQL at /graphql, GET /healthz, the web app at every other path. main.ts only listens. */
export async function buildApp(db: Database, config: Config, options: BuildAppOptions = {}): Promise<App> {
  const log: Log = (level, message, extra) => {
    if (level === 'info' && process.env.NODE_ENV === 'test') return;
    console[level === 'info' ? 'log' : level](JSON.stringify({ level, message, ...extra }));
  };
  const jobs = await startJobBus({
    url: db.url,
    queues: [...WORKFLOW_QUEUES, ...SLA_QUEUES, DELIVERY_QUEUE, PLUGIN_CALL_QUEUE],
    onError: (e) => log('error', 'job queue error', { error: String(e.stack ?? e) }),
  });
  // Business time for workflow timers and step limits when no business calendar is stored:
  // weekdays 09:00-12:00 and 13:00-18:00 in the configured time zone.
  const workday = [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ];
  const officeHours = createCalendar({
    timeZone: config.timeZone,
    weeklyHours: [[], workday, workday, workday, workday, workday, []],
  });
  runAfterCommitWork(db.orm, (e) =>
    log('error', 'after-commit work failed', { error: String((e as Error)?.stack ?? e) }),
  );
  const registries = createRegistries();
  const tickets = new TicketStore({
    em: () => forkEm(db),
    isSharedSession: sharedSession({ db, config }),
    writeBatch: config.writeBatch,
    writeStatements: config.writeStatements,
    writeTimeoutMs: config.writeTimeoutMs,
    writeQueue: config.writeQueue,
    numberAround: (template, at) => numberAround(template.numberPattern, at, config.timeZone),
  });
  const notifier = new Notifier({ jobs, targets: registries.notificationTargets, tickets, log });
  // A ticket from an inbound mail commits with its thread and its mail's marking as done.
  registerInboundWriters(tickets);
  const clock = options.clock ?? systemClock;
  const redis = config.redisUrl ? redisEventTarget(config.redisUrl) : null;
  const sla = new SlaService({
    ...(redis ? { eventTarget: redis.eventTarget } : {}),
    jobs,
    now: () => clock.now(),
    tickets,
    notifier,
    actions: registries.slaActions,
    isSharedSession: sharedSession({ db, config }),
  });
  const workflows = new WorkflowRuntime({
    jobs,
    time: {
      now: () => Date.now(),
      calendars: async (em) => (await sla.catalog.load(em)).calendars,
      officeHours,
    },
    nodeTypes: registries.nodeTypes,
    effects: registries.effects,
    tickets,
    notifier,
    isSharedSession: sharedSession({ db, config }),
    steps: new TransactionGroup(() => forkEm(db), {
      maxBatch: config.stepBatch,
      maxInFlight: config.stepTransactions,
    }),
  });
  // A new ticket's clocks are planned first: its workflow's first steps may change what they measure.
  tickets.addPlanner((em, plan) => sla.planCreation(em, plan));
  tickets.addPlanner((em, plan) => workflows.planCreation(em, plan));
  tickets.onChange((tx, change) => sla.onTicketChanged(tx, change));
  // Files a ticket's form names belong to that ticket (and are served to those who see it).
  tickets.addPlanner(planFileLinks);
  tickets.onChange(linkFilesOnChange);
  const principals = new Principals(() => forkEm(db));
  // Other server processes on this database hear logouts and changes of who may do what.
  await principals.connect(db, (e) => log('warn', 'principal notifications', { error: String(e) }));
  // Names and groups of people are cached where workflow steps resolve them: they change with the principals.
  principals.onInvalidate(() => forgetPeople(forkEm(db)));
  const serverSecret = await sessionSecret(db, config.secret);
  const secrets = SecretBox.fromEnvironment({
    secretKey: config.plugins.secretKey,
    serverSecret,
    keyFile: join(config.dataDir, 'secret-key'),
    isProduction: config.isProduction,
  });
  // Tokens older versions left in workflow graphs' headers are sealed before anyone can read them.
  const sealedSecrets = await sealPlaintextSecrets(forkEm(db), secrets);
  if (sealedSecrets > 0)
    log('info', 'sealed secrets found in plaintext in stored workflow graphs', { count: sealedSecrets });
  const plugins = new PluginService({
    db,
    registries,
    jobs,
    tickets,
    workflows,
    secrets,
    log,
    ...(redis ? { eventTarget: redis.eventTarget } : {}),
    ...options.plugins,
  });
  // An agent's public reply on a ticket from a plugin channel goes back out through it.
  tickets.onChange((tx, change) => plugins.onTicketChanged(tx, change));
  const feed = new TicketFeed(redis?.eventTarget);
  tickets.onChange(feed.onChange);
  // The live walls hear the ticket feed, which already carries every server's changes through
  // Redis: the wall's own events stay in this process (sent through Redis again, each server
  // would pass on every change once per server).
  const wall = new WallFeed();
  wall.forward(feed);
  await plugins.start();
  const csat = new CsatService({
    secret: serverSecret,
    publicUrl: config.publicUrl,
    tickets,
    notifier,
    now: () => clock.now(),
    // A rating reaches the walls (their CSAT today) and the desk's ticket page live.
    feed,
  });
  // A solved ticket (or a completed follow-up step) asks its requester for a rating.
  tickets.onChange((tx, change) => csat.onTicketChanged(tx, change));
  const services: Services = {
    db,
    config,
    principals,
    sessions: new SessionTokens(serverSecret, config.sessionTtlSeconds),
    registries,
    templates: new TemplateCatalog(),
    orgPaths: new OrgPaths(),
    jobs,
    tickets,
    feed,
    wall,
    portal: {
      followLinks: new FollowLinks(serverSecret),
      // A public form takes five submissions a minute from one address.
      submissions: new RateLimiter(5, 60_000),
    },
    notifier,
    workflows,
    sla,
    plugins,
    csat,
    secrets,
    invitations: new InvitationTokens(serverSecret),
    loginThrottle: new LoginThrottle(log),
    clock,
    log,
  };
  plugins.attach(services);
  await startWorkflowWorkers({ db, jobs, runtime: workflows, secrets, log });
  await startSlaWorkers(db, jobs, sla, log);
  await startDeliveryWorkers(db, jobs, notifier, log);
  await startPluginWorkers(jobs, plugins);
  await notifier.watchPreferences(() => forkEm(db));
  const fileStorage = new FileStorage(config.files.dir);
  // Attachments kept in the mail tables by earlier versions become stored files.
  const movedFiles = await moveInboundAttachments(forkEm(db), fileStorage);
  if (movedFiles > 0)
    log('info', 'inbound mail attachments moved to the files directory', { count: movedFiles });
  const mailIntake = new MailIntake(services, fileStorage, { batchSize: config.mailBatch });
  const smtp = config.smtp ? await startSmtpListener({ intake: mailIntake, ...config.smtp, log }) : undefined;
  if (smtp) mailIntake.startSweeping();

  const yoga = createYoga<ServerContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL (GET /graphql from a browser) with its assets served by this server, not a CDN.
    renderGraphiQL: renderLocalGraphiQL,
    // In production, GraphiQL and introspection are for signed-in callers only.
    graphiql: config.isProduction ? (_request, context) => Boolean(context?.principal) : true,
    // CORS is answered before yoga, for the origins the admin allows (http/cors.ts).
    cors: false,
    // Documents that parse are cached; failures are not (each gets its error, with its code).
    parserAndValidationCache: { errorCache: { get: () => undefined, set: () => {} } as never },
    logging: false,
    plugins: [
      ...queryLimitPlugins(),
      badArgumentsPlugin(),
      ...(config.isProduction ? [staffOnlyIntrospection()] : []),
    ],
    context: ({ requestId, principal, channel, cookies, address, isSecure, session }): Ctx => {
      const em = forkEm(db);
      return {
        requestId,
        principal,
        channel,
        cookies,
        address,
        isSecure,
        session,
        services,
        em,
        loaders: createLoaders(em),
      };
    },
    maskedErrors: {
      maskError: (error, message) => {
        // graphql can be loaded both as ESM and CJS, so GraphQLError is recognised by shape, not class.
        let original: unknown = error;
        while (isGraphQLError(original) && original.originalError) original = original.originalError;
        if (original instanceof UnauthenticatedError)
          return new GraphQLError(original.message, { extensions: { code: 'UNAUTHENTICATED' } });
        if (original instanceof ForbiddenError)
          return new GraphQLError(original.message, {
            extensions: { code: 'FORBIDDEN', permission: original.permission },
          });
        if (original instanceof NotFoundError)
          return new GraphQLError(original.message, {
            extensions: { code: 'NOT_FOUND', path: original.path },
          });
        // A ticket write the database cancelled (timeout) or that found the queue full: nothing was
        // written, and the caller may simply try again.
        if (original instanceof WriteQueueFull || isCancelledStatement(original))
          return new GraphQLError(
            'The server is too busy to write this now; nothing was written: try again in a moment.',
            { extensions: { code: 'SERVER_BUSY', isRetryable: true } },
          );
        if (original instanceof ValidationFailed)
          return new GraphQLError(original.message, {
            extensions: { code: 'BAD_USER_INPUT', fields: original.errors },
          });
        // Only GraphQL errors in the chain (syntax, validation, variable coercion): the outermost names the field.
        if (isGraphQLError(original)) return error as GraphQLError;
        // The error id ties what the client sees to the logged stack trace.
        const errorId = randomUUID();
        log('error', 'unexpected error', { errorId, error: String((original as Error)?.stack ?? original) });
        return new GraphQLError(`${message} Quote error id ${errorId} when reporting it.`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
        });
      },
    },
  });

  const largeBodies = new Gate(config.largeBodyConcurrency, config.largeBodyQueue);
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    try {
      await query(forkEm(db), 'select 1');
      ctx.body = { ok: true, database: db.isEmbedded ? 'embedded' : 'postgresql' };
    } catch (e) {
      ctx.status = 503;
      ctx.body = { ok: false, error: `The database does not answer: ${(e as Error).message}` };
    }
  });

  mountMetrics(router, largeBodies);

  // Every subscription of a browser tab on one event stream (graphql-sse's single connection
  // mode), beside the one-stream-per-request path of /graphql that other clients keep using.
  // Its tokens are signed, and operations sent to another server reach the stream's through Redis.
  const eventStreams = new EventStreams(services, yoga as never, serverSecret, redis?.eventTarget);
  eventStreams.mount(router);

  router.all('/graphql', async (ctx) => {
    const requestId = randomUUID();
    ctx.set('x-request-id', requestId);
    const fail = (status: number, message: string, code: string) => {
      ctx.status = status;
      ctx.body = { errors: [{ message, extensions: { code } }] };
    };
    applyCors(ctx, config.allowedOrigins);
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    const auth = await authenticate(services, ctx.headers);
    if ('error' in auth) {
      // A browser would send a dead session cookie forever (it is HttpOnly: the page cannot drop
      // it), so even its login would be refused: clear it along with the refusal.
      if (auth.viaCookie) ctx.set('set-cookie', sessionCookie(null, 0, ctx.secure));
      return fail(auth.status, auth.error, 'UNAUTHENTICATED');
    }
    const type = String(ctx.get('content-type')).split(';')[0]?.trim();
    const tooLarge = (e: BodyTooLarge) =>
      fail(
        413,
        auth.principal ? e.message : `${e.message} Log in to send larger requests.`,
        'PAYLOAD_TOO_LARGE',
      );
    // A browser sends the session cookie on cross-site requests too; refuse the kinds of request
    // a foreign page can make without a CORS preflight.
    if (auth.viaCookie && ctx.method === 'POST') {
      if (
        (type !== 'application/json' && !ctx.get('x-docket-csrf')) ||
        !isAllowedOrigin(ctx, config.allowedOrigins)
      )
        return fail(
          403,
          'Cookie-authenticated requests must be same-origin JSON (or carry the x-docket-csrf header).',
          'CSRF',
        );
    }
    let release: (() => void) | undefined;
    try {
      let body: Buffer | undefined;
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        // Callers who are not signed in only log in or fill in public forms: small bodies.
        const limit = auth.principal ? config.maxBodyBytes : config.maxAnonymousBodyBytes;
        const declared = Number(ctx.get('content-length') || Number.NaN);
        if (declared > limit) return tooLarge(new BodyTooLarge(limit));
        // Large bodies (or of unknown length) are read, decoded and parsed a few at a time; the
        // others wait unread (their senders held back by TCP), and /healthz and small queries
        // pass between them.
        if (limit > config.largeBodyBytes && !(declared <= config.largeBodyBytes)) {
          try {
            release = await largeBodies.enter();
          } catch (e) {
            if (!(e instanceof GateFull)) throw e;
            ctx.set('retry-after', '1');
            return fail(
              503,
              'The server is busy reading other large requests; nothing was done: try again in a moment.',
              'SERVER_BUSY',
            );
          }
        }
        try {
          // A turn is held while the body arrives: a slow sender loses it (and its connection).
          body = await readBody(ctx.req, limit, release ? config.largeBodyReadMs : undefined);
        } catch (e) {
          if (e instanceof BodyTooLarge) return tooLarge(e);
          if (e instanceof BodyTooSlow) {
            log('warn', 'large request body too slow: connection closed', { requestId, ms: e.ms });
            ctx.respond = false;
            return;
          }
          throw e;
        }
      }
      const cookies: string[] = [];
      const serverContext: ServerContext = {
        requestId,
        principal: auth.principal,
        channel: auth.channel,
        cookies,
        address: ctx.ip,
        isSecure: ctx.secure,
        session: auth.session,
      };
      const accept = ctx.get('accept');
      if (ctx.method === 'POST' && body && type === 'application/json') {
        const responseType = jsonResponseType(accept);
        if (responseType) {
          const answer = await executeJsonPost(yoga as never, body, serverContext, () => release?.());
          if (answer !== undefined) {
            if (cookies.length) ctx.set('set-cookie', cookies);
            // A request refused before it ran: 400 for clients that read status codes (GraphQL over HTTP).
            if (answer.isRequestError && responseType !== 'application/json') ctx.status = 400;
            ctx.type = `${responseType}; charset=utf-8`;
            ctx.body = answer.json;
            return;
          }
          cookies.length = 0;
        }
      }
      // yoga's own fetch-API classes are much lighter than Node's built-in Request and streams.
      const response = await yoga.fetch(
        new yoga.fetchAPI.Request(`http://${ctx.host || 'localhost'}${ctx.url}`, {
          method: ctx.method,
          headers: ctx.headers as Record<string, string>,
          ...(body?.length ? { body: body as unknown as BodyInit } : {}),
        }),
        serverContext,
      );
      ctx.status = response.status;
      response.headers.forEach((v: string, k: string) => {
        if (k !== 'content-length') ctx.set(k, v);
      });
      if (cookies.length) ctx.set('set-cookie', cookies);
      const responseType = response.headers.get('content-type') ?? '';
      if (response.body && (responseType.includes('event-stream') || responseType.includes('multipart')))
        // yoga's fetch API streams are not Node's web streams (Readable.fromWeb refuses them); both iterate.
        ctx.body = Readable.from(response.body as unknown as AsyncIterable<Uint8Array>, {
          objectMode: false,
        });
      else ctx.body = await response.text();
    } finally {
      release?.();
    }
  });

  // X-Forwarded-Proto and -For are believed only from a proxy the admin says is there.
  const koa = new Koa({ proxy: config.trustProxy });
  // A subscriber that goes away ends its event stream early: that is not an error.
  koa.on('error', (e: Error & { code?: string }, ctx?: Koa.Context) => {
    if (e.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    log('error', 'response failed', { path: ctx?.path, error: String(e.stack ?? e) });
  });
  koa.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      log('error', 'request failed', { path: ctx.path, error: String((e as Error).stack ?? e) });
      ctx.status = 500;
      ctx.body = {
        errors: [{ message: 'Unexpected server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      };
    }
  });
  mountGraphiqlAssets(router);
  koa.use(pluginRoutes(services));
  // The public form as the web channel over plain HTTP (POST /forms/<template key>).
  koa.use(webFormRoutes(services));
  koa.use(fileRoutes(services, fileStorage));
  koa.use(router.routes()).use(router.allowedMethods());
  koa.use(ratingPageRoutes(services).routes());
  koa.use(webAppMiddleware(options.webAppDir ? { dir: options.webAppDir } : {}));
  return {
    koa,
    services,
    callback: koa.callback(),
    smtp: smtp ? { port: smtp.port } : undefined,
    mailIntake,
    close: async () => {
      notifier.stop();
      eventStreams.close();
      await smtp?.close();
      await mailIntake.close();
      await jobs.stop();
      await plugins.close();
      await principals.close();
      await wall.close();
      await redis?.close();
    },
  };
}
