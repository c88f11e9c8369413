import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the web app (designer/dist) when it is missing or older than its sources: `npm start`
 * runs this before the server, so a fresh clone needs nothing else, and the browser tests and
 * the bundle benchmark call ensureWebAppBuilt(). The stamp is a hash of every file the build
 * reads (sources, public files, configs and the lockfile), kept in dist/.build-stamp; when it
 * matches, nothing runs (a few milliseconds).
 */
const designerDir = fileURLToPath(new URL('..', import.meta.url));
const rootDir = join(designerDir, '..');
/** Where `npm start` and the server look for the web app. */
export const WEB_APP_DIST = join(designerDir, 'dist');
const stampName = '.build-stamp';

const isBuildInput = (path: string) =>
  !/\.test\.tsx?$/.test(path) && !path.endsWith('.d.ts') && !path.includes('node_modules');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter(isBuildInput);
}

/** A hash of everything the build reads. */
export function sourceStamp(): string {
  const files = [
    ...filesUnder(join(designerDir, 'src')),
    ...filesUnder(join(designerDir, 'public')),
    join(designerDir, 'index.html'),
    join(designerDir, 'vite.config.ts'),
    join(designerDir, 'package.json'),
    join(rootDir, 'package-lock.json'),
  ]
    .filter((f) => existsSync(f))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(rootDir, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export const isWebAppFresh = (outDir = WEB_APP_DIST, stamp = sourceStamp()): boolean =>
  existsSync(join(outDir, 'index.html')) &&
  existsSync(join(outDir, stampName)) &&
  readFileSync(join(outDir, stampName), 'utf8') === stamp;

/**
 * Builds the web app into outDir (designer/dist unless given) unless it is up to date; returns
 * whether it built and how long it took.
 */
export async function ensureWebAppBuilt(
  options: { outDir?: string; log?: (line: string) => void } = {},
): Promise<{ isBuilt: boolean; ms: number }> {
  const started = performance.now();
  const outDir = options.outDir ?? WEB_APP_DIST;
  const stamp = sourceStamp();
  if (isWebAppFresh(outDir, stamp)) return { isBuilt: false, ms: performance.now() - started };
  options.log?.(
    existsSync(join(outDir, 'index.html'))
      ? `The web app changed since its last build: building it (${relative(rootDir, outDir)})…`
      : `Building the web app (${relative(rootDir, outDir)}) once…`,
  );
  const { build } = await import('vite');
  // Always the production build: callers such as vitest set NODE_ENV=test, which would make Vite
  // bundle React's development build (larger and slower) under the same stamp.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: designerDir,
      configFile: join(designerDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(join(outDir, stampName), stamp);
  const ms = performance.now() - started;
  options.log?.(`Web app built in ${(ms / 1000).toFixed(1)} s.`);
  return { isBuilt: true, ms };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await ensureWebAppBuilt({ log: (line) => console.log(line) });
  } catch (e) {
    console.error(`Docket could not build its web app: ${(e as Error).message}`);
    process.exit(1);
  }
}
