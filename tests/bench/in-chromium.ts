import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureWebAppBuilt } from '../../designer/scripts/build-if-stale.ts';
import { launchBrowser, newContext } from '../browser/browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/* What the benchmarks that drive the web app in Chromium share. */

/**
 * Runs a measurement against a real server (fresh database, example data) and Chromium: builds
 * designer/dist first when it is stale, prints the report unless quiet, closes both either way.
 * BENCH_WEB_APP_DIR=<dir> serves another build of the web app instead (say, one built from
 * main's sources, to measure before and after in one sitting).
 */
export async function benchInChromium<R>(input: {
  server?: Parameters<typeof startTestServer>[0];
  isQuiet?: boolean;
  report: (result: R) => string[];
  measure: (server: TestServer, browser: Browser) => Promise<R>;
}): Promise<R> {
  const webAppDir = process.env.BENCH_WEB_APP_DIR;
  if (webAppDir) console.log(`The web app served: ${webAppDir}`);
  else await ensureWebAppBuilt({ log: (line) => console.log(line) });
  const [server, browser] = await Promise.all([
    startTestServer({ ...input.server, ...(webAppDir ? { webAppDir } : {}) }),
    launchBrowser(),
  ]);
  try {
    const result = await input.measure(server, browser);
    if (!input.isQuiet) console.log(input.report(result).join('\n'));
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** A fresh browser profile signed in as an example user (the session cookie set, as the login page would). */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  email: string,
): Promise<BrowserContext> {
  const context = await newContext(browser);
  const login = await context.request.post(`${baseUrl}/graphql`, {
    headers: { 'content-type': 'application/json' },
    data: { query: `mutation { login(email: "${email}", password: "docket-demo") { __typename } }` },
  });
  if (!login.ok()) throw new Error(`login ${email} failed: ${await login.text()}`);
  return context;
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
};

export const ms = (v: number) => `${v.toFixed(1)} ms`;

/**
 * Starts recording, in the page, the interval between animation frames (window.__bench.frames)
 * beside the work samples a benchmark pushes to window.__bench.work; `listen` is the page-side
 * source (as text: the bundler that runs the benchmark would add helpers the page does not have)
 * that adds the benchmark's own event listeners, with `b` the record.
 */
export async function startRecording(page: Page, listen: string): Promise<void> {
  await page.evaluate(`(() => {
    const b = { work: [], frames: [], on: true, t0: 0 };
    window.__bench = b;
    ${listen}
    let last = performance.now();
    const loop = (t) => {
      if (!b.on) return;
      b.frames.push(t - last);
      last = t;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  })()`);
}

/** Stops recording: each work sample, and the frame intervals after the first two. */
export async function stopRecording(page: Page): Promise<{ work: number[]; frames: number[] }> {
  return (await page.evaluate(
    '(() => { window.__bench.on = false; return { work: window.__bench.work, frames: window.__bench.frames.slice(2) }; })()',
  )) as { work: number[]; frames: number[] };
}

export const nextFrame = (page: Page) =>
  page.evaluate('new Promise((r) => requestAnimationFrame(() => r()))');

export type WorkFigure = { p50: number; p95: number; max: number; frameP95: number; meetsTarget: boolean };

/** A recording's work percentiles and frame interval p95, against a p95 target. */
export function workFigure(r: { work: number[]; frames: number[] }, targetMs: number): WorkFigure {
  const p95 = percentile(r.work, 95);
  return {
    p50: percentile(r.work, 50),
    p95,
    max: Math.max(...r.work),
    frameP95: percentile(r.frames, 95),
    meetsTarget: p95 <= targetMs,
  };
}

/** A work figure as a report line's tail: p50, p95, max, frame interval p95, ratio to the target. */
export const workLine = (f: WorkFigure, targetMs: number): string =>
  `p50 ${ms(f.p50).padStart(8)}   p95 ${ms(f.p95).padStart(8)}   max ${ms(f.max).padStart(8)}   frame interval p95 ${ms(f.frameP95).padStart(8)}   ratio ${(f.p95 / targetMs).toFixed(2)}  ${f.meetsTarget ? 'MEETS' : 'MISSES'}`;
