import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { EXAMPLE_CTI_SECRET } from '../../examples/plugins.ts';
import { buildFirstPartyPlugins } from '../../plugins/build.ts';
import { postSigned } from '../channels/channel-fixtures.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { freshDatabaseUrl } from '../helpers/test-database.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { subscribe } from '../sla/sla-fixtures.ts';

/**
 * Three server processes on one PostgreSQL (TEST_DATABASE_URL) and Redis (REDIS_URL, default
 * redis://127.0.0.1:6379), as a load balancer would spread work over them:
 *   - creates spread over the three are all written, numbered without duplicates;
 *   - a subscription on server 1 hears tickets created and changed on server 3, and a call
 *     the phone system (the example CTI plugin) announces to server 3;
 *   - every SLA timer and workflow timer fires exactly once, whichever server takes it;
 *   - SIGKILL of one server while creates run loses no acknowledged ticket and no timer: the
 *     others take its jobs (those it had started come back when they expire, 60 s).
 *
 * Each ticket of the suite's template breaches a 3 s first-response target (an SLA timer) and
 * waits on a 9 s workflow timer before its workflow passes a set-fields step and solves it.
 */
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const isListening = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port || 6379), hostname);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

const skipReason = !process.env.TEST_DATABASE_URL
  ? 'needs a real PostgreSQL: set TEST_DATABASE_URL'
  : !(await isListening(redisUrl))
    ? `needs Redis at ${redisUrl} (set REDIS_URL)`
    : undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Gql = { data?: any; errors?: unknown[] };

async function gql(base: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Gql;
  if (body.errors || !body.data) throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(body)}`);
  return body.data;
}

const node = (id: string, type: string, config: unknown, y: number) => ({
  id,
  type,
  typeVersion: 1,
  config,
  position: { x: 0, y },
});

const TIMER_GRAPH = {
  nodes: [
    node('start', 'start', { trigger: 'ticket_created' }, 0),
    node('wait', 'timer', { mode: 'duration', amount: 0.15, unit: 'minutes', time: 'calendar' }, 100),
    node('mark', 'set_fields', { fields: [{ field: 'timerFired', value: true }] }, 200),
    node('done', 'end', { status: 'solved' }, 300),
  ],
  edges: [
    ['start', 'out', 'wait'],
    ['wait', 'out', 'mark'],
    ['mark', 'out', 'done'],
  ].map(([source, sourcePort, target], i) => ({ id: `e${i + 1}`, source, sourcePort, target })),
};
const EXPECTED_PATH = ['start', 'wait', 'mark', 'done'];

const CREATE = `mutation($i: CreateTicketInput!) { createTicket(input: $i) {
  __typename ... on Ticket { id number } ... on Error { message } } }`;

const TICKET = `query($id: ID!) { ticket(id: $id) {
  id status timeline { kind } workflowInstances { status trace } } }`;

describe.skipIf(!!skipReason)(
  `three servers on one PostgreSQL and Redis${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const servers: ServerProcess[] = [];
    let drop: () => Promise<void> = async () => {};
    let sql: pg.Pool;
    let token: string;
    /** Tickets created by the suite, with the server that acknowledged each. */
    const acknowledged = new Map<string, number>();

    const live = () => servers.filter((s) => s.proc.exitCode === null && s.proc.signalCode === null);
    const create = async (server: number, ref: string) => {
      const d = await gql(
        servers[server]!.url,
        CREATE,
        { i: { templateKey: 'scale-timers', title: `Scale ${ref}`, priority: 'urgent', formData: { ref } } },
        token,
      );
      if (d.createTicket.__typename !== 'Ticket') throw new Error(JSON.stringify(d));
      acknowledged.set(d.createTicket.id, server);
      return d.createTicket as { id: string; number: string };
    };

    /**
     * Waits until the tickets are solved and no job is due and unfinished (a job the killed server
     * had started counts until it expires and another server runs it), then checks that each
     * ticket's SLA timer and workflow timer fired once.
     */
    const expectTimersFiredOnce = async (ids: string[], withinMs: number) => {
      const until = Date.now() + withinMs;
      let open = ids.length;
      let due: unknown[] = [];
      while (Date.now() < until) {
        open = (
          await sql.query("select count(*)::int as n from ticket where id = any($1) and status <> 'solved'", [
            ids,
          ])
        ).rows[0].n;
        due = (
          await sql.query(
            `select name, state, count(*)::int as n from pgboss.job
              where state in ('created', 'retry', 'active') and start_after < now() - interval '2 seconds'
              group by name, state`,
          )
        ).rows;
        if (open === 0 && due.length === 0) break;
        await sleep(1000);
      }
      expect(open, `${open} of ${ids.length} tickets not solved within ${withinMs} ms`).toBe(0);
      expect(due, 'jobs due and not done').toEqual([]);
      const via = live()[0]!.url;
      for (const id of ids) {
        const t = (await gql(via, TICKET, { id }, token)).ticket;
        const kinds = (t.timeline as { kind: string }[]).map((e) => e.kind);
        expect(
          kinds.filter((k) => k === 'sla.breached'),
          `ticket ${id}: SLA breach`,
        ).toHaveLength(1);
        expect(
          kinds.filter((k) => k === 'workflow.ended'),
          `ticket ${id}: workflow end`,
        ).toHaveLength(1);
        expect(t.workflowInstances).toHaveLength(1);
        expect(t.workflowInstances[0].status).toBe('completed');
        const path = (t.workflowInstances[0].trace as { kind: string; nodeId?: string }[])
          .filter((e) => e.kind === 'step')
          .map((e) => e.nodeId);
        expect(path, `ticket ${id}: workflow path`).toEqual(EXPECTED_PATH);
      }
      const failed = await sql.query(
        "select name, count(*)::int as n from pgboss.job where state = 'failed' group by name",
      );
      expect(failed.rows).toEqual([]);
    };

    beforeAll(async () => {
      const fresh = await freshDatabaseUrl();
      drop = fresh.drop;
      sql = new pg.Pool({ connectionString: fresh.url!, max: 2 });
      const env = {
        DATABASE_URL: fresh.url!,
        REDIS_URL: redisUrl,
        DOCKET_SECRET: 'three-servers-share-this-secret',
        DOCKET_TIME_ZONE: 'Asia/Shanghai',
      };
      // The phone system's plugin, which the first server installs with the example data.
      await buildFirstPartyPlugins({ names: ['cti'] });
      // The first loads the example data; the others find it there.
      servers.push(await startServerProcess(env));
      servers.push(
        ...(await Promise.all([
          startServerProcess({ ...env, DOCKET_EXAMPLES: 'off' }),
          startServerProcess({ ...env, DOCKET_EXAMPLES: 'off' }),
        ])),
      );
      const login = await gql(
        servers[0]!.url,
        'mutation { login(email: "admin@docket.local", password: "docket-demo") { ... on Session { token } } }',
      );
      token = login.login.token;
      // The workflow, its template and an SLA policy, each made on a different server.
      const wf = await gql(
        servers[0]!.url,
        `mutation($graph: JSON) { createWorkflow(key: "scale-timers", name: "Scale timers", graph: $graph) {
           __typename ... on Workflow { id draftProblems { path message } } ... on Error { message } } }`,
        { graph: TIMER_GRAPH },
        token,
      );
      expect(wf.createWorkflow.draftProblems, JSON.stringify(wf)).toEqual([]);
      await gql(
        servers[1]!.url,
        'mutation($id: ID!) { publishWorkflow(id: $id) { __typename } }',
        { id: wf.createWorkflow.id },
        token,
      );
      const tpl = await gql(
        servers[2]!.url,
        `mutation($content: TemplateContentInput!) { createTemplate(key: "scale-timers", content: $content) {
           __typename ... on TicketTemplate { id } ... on Error { message } } }`,
        {
          content: {
            name: 'Scale timers',
            categoryPath: ['Tests', 'Scale'],
            defaultPriority: 'urgent',
            numberPattern: 'SC-{seq:6}',
            formSchema: {
              type: 'object',
              properties: { ref: { type: 'string' }, timerFired: { type: 'boolean' } },
            },
            workflowKey: 'scale-timers',
          },
        },
        token,
      );
      expect(tpl.createTemplate.__typename, JSON.stringify(tpl)).toBe('TicketTemplate');
      const published = await gql(
        servers[0]!.url,
        'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
        { id: tpl.createTemplate.id },
        token,
      );
      expect(published.publishTemplate.__typename).toBe('TemplateVersion');
      const policy = await gql(
        servers[1]!.url,
        `mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { __typename ... on Error { message } } }`,
        {
          i: {
            name: 'Scale: 3 s',
            position: 0,
            condition: 'ticket.template == "scale-timers"',
            targets: { first_response: { urgent: { amount: 0.05, unit: 'minutes', time: 'calendar' } } },
            actions: {
              first_response: [{ offsetMinutes: 0, kind: 'notify', recipients: [{ kind: 'assignee' }] }],
            },
          },
        },
        token,
      );
      expect(policy.createSlaPolicy.__typename, JSON.stringify(policy)).toBe('SlaPolicy');
    }, 300_000);

    afterAll(async () => {
      for (const s of servers) await s.stop('SIGKILL').catch(() => {});
      await sql?.end();
      await drop();
    }, 60_000);

    it('creates spread over the three servers are all written, numbered without duplicates', async () => {
      const made = await Promise.all(Array.from({ length: 30 }, (_, i) => create(i % 3, `spread-${i}`)));
      expect(new Set(made.map((t) => t.number)).size).toBe(30);
      const r = await sql.query('select count(*)::int as n from ticket where id = any($1)', [
        made.map((t) => t.id),
      ]);
      expect(r.rows[0].n).toBe(30);
      expect(new Set(made.map((t) => acknowledged.get(t.id))).size).toBe(3);
    });

    it('a subscription on server 1 hears tickets created and changed on server 3', async () => {
      const feed = await subscribe(
        { url: servers[0]!.url } as TestServer,
        token,
        'subscription { ticketFeed { kind ticketId ticket { title } } }',
        {},
      );
      try {
        // Subscribed once the stream is open: give Redis a moment to register the channel.
        await sleep(300);
        const t = await create(2, 'heard');
        let heard = await feed.next(10_000);
        while (heard.data?.ticketFeed?.ticketId !== t.id) heard = await feed.next(10_000);
        expect(heard.data.ticketFeed).toEqual({
          kind: 'created',
          ticketId: t.id,
          ticket: { title: 'Scale heard' },
        });
        await gql(
          servers[2]!.url,
          'mutation($id: ID!) { updateTicket(id: $id, title: "Changed on 3") { __typename } }',
          { id: t.id },
          token,
        );
        heard = await feed.next(10_000);
        while (heard.data?.ticketFeed?.kind !== 'changed' || heard.data.ticketFeed.ticketId !== t.id)
          heard = await feed.next(10_000);
        expect(heard.data.ticketFeed.ticket).toEqual({ title: 'Changed on 3' });
      } finally {
        feed.close();
      }
    });

    it('a desk subscribed to callerRinging on server 1 hears a call announced to server 3', async () => {
      const ringing = await subscribe(
        { url: servers[0]!.url } as TestServer,
        token,
        'subscription { callerRinging { phone channel data } }',
        {},
      );
      try {
        expect(ringing.status).toBe(200);
        await sleep(300);
        const started = await postSigned(
          `${servers[2]!.url}/channels/cti/calls/started`,
          EXAMPLE_CTI_SECRET,
          {
            callId: 'call-on-3',
            caller: '+86 138 0000 0303',
            agentEmail: 'admin@docket.local',
          },
        );
        expect(started).toEqual({ status: 200, body: { ok: true } });
        const heard = await ringing.next(10_000);
        expect(heard.data?.callerRinging, JSON.stringify(heard)).toEqual({
          phone: '+8613800000303',
          channel: 'cti.calls',
          data: { callId: 'call-on-3' },
        });
      } finally {
        ringing.close();
      }
    });

    it('a wall on server 1 shows a ticket created on server 3 within seconds', async () => {
      const wall = await subscribe(
        { url: servers[0]!.url } as TestServer,
        token,
        'subscription { wallChanged { createdToday } }',
        {},
      );
      try {
        const first = await wall.next(10_000);
        const before = first.data.wallChanged.createdToday as number;
        await sleep(300);
        await create(2, 'on the wall');
        let seen = await wall.next(10_000);
        while ((seen.data?.wallChanged?.createdToday ?? 0) <= before) seen = await wall.next(10_000);
        expect(seen.data.wallChanged.createdToday).toBeGreaterThan(before);
      } finally {
        wall.close();
      }
    });

    it('every SLA timer and workflow timer fires exactly once', async () => {
      await expectTimersFiredOnce([...acknowledged.keys()], 60_000);
    }, 120_000);

    it('SIGKILL of one server under load loses no acknowledged ticket and no timer', async () => {
      onTestFailed(() => {
        for (const [i, s] of servers.entries())
          console.error(`server ${i + 1} output:\n${s.output().slice(-3000)}`);
      });
      const before = new Set(acknowledged.keys());
      const TOTAL = 150;
      let next = 0;
      let failed = 0;
      let killedAt = 0;
      const killed = servers[1]!;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          for (let i = next++; i < TOTAL; i = next++) {
            // Round robin over the servers still up (a load balancer's health check drops the dead one).
            const target = killedAt && i % 3 === 1 ? (i % 2 ? 0 : 2) : i % 3;
            try {
              await create(target, `load-${i}`);
            } catch {
              failed++; // not acknowledged: the client would try again
            }
            if (!killedAt && acknowledged.size - before.size >= 40) {
              killedAt = Date.now();
              killed.proc.kill('SIGKILL');
            }
          }
        }),
      );
      await killed.exited;
      expect(killed.proc.signalCode).toBe('SIGKILL');
      const ids = [...acknowledged.keys()].filter((id) => !before.has(id));
      expect(ids.length + failed).toBe(TOTAL);
      expect(ids.length).toBeGreaterThan(100);
      // Every acknowledged ticket was committed.
      const r = await sql.query('select count(*)::int as n from ticket where id = any($1)', [ids]);
      expect(r.rows[0].n).toBe(ids.length);
      // Every ticket of the template (acknowledged or not: a create may commit and lose its answer)
      // has its timers fire once, the killed server's taken by the others.
      const all = (
        await sql.query(
          `select t.id::text as id from ticket t join ticket_template tt on tt.id = t.template_id where tt.key = 'scale-timers'`,
        )
      ).rows.map((row) => row.id as string);
      expect(all).toEqual(expect.arrayContaining(ids));
      await expectTimersFiredOnce(all, 150_000);
    }, 240_000);
  },
);
