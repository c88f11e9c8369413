/**
 * Where the designer's open spends its time: visits of /admin/workflows/<key> on the benchmark's
 * workflow of 1,000 nodes (tests/bench/designer-canvas.bench.ts), each with its open time, the
 * app's code and GraphQL requests (start and end), and the main thread's CPU profile by function
 * (self time) and by a few named phases (total time). BENCH_WEB_APP_DIR serves another build
 * (build it with `vite build --minify false` to read the names).
 *
 *   npx tsx tests/bench/designer-trace.ts
 */
import type { Browser } from 'playwright-core';
import type { TestServer } from '../helpers/test-server.ts';
import { bigWorkflow, drawnAndFitted } from './designer-canvas.bench.ts';
import { benchInChromium, signedInContext } from './in-chromium.ts';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] };

function printProfile(profile: Profile, top = 30): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (const [i, id] of samples.entries()) self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  const nameOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\//, '')}:${f.lineNumber}` : '';
    return `${f.functionName || '(anonymous)'} ${where}`;
  };
  const bySelf = new Map<string, number>();
  const byTotal = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const name = nameOf(id);
    if (!name.startsWith('(idle)')) total += us;
    bySelf.set(name, (bySelf.get(name) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = nameOf(at);
      if (seen.has(n)) continue;
      seen.add(n);
      byTotal.set(n, (byTotal.get(n) ?? 0) + us);
    }
  }
  console.log(`    profile: ${(total / 1000).toFixed(0)} ms busy`);
  const watch = (process.env.TRACE_WATCH ?? '').split(',').filter(Boolean);
  if (watch.length) {
    console.log('    watched (total):');
    for (const w of watch) {
      let sum = 0;
      for (const [name, us] of byTotal) if (name.startsWith(`${w} `)) sum += us;
      console.log(`      ${(sum / 1000).toFixed(1).padStart(7)} ms  ${w}`);
    }
    // a timeline: per slice of the profile, the busy time and the watched function deepest on the stack
    const slices = 30;
    const times: number[] = [];
    let t = 0;
    for (const d of deltas) {
      t += d;
      times.push(t);
    }
    const span = t / slices;
    const rows = Array.from({ length: slices }, () => new Map<string, number>());
    for (const [i, id] of samples.entries()) {
      const us = deltas[i + 1] ?? 0;
      let label = nameOf(id).startsWith('(idle)') ? '(idle)' : 'other';
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const n = nameOf(at);
        const hit = watch.find((w) => n.startsWith(`${w} `));
        if (hit) {
          label = hit;
          break;
        }
      }
      const row = rows[Math.min(slices - 1, Math.floor((times[i] ?? 0) / span))]!;
      row.set(label, (row.get(label) ?? 0) + us);
    }
    for (const [i, row] of rows.entries())
      console.log(
        `      ${((i * span) / 1000).toFixed(0).padStart(6)} ms: ${[...row]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`)
          .join(', ')}`,
      );
  }
  console.log('    self:');
  for (const [name, us] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`      ${(us / 1000).toFixed(1).padStart(7)} ms  ${name.slice(0, 110)}`);
  console.log('    total:');
  for (const [name, us] of [...byTotal].sort((a, b) => b[1] - a[1]).slice(0, top * 2))
    console.log(`      ${(us / 1000).toFixed(1).padStart(7)} ms  ${name.slice(0, 110)}`);
}

async function measure(server: TestServer, browser: Browser): Promise<void> {
  const admin = await server.login('admin@docket.local');
  const graph = bigWorkflow();
  await server.gql(
    'mutation($g: JSON) { createWorkflow(key: "big-canvas", name: "A thousand nodes", graph: $g) { __typename } }',
    { g: graph },
    admin,
  );
  const context = await signedInContext(browser, server.url, 'admin@docket.local');
  const url = `${server.url}/admin/workflows/big-canvas`;
  const visits = Number(process.env.TRACE_VISITS ?? 3);
  for (let visit = 0; visit < visits; visit++) {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1600, height: 1000 });
    const cdp = visit > 0 ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    await page.goto(url, { waitUntil: 'commit' });
    const ready = (await (
      await page.waitForFunction(drawnAndFitted, graph.nodes.length, { polling: 'raf', timeout: 120_000 })
    ).jsonValue()) as number;
    const marks = (await page.evaluate(() => ({
      res: performance.getEntriesByType('resource').map((e) => {
        const r = e as PerformanceResourceTiming;
        return { name: r.name.replace(/^https?:\/\/[^/]+/, ''), start: r.startTime, end: r.responseEnd };
      }),
      marks: performance.getEntriesByType('mark').map((m) => ({ name: m.name, at: m.startTime })),
      paint: performance.getEntriesByType('paint').map((p) => ({ name: p.name, at: p.startTime })),
    }))) as {
      res: { name: string; start: number; end: number }[];
      marks: { name: string; at: number }[];
      paint: { name: string; at: number }[];
    };
    console.log(`visit ${visit}: open ${ready.toFixed(0)} ms`);
    for (const p of [...marks.paint, ...marks.marks]) console.log(`    ${p.name} ${p.at.toFixed(0)}`);
    for (const r of marks.res)
      console.log(
        `    ${r.start.toFixed(0).padStart(5)} → ${r.end.toFixed(0).padStart(5)} ${r.name.slice(0, 80)}`,
      );
    if (cdp) printProfile((await cdp.send('Profiler.stop')).profile as Profile);
    await page.close();
  }
  await context.close();
}

await benchInChromium({ isQuiet: true, report: () => [], measure });
process.exit(0);
