import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureWebAppBuilt, isWebAppFresh } from '../../designer/scripts/build-if-stale.ts';

// What `npm start` runs first, into a folder of its own (designer/dist may be in use by the browser tests).
describe('npm start builds the web app only when it is missing or stale', () => {
  const outDir = join(mkdtempSync(join(tmpdir(), 'docket-build-')), 'dist');
  afterAll(() => rmSync(join(outDir, '..'), { recursive: true, force: true }));

  it('builds a missing app, then starts at once while its sources are unchanged', async () => {
    const first = await ensureWebAppBuilt({ outDir });
    expect(first.isBuilt).toBe(true);
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
    expect(readdirSync(join(outDir, 'assets')).some((f) => /^index-[\w-]+\.js$/.test(f))).toBe(true);
    expect(isWebAppFresh(outDir)).toBe(true);
    // React's production build even though vitest runs with NODE_ENV=test: no development warnings.
    const scripts = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
    const bundle = scripts.map((f) => readFileSync(join(outDir, 'assets', f), 'utf8')).join('\n');
    expect(process.env.NODE_ENV).toBe('test');
    expect(bundle.includes('unique "key" prop'), "React's development build is in the bundle").toBe(false);

    const second = await ensureWebAppBuilt({ outDir });
    expect(second.isBuilt).toBe(false);
    expect(second.ms).toBeLessThan(1000);
  });

  it('rebuilds when the last build was of other sources, or its output was lost', async () => {
    writeFileSync(join(outDir, '.build-stamp'), 'a stamp of older sources');
    expect(isWebAppFresh(outDir)).toBe(false);
    expect((await ensureWebAppBuilt({ outDir })).isBuilt).toBe(true);

    unlinkSync(join(outDir, 'index.html'));
    expect((await ensureWebAppBuilt({ outDir })).isBuilt).toBe(true);
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
  });
});
