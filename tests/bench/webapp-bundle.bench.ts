/**
 * The web app's JavaScript budget: what a browser downloads for the login page and for the
 * desk's first screen (a signed-in agent opening /desk), measured in Chromium from the requests
 * it actually makes to the real server. Target: at most 400 KB of gzipped JavaScript each
 * (1 KB = 1,000 bytes), and none of the designer's code (the workflow and template pages) on
 * either. The admin workflow page is measured beside them for comparison.
 *
 *   npx tsx tests/bench/webapp-bundle.bench.ts
 *
 * Builds designer/dist first when it is stale. Prints the figures; exits 0 either way.
 */
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext } from 'playwright-core';
import { newContext } from '../browser/browser.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { benchInChromium, signedInContext } from './in-chromium.ts';

export const TARGET_GZIP_BYTES = 400_000;
const SCRIPTS_SETTLED_MS = 1_000;
/** Chunks that hold the designers' pages: they must load only when opened. */
const DESIGNER_CHUNKS = /\/assets\/(WorkflowDetailPage|FormBuilder)-/;

export type PageFigure = {
  page: string;
  files: number;
  /** The JavaScript bodies, each gzipped (level 6) here: independent of how the server sends them. */
  gzipBytes: number;
  /** The bytes the browser received for them (the server sends them gzipped). */
  transferredBytes: number;
  rawBytes: number;
  hasDesignerCode: boolean;
  isBudgeted: boolean;
  meetsTarget: boolean;
};

export type WebAppBundleResult = { target: number; figures: PageFigure[]; meetsTarget: boolean };

async function measure(
  context: BrowserContext,
  input: { url: string; page: string; ready: string; isBudgeted: boolean },
): Promise<PageFigure> {
  const page = await context.newPage();
  const pending: Promise<{ url: string; raw: number; gzip: number; transferred: number }>[] = [];
  let lastScriptAt = Date.now();
  page.on('response', (response) => {
    const type = response.headers()['content-type'] ?? '';
    if (!type.includes('javascript')) return;
    lastScriptAt = Date.now();
    pending.push(
      (async () => {
        const body = await response.body();
        const sizes = await response.request().sizes();
        return {
          url: response.url(),
          raw: body.length,
          gzip: gzipSync(body).length,
          transferred: sizes.responseBodySize,
        };
      })(),
    );
  });
  await page.goto(input.url);
  await page.getByRole('heading', { level: 1, name: input.ready }).waitFor();
  // Every script the page asks for, on its own: until none has come for a second. (Not the
  // network going idle: the desk keeps its live feed's connection open.)
  while (Date.now() - lastScriptAt < SCRIPTS_SETTLED_MS) await page.waitForTimeout(200);
  const files = await Promise.all(pending);
  await page.close();
  const gzipBytes = files.reduce((s, f) => s + f.gzip, 0);
  return {
    page: input.page,
    files: files.length,
    gzipBytes,
    transferredBytes: files.reduce((s, f) => s + f.transferred, 0),
    rawBytes: files.reduce((s, f) => s + f.raw, 0),
    hasDesignerCode: files.some((f) => DESIGNER_CHUNKS.test(f.url)),
    isBudgeted: input.isBudgeted,
    meetsTarget:
      !input.isBudgeted ||
      (gzipBytes <= TARGET_GZIP_BYTES && !files.some((f) => DESIGNER_CHUNKS.test(f.url))),
  };
}

export function run(options: { isQuiet?: boolean } = {}): Promise<WebAppBundleResult> {
  return benchInChromium({ isQuiet: options.isQuiet, report, measure: measurePages });
}

async function measurePages(server: TestServer, browser: Browser): Promise<WebAppBundleResult> {
  const figures: PageFigure[] = [];
  // Each page in a fresh profile: an empty cache, as on a first visit.
  const anonymous = await newContext(browser);
  figures.push(
    await measure(anonymous, {
      url: `${server.url}/login`,
      page: '/login',
      ready: 'Sign in to Docket',
      isBudgeted: true,
    }),
  );
  await anonymous.close();

  for (const [email, path, ready, isBudgeted] of [
    ['agent.a@docket.local', '/desk', 'My tasks', true],
    ['admin@docket.local', '/admin/workflows/returns', 'Returns and refunds', false],
  ] as const) {
    const context = await signedInContext(browser, server.url, email);
    figures.push(await measure(context, { url: `${server.url}${path}`, page: path, ready, isBudgeted }));
    await context.close();
  }
  return { target: TARGET_GZIP_BYTES, figures, meetsTarget: figures.every((f) => f.meetsTarget) };
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`.padStart(9);

export function report(result: WebAppBundleResult): string[] {
  const lines = [
    `JavaScript a first visit loads (target: at most ${kb(result.target).trim()} gzipped on /login and /desk, no designer code)`,
    `${'page'.padEnd(26)} ${'files'.padStart(5)} ${'gzipped'.padStart(9)} ${'sent'.padStart(9)} ${'raw'.padStart(9)}  ratio  designer code  verdict`,
  ];
  for (const f of result.figures)
    lines.push(
      `${f.page.padEnd(26)} ${String(f.files).padStart(5)} ${kb(f.gzipBytes)} ${kb(f.transferredBytes)} ${kb(f.rawBytes)}  ${(f.gzipBytes / result.target).toFixed(2).padStart(5)}  ${(f.hasDesignerCode ? 'yes' : 'no').padEnd(13)}  ${f.isBudgeted ? (f.meetsTarget ? 'MEETS' : 'MISSES') : '(for comparison)'}`,
    );
  lines.push(
    `${result.meetsTarget ? 'PASS' : 'FAIL'}: the login page and the desk's first screen ${result.meetsTarget ? 'stay within' : 'exceed'} the budget.`,
  );
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
  process.exit(0);
}
