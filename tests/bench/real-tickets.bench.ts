/**
 * Real tickets at 1,000 per second: createTicket over HTTP GraphQL (32 clients, real PostgreSQL,
 * the server in its own process) on the example templates a call centre uses, beside a plain
 * template (no workflow, no SLA policy) measured in the same run:
 *   - product-a-fault, product-b-issue: SLA clocks and their timer jobs;
 *   - returns: the first step waits on the service desk (team pick, CC notices, step time limit);
 *   - call-centre: the service category picks the department's step.
 * Then a mixed load: creates, step actions, public replies and SLA timers firing, all at once.
 * Each row prints operations/s, p50/p99, and per operation the commits, the statements the server
 * ran through its SQL helpers, the server's CPU and its database backends' CPU. Targets: each
 * create at least 1,000/s and 0.6 of the plain rate; the mixed load at least 1,000 operations/s
 * with p99 under 150 ms.
 *
 *   BENCH_ONLY=real-tickets npm run bench      BENCH_REAL_TICKETS (default 5000) per row
 */
import { pathToFileURL } from 'node:url';
import { gql, post } from './bench-server.ts';
import { CLIENTS, CREATE_INPUTS, type Figure, formatFigure, measure, withRealServer } from './real-load.ts';

const COUNT = Number(process.env.BENCH_REAL_TICKETS ?? 5_000);
const MIXED_SECONDS = Number(process.env.BENCH_MIXED_SECONDS ?? 75);
const TARGET = 1000;

export type RealTicketsResult = { creates: Figure[]; plain: Figure; mixed: Figure };

export function run(): Promise<RealTicketsResult> {
  return withRealServer(async ({ url, pool, admin, agent, ctx, create }) => {
    // An SLA policy with one-minute targets on the plain template: its timers fire during the mixed load.
    await gql(
      url,
      `mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { __typename } }`,
      {
        i: {
          name: 'Bench: one minute',
          position: 0,
          condition: 'ticket.template == "bench-plain" && ticket.channel == "chat"',
          targets: { first_response: { normal: { amount: 1, unit: 'minutes', time: 'calendar' } } },
          actions: {
            first_response: [{ offsetMinutes: 0, kind: 'notify', recipients: [{ kind: 'assignee' }] }],
          },
        },
      },
      admin,
    );
    // Warm up every path (V8 optimises the hot path after a few thousand calls).
    for (const key of Object.keys(CREATE_INPUTS))
      await measure(`warm-up ${key}`, ctx, 1_000, (i) => create(key, i));
    const creates: Figure[] = [];
    const plainBefore = await measure('create plain (before)', ctx, COUNT, (i) => create('plain', i));
    for (const key of ['product-a-fault', 'product-b-issue', 'returns', 'call-centre'])
      creates.push(await measure(`create ${key}`, ctx, COUNT, (i) => create(key, i)));
    const plainAfter = await measure('create plain (after)', ctx, COUNT, (i) => create('plain', i));
    const plain: Figure = {
      ...plainAfter,
      name: 'create plain (mean of before and after)',
      perSecond: (plainBefore.perSecond + plainAfter.perSecond) / 2,
    };
    creates.unshift(plainBefore, plainAfter);

    // Mixed: a quarter each of creates (returns, and plain tickets on chat whose one-minute clocks
    // fire as timers), completions of the review steps those returns wait on, and public replies.
    const reviewTasks: string[] = [];
    const replyTargets: string[] = [];
    let nextCreate = 0;
    const mixedOps = Math.round(MIXED_SECONDS * TARGET);
    const mixed = await measure(
      'mixed (create, complete, reply; timers firing)',
      ctx,
      mixedOps,
      async (i) => {
        const kind = i % 4;
        if (
          kind === 0 ||
          (kind === 1 && reviewTasks.length === 0) ||
          (kind === 2 && replyTargets.length === 0)
        ) {
          const isChat = nextCreate++ % 2 === 1;
          const input = isChat ? { ...CREATE_INPUTS.plain!(i), channel: 'chat' } : CREATE_INPUTS.returns!(i);
          const r = await post(
            url,
            JSON.stringify({
              query: `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id tasks { id status } } } }`,
              variables: { i: input },
            }),
            agent,
          );
          const t = JSON.parse(r.text).data?.createTicket;
          if (t?.__typename !== 'Ticket') return false;
          replyTargets.push(t.id);
          for (const task of t.tasks ?? []) if (task.status === 'open') reviewTasks.push(task.id);
          return true;
        }
        if (kind === 1) {
          const task = reviewTasks.shift()!;
          const r = await post(
            url,
            JSON.stringify({
              query: `mutation($t: ID!) { actOnTask(taskId: $t, action: complete, output: {approved: true, note: "Photos show the defect"}) { __typename } }`,
              variables: { t: task },
            }),
            admin,
          );
          return r.text.includes('"Task"');
        }
        if (kind === 2 || kind === 3) {
          const ticket = replyTargets[Math.floor(Math.random() * replyTargets.length)];
          if (!ticket) return true;
          const r = await post(
            url,
            JSON.stringify({
              query: `mutation($id: ID!) { replyToTicket(id: $id, body: "We are on it.") { __typename } }`,
              variables: { id: ticket },
            }),
            admin,
          );
          return r.text.includes('"Ticket"');
        }
        return true;
      },
    );
    const fired = await pool.query(
      "select count(*)::int as n from ticket_event where kind in ('sla.breached', 'sla.met')",
    );
    mixed.name = `${mixed.name}: ${fired.rows[0].n} clocks met or breached`;
    return { creates, plain, mixed };
  });
}

export function report(r: RealTicketsResult): string[] {
  const lines = [`createTicket over HTTP GraphQL, ${CLIENTS} clients, ${COUNT} per row, real PostgreSQL:`];
  for (const f of r.creates)
    lines.push(formatFigure(f, f.name.startsWith('create plain') ? undefined : r.plain));
  for (const f of r.creates.filter((f) => !f.name.startsWith('create plain')))
    lines.push(
      `  ${f.name}: ${f.perSecond >= TARGET ? 'met' : 'NOT met'} (>= ${TARGET}/s), ratio ${(f.perSecond / r.plain.perSecond).toFixed(2)} ${f.perSecond / r.plain.perSecond >= 0.6 ? 'met' : 'NOT met'} (>= 0.6)`,
    );
  lines.push('Mixed load:', formatFigure(r.mixed, r.plain));
  lines.push(
    `  mixed: ${r.mixed.perSecond >= TARGET ? 'met' : 'NOT met'} (>= ${TARGET} ops/s), p99 ${r.mixed.p99 < 150 ? 'met' : 'NOT met'} (< 150 ms)`,
  );
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(report(await run()).join('\n'));
}
