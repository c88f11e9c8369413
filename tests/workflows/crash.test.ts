import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@docket/db';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { databaseKind, freshDatabaseUrl } from '../helpers/test-database.ts';

/**
 * The crash test of the workflow engine: SIGKILL the server while 200 instances advance, restart
 * it on the same database, and check that every instance ends where an uninterrupted run ends and
 * that no side effect happened twice.
 *
 * Each instance makes two outside calls (to an endpoint in this process that applies an effect at
 * most once per idempotency key) and waits on a durable timer between them.
 */

const INSTANCES = 200;
const CALLS_PER_RUN = 2;
/** How long the restarted server gets to finish every instance. */
const RECOVERY_MS = 120_000;
const EXPECTED_PATH = ['start', 'call1', 'check', 'wait', 'call2', 'mark', 'done'];

// ---------------------------------------------------------------------------------------------
// The outside system: applies an effect at most once per idempotency key.

type KeyRecord = {
  instanceId: string;
  nodeId: string;
  /** How many requests carried this key. */
  received: number;
  /** How many times the effect was applied (must stay 1). */
  applied: number;
  /** Requests with this key received before the kill / after the restart. */
  beforeKill: number;
  afterRestart: number;
  answer: { ok: true; effect: number; node: string };
};

type Endpoint = {
  url: string;
  keys: Map<string, KeyRecord>;
  stats: { requests: number; withoutKey: number; badRequests: string[]; inFlight: number };
  /** Which phase the next requests belong to. */
  phase: 'before' | 'after';
  close: () => Promise<void>;
};

async function startEndpoint(): Promise<Endpoint> {
  const keys = new Map<string, KeyRecord>();
  const stats: Endpoint['stats'] = { requests: 0, withoutKey: 0, badRequests: [], inFlight: 0 };
  let effects = 0;
  const endpoint = { keys, stats, phase: 'before' } as Endpoint;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      const key = req.headers['idempotency-key'];
      const body = Buffer.concat(chunks).toString('utf8');
      if (typeof key !== 'string' || !key) {
        stats.withoutKey++;
        res.writeHead(400).end();
        return;
      }
      if (req.method !== 'POST' || !req.url?.startsWith('/effects/') || !body.includes('"crash-test"'))
        stats.badRequests.push(`${req.method} ${req.url} ${body}`);
      let rec = keys.get(key);
      if (!rec) {
        // The step key is instanceId/tokenId/nodeId/seq.
        const [instanceId = '', , nodeId = ''] = key.split('/');
        rec = {
          instanceId,
          nodeId,
          received: 0,
          applied: 0,
          beforeKill: 0,
          afterRestart: 0,
          answer: { ok: true, effect: 0, node: nodeId },
        };
        keys.set(key, rec);
      }
      rec.received++;
      if (endpoint.phase === 'before') rec.beforeKill++;
      else rec.afterRestart++;
      if (rec.applied === 0) {
        // The effect, applied once; a repeat of the key gets the same answer back.
        rec.applied++;
        rec.answer = { ok: true, effect: ++effects, node: rec.nodeId };
      }
      const answer = JSON.stringify(rec.answer);
      // Answer a little later, so that calls are in flight when the kill lands.
      stats.inFlight++;
      setTimeout(
        () => {
          stats.inFlight--;
          if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
        },
        20 + Math.floor(Math.random() * 300),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return endpoint;
}

// ---------------------------------------------------------------------------------------------
// The server, as a child process on a database that survives it.

const startServer = (env: Record<string, string>): Promise<ServerProcess> =>
  startServerProcess({ DATABASE_URL: '', DOCKET_TIME_ZONE: 'Asia/Shanghai', ...env });

/** The server's output without its info lines (one per outbound call). */
const notInfo = (out: string) =>
  out
    .split('\n')
    .filter((l) => !l.startsWith('{"level":"info"'))
    .join('\n');

const isRunning = (p: ChildProcess | undefined) => !!p && p.exitCode === null && p.signalCode === null;

const kill = (p: ServerProcess, signal: NodeJS.Signals): Promise<void> => p.stop(signal);

// ---------------------------------------------------------------------------------------------
// GraphQL against whichever server process is current.

async function gql<T = any>(base: string, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(body)}`);
  return body.data;
}

async function login(base: string): Promise<string> {
  const d = await gql(
    base,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ... on Session { token } ... on Error { message } } }',
    { e: 'admin@docket.local', p: 'docket-demo' },
  );
  if (!d.login.token) throw new Error(`login failed: ${JSON.stringify(d)}`);
  return d.login.token as string;
}

/** Runs fn over items with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function crashGraph(endpointUrl: string) {
  const node = (id: string, type: string, config: unknown, y: number) => ({
    id,
    type,
    typeVersion: 1,
    config,
    position: { x: 0, y },
  });
  const call = (step: string) => ({
    method: 'POST',
    url: `${endpointUrl}/effects/${step}`,
    headers: { 'x-docket-test': 'crash' },
    body: { purpose: 'crash-test', step },
    allowedHosts: ['127.0.0.1'],
    timeoutMs: 5000,
    retries: 3,
  });
  const nodes = [
    node('start', 'start', { trigger: 'ticket_created' }, 0),
    node('call1', 'http_request', call('first'), 100),
    node(
      'check',
      'condition',
      { branches: [{ id: 'ok', label: 'OK', when: 'steps.call1.body.ok == true' }] },
      200,
    ),
    node('wait', 'timer', { mode: 'duration', amount: 0.02, unit: 'minutes', time: 'calendar' }, 300),
    node('call2', 'http_request', call('second'), 400),
    node(
      'mark',
      'set_fields',
      {
        fields: [
          { field: 'priority', value: 'high' },
          { field: 'crashChecked', value: true },
        ],
      },
      500,
    ),
    node('done', 'end', { status: 'solved' }, 600),
    node('failed', 'end', { status: 'closed' }, 700),
  ];
  const edges = [
    ['start', 'out', 'call1'],
    ['call1', 'out', 'check'],
    ['call1', 'error', 'failed'],
    ['check', 'ok', 'wait'],
    ['check', 'else', 'failed'],
    ['wait', 'out', 'call2'],
    ['call2', 'out', 'mark'],
    ['call2', 'error', 'failed'],
    ['mark', 'out', 'done'],
  ].map(([source, sourcePort, target], i) => ({ id: `e${i + 1}`, source, sourcePort, target }));
  return { nodes, edges };
}

const TICKET = `query($id: ID!) {
  ticket(id: $id) {
    id number status priority
    tasks { id }
    timeline { kind }
    workflowInstances { id status currentNodes trace }
  }
}`;

type TicketView = {
  id: string;
  number: string;
  status: string;
  priority: string;
  tasks: { id: string }[];
  timeline: { kind: string }[];
  workflowInstances: {
    id: string;
    status: string;
    currentNodes: string[];
    trace: { kind: string; nodeId?: string }[];
  }[];
};

const stepPath = (t: TicketView) =>
  (t.workflowInstances[0]?.trace ?? []).filter((e) => e.kind === 'step').map((e) => e.nodeId);
const kindsOf = (t: TicketView) => t.timeline.map((e) => e.kind).sort();

// ---------------------------------------------------------------------------------------------

describe(`workflow engine crash (${databaseKind()})`, () => {
  let endpoint: Endpoint | undefined;
  let server: ServerProcess | undefined;
  let dropDatabase: () => Promise<void> = async () => {};
  let dataDir: string | undefined;

  afterAll(async () => {
    if (server) await kill(server, 'SIGKILL').catch(() => {});
    await endpoint?.close().catch(() => {});
    await dropDatabase().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('SIGKILL while 200 instances advance: after a restart each ends as an uninterrupted run, no effect twice', async () => {
    const t0 = Date.now();
    onTestFailed(() => {
      if (server)
        console.error(`server output (warnings and errors):\n${notInfo(server.output()).slice(-6000)}`);
    });
    endpoint = await startEndpoint();

    // A database that outlives the process: a fresh one on TEST_DATABASE_URL, else PGlite on disk.
    const fresh = await freshDatabaseUrl();
    dropDatabase = fresh.drop;
    if (!fresh.url) dataDir = mkdtempSync(join(tmpdir(), 'docket-crash-'));
    const env: Record<string, string> = fresh.url ? { DATABASE_URL: fresh.url } : { DATA_DIR: dataDir! };
    server = await startServer(env);
    let token = await login(server.url);

    // The workflow and a template that runs it, through the API as an admin would.
    const suffix = randomBytes(3).toString('hex');
    const wf = await gql(
      server.url,
      `mutation($key: String!, $name: String!, $graph: JSON) {
        createWorkflow(key: $key, name: $name, graph: $graph) {
          __typename ... on Workflow { id draftProblems { path message } } ... on Error { message }
        }
      }`,
      { key: `crash-${suffix}`, name: 'Crash test', graph: crashGraph(endpoint.url) },
      token,
    );
    expect(wf.createWorkflow.__typename, JSON.stringify(wf)).toBe('Workflow');
    expect(wf.createWorkflow.draftProblems).toEqual([]);
    const published = await gql(
      server.url,
      `mutation($id: ID!) { publishWorkflow(id: $id) {
        __typename ... on WorkflowVersion { version } ... on ValidationError { message fields { path message } }
      } }`,
      { id: wf.createWorkflow.id },
      token,
    );
    expect(published.publishWorkflow.__typename, JSON.stringify(published)).toBe('WorkflowVersion');
    const tpl = await gql(
      server.url,
      `mutation($key: String!, $content: TemplateContentInput!) {
        createTemplate(key: $key, content: $content) {
          __typename ... on TicketTemplate { id } ... on ValidationError { message fields { path message } }
        }
      }`,
      {
        key: `crash-${suffix}`,
        content: {
          name: 'Crash test',
          categoryPath: ['Tests', 'Crash'],
          defaultPriority: 'normal',
          numberPattern: 'CR-{seq:6}',
          formSchema: { type: 'object', properties: { ref: { type: 'string' } } },
          workflowKey: `crash-${suffix}`,
        },
      },
      token,
    );
    expect(tpl.createTemplate.__typename, JSON.stringify(tpl)).toBe('TicketTemplate');
    const templateId = tpl.createTemplate.id as string;
    const pub = await gql(
      server.url,
      `mutation($id: ID!) { publishTemplate(id: $id) {
        __typename ... on TemplateVersion { id } ... on ValidationError { message fields { path message } }
      } }`,
      { id: templateId },
      token,
    );
    expect(pub.publishTemplate.__typename, JSON.stringify(pub)).toBe('TemplateVersion');

    const createTicket = async (ref: string): Promise<string> => {
      const d = await gql(
        server!.url,
        `mutation($input: CreateTicketInput!) { createTicket(input: $input) {
          __typename ... on Ticket { id } ... on ValidationError { message fields { path message } }
        } }`,
        { input: { templateId: Number(templateId), title: `Crash ${ref}`, formData: { ref } } },
        token,
      );
      if (d.createTicket.__typename !== 'Ticket') throw new Error(JSON.stringify(d));
      return d.createTicket.id as string;
    };
    const ticket = async (id: string): Promise<TicketView> =>
      (await gql<{ ticket: TicketView }>(server!.url, TICKET, { id }, token)).ticket;
    const solvedCount = async (): Promise<number> =>
      (
        await gql(
          server!.url,
          'query($f: TicketFilter) { tickets(filter: $f, first: 0) { totalCount } }',
          { f: { templateId: [templateId], status: ['solved'] } },
          token,
        )
      ).tickets.totalCount as number;

    // The uninterrupted run: one ticket, start to end, with nobody killing anything.
    const controlId = await createTicket('control');
    let control = await ticket(controlId);
    for (const until = Date.now() + 30_000; control.status !== 'solved' && Date.now() < until; ) {
      await sleep(250);
      control = await ticket(controlId);
    }
    expect(control.status, JSON.stringify(control)).toBe('solved');
    expect(control.workflowInstances).toHaveLength(1);
    expect(control.workflowInstances[0]!.status).toBe('completed');
    expect(stepPath(control)).toEqual(EXPECTED_PATH);
    expect(control.priority).toBe('high');
    expect(control.tasks).toEqual([]);
    expect(control.timeline.filter((e) => e.kind === 'workflow.ended')).toHaveLength(1);
    const controlKinds = kindsOf(control);
    const controlDone = Date.now() - t0;

    // 200 tickets at once, then the kill once the endpoint has seen about half of their calls.
    const callsBefore = endpoint.stats.requests;
    const created = Date.now();
    const ids = await pool(
      Array.from({ length: INSTANCES }, (_, i) => i),
      25,
      (i) => createTicket(`run-${i}`),
    );
    const createdMs = Date.now() - created;
    const half = callsBefore + (INSTANCES * CALLS_PER_RUN) / 2;
    for (const until = Date.now() + 60_000; endpoint.stats.requests < half && Date.now() < until; )
      await sleep(20);
    const atKill = {
      calls: endpoint.stats.requests - callsBefore,
      inFlight: endpoint.stats.inFlight,
      firstCalls: [...endpoint.keys.values()].filter((k) => k.nodeId === 'call1').length - 1,
      secondCalls: [...endpoint.keys.values()].filter((k) => k.nodeId === 'call2').length - 1,
    };
    await kill(server, 'SIGKILL');
    endpoint.phase = 'after';
    const killedAt = Date.now();
    const firstOutput = server.output();

    // The same database, a new process.
    server = await startServer(env);
    const restartMs = Date.now() - killedAt;
    token = await login(server.url);
    let solved = await solvedCount();
    const solvedAfterRestart = solved;
    const recoverUntil = Date.now() + RECOVERY_MS;
    while (solved < INSTANCES + 1 && Date.now() < recoverUntil) {
      await sleep(1000);
      if (!isRunning(server.proc))
        throw new Error(
          `the restarted server exited (${server.proc.exitCode ?? server.proc.signalCode}) while instances recovered:\n` +
            notInfo(server.output()).slice(-6000),
        );
      solved = await solvedCount();
    }
    const recoveryMs = Date.now() - killedAt;

    const summary = {
      database: databaseKind(),
      controlRunMs: controlDone,
      create200Ms: createdMs,
      atKill,
      restartMs,
      solvedRightAfterRestart: solvedAfterRestart - 1,
      recoveryMs,
      solved: solved - 1,
    };
    if (solved < INSTANCES + 1) {
      // Before failing, say where the unfinished instances wait.
      const stuck = (await pool(ids, 10, ticket)).filter((t) => t.status !== 'solved');
      const where: Record<string, number> = {};
      for (const t of stuck) {
        const at = `${t.status}:${t.workflowInstances[0]?.status}:${t.workflowInstances[0]?.currentNodes.join(',')}`;
        where[at] = (where[at] ?? 0) + 1;
      }
      await kill(server, 'SIGTERM');
      const jobs = await inspectDatabase(fresh.url, dataDir).catch((e) => `could not inspect: ${e}`);
      throw new Error(
        `${INSTANCES + 1 - solved} tickets not solved ${RECOVERY_MS / 1000} s after the restart.\n` +
          `summary: ${JSON.stringify(summary)}\nunsolved by status:instance:node: ${JSON.stringify(where)}\n` +
          `database after a clean stop: ${JSON.stringify(jobs, null, 1)}\n` +
          `server output (restart, warnings and errors): ${notInfo(server.output()).slice(-3000)}\n` +
          `server output (killed, warnings and errors): ${notInfo(firstOutput).slice(-1500)}`,
      );
    }

    // Every ticket ended as the uninterrupted run ended, and nothing in Docket happened twice.
    const views = await pool(ids, 10, ticket);
    const byInstance = new Map<string, TicketView>();
    for (const t of views) {
      expect(t.status, t.number).toBe('solved');
      expect(t.priority, t.number).toBe('high');
      expect(t.tasks, t.number).toEqual([]);
      expect(t.workflowInstances, t.number).toHaveLength(1);
      const [instance] = t.workflowInstances;
      expect(instance!.status, t.number).toBe('completed');
      expect(instance!.currentNodes, t.number).toEqual([]);
      expect(stepPath(t), t.number).toEqual(EXPECTED_PATH);
      expect(kindsOf(t), `${t.number} timeline`).toEqual(controlKinds);
      expect(
        t.timeline.filter((e) => e.kind === 'workflow.ended'),
        t.number,
      ).toHaveLength(1);
      byInstance.set(instance!.id, t);
    }
    byInstance.set(control.workflowInstances[0]!.id, control);

    // The outside system: exactly two effects per ticket, each applied once.
    expect(endpoint.stats.withoutKey).toBe(0);
    expect(endpoint.stats.badRequests).toEqual([]);
    const keys = [...endpoint.keys.entries()];
    const perInstance = new Map<string, string[]>();
    for (const [key, rec] of keys) {
      expect(byInstance.has(rec.instanceId), `key ${key} belongs to no ticket of this run`).toBe(true);
      expect(rec.applied, `effect of ${key} applied`).toBe(1);
      perInstance.set(rec.instanceId, [...(perInstance.get(rec.instanceId) ?? []), rec.nodeId]);
    }
    expect(keys).toHaveLength((INSTANCES + 1) * CALLS_PER_RUN);
    for (const [instanceId, t] of byInstance)
      expect(perInstance.get(instanceId)?.sort(), `calls of ${t.number}`).toEqual(['call1', 'call2']);
    const applied = keys.reduce((n, [, r]) => n + r.applied, 0);
    expect(applied).toBe((INSTANCES + 1) * CALLS_PER_RUN);

    await kill(server, 'SIGTERM');
    const db = await inspectDatabase(fresh.url, dataDir);
    // Every outbound call of every attempt was answered and recorded; no workflow job is left over.
    expect(db.outboundCalls).toEqual({ done: (INSTANCES + 1) * CALLS_PER_RUN });
    expect(db.unfinishedJobs).toEqual([]);

    const duplicates = keys.reduce((n, [, r]) => n + r.received - 1, 0);
    console.log(
      `crash test (${databaseKind()}): ${JSON.stringify({
        ...summary,
        keys: keys.length,
        applied,
        duplicatesReceivedAndDeduplicated: duplicates,
        keysSeenBeforeKillAndAgainAfter: keys.filter(([, r]) => r.beforeKill > 0 && r.afterRestart > 0)
          .length,
        jobsByState: db.jobs,
        totalMs: Date.now() - t0,
      })}`,
    );
  }, 240_000);
});

/** Opens the database the server used (after it stopped) and reports outbound calls and job states. */
async function inspectDatabase(url: string | undefined, dataDir: string | undefined) {
  const db = await openDatabase(
    url ? { databaseUrl: url, poolSize: 2 } : { dataDir: join(dataDir!, 'pglite') },
  );
  try {
    const conn = db.orm.em.fork().getConnection();
    const calls = (await conn.execute(
      'select status, count(*)::int as n from outbound_call group by status',
    )) as { status: string; n: number }[];
    const jobs = (await conn.execute(
      `select name, state, count(*)::int as n from pgboss.job
        where name like 'workflow-%' group by name, state order by name, state`,
    )) as { name: string; state: string; n: number }[];
    return {
      outboundCalls: Object.fromEntries(calls.map((r) => [r.status, r.n])),
      jobs: Object.fromEntries(jobs.map((r) => [`${r.name}:${r.state}`, r.n])),
      unfinishedJobs: jobs.filter((r) => r.state !== 'completed').map((r) => `${r.name}:${r.state}=${r.n}`),
    };
  } finally {
    await db.close();
  }
}
