import type pg from 'pg';
import { gql, load, login, post, procCpuMs, withBenchServer } from './bench-server.ts';

/**
 * What the benchmarks of real tickets share: the example pack's templates as a call centre uses
 * them, a plain template beside them as the baseline, and per-operation figures (commits,
 * statements, server CPU, database CPU) measured around each run.
 */

export const CLIENTS = 32;

/** createTicket inputs for the example templates (and the plain baseline), valid against their forms. */
export const CREATE_INPUTS: Record<string, (i: number) => Record<string, unknown>> = {
  plain: (i) => ({
    templateKey: 'bench-plain',
    title: `Kettle leaks #${i}`,
    channel: 'phone',
    orgUnitId: 4,
    formData: returnsForm(i),
  }),
  'product-a-fault': (i) => ({
    templateKey: 'product-a-fault',
    title: `Unit A-${i} smokes`,
    channel: 'phone',
    orgUnitId: 4,
    formData: { serialNumber: `A-${1000 + i}`, symptom: 'Smoke from the fan' },
  }),
  'product-b-issue': (i) => ({
    templateKey: 'product-b-issue',
    title: `How do I reset B #${i}?`,
    channel: 'phone',
    orgUnitId: 4,
    formData: { question: 'The reset button does nothing' },
  }),
  returns: (i) => ({
    templateKey: 'returns',
    title: `Kettle leaks #${i}`,
    channel: 'phone',
    orgUnitId: 4,
    formData: returnsForm(i),
  }),
  'call-centre': (i) => ({
    templateKey: 'call-centre',
    title: `Caller ${i} asks for a repair`,
    channel: 'phone',
    formData: {
      callerNumber: `+86 138 0000 ${String(i % 10_000).padStart(4, '0')}`,
      serviceCategory: i % 2 ? 'repair' : 'billing',
      details: 'The washing machine stops mid-cycle.',
      needsFollowUp: i % 3 === 0,
    },
  }),
};

function returnsForm(i: number) {
  return {
    returnReason: 'defective',
    productModel: 'X200 kettle',
    purchaseDate: '2026-11-01',
    logistics: { carrier: 'SF Express', trackingNumber: `SF${100000 + i}` },
  };
}

export const CREATE = `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id number } ... on Error { message } } }`;

/** A template like `returns` but with no workflow and no SLA policy: the plain ticket of the same run. */
export async function createPlainTemplate(url: string, adminToken: string): Promise<void> {
  const returns = await gql<{
    template: { published: { content: { categoryPath: string[]; formSchema: unknown; uiSchema: unknown } } };
  }>(
    url,
    '{ template(key: "returns") { published { content { categoryPath formSchema uiSchema } } } }',
    {},
    adminToken,
  );
  const { categoryPath, formSchema, uiSchema } = returns.template.published.content;
  const created = await gql<{ createTemplate: { id: string } }>(
    url,
    'mutation($c: TemplateContentInput!) { createTemplate(key: "bench-plain", content: $c) { ... on TicketTemplate { id } } }',
    {
      c: {
        name: 'Bench plain',
        categoryPath,
        defaultPriority: 'normal',
        numberPattern: 'BP-{seq:7}',
        formSchema,
        ...(uiSchema ? { uiSchema } : {}),
      },
    },
    adminToken,
  );
  await gql(
    url,
    'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
    { id: created.createTemplate.id },
    adminToken,
  );
}

/** The server's counters (GET /metrics, loopback only). */
export async function serverCounters(url: string): Promise<{ statements: number; cpuSeconds: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);
  return { statements: value('docket_sql_statements_total'), cpuSeconds: value('process_cpu_seconds_total') };
}

/** Committed transactions of the bench database so far (statistics settle within a second while busy). */
export async function commits(pool: pg.Pool): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('select pg_stat_clear_snapshot()');
    const r = await c.query(
      'select xact_commit::int as n from pg_stat_database where datname = current_database()',
    );
    return r.rows[0].n as number;
  } finally {
    c.release();
  }
}

/** Updates so far of ticket rows and of workflow instance rows, and how many of each were HOT (no new index entries). */
export async function ticketUpdates(
  pool: pg.Pool,
): Promise<{ updates: number; hot: number; instanceUpdates: number; instanceHot: number }> {
  const c = await pool.connect();
  try {
    await c.query('select pg_stat_clear_snapshot()');
    const r = await c.query<{ relname: string; updates: number; hot: number }>(
      "select relname, n_tup_upd::int as updates, n_tup_hot_upd::int as hot from pg_stat_user_tables where relname in ('ticket', 'workflow_instance')",
    );
    const of = (table: string) => r.rows.find((row) => row.relname === table) ?? { updates: 0, hot: 0 };
    return {
      updates: of('ticket').updates,
      hot: of('ticket').hot,
      instanceUpdates: of('workflow_instance').updates,
      instanceHot: of('workflow_instance').hot,
    };
  } finally {
    c.release();
  }
}

/**
 * CPU time so far of the PostgreSQL backends serving the bench database (this machine's /proc),
 * by pid: what the database spends on the work, apart from other databases on the same server.
 */
export async function databaseCpu(pool: pg.Pool): Promise<Map<number, number>> {
  const r = await pool.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  const out = new Map<number, number>();
  for (const { pid } of r.rows) {
    const ms = procCpuMs(pid);
    if (ms !== null) out.set(pid, ms);
  }
  return out;
}

/** CPU ms the backends spent between two readings (a backend that ended meanwhile counts up to its last reading). */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

export type Figure = {
  name: string;
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  commitsPerOp: number;
  statementsPerOp: number;
  serverCpuMsPerOp: number;
  /** CPU of the bench database's PostgreSQL backends per operation. */
  databaseCpuMsPerOp: number;
  /** Updates of ticket rows per operation, and the share of them that were HOT. */
  ticketUpdatesPerOp: number;
  ticketHotShare: number;
  /** The share of workflow instance updates that were HOT (0 when none were updated). */
  instanceHotShare: number;
  failures: number;
};

/** Runs `count` operations on CLIENTS concurrent loops and measures them. */
export async function measure(
  name: string,
  ctx: { url: string; pool: pg.Pool },
  count: number,
  op: (i: number) => Promise<boolean>,
): Promise<Figure> {
  let failures = 0;
  const before = {
    counters: await serverCounters(ctx.url),
    commits: await commits(ctx.pool),
    database: await databaseCpu(ctx.pool),
    tickets: await ticketUpdates(ctx.pool),
  };
  const result = await load(count, CLIENTS, async (i) => {
    if (!(await op(i))) failures++;
  });
  const database = cpuBetween(before.database, await databaseCpu(ctx.pool));
  // A busy backend reports its counts at most once a second.
  await new Promise((r) => setTimeout(r, 1_500));
  const after = {
    counters: await serverCounters(ctx.url),
    commits: await commits(ctx.pool),
    tickets: await ticketUpdates(ctx.pool),
  };
  const updates = after.tickets.updates - before.tickets.updates;
  const instanceUpdates = after.tickets.instanceUpdates - before.tickets.instanceUpdates;
  return {
    name,
    count,
    perSecond: result.perSecond,
    p50: result.p50,
    p99: result.p99,
    commitsPerOp: (after.commits - before.commits) / count,
    statementsPerOp: (after.counters.statements - before.counters.statements) / count,
    serverCpuMsPerOp: ((after.counters.cpuSeconds - before.counters.cpuSeconds) * 1000) / count,
    databaseCpuMsPerOp: database / count,
    ticketUpdatesPerOp: updates / count,
    ticketHotShare: updates > 0 ? (after.tickets.hot - before.tickets.hot) / updates : 0,
    instanceHotShare:
      instanceUpdates > 0 ? (after.tickets.instanceHot - before.tickets.instanceHot) / instanceUpdates : 0,
    failures,
  };
}

/** One createTicket over HTTP; true when it answered a ticket. */
export async function createOne(
  url: string,
  token: string,
  input: Record<string, unknown>,
): Promise<boolean> {
  const r = await post(url, JSON.stringify({ query: CREATE, variables: { i: input } }), token);
  return r.status === 200 && r.text.includes('"Ticket"');
}

export function formatFigure(f: Figure, baseline?: Figure): string {
  const n = (x: number, d = 1) => x.toFixed(d);
  return `  ${f.name.padEnd(34)} ${n(f.perSecond).padStart(7)}/s  p50 ${n(f.p50).padStart(6)} ms  p99 ${n(f.p99).padStart(6)} ms  commits/op ${n(f.commitsPerOp, 2)}  statements/op ${n(f.statementsPerOp, 1)}  server CPU/op ${n(f.serverCpuMsPerOp, 2)} ms  database CPU/op ${n(f.databaseCpuMsPerOp, 2)} ms  ticket updates/op ${n(f.ticketUpdatesPerOp, 2)} (HOT ${n(f.ticketHotShare * 100, 0)} %)  instance updates HOT ${n(f.instanceHotShare * 100, 0)} %${baseline ? `  ratio ${n(f.perSecond / baseline.perSecond, 2)}` : ''}${f.failures ? `  FAILURES ${f.failures}` : ''}`;
}

/** The open tasks at a node of the example workflows, oldest first. */
export async function openTasksAt(pool: pg.Pool, node: string): Promise<string[]> {
  const r = await pool.query<{ id: string }>(
    "select id from workflow_task where status = 'open' and node_id = $1 order by created_at",
    [node],
  );
  return r.rows.map((row) => row.id);
}

/** An actOnTask call with the given arguments (`action: complete, output: {...}`); true when it answered a task. */
export const actOn =
  (url: string, token: string, args: string) =>
  async (taskId: string): Promise<boolean> => {
    const query = `mutation($t: ID!) { actOnTask(taskId: $t, ${args}) { __typename ... on Task { status } ... on Error { message } } }`;
    const r = await post(url, JSON.stringify({ query, variables: { t: taskId } }), token);
    return r.text.includes('"Task"');
  };

/** What the benchmarks of real tickets start from (see withRealServer). */
export type RealServer = {
  url: string;
  pool: pg.Pool;
  /** Tokens of the example pack's admin and of a store agent (who creates the tickets). */
  admin: string;
  agent: string;
  /** What `measure` reads its counters through. */
  ctx: { url: string; pool: pg.Pool };
  /** A createTicket by the agent on one of CREATE_INPUTS; true when it answered a ticket. */
  create: (key: string, i: number) => Promise<boolean>;
  /** The open tasks at a node of the example workflows, oldest first. */
  openTasks: (node: string) => Promise<string[]>;
  /** An actOnTask call by the admin with the given arguments (see actOn). */
  act: (args: string) => (taskId: string) => Promise<boolean>;
};

/**
 * The real server on a fresh database with the example pack and the plain template beside it,
 * logged in as the admin and a store agent, for the length of `work` (then stopped and dropped).
 */
export function withRealServer<T>(work: (s: RealServer) => Promise<T>): Promise<T> {
  return withBenchServer(async ({ url, pool }) => {
    const admin = await login(url, 'admin@docket.local');
    const agent = await login(url, 'agent.a@docket.local');
    await createPlainTemplate(url, admin);
    return work({
      url,
      pool,
      admin,
      agent,
      ctx: { url, pool },
      create: (key, i) => {
        const input = CREATE_INPUTS[key];
        if (!input) throw new Error(`No createTicket input for "${key}".`);
        return createOne(url, agent, input(i));
      },
      openTasks: (node) => openTasksAt(pool, node),
      act: (args) => actOn(url, admin, args),
    });
  });
}
