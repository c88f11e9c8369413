import { join, resolve } from 'node:path';

export type Config = {
  port: number;
  host: string;
  /** A real PostgreSQL; when absent the embedded database runs under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Signs session tokens. When absent one is generated once and kept in the database. */
  secret: string | undefined;
  /** Time zone for ticket numbers' dates and reports. */
  timeZone: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** The built web app to serve (DOCKET_WEB_APP_DIR; designer/dist when absent). */
  webAppDir: string | undefined;
  loadExamples: boolean;
  /** Whether the example templates run their example workflows (DOCKET_EXAMPLE_WORKFLOWS=off: plain tickets). */
  exampleWorkflows: boolean;
  sessionTtlSeconds: number;
  /**
   * Hot statements as named prepared statements (DOCKET_PREPARED_STATEMENTS=off behind a pooler
   * that hands one session to many clients, e.g. PgBouncer in transaction mode).
   */
  preparedStatements: boolean;
  /**
   * Concurrent ticket creations share one insert statement: at most `writeBatch` tickets in one
   * (DOCKET_WRITE_BATCH, default 64; 1 writes each alone), at most `writeStatements` such
   * statements running at once (DOCKET_WRITE_STATEMENTS, default 2).
   * Fewer statements at once make bigger batches: fewer commits and round trips per ticket.
   */
  writeBatch: number;
  writeStatements: number;
  /**
   * Concurrent step transactions (task actions, workflow events) commit together: at most
   * `stepBatch` in one transaction (DOCKET_STEP_BATCH, default 16; 1 commits each alone), at most
   * `stepTransactions` such transactions at once (DOCKET_STEP_TRANSACTIONS, default 3).
   */
  stepBatch: number;
  stepTransactions: number;
  /** A shared ticket insert is cancelled after this long (DOCKET_WRITE_TIMEOUT_MS, default 5000). */
  writeTimeoutMs: number;
  /** Ticket creations that may wait for a shared insert (DOCKET_WRITE_QUEUE, default 2000); more are refused as retryable. */
  writeQueue: number;
  /**
   * On SIGTERM the server stops taking requests and finishes those in flight and its current job
   * batches; past this many milliseconds it exits anyway (DOCKET_SHUTDOWN_TIMEOUT_MS, default 10000).
   */
  shutdownTimeoutMs: number;
  /**
   * The embedded database serves one connection at a time: one that holds it in an open
   * transaction and sends nothing for this many milliseconds is rolled back and closed, so the
   * others go on (DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS, default 60000; not used with DATABASE_URL).
   */
  pgliteIdleInTransactionMs: number;
  /** Redis for pub/sub across server processes (REDIS_URL); in-process when absent. */
  redisUrl: string | undefined;
  /** NODE_ENV=production: secrets must come from the environment, introspection is for staff only. */
  isProduction: boolean;
  /**
   * Browser origins allowed to call the API with credentials from another origin
   * (DOCKET_ALLOWED_ORIGINS, comma-separated); the server's own origin is always allowed.
   */
  allowedOrigins: string[];
  /** Trust X-Forwarded-Proto/-For from a proxy in front (DOCKET_TRUST_PROXY=1). */
  trustProxy: boolean;
  /** Largest body accepted from a caller that is not signed in (DOCKET_MAX_ANONYMOUS_BODY_BYTES). */
  maxAnonymousBodyBytes: number;
  /**
   * Bodies larger than this (or of unknown length) are read and parsed a few at a time, so that
   * heavy bodies cannot starve /healthz and small queries (DOCKET_LARGE_BODY_BYTES).
   */
  largeBodyBytes: number;
  /** How many large bodies are read and parsed at once (DOCKET_LARGE_BODY_CONCURRENCY). */
  largeBodyConcurrency: number;
  /** How many more may wait for their turn before the next is refused as busy (DOCKET_LARGE_BODY_QUEUE). */
  largeBodyQueue: number;
  /**
   * How long a large body's turn may take to arrive before its connection is closed, so that a
   * slow sender cannot hold the turn (DOCKET_LARGE_BODY_READ_SECONDS).
   */
  largeBodyReadMs: number;
  /** Plugins: see PluginConfig. */
  plugins: PluginConfig;
  /** Files attached to ticket forms: see FileConfig. */
  files: FileConfig;
  /**
   * The SMTP listener that hands mail to email channel plugins: off unless DOCKET_SMTP_PORT is
   * set (0 picks a free port); it listens on DOCKET_SMTP_HOST (default HOST) and refuses mails
   * larger than DOCKET_SMTP_MAX_BYTES (default 25 MB) before acknowledging them.
   */
  smtp: { port: number; host: string; maxBytes: number } | undefined;
  /**
   * Mails the intake turns into tickets together (DOCKET_MAIL_BATCH, default 64; 1 takes each
   * alone): one claim, one customer lookup, shared ticket inserts and one finishing statement per batch.
   */
  mailBatch: number;
  /** The address people reach the server at, for links in messages (DOCKET_PUBLIC_URL; default http://host:port). */
  publicUrl: string;
  invitations: InvitationConfig;
};

export type InvitationConfig = {
  /** How long an invitation link works (DOCKET_INVITATION_TTL_HOURS, default 72). */
  ttlHours: number;
  /**
   * The notification target invitation links are mailed through (DOCKET_INVITATION_TARGET,
   * default "email.mail", the email plugin's); when it is not installed, the admin is shown the link.
   */
  target: string;
};

export type FileConfig = {
  /** Where uploaded files are kept (DOCKET_FILES_DIR, default DATA_DIR/files). */
  dir: string;
  /** Largest file accepted, in bytes (DOCKET_MAX_FILE_BYTES, default 20 MB). */
  maxBytes: number;
  /** Content types accepted (DOCKET_FILE_TYPES, comma-separated; "image/*" takes every image). */
  types: string[];
};

/** Images, PDF, plain text and CSV, office documents and zip archives. */
export const DEFAULT_FILE_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

export type PluginConfig = {
  /**
   * The key plugin secrets are encrypted with (DOCKET_SECRET_KEY: 64 hex digits, 32 bytes in
   * base64, or any text, which is hashed); derived from the server's secret when absent.
   */
  secretKey: string | undefined;
  /** Where `installPlugin` looks packages up (DOCKET_NPM_REGISTRY, default the public npm registry). */
  npmRegistry: string;
};

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number between 0 and 65535, not "${env.PORT}".`);
  const dataDir = resolve(env.DATA_DIR ?? './data');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    secret: env.DOCKET_SECRET || undefined,
    timeZone: timeZone(env),
    maxBodyBytes: positiveInt(env, 'DOCKET_MAX_BODY_BYTES', 1_000_000),
    webAppDir: env.DOCKET_WEB_APP_DIR ? resolve(env.DOCKET_WEB_APP_DIR) : undefined,
    loadExamples: onOff(env, 'DOCKET_EXAMPLES'),
    exampleWorkflows: onOff(env, 'DOCKET_EXAMPLE_WORKFLOWS'),
    sessionTtlSeconds: positiveInt(env, 'DOCKET_SESSION_TTL', 12 * 3600),
    preparedStatements: onOff(env, 'DOCKET_PREPARED_STATEMENTS'),
    writeBatch: positiveInt(env, 'DOCKET_WRITE_BATCH', 64),
    writeStatements: positiveInt(env, 'DOCKET_WRITE_STATEMENTS', 2),
    stepBatch: positiveInt(env, 'DOCKET_STEP_BATCH', 16),
    stepTransactions: positiveInt(env, 'DOCKET_STEP_TRANSACTIONS', 3),
    smtp: smtpConfig(env),
    mailBatch: positiveInt(env, 'DOCKET_MAIL_BATCH', 64),
    writeTimeoutMs: positiveInt(env, 'DOCKET_WRITE_TIMEOUT_MS', 5_000),
    writeQueue: positiveInt(env, 'DOCKET_WRITE_QUEUE', 2_000),
    shutdownTimeoutMs: positiveInt(env, 'DOCKET_SHUTDOWN_TIMEOUT_MS', 10_000),
    pgliteIdleInTransactionMs: positiveInt(env, 'DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS', 60_000),
    redisUrl: env.REDIS_URL || undefined,
    isProduction: env.NODE_ENV === 'production',
    allowedOrigins: (env.DOCKET_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    trustProxy: env.DOCKET_TRUST_PROXY === '1' || env.DOCKET_TRUST_PROXY === 'true',
    maxAnonymousBodyBytes: positiveInt(env, 'DOCKET_MAX_ANONYMOUS_BODY_BYTES', 65_536),
    largeBodyBytes: positiveInt(env, 'DOCKET_LARGE_BODY_BYTES', 65_536),
    largeBodyConcurrency: positiveInt(env, 'DOCKET_LARGE_BODY_CONCURRENCY', 1),
    largeBodyQueue: positiveInt(env, 'DOCKET_LARGE_BODY_QUEUE', 64),
    largeBodyReadMs: positiveInt(env, 'DOCKET_LARGE_BODY_READ_SECONDS', 15) * 1000,
    plugins: {
      secretKey: env.DOCKET_SECRET_KEY || undefined,
      npmRegistry: registryUrl(env.DOCKET_NPM_REGISTRY || 'https://registry.npmjs.org/'),
    },
    files: {
      dir: resolve(env.DOCKET_FILES_DIR || join(dataDir, 'files')),
      maxBytes: positiveInt(env, 'DOCKET_MAX_FILE_BYTES', 20 * 1024 * 1024),
      types: env.DOCKET_FILE_TYPES
        ? env.DOCKET_FILE_TYPES.split(',')
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean)
        : DEFAULT_FILE_TYPES,
    },
    publicUrl: (env.DOCKET_PUBLIC_URL || `http://${env.HOST ?? '127.0.0.1'}:${port}`).replace(/\/+$/, ''),
    invitations: {
      ttlHours: positiveInt(env, 'DOCKET_INVITATION_TTL_HOURS', 72),
      target: env.DOCKET_INVITATION_TARGET?.trim() || 'email.mail',
    },
  };
}

function smtpConfig(env: NodeJS.ProcessEnv): Config['smtp'] {
  const raw = env.DOCKET_SMTP_PORT?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`DOCKET_SMTP_PORT must be a port number between 0 and 65535, not "${raw}".`);
  return {
    port,
    host: env.DOCKET_SMTP_HOST || env.HOST || '127.0.0.1',
    maxBytes: positiveInt(env, 'DOCKET_SMTP_MAX_BYTES', 25 * 1024 * 1024),
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a whole number of at least 1, not "${raw}".`);
  return n;
}

/** A switch that is on unless set to off. */
function onOff(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error(`${name} must be "on" or "off", not "${env[name]}".`);
}

function registryUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`DOCKET_NPM_REGISTRY must be a URL such as https://registry.npmjs.org/, not "${raw}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`DOCKET_NPM_REGISTRY must be an http(s) URL, not "${raw}".`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

function timeZone(env: NodeJS.ProcessEnv): string {
  const zone = env.DOCKET_TIME_ZONE || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error(
      `DOCKET_TIME_ZONE must be an IANA time zone such as "Asia/Shanghai" or "UTC", not "${zone}".`,
    );
  }
  return zone;
}
