import { existsSync } from 'node:fs';

/**
 * `npm run bench`: every benchmark in one run, each printing its figures and its ratio or target.
 * Database benchmarks need a real PostgreSQL (BENCH_DATABASE_URL, default 127.0.0.1:5432).
 * BENCH_ONLY=calendar,create-ticket runs a subset.
 */
type Bench = { name: string; file: string };
const benches: Bench[] = [
  { name: 'calendar', file: './calendar.bench.ts' },
  { name: 'interpreter', file: './interpreter.bench.ts' },
  { name: 'create-ticket', file: './create-ticket.bench.ts' },
  { name: 'list-tickets', file: './list-tickets.bench.ts' },
  { name: 'reports', file: './reports.bench.ts' },
  { name: 'kb-suggestions', file: './kb-suggestions.bench.ts' },
  { name: 'workflow', file: './workflow.bench.ts' },
  { name: 'real-tickets', file: './real-tickets.bench.ts' },
  { name: 'task-actions', file: './task-actions.bench.ts' },
  { name: 'sla-breach', file: './sla-breach.bench.ts' },
  { name: 'webapp-bundle', file: './webapp-bundle.bench.ts' },
  { name: 'wall', file: './wall.bench.ts' },
  { name: 'designer-canvas', file: './designer-canvas.bench.ts' },
  { name: 'desk', file: './desk.bench.ts' },
  { name: 'form-typing', file: './form-typing.bench.ts' },
  { name: 'sandbox', file: './sandbox.bench.ts' },
  { name: 'smtp-intake', file: './smtp-intake.bench.ts' },
  { name: 'hostile-body', file: './hostile-body.bench.ts' },
  { name: 'scale-out', file: './scale-out.bench.ts' },
];

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const lines: string[] = [];
for (const b of benches) {
  if (only && !only.includes(b.name)) continue;
  if (!existsSync(new URL(b.file, import.meta.url))) continue;
  console.log(`\n== ${b.name}`);
  const mod = (await import(b.file)) as { run: () => Promise<unknown>; report?: (r: never) => string[] };
  const result = await mod.run();
  const out = mod.report ? mod.report(result as never) : [JSON.stringify(result, null, 2)];
  console.log(out.join('\n'));
  lines.push(`== ${b.name}`, ...out);
}
console.log(`\nSummary (${new Date().toISOString()}, ${process.version}):\n${lines.join('\n')}`);
process.exit(0);
