import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Database, openDatabase } from '@docket/db';
import type { Clock } from '@docket/engine';
import { EXAMPLE_PASSWORD } from '@docket/examples';
import { type App, buildApp } from '@docket/server';
import { readConfig } from '../../server/src/config.ts';
import { loadExampleData } from '../../server/src/seed/load-example-data.ts';
import { freshDatabaseUrl, withDump } from './test-database.ts';

export type GqlResult<T = Record<string, any>> = {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

export type TestServer = {
  url: string;
  /** The running app; restartApp() replaces it. */
  app: App;
  /**
   * Stops the app (its job workers) and builds a new one on the same database, as a restart
   * would; with downForMs, waits that long in between (timers fall due while nothing runs).
   */
  restartApp: (options?: { downForMs?: number }) => Promise<App>;
  db: Database;
  /** POSTs a GraphQL operation, with a bearer token when given. */
  gql: <T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ) => Promise<GqlResult<T>>;
  /** Logs an example user in (password of the example data) and returns the bearer token. */
  login: (email: string, password?: string) => Promise<string>;
  customerLogin: (email: string, password?: string) => Promise<string>;
  sql: <T = Record<string, any>>(text: string, params?: unknown[]) => Promise<T[]>;
  close: () => Promise<void>;
};

/** A real server on a fresh database (PGlite in memory, or a new database on TEST_DATABASE_URL) with the example data. */
export async function startTestServer(
  options: {
    examples?: boolean;
    /** false: the example templates run no workflow (suites about tickets alone). */
    workflows?: boolean;
    env?: Record<string, string>;
    /** The clock SLA code runs at (services.clock); timer jobs still wait for real time. */
    clock?: Clock;
    /** The built web app the server serves (designer/dist unless given). */
    webAppDir?: string;
  } = {},
): Promise<TestServer> {
  const fresh = await freshDatabaseUrl();
  const db = await openDatabase(fresh.url ? { databaseUrl: fresh.url } : withDump(fresh));
  const config = { ...readConfig({ ...process.env, ...options.env }), timeZone: 'Asia/Shanghai' };
  const appOptions = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.webAppDir ? { webAppDir: options.webAppDir } : {}),
  };
  let app = await buildApp(db, config, appOptions);
  if (options.examples !== false)
    await loadExampleData(app.services, { withWorkflows: options.workflows ?? true });
  const server: Server = createServer((req, res) => app.callback(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const gql: TestServer['gql'] = async (query, variables, token) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlResult;
    return { ...body, status: res.status } as never;
  };
  const loginAs = async (kind: 'login' | 'customerLogin', email: string, password = EXAMPLE_PASSWORD) => {
    const r = await gql<{ l: { token?: string; message?: string } }>(
      `mutation($e: String!, $p: String!) { l: ${kind}(email: $e, password: $p) { ... on Session { token } ... on Error { message } } }`,
      { e: email, p: password },
    );
    const token = r.data?.l.token;
    if (!token) throw new Error(`login ${email} failed: ${JSON.stringify(r)}`);
    return token;
  };
  const em = () => db.orm.em.fork();
  const handle: TestServer = {
    url,
    app,
    restartApp: async ({ downForMs = 0 } = {}) => {
      await app.close();
      if (downForMs > 0) await new Promise((r) => setTimeout(r, downForMs));
      app = await buildApp(db, config, appOptions);
      handle.app = app;
      return app;
    },
    db,
    gql,
    login: (email, password) => loginAs('login', email, password),
    customerLogin: (email, password) => loginAs('customerLogin', email, password),
    sql: async (text, params = []) =>
      (await em()
        .getConnection()
        .execute(text, params as never[])) as never,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await app.close();
      await db.close();
      await fresh.drop();
    },
  };
  return handle;
}
