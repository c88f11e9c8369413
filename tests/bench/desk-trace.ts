/**
 * Where the desk's first page spends its time: one visit of /desk?view=open in Chromium, split
 * into the app's code (download and run), each GraphQL request (by operation) and what is left
 * (rendering). Loads BENCH_DESK_TICKETS (default 200,000) tickets first.
 *
 *   npx tsx tests/bench/desk-trace.ts
 */
import pg from 'pg';
import { launchBrowser, newContext } from '../browser/browser.ts';
import { signIn } from '../browser/desk-helpers.ts';
import { benchDatabase, startServerProcess } from './bench-server.ts';
import { loadListTickets } from './list-tickets.bench.ts';

const TICKETS = Number(process.env.BENCH_DESK_TICKETS ?? 200_000);
const db = await benchDatabase();
const [server, browser] = await Promise.all([startServerProcess(db.url), launchBrowser()]);
const pool = new pg.Pool({ connectionString: db.url, max: 2 });
try {
  await loadListTickets(pool, TICKETS, () => {});
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
