/**
 * The desk list's first and next page, old against new in one sitting: two servers on one
 * database (BENCH_DESK_TICKETS tickets, 1,000,000 by default), the old one from the checkout
 * BENCH_OLD_ROOT (with its own designer/dist built), the new one from this checkout; visits
 * alternate between them so that load from elsewhere on the machine falls on both alike.
 * Prints each visit and the medians: first page and next page as desk.bench.ts measures them, and
 * the renderer's main-thread CPU time up to the first page (thread time: on a busy machine the
 * wall-clock figures swing by seconds, the CPU time much less).
 *
 *   BENCH_OLD_ROOT=/path/to/old/checkout npx tsx tests/bench/desk-ab.ts
 *
 * The old checkout needs designer/dist built and node_modules (a symlink to this one's will do).
 * BENCH_OLD_WEB_APP=<dir>: instead of an old checkout, this checkout's server serving another
 * build of the web app (DOCKET_WEB_APP_DIR) on the old side: the web app alone compared.
 * BENCH_DESK_DB=<url>: a database loaded before (loaded here when short of tickets; kept).
 * BENCH_PORTS="4401,4402": the servers' ports. BENCH_DESK_VISITS: visits per server (7).
 * BENCH_DESK_GQL=1: each GraphQL request's start, first byte and end. BENCH_DESK_PROFILE=1: a
 * CPU profile of each measured visit, by file and function (`npx vite build --minify false`).
 */
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { ensureWebAppBuilt } from '../../designer/scripts/build-if-stale.ts';
import { launchBrowser, newContext } from '../browser/browser.ts';
import { signIn } from '../browser/desk-helpers.ts';
import { benchDatabase, startServerProcess } from './bench-server.ts';
import { nextPage, ROWS_READY } from './desk.bench.ts';
import { loadListTickets } from './list-tickets.bench.ts';

const TICKETS = Number(process.env.BENCH_DESK_TICKETS ?? 1_000_000);
const VISITS = Number(process.env.BENCH_DESK_VISITS ?? 7);
const OLD_WEB_APP = process.env.BENCH_OLD_WEB_APP;
const OLD_ROOT = process.env.BENCH_OLD_ROOT ?? (OLD_WEB_APP ? process.cwd() : undefined);
const [OLD_PORT, NEW_PORT] = (process.env.BENCH_PORTS ?? '0,0').split(',');
if (!OLD_ROOT)
  throw new Error(
    'BENCH_OLD_ROOT (the old checkout, with designer/dist built) or BENCH_OLD_WEB_APP (an old build of the web app): what to compare against',
  );

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;

type Visit = { first: number; next: number; gql: string; cpu: Record<string, number> };

/** The renderer's main-thread CPU time (thread ticks, so not the time other processes took) by kind, in ms. */
const CPU_METRICS = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'];

async function visit(browser: Browser, signedIn: { storage: string }, url: string): Promise<Visit> {
  const context = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    storageState: JSON.parse(signedIn.storage),
  });
  const page = await context.newPage();
  const gql: string[] = [];
  // One visit to fill this context's cache, as any later visit finds it; then the measured one.
  await page.goto(`${url}/desk?view=open`, { waitUntil: 'commit' });
  await page.evaluate(`(${ROWS_READY})(50)`);
  const measured = await context.newPage();
  measured.on('requestfinished', (r) => {
    const body = r.postData();
    if (!r.url().includes('/graphql') || !body) return;
    const name = /(query|mutation)\s+(\w+)/.exec(body)?.[2] ?? '?';
    const t = r.timing();
    gql.push(
      `${name}@${(t.startTime - measuredStart).toFixed(0)} ttfb ${t.responseStart.toFixed(0)} end ${t.responseEnd.toFixed(0)}`,
    );
  });
  await page.close();
  const cdp = await context.newCDPSession(measured);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const metrics = async () =>
    Object.fromEntries(
      (await cdp.send('Performance.getMetrics')).metrics
        .filter((m) => CPU_METRICS.includes(m.name))
        .map((m) => [m.name, m.value * 1000]),
    ) as Record<string, number>;
  if (process.env.BENCH_DESK_PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const before = await metrics();
  const measuredStart = Date.now();
  await measured.goto(`${url}/desk?view=open`, { waitUntil: 'commit' });
  const first = (await measured.evaluate(`(${ROWS_READY})(50)`)) as number;
  const after = await metrics();
  if (process.env.BENCH_DESK_PROFILE) printProfile((await cdp.send('Profiler.stop')).profile);
  const cpu = Object.fromEntries(CPU_METRICS.map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
  const nextStart = gql.length;
  const next = await nextPage(measured);
  const result = {
    first,
    next,
    cpu,
    gql: `${gql.slice(0, nextStart).join('; ')} | next: ${gql.slice(nextStart).join('; ')}`,
  };
  await context.close();
  return result;
}

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };

/** BENCH_DESK_PROFILE=1: the functions and the files with the most self time in a visit's CPU profile. */
function printProfile(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byName = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [i, id] of (profile.samples ?? []).entries()) {
    const f = byId.get(id)!.callFrame;
    const us = profile.timeDeltas?.[i] ?? 0;
    const file = f.url ? f.url.replace(/^.*\//, '') : `(${f.functionName || 'native'})`;
    const name = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber}`;
    byName.set(name, (byName.get(name) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `      ${(us / 1000).toFixed(1).padStart(7)} ms  ${k.slice(0, 110)}`);
  console.log(['    by file:', ...top(byFile, 12), '    by function:', ...top(byName, 25)].join('\n'));
}

await ensureWebAppBuilt({ log: (line) => console.log(line) });
// BENCH_DESK_DB: an existing database, already loaded (kept afterwards), instead of a new one.
const kept = process.env.BENCH_DESK_DB;
const db = kept ? { url: kept, drop: async () => {} } : await benchDatabase();
const browser = await launchBrowser();
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
const servers: { stop: () => Promise<void> }[] = [];
try {
  // The old server first (it sets the database up), then the new one on the same database.
  const oldServer = await startServerProcess(
    db.url,
    { PORT: OLD_PORT!, ...(OLD_WEB_APP ? { DOCKET_WEB_APP_DIR: OLD_WEB_APP } : {}) },
    [],
    OLD_ROOT,
  );
  servers.push(oldServer);
  const newServer = await startServerProcess(db.url, { PORT: NEW_PORT! });
  servers.push(newServer);
  const started = performance.now();
  const have = Number(
    (await pool.query("select count(*) from ticket where number like 'L-%'")).rows[0].count,
  );
  if (have < TICKETS) await loadListTickets(pool, TICKETS, (line) => console.log(line));
  console.log(
    `${TICKETS.toLocaleString()} tickets loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const sides = [
    { name: 'old', url: oldServer.url, visits: [] as Visit[], storage: '' },
    { name: 'new', url: newServer.url, visits: [] as Visit[], storage: '' },
  ];
  for (const side of sides) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, side.url, 'admin@docket.local');
    side.storage = JSON.stringify(await context.storageState());
    await context.close();
  }
  for (let i = 0; i < VISITS; i++) {
    for (const side of i % 2 ? [...sides].reverse() : sides) {
      const v = await visit(browser, { storage: side.storage }, side.url);
      side.visits.push(v);
      console.log(
        `  ${side.name} ${i}: first ${v.first.toFixed(0)} ms, next ${v.next.toFixed(0)} ms; main-thread CPU to the first page ${CPU_METRICS.map((k) => `${k.replace('Duration', '')} ${v.cpu[k]!.toFixed(0)}`).join(', ')}   ${process.env.BENCH_DESK_GQL ? v.gql : ''}`,
      );
    }
  }
  for (const side of sides) {
    console.log(
      `${side.name}: first page ${side.visits.map((v) => v.first.toFixed(0)).join(', ')}; median ${median(side.visits.map((v) => v.first)).toFixed(0)} ms | next page ${side.visits.map((v) => v.next.toFixed(0)).join(', ')}; median ${median(side.visits.map((v) => v.next)).toFixed(0)} ms | main-thread CPU to the first page: ${CPU_METRICS.map((k) => `${k.replace('Duration', '')} median ${median(side.visits.map((v) => v.cpu[k]!)).toFixed(0)}`).join(', ')} ms`,
    );
  }
} finally {
  await pool.end();
  await browser.close();
  for (const s of servers.reverse()) await s.stop();
  await db.drop();
}
process.exit(0);
