/**
 * Step actions at 1,000 per second: actOnTask over HTTP GraphQL (32 clients, real PostgreSQL, the
 * server in its own process) on the example `returns` workflow: completing the service desk's
 * review (the warehouse step is created, with its team pick, CC notices and time limit), returning
 * the warehouse step (the review comes back), and transferring the review to a person. Beside them,
 * plain creates measured in the same run. Each row prints actions/s, p50/p99, and per action the
 * commits, the statements the server ran through its SQL helpers, the server's CPU and its
 * database backends' CPU. Target: at least 1,000/s each and 0.6 of the plain create rate.
 *
 *   BENCH_ONLY=task-actions npm run bench      BENCH_TASK_ACTIONS (default 5000) per row
 */
import { pathToFileURL } from 'node:url';
import { CLIENTS, type Figure, formatFigure, measure, withRealServer } from './real-load.ts';

const COUNT = Number(process.env.BENCH_TASK_ACTIONS ?? 5_000);
const TARGET = 1000;

export type TaskActionsResult = { plain: Figure; actions: Figure[]; checks: Record<string, number> };

export function run(): Promise<TaskActionsResult> {
  return withRealServer(async ({ pool, ctx, create, openTasks, act }) => {
    const complete = act('action: complete, output: {approved: true, note: "Photos show the defect"}');
    const giveBack = act('action: return, reason: "The parcel has not arrived"');
    const serviceId = (
      await pool.query<{ id: number }>("select id from app_user where email = 'service@docket.local'")
    ).rows[0]!.id;
    const transfer = act(`action: transfer, reason: "Knows this model", to: {userId: ${serviceId}}`);

    // The returns to act on (and a warm-up of every action).
    const warm = 1_000;
    await measure('set-up: returns created', ctx, COUNT + warm, (i) => create('returns', i));
    await measure('warm-up: plain creates', ctx, warm, (i) => create('plain', i));
    let reviews = await openTasks('cs_review');
    await measure('warm-up: complete', ctx, warm, (i) => complete(reviews[i]!));
    let warehouse = await openTasks('warehouse');
    await measure('warm-up: return', ctx, warm, (i) => giveBack(warehouse[i]!));
    reviews = await openTasks('cs_review');
    await measure('warm-up: transfer', ctx, warm, (i) => transfer(reviews[i]!));

    const plain = await measure('create plain', ctx, COUNT, (i) => create('plain', i));
    reviews = (await openTasks('cs_review')).slice(0, COUNT);
    const completed = await measure('actOnTask complete (review)', ctx, reviews.length, (i) =>
      complete(reviews[i]!),
    );
    warehouse = (await openTasks('warehouse')).slice(0, COUNT);
    const returned = await measure('actOnTask return (warehouse)', ctx, warehouse.length, (i) =>
      giveBack(warehouse[i]!),
    );
    reviews = (await openTasks('cs_review')).slice(0, COUNT);
    const transferred = await measure('actOnTask transfer (review)', ctx, reviews.length, (i) =>
      transfer(reviews[i]!),
    );

    const checks = (
      await pool.query<{ kind: string; n: number }>(
        `select kind, count(*)::int as n from ticket_event
          where kind in ('task.completed', 'task.returned', 'task.transferred', 'task.created', 'task.returned_to')
          group by kind`,
      )
    ).rows;
    return {
      plain,
      actions: [completed, returned, transferred],
      checks: Object.fromEntries(checks.map((r) => [r.kind, r.n])),
    };
  });
}

export function report(r: TaskActionsResult): string[] {
  return [
    `actOnTask over HTTP GraphQL, ${CLIENTS} clients, up to ${COUNT} per row, real PostgreSQL (the returns workflow):`,
    formatFigure(r.plain),
    ...r.actions.map((f) => formatFigure(f, r.plain)),
    ...r.actions.map(
      (f) =>
        `  ${f.name}: ${f.perSecond >= TARGET ? 'met' : 'NOT met'} (>= ${TARGET}/s), ratio ${(f.perSecond / r.plain.perSecond).toFixed(2)} ${f.perSecond / r.plain.perSecond >= 0.6 ? 'met' : 'NOT met'} (>= 0.6)`,
    ),
    `  timeline entries written: ${JSON.stringify(r.checks)}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(report(await run()).join('\n'));
}
