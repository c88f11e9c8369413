/**
 * Where the desk's first page spends its time: one visit of /desk?view=open in Chromium, split
 * into the app's code (download and run), each GraphQL request (by operation) and what is left
 * (rendering). Loads BENCH_DESK_TICKETS (default 200,000) tickets first. DESK_TRACE_PROFILE=1
 * adds each visit's main-thread CPU profile, by function (DESK_TRACE_SAVE=<dir> also writes each one
 * to <dir>/desk-visit-<n>.cpuprofile; build the web app with
 * `npx vite build --minify false` in designer/ to read the names).
 *
 * BENCH_DESK_DB=<url>: a database loaded before (loaded here when short of tickets; kept).
 *
 *   npx tsx tests/bench/desk-trace.ts
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { launchBrowser, newContext } from '../browser/browser.ts';
import { signIn } from '../browser/desk-helpers.ts';
import { benchDatabase, startServerProcess } from './bench-server.ts';
import { loadListTickets } from './list-tickets.bench.ts';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};

/** The 25 functions with the most self time in a CPU profile, with their share of the samples. */
function printProfile(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (const [i, id] of samples.entries()) self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  const byName = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    total += us;
    const where = f.url ? `${f.url.replace(/^.*\//, '')}:${f.lineNumber}` : '';
    const name = `${f.functionName || '(anonymous)'} ${where}`;
    byName.set(name, (byName.get(name) ?? 0) + us);
  }
  console.log(`    profile: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [name, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`      ${(us / 1000).toFixed(1).padStart(7)} ms  ${name.slice(0, 100)}`);
}

const TICKETS = Number(process.env.BENCH_DESK_TICKETS ?? 200_000);
// BENCH_DESK_DB: an existing database, already loaded (kept afterwards), instead of a new one.
const kept = process.env.BENCH_DESK_DB;
const db = kept ? { url: kept, drop: async () => {} } : await benchDatabase();
const [server, browser] = await Promise.all([startServerProcess(db.url), launchBrowser()]);
const pool = new pg.Pool({ connectionString: db.url, max: 2 });
try {
  const have = Number(
    (await pool.query("select count(*) from ticket where number like 'L-%'")).rows[0].count,
  );
  if (have < TICKETS) await loadListTickets(pool, TICKETS, () => {});
  const context = await newContext(browser);
  let page = await context.newPage();
  await signIn(page, server.url, 'admin@docket.local');
  for (let visit = 0; visit < 4; visit++) {
    await page.close();
    page = await context.newPage();
    const ops = new Map<string, string>();
    page.on('request', (r) => {
      const body = r.postData();
      if (r.url().includes('/graphql') && body) {
        const m = /(query|mutation|subscription)\s+(\w+)/.exec(body);
        ops.set(r.url() + body.length, m?.[2] ?? '?');
      }
    });
    const opOf: { url: string; name: string }[] = [];
    page.on('requestfinished', (r) => {
      const body = r.postData();
      if (r.url().includes('/graphql') && body) {
        const m = /(query|mutation|subscription)\s+(\w+)/.exec(body);
        opOf.push({ url: r.url(), name: m?.[2] ?? '?' });
        const t = r.timing();
        console.log(
          `    gql ${m?.[2]} start ${t.startTime.toFixed(0)} ttfb ${t.responseStart.toFixed(0)} end ${t.responseEnd.toFixed(0)}`,
        );
      }
    });
    // DESK_TRACE_PROFILE=1: the main thread's CPU profile over the visit, summed by function.
    const cdp = process.env.DESK_TRACE_PROFILE ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(`${server.url}/desk?view=open`, { waitUntil: 'commit' });
    const ready = (await page.evaluate(`new Promise((resolve) => {
      const check = () => document.querySelectorAll('[data-testid="ticket-row"]').length >= 50;
      const done = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
      if (check()) return done();
      const o = new MutationObserver(() => { if (check()) { o.disconnect(); done(); } });
      o.observe(document.body, { childList: true, subtree: true });
    })`)) as number;
    const entries = (await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return {
        nav: { responseEnd: nav.responseEnd, dcl: nav.domContentLoadedEventEnd },
        res: performance.getEntriesByType('resource').map((e) => {
          const r = e as PerformanceResourceTiming;
          return {
            name: r.name.replace(/^https?:\/\/[^/]+/, ''),
            type: r.initiatorType,
            start: r.startTime,
            end: r.responseEnd,
            size: r.transferSize,
          };
        }),
        paint: performance.getEntriesByType('paint').map((p) => ({ name: p.name, at: p.startTime })),
      };
    })) as {
      nav: { responseEnd: number; dcl: number };
      res: { name: string; type: string; start: number; end: number; size: number }[];
      paint: { name: string; at: number }[];
    };
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      printProfile(profile);
      // DESK_TRACE_SAVE=<dir>: each visit's profile as a .cpuprofile (Chromium's DevTools opens it).
      if (process.env.DESK_TRACE_SAVE)
        writeFileSync(
          `${process.env.DESK_TRACE_SAVE}/desk-visit-${visit}.cpuprofile`,
          JSON.stringify(profile),
        );
    }
    console.log(
      `visit ${visit}: ready at ${ready.toFixed(0)} ms; html ${entries.nav.responseEnd.toFixed(0)}, DOMContentLoaded ${entries.nav.dcl.toFixed(0)}`,
    );
    for (const p of entries.paint) console.log(`    ${p.name} ${p.at.toFixed(0)}`);
    for (const r of entries.res)
      console.log(
        `    ${r.type.padEnd(8)} ${r.start.toFixed(0).padStart(5)} → ${r.end.toFixed(0).padStart(5)} ${String(r.size).padStart(7)} ${r.name.slice(0, 70)}`,
      );
  }
} finally {
  await pool.end();
  await browser.close();
  await server.stop();
  await db.drop();
}
