/**
 * Durable workflow executions per second on real PostgreSQL. First line: the example `returns`
 * workflow, whose steps wait on people, run to its end over HTTP (see humanSteps). Second: a
 * self-contained workflow, where one execution is one ticket whose
 * workflow instance runs start -> condition -> set fields -> end as the ticket is created, so the
 * ticket commits solved with its priority raised. Such a workflow only changes its own ticket:
 * Docket runs the instance to its end in memory and writes ticket, audit trail, SLA clocks and
 * completed instance in one statement (a workflow that reads the ticket's id, number or creation
 * time first draws them with one read). Target: 1,000/s.
 *
 *   BENCH_ONLY=workflow npm run bench        (or: npx tsx tests/bench/workflow.bench.ts)
 *
 * Two paths, each beside a baseline in the same run (as many createTicket calls on a template
 * that runs no workflow):
 *   - HTTP: the real server process (`npm start`), createTicket over GraphQL, 32 clients;
 *   - in-process: buildApp + createTicket called directly with 32 concurrent callers, no HTTP or
 *     GraphQL, so the report shows what the durable execution itself costs.
 * Per run: executions/s, p50/p99, commits per execution (pg_stat_database.xact_commit of the bench
 * database, minus pg-boss's idle commits measured over an idle window), CPU per execution of the
 * load generator, the server and PostgreSQL. Then a sequential profile counts the SQL statements
 * of one execution and their database time. Afterwards SQL checks that every instance completed
 * and every ticket is solved with the field set; any miss fails the benchmark.
 *
 * A last row runs the floor: raw `pg`, one autocommit statement writing what an execution leaves
 * behind (the ticket already solved with priority high, its three audit events, the completed
 * instance), to show what this machine's PostgreSQL can do with that data in one round trip.
 *
 * The machine may be shared: besides executions/s, each row shows the CPU one call costs and
 * `cap/s`, the rate this machine's cores would sustain at that cost with nothing else running.
 *
 * BENCH_WORKFLOW_TICKETS (default 10000) sets the executions per measured run.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Principal } from '@docket/core';
import { forkEm, openDatabase } from '@docket/db';
import { buildApp } from '@docket/server';
import pg from 'pg';
import { readConfig } from '../../server/src/config.ts';
import { type CreateTicketInput, createTicket } from '../../server/src/tickets/create-ticket.ts';
import {
  benchDatabase,
  benchDatabaseBase,
  gql,
  load,
  login,
  post,
  procCpuMs,
  startServerProcess,
} from './bench-server.ts';
import { type Figure, formatFigure, measure, withRealServer } from './real-load.ts';

export const TARGET_PER_SECOND = 1000;
const TOTAL = Number(process.env.BENCH_WORKFLOW_TICKETS ?? 10_000);
const CLIENTS = 32;
// Long enough for V8 to optimise the hot path: shorter runs measure the JIT more than the server.
const WARMUP = Math.min(2000, Math.max(100, Math.round(TOTAL / 5)));
/** Sequential executions whose statements are counted and timed. */
const PROFILE = 300;
/** An idle backend flushes its pending statistics up to 10 s after its last transaction (PGSTAT_IDLE_INTERVAL). */
const SETTLE_MS = Number(process.env.BENCH_STATS_SETTLE_MS ?? 10_500);
const IDLE_MS = 5_000;

const FLOW = 'bench-flow';
const PLAIN = 'bench-plain';
type Kind = typeof FLOW | typeof PLAIN;

/** start -> condition (form amount or urgent priority) -> set fields (priority high) -> end (solved). */
const graph = {
  nodes: [
    {
      id: 'start',
      type: 'start',
      typeVersion: 1,
      config: { trigger: 'ticket_created' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'route',
      type: 'condition',
      typeVersion: 1,
      config: {
        branches: [
          {
            id: 'big',
            label: 'Large or urgent',
            when: 'form.amount > 1000.0 || ticket.priority == "urgent"',
          },
        ],
      },
      position: { x: 0, y: 120 },
    },
    {
      id: 'raise',
      type: 'set_fields',
      typeVersion: 1,
      config: { fields: [{ field: 'priority', value: 'high' }] },
      position: { x: 0, y: 240 },
    },
    { id: 'done', type: 'end', typeVersion: 1, config: { status: 'solved' }, position: { x: 0, y: 360 } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourcePort: 'out', target: 'route' },
    { id: 'e2', source: 'route', sourcePort: 'big', target: 'raise' },
    { id: 'e3', source: 'route', sourcePort: 'else', target: 'done' },
    { id: 'e4', source: 'raise', sourcePort: 'out', target: 'done' },
  ],
};

const templateContent = (name: string, numberPattern: string, workflowKey?: string) => ({
  name,
  categoryPath: ['Bench'],
  defaultPriority: 'normal',
  numberPattern,
  formSchema: {
    type: 'object',
    required: ['amount', 'reason'],
    properties: {
      amount: { type: 'number', title: 'Amount', minimum: 0 },
      reason: { type: 'string', title: 'Reason', minLength: 2 },
    },
  },
  ...(workflowKey ? { workflowKey } : {}),
});

const ticketInput = (templateKey: Kind): CreateTicketInput => ({
  templateKey,
  title: 'Refund for a leaking kettle',
  description: 'Customer reports water under the kettle after each use.',
  channel: 'phone',
  orgUnitId: 4,
  formData: { amount: 1500.5, reason: 'Leaks from the base' },
});

const CREATE = `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id status priority } ... on Error { message } } }`;
const createBody = (kind: Kind) => JSON.stringify({ query: CREATE, variables: { i: ticketInput(kind) } });

/** What a created ticket must look like when the call returns (the workflow ran in its transaction). */
const expected = {
  [FLOW]: { status: 'solved', priority: 'high' },
  [PLAIN]: { status: 'new', priority: 'normal' },
};

/** Creates and publishes the workflow and both templates through GraphQL, as the admin. */
async function setUp(url: string, token: string): Promise<void> {
  const check = (what: string, r: { __typename: string; message?: string; fields?: unknown }, ok: string) => {
    if (r.__typename !== ok)
      throw new Error(`${what}: ${r.__typename} ${r.message ?? ''} ${JSON.stringify(r.fields ?? '')}`);
    return r as { __typename: string; id: string };
  };
  const errors = '... on Error { message } ... on ValidationError { fields { path message } }';
  const wf = await gql(
    url,
    `mutation($g: JSON) { r: createWorkflow(key: "${FLOW}", name: "Bench: 4 nodes", graph: $g) { __typename ... on Workflow { id } ${errors} } }`,
    { g: graph },
    token,
  );
  const wfId = check('createWorkflow', wf.r, 'Workflow').id;
  const pub = await gql(
    url,
    `mutation($id: ID!) { r: publishWorkflow(id: $id) { __typename ... on WorkflowVersion { id } ${errors} } }`,
    { id: wfId },
    token,
  );
  check('publishWorkflow', pub.r, 'WorkflowVersion');
  for (const [key, content] of [
    [FLOW, templateContent('Bench with workflow', 'WF-{seq:8}', FLOW)],
    [PLAIN, templateContent('Bench without workflow', 'PL-{seq:8}')],
  ] as const) {
    const t = await gql(
      url,
      `mutation($k: String!, $c: TemplateContentInput!) { r: createTemplate(key: $k, content: $c) { __typename ... on TicketTemplate { id } ${errors} } }`,
      { k: key, c: content },
      token,
    );
    const id = check(`createTemplate ${key}`, t.r, 'TicketTemplate').id;
    const v = await gql(
      url,
      `mutation($id: ID!) { r: publishTemplate(id: $id) { __typename ... on TemplateVersion { id } ${errors} } }`,
      { id },
      token,
    );
    check(`publishTemplate ${key}`, v.r, 'TemplateVersion');
  }
}

// ---- measuring: commits and CPU ------------------------------------------------------------------

/** Statistics of the bench database, read from a connection to another database (so they stay out of its figures). */
class Stats {
  private constructor(
    private readonly admin: pg.Client,
    private readonly dbName: string,
  ) {}

  static async open(dbUrl: string): Promise<Stats> {
    const admin = new pg.Client({ connectionString: benchDatabaseBase() });
    await admin.connect();
    return new Stats(admin, new URL(dbUrl).pathname.slice(1));
  }

  async commits(): Promise<{ commits: number; rollbacks: number; at: number }> {
    await this.admin.query('select pg_stat_clear_snapshot()');
    const r = await this.admin.query<{ c: string; r: string }>(
      'select xact_commit as c, xact_rollback as r from pg_stat_database where datname = $1',
      [this.dbName],
    );
    return { commits: Number(r.rows[0]!.c), rollbacks: Number(r.rows[0]!.r), at: performance.now() };
  }

  /** PostgreSQL processes working for the bench database, and the shared ones (WAL writer, checkpointer). */
  async pgPids(): Promise<number[]> {
    const r = await this.admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where (datname = $1 or datname is null) and pid <> pg_backend_pid()',
      [this.dbName],
    );
    return r.rows.map((x) => x.pid);
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}

/** Busy and total CPU time of the whole machine in ms, from /proc/stat. */
function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3]! + v[4]!;
  return { busy: ((total - idle) * 1000) / 100, total: (total * 1000) / 100 };
}

type CpuSnapshot = {
  bench: number;
  server: number | null;
  pg: Map<number, number>;
  machine: { busy: number; total: number };
};

async function cpuSnapshot(stats: Stats, serverPid: number | null): Promise<CpuSnapshot> {
  const u = process.cpuUsage();
  const pgCpu = new Map<number, number>();
  for (const pid of await stats.pgPids()) {
    const ms = procCpuMs(pid);
    if (ms !== null) pgCpu.set(pid, ms);
  }
  return {
    bench: (u.user + u.system) / 1000,
    server: serverPid === null ? null : procCpuMs(serverPid),
    pg: pgCpu,
    machine: machineCpuMs(),
  };
}

/** CPU ms spent between two snapshots: this process, the server process, PostgreSQL, and the machine's busy share. */
function cpuBetween(a: CpuSnapshot, b: CpuSnapshot) {
  let pgMs = 0;
  for (const [pid, ms] of b.pg) pgMs += ms - (a.pg.get(pid) ?? 0);
  const total = b.machine.total - a.machine.total;
  return {
    benchMs: b.bench - a.bench,
    serverMs: a.server !== null && b.server !== null ? b.server - a.server : 0,
    pgMs,
    machineBusy: total > 0 ? (b.machine.busy - a.machine.busy) / total : 0,
  };
}

const CORES = availableParallelism();
const capOf = (cpuMsPerCall: number) => (CORES * 1000) / cpuMsPerCall;

export type RunFigure = {
  kind: Kind;
  executions: number;
  perSecond: number;
  p50: number;
  p99: number;
  seconds: number;
  /** Commits of the bench database per call, with pg-boss's idle commits over the window taken off. */
  commitsPerExecution: number;
  /** Commits counted in the window (raw) and those attributed to pg-boss's idle work. */
  rawCommits: number;
  idleCommits: number;
  rollbacks: number;
  /** CPU ms per call: load generator (this process), server process, PostgreSQL backends. */
  cpu: { benchMs: number; serverMs: number; pgMs: number; machineBusy: number };
  /** Calls/s this machine's cores would sustain at this CPU cost per call (server side and PostgreSQL). */
  capPerSecond: number;
};

export type PathResult = {
  path: 'http' | 'in-process';
  idleCommitsPerSecond: number;
  plain: RunFigure;
  flow: RunFigure;
  /** Workflow executions/s over the no-workflow baseline's tickets/s. */
  ratio: number;
};

type Exec = (kind: Kind, i: number) => Promise<void>;

/** Warm-up, idle window, then the baseline and the workflow run, each with commits and CPU. */
async function measurePath(
  path: PathResult['path'],
  stats: Stats,
  serverPid: number | null,
  exec: Exec,
  counts: Record<Kind, number>,
): Promise<PathResult> {
  const counted: Exec = async (kind, i) => {
    await exec(kind, i);
    counts[kind]++;
  };
  await load(WARMUP, CLIENTS, (i) => counted(PLAIN, i));
  await load(WARMUP, CLIENTS, (i) => counted(FLOW, i));
  await sleep(SETTLE_MS);
  const idle0 = await stats.commits();
  await sleep(IDLE_MS);
  let last = await stats.commits();
  const idleCommitsPerSecond = ((last.commits - idle0.commits) * 1000) / (last.at - idle0.at);

  const measure = async (kind: Kind): Promise<RunFigure> => {
    const before = last;
    const cpu0 = await cpuSnapshot(stats, serverPid);
    const r = await load(TOTAL, CLIENTS, (i) => counted(kind, i));
    const cpu1 = await cpuSnapshot(stats, serverPid);
    await sleep(SETTLE_MS);
    const after = await stats.commits();
    last = after;
    const rawCommits = after.commits - before.commits;
    const idleCommits = (idleCommitsPerSecond * (after.at - before.at)) / 1000;
    const c = cpuBetween(cpu0, cpu1);
    return {
      kind,
      executions: TOTAL,
      ...r,
      commitsPerExecution: (rawCommits - idleCommits) / TOTAL,
      rawCommits,
      idleCommits,
      rollbacks: after.rollbacks - before.rollbacks,
      cpu: {
        benchMs: c.benchMs / TOTAL,
        serverMs: c.serverMs / TOTAL,
        pgMs: c.pgMs / TOTAL,
        machineBusy: c.machineBusy,
      },
      // Over HTTP the load generator is not the server's cost; in process both are this process.
      capPerSecond: capOf((serverPid === null ? c.benchMs : c.serverMs) / TOTAL + c.pgMs / TOTAL),
    };
  };
  // The baseline first: the workflow run then works on the larger tables, which does not flatter it.
  const plain = await measure(PLAIN);
  const flow = await measure(FLOW);
  return { path, idleCommitsPerSecond, plain, flow, ratio: flow.perSecond / plain.perSecond };
}

// ---- profile: statements of one execution ---------------------------------------------------------

export type Profile = {
  kind: Kind;
  executions: number;
  statementsPerExecution: number;
  /** Mean latency of one call, sequential (no concurrency). */
  latencyMs: number;
  /** Mean time per call spent waiting on PostgreSQL round trips. */
  dbMs: number;
  statements: { count: number; meanMs: number; sql: string }[];
};

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;

/** Counts and times every statement the app sends through `pg` (pg-boss's own polling and clock check left out). */
async function profile(exec: Exec, kind: Kind, counts: Record<Kind, number>): Promise<Profile> {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  const seen = new Map<string, { count: number; ms: number }>();
  let dbMs = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    if (/pgboss|^SELECT round\(date_part\('epoch', now\(\)\)/i.test(text)) return original.apply(this, args);
    // MikroORM inlines the parameters into the text: take literals out so each statement counts once.
    const key = text
      .replace(/E?'(?:[^']|'')*'/g, '?')
      .replace(/\b\d+(?:\.\d+)?\b/g, '?')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 90);
    const t0 = performance.now();
    const done = () => {
      const ms = performance.now() - t0;
      dbMs += ms;
      const s = seen.get(key) ?? { count: 0, ms: 0 };
      s.count++;
      s.ms += ms;
      seen.set(key, s);
    };
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as (...a: unknown[]) => void;
      args[last] = (...a: unknown[]) => {
        done();
        cb(...a);
      };
      return original.apply(this, args);
    }
    const out = original.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).finally(done);
    return out;
  };
  const started = performance.now();
  try {
    for (let i = 0; i < PROFILE; i++) {
      await exec(kind, i);
      counts[kind]++;
    }
  } finally {
    proto.query = original;
  }
  const elapsed = performance.now() - started;
  const total = [...seen.values()].reduce((a, s) => a + s.count, 0);
  return {
    kind,
    executions: PROFILE,
    statementsPerExecution: total / PROFILE,
    latencyMs: elapsed / PROFILE,
    dbMs: dbMs / PROFILE,
    statements: [...seen.entries()]
      .map(([sql, s]) => ({ count: s.count / PROFILE, meanMs: s.ms / s.count, sql }))
      .sort((a, b) => b.count - a.count),
  };
}

// ---- the floor: the same rows in one statement -----------------------------------------------------

export type FloorFigure = {
  perSecond: number;
  p50: number;
  p99: number;
  cpu: { benchMs: number; pgMs: number; machineBusy: number };
  capPerSecond: number;
};

/**
 * What one execution leaves behind (the ticket solved with priority high, the created, workflow.ended
 * and updated events, the completed instance with a real state), written with raw `pg` in one
 * autocommit statement with bound parameters, by 32 clients: PostgreSQL's share alone.
 */
async function floor(dbUrl: string, stats: Stats): Promise<FloorFigure> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: CLIENTS });
  try {
    const ref = (
      await pool.query<{ tid: number; vid: number; wv: number; state: unknown; uid: number }>(
        `select t.id as tid, v.id as vid, v.workflow_version_id as wv,
                (select i.state from workflow_instance i order by i.created_at desc limit 1) as state,
                (select id from app_user where email = 'admin@docket.local') as uid
           from ticket_template t join ticket_template_version v on v.template_id = t.id and v.version = t.latest_version
          where t.key = $1`,
        [FLOW],
      )
    ).rows[0]!;
    const form = ticketInput(FLOW).formData;
    const state = JSON.stringify(ref.state);
    const events = JSON.stringify([
      {
        kind: 'created',
        is_public: true,
        diff: {
          template: { from: null, to: `${FLOW}@1` },
          status: { from: null, to: 'new' },
          priority: { from: null, to: 'normal' },
          orgUnitId: { from: null, to: 4 },
        },
      },
      { kind: 'workflow.ended', is_public: false, diff: { status: { from: null, to: 'solved' } } },
      {
        kind: 'updated',
        is_public: false,
        diff: { priority: { from: 'normal', to: 'high' }, status: { from: 'new', to: 'solved' } },
      },
    ]);
    const sql = `with n as (select nextval('ticket_number_seq_${ref.tid}'::regclass)::text as seq),
       t as (
         insert into ticket (number, template_id, template_version_id, title, description, priority, status, solved_at,
                             form_data, form_text, creator_user_id, org_unit_id, org_path, channel, participant_ids)
         select 'RAW-' || n.seq, $1, $2, $3, $4, 'high', 'solved', now(), $5, $6, $7, 4,
                coalesce((select path from org_unit where id = 4), '/'), 'phone', array[$7::int]
           from n
         returning id, number, template_id, template_version_id, title, description, status, priority, form_data,
                   requester_id, creator_user_id, assignee_id, team_id, org_unit_id, org_path, channel,
                   created_at, updated_at, solved_at, closed_at
       ),
       e as (
         insert into ticket_event (ticket_id, kind, actor_kind, actor_id, channel, is_public, diff, created_at)
         select t.id, r.kind, 'user', $7, 'agent', r.is_public, r.diff, t.created_at
           from t cross join jsonb_to_recordset($8::jsonb) as r(kind text, is_public boolean, diff jsonb)
       ),
       i as (
         insert into workflow_instance (id, ticket_id, workflow_version_id, status, state, seq)
         select $9, t.id, $10, 'completed', $11::jsonb, 4 from t
       )
       select * from t`;
    const call = () =>
      pool.query(sql, [
        ref.tid,
        ref.vid,
        'Refund for a leaking kettle',
        'Customer reports water under the kettle after each use.',
        JSON.stringify(form),
        '1500.5 Leaks from the base',
        ref.uid,
        events,
        randomUUID(),
        ref.wv,
        state,
      ]);
    await load(WARMUP, CLIENTS, async () => {
      await call();
    });
    const cpu0 = await cpuSnapshot(stats, null);
    const r = await load(TOTAL, CLIENTS, async () => {
      await call();
    });
    const c = cpuBetween(cpu0, await cpuSnapshot(stats, null));
    return {
      perSecond: r.perSecond,
      p50: r.p50,
      p99: r.p99,
      cpu: { benchMs: c.benchMs / TOTAL, pgMs: c.pgMs / TOTAL, machineBusy: c.machineBusy },
      capPerSecond: capOf((c.benchMs + c.pgMs) / TOTAL),
    };
  } finally {
    await pool.end();
  }
}

// ---- verification ---------------------------------------------------------------------------------

export type Verification = { flowTickets: number; plainTickets: number };

/** Every workflow ticket solved with its priority raised by a completed instance; baseline tickets untouched. */
async function verify(dbUrl: string, counts: Record<Kind, number>): Promise<Verification> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const flow = (
      await c.query<Record<string, string>>(
        `select count(*) as tickets,
                count(*) filter (where t.status = 'solved' and t.priority = 'high' and t.solved_at is not null) as solved,
                (select count(*) from workflow_instance i join ticket x on x.id = i.ticket_id
                  where x.template_id = tt.id) as instances,
                (select count(*) from workflow_instance i join ticket x on x.id = i.ticket_id
                  where x.template_id = tt.id and i.status = 'completed') as completed,
                (select count(distinct i.ticket_id) from workflow_instance i join ticket x on x.id = i.ticket_id
                  where x.template_id = tt.id) as with_instance,
                (select count(*) from ticket_event e join ticket x on x.id = e.ticket_id
                  where x.template_id = tt.id and e.kind = 'workflow.ended') as ended_events
           from ticket_template tt left join ticket t on t.template_id = tt.id
          where tt.key = $1 group by tt.id`,
        [FLOW],
      )
    ).rows[0]!;
    const plain = (
      await c.query<Record<string, string>>(
        `select count(*) as tickets,
                count(*) filter (where t.status = 'new' and t.priority = 'normal') as untouched,
                count(i.id) as instances
           from ticket t join ticket_template tt on tt.id = t.template_id
           left join workflow_instance i on i.ticket_id = t.id
          where tt.key = $1`,
        [PLAIN],
      )
    ).rows[0]!;
    const n = (s: string | undefined) => Number(s ?? 0);
    const problems: string[] = [];
    const want = counts[FLOW];
    if (n(flow.tickets) !== want) problems.push(`${flow.tickets} workflow tickets, expected ${want}`);
    if (n(flow.solved) !== want)
      problems.push(`${flow.solved} of ${want} workflow tickets solved with priority high`);
    if (n(flow.instances) !== want) problems.push(`${flow.instances} instances for ${want} tickets`);
    if (n(flow.completed) !== want) problems.push(`${flow.completed} of ${want} instances completed`);
    if (n(flow.with_instance) !== want)
      problems.push(`${flow.with_instance} of ${want} tickets have an instance`);
    if (n(flow.ended_events) !== want)
      problems.push(`${flow.ended_events} workflow.ended events for ${want} tickets`);
    if (n(plain.tickets) !== counts[PLAIN])
      problems.push(`${plain.tickets} baseline tickets, expected ${counts[PLAIN]}`);
    if (n(plain.untouched) !== counts[PLAIN] || n(plain.instances) !== 0)
      problems.push(`baseline tickets: ${plain.untouched} untouched, ${plain.instances} instances`);
    if (problems.length) throw new Error(`workflow bench verification FAILED: ${problems.join('; ')}`);
    return { flowTickets: want, plainTickets: counts[PLAIN] };
  } finally {
    await c.end();
  }
}

// ---- the run --------------------------------------------------------------------------------------

export type WorkflowBenchResult = {
  target: number;
  clients: number;
  human: HumanStepsResult;
  http: PathResult;
  inProcess: PathResult;
  profiles: Profile[];
  verification: Verification;
  floor: FloorFigure;
  meetsTarget: { http: boolean; inProcess: boolean };
};

/** Executions per run of the example workflow with human steps (BENCH_WORKFLOW_HUMAN, default 2000). */
const HUMAN = Number(process.env.BENCH_WORKFLOW_HUMAN ?? 2_000);

export type HumanStepsResult = {
  plain: Figure;
  stages: Figure[];
  executionsPerSecond: number;
  solved: number;
};

/**
 * The example `returns` workflow run to its end as a customer's return goes, over HTTP GraphQL on
 * the real server, 32 clients: the ticket is created (the service desk's review waits), then the
 * review, the warehouse's check and finance's refund are completed (actOnTask), each stage for all
 * executions at once; plain creates in the same run as the baseline. An execution's rate is the
 * executions over the four stages' time; every ticket must end solved.
 */
function humanSteps(): Promise<HumanStepsResult> {
  return withRealServer(async ({ pool, ctx, create, openTasks, act }) => {
    const complete = (output: string) => act(`action: complete, output: ${output}`);
    const steps: [string, (id: string) => Promise<boolean>][] = [
      ['cs_review', complete('{approved: true, note: "Photos show the defect"}')],
      ['warehouse', complete('{received: true, condition: "damaged"}')],
      ['finance', complete('{refundAmount: 199, transactionId: "TX-1"}')],
    ];
    const stagesOf = async (count: number, label: string) => {
      const out = [await measure(`${label}create returns`, ctx, count, (i) => create('returns', i))];
      for (const [node, actOnStep] of steps) {
        const ids = (await openTasks(node)).slice(0, count);
        out.push(await measure(`${label}complete ${node}`, ctx, ids.length, (i) => actOnStep(ids[i]!)));
      }
      return out;
    };
    // Warm-up of every path (V8 optimises after a few thousand calls).
    await measure('warm-up plain', ctx, 500, (i) => create('plain', i));
    await stagesOf(500, 'warm-up ');
    const plain = await measure('create plain', ctx, HUMAN, (i) => create('plain', i));
    const stages = await stagesOf(HUMAN, '');
    const seconds = stages.reduce((sum, f) => sum + f.count / f.perSecond, 0);
    const solved = (
      await pool.query<{ n: number }>(
        "select count(*)::int as n from ticket t join ticket_template tt on tt.id = t.template_id where tt.key = 'returns' and t.status = 'solved'",
      )
    ).rows[0]!.n;
    return { plain, stages, executionsPerSecond: HUMAN / seconds, solved };
  });
}

export async function run(): Promise<WorkflowBenchResult> {
  const human = await humanSteps();
  const db = await benchDatabase();
  const stats = await Stats.open(db.url);
  const counts: Record<Kind, number> = { [FLOW]: 0, [PLAIN]: 0 };
  try {
    // (a) the real server process, over HTTP GraphQL
    const server = await startServerProcess(db.url);
    let http: PathResult;
    try {
      const admin = await login(server.url, 'admin@docket.local');
      await setUp(server.url, admin);
      const bodies = { [FLOW]: createBody(FLOW), [PLAIN]: createBody(PLAIN) };
      const wants = {
        [FLOW]: `"status":"${expected[FLOW].status}","priority":"${expected[FLOW].priority}"`,
        [PLAIN]: `"status":"${expected[PLAIN].status}","priority":"${expected[PLAIN].priority}"`,
      };
      http = await measurePath(
        'http',
        stats,
        server.pid,
        async (kind) => {
          const r = await post(server.url, bodies[kind], admin);
          if (r.status !== 200 || !r.text.includes('"Ticket"') || !r.text.includes(wants[kind]))
            throw new Error(`createTicket on ${kind} over HTTP: ${r.status} ${r.text}`);
        },
        counts,
      );
    } finally {
      await server.stop();
    }

    // (b) the same services in this process: no HTTP, no GraphQL
    const database = await openDatabase({ databaseUrl: db.url });
    const app = await buildApp(database, { ...readConfig({ ...process.env, DATABASE_URL: db.url }) });
    let inProcess: PathResult;
    const profiles: Profile[] = [];
    try {
      const em = forkEm(database);
      const [{ id }] = (await em
        .getConnection()
        .execute("select id from app_user where email = 'admin@docket.local'")) as [{ id: number }];
      const principal: Principal = (await app.services.principals.staffById(id))!;
      const inputs = { [FLOW]: ticketInput(FLOW), [PLAIN]: ticketInput(PLAIN) };
      const exec: Exec = async (kind) => {
        const row = await createTicket(app.services, forkEm(database), principal, 'agent', inputs[kind]);
        const want = expected[kind];
        if (row.status !== want.status || row.priority !== want.priority)
          throw new Error(
            `createTicket on ${kind} in process: ticket ${row.id} is ${row.status}/${row.priority}`,
          );
      };
      inProcess = await measurePath('in-process', stats, null, exec, counts);
      profiles.push(await profile(exec, PLAIN, counts), await profile(exec, FLOW, counts));
    } finally {
      await app.close();
      await database.close();
    }

    const verification = await verify(db.url, counts);
    const floorFigure = await floor(db.url, stats);
    return {
      target: TARGET_PER_SECOND,
      clients: CLIENTS,
      human,
      http,
      inProcess,
      profiles,
      verification,
      floor: floorFigure,
      meetsTarget: {
        http: http.flow.perSecond >= TARGET_PER_SECOND,
        inProcess: inProcess.flow.perSecond >= TARGET_PER_SECOND,
      },
    };
  } finally {
    await stats.close();
    await db.drop();
  }
}

export function report(r: WorkflowBenchResult): string[] {
  const f1 = (x: number) => x.toFixed(1);
  const cols = (cells: string[]) =>
    `  ${cells[0]!.padEnd(11)}${cells[1]!.padEnd(13)}${cells
      .slice(2)
      .map((c, k) => c.padStart([8, 8, 8, 9, 8, 8, 7, 8, 8, 6][k]!))
      .join('')}`;
  const row = (path: string, x: RunFigure) =>
    cols([
      path,
      x.kind === FLOW ? 'workflow' : 'no workflow',
      x.perSecond.toFixed(0),
      f1(x.p50),
      f1(x.p99),
      x.commitsPerExecution.toFixed(3),
      f1(x.cpu.benchMs),
      path === 'HTTP' ? f1(x.cpu.serverMs) : '-',
      f1(x.cpu.pgMs),
      f1(x.cpu.benchMs + x.cpu.serverMs + x.cpu.pgMs),
      x.capPerSecond.toFixed(0),
      `${(x.cpu.machineBusy * 100).toFixed(0)}%`,
    ]);
  const fl = r.floor;
  const h = r.human;
  const lines = [
    `The example returns workflow with human steps, run to its end (create; complete review, warehouse, finance), HTTP GraphQL, ${r.clients} clients, ${HUMAN} executions:`,
    formatFigure(h.plain),
    ...h.stages.map((f) => formatFigure(f, h.plain)),
    `  executions to the end: ${h.executionsPerSecond.toFixed(1)}/s (${(4 * h.executionsPerSecond).toFixed(0)} calls/s; ratio of calls/s to plain creates ${((4 * h.executionsPerSecond) / h.plain.perSecond).toFixed(2)}); ${h.solved} of ${HUMAN + 500} returns solved (warm-up included)`,
    '',
    `Durable 4-node workflow (start, condition, set fields, end) per ticket, real PostgreSQL, ${r.clients} concurrent callers, ${TOTAL} tickets per run, ${CORES} cores:`,
    cols([
      'path',
      'template',
      'exec/s',
      'p50 ms',
      'p99 ms',
      'commits',
      'cpu:gen',
      'server',
      'pg',
      'total',
      'cap/s',
      'busy',
    ]),
    row('HTTP', r.http.plain),
    row('HTTP', r.http.flow),
    row('in-process', r.inProcess.plain),
    row('in-process', r.inProcess.flow),
    cols([
      'raw pg',
      '1 statement',
      fl.perSecond.toFixed(0),
      f1(fl.p50),
      f1(fl.p99),
      '1',
      f1(fl.cpu.benchMs),
      '-',
      f1(fl.cpu.pgMs),
      f1(fl.cpu.benchMs + fl.cpu.pgMs),
      fl.capPerSecond.toFixed(0),
      `${(fl.cpu.machineBusy * 100).toFixed(0)}%`,
    ]),
    '  commits: per call, pg-boss idle commits subtracted. cpu: ms per call of this process (load generator; in process',
    '  also the server), the server process and the PostgreSQL backends. cap/s: cores x 1000 / (server + pg ms per call),',
    '  the rate at that cost with nothing else running. busy: the whole machine during the run (others included).',
    `  pg-boss idle commits/s: HTTP ${f1(r.http.idleCommitsPerSecond)}, in-process ${f1(r.inProcess.idleCommitsPerSecond)}; workflow-run windows counted HTTP ${r.http.flow.rawCommits} commits (idle share ${r.http.flow.idleCommits.toFixed(0)}), in-process ${r.inProcess.flow.rawCommits} (idle share ${r.inProcess.flow.idleCommits.toFixed(0)}); rollbacks ${r.http.flow.rollbacks + r.inProcess.flow.rollbacks}`,
    `  ratio workflow / no workflow: HTTP ${r.http.ratio.toFixed(3)}, in-process ${r.inProcess.ratio.toFixed(3)}; in-process workflow / raw floor ${(r.inProcess.flow.perSecond / fl.perSecond).toFixed(3)}`,
    `  verified: ${r.verification.flowTickets} workflow tickets solved with priority high, each with one completed instance and its workflow.ended event; ${r.verification.plainTickets} baseline tickets untouched`,
  ];
  for (const p of r.profiles) {
    lines.push(
      `  profile, ${p.kind === FLOW ? 'workflow' : 'no workflow'}: ${p.executions} sequential calls in process, ${f1(p.statementsPerExecution)} statements/call, ${p.latencyMs.toFixed(2)} ms/call of which ${p.dbMs.toFixed(2)} ms waiting on PostgreSQL`,
      ...p.statements.map(
        (s) => `    ${s.count.toFixed(2).padStart(5)} x ${s.meanMs.toFixed(3).padStart(6)} ms  ${s.sql}`,
      ),
    );
  }
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  lines.push(
    `${verdict(r.meetsTarget.http)}: over HTTP GraphQL ${r.http.flow.perSecond.toFixed(0)} durable executions/s (cap ${r.http.flow.capPerSecond.toFixed(0)}/s) against the target of ${r.target}/s.`,
    `${verdict(r.meetsTarget.inProcess)}: in process (no HTTP/GraphQL) ${r.inProcess.flow.perSecond.toFixed(0)} durable executions/s (cap ${r.inProcess.flow.capPerSecond.toFixed(0)}/s) against the target of ${r.target}/s.`,
  );
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(report(await run()).join('\n'));
  process.exit(0);
}
