import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { checkPluginManifest, handlerNamesOf, type PluginManifest } from '../core.ts';

export const BUNDLE_FILE = 'plugin.js';
export const MANIFEST_FILE = 'manifest.json';

export class CliError extends Error {}

/** The plugin's entry: package.json `docket.entry`, else src/index.ts (or .js). */
export function entryOf(dir: string): string {
  const pkgPath = join(dir, 'package.json');
  if (existsSync(pkgPath)) {
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { docket?: { entry?: string } };
    if (pkg.docket?.entry) return resolve(dir, pkg.docket.entry);
  }
  for (const f of ['src/index.ts', 'src/index.js', 'index.ts', 'index.js'])
    if (existsSync(join(dir, f))) return join(dir, f);
  throw new CliError(
    `No plugin entry in ${dir}: write src/index.ts (its default export is definePlugin(...)), or name another file in package.json as "docket": { "entry": "…" }.`,
  );
}

/**
 * Bundles the plugin into one script (no imports left: it runs in an isolate with no Node APIs),
 * reads its manifest by running the bundle once, checks it, and writes dist/plugin.js and
 * dist/manifest.json (with the bundle's size and sha256).
 */
export async function buildPlugin(
  dir: string,
  sdkVersion: string,
): Promise<{ manifest: PluginManifest; bundlePath: string; manifestPath: string }> {
  const entry = entryOf(dir);
  const outDir = join(dir, 'dist');
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__docketPlugin',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    target: 'es2022',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  }).catch((e: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    const lines = (e.errors ?? []).map(
      (x) => `  ${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`,
    );
    throw new CliError(
      `The plugin does not bundle:\n${lines.join('\n')}\n(A plugin runs in Docket's sandbox: it cannot import Node modules such as fs or http; use ctx.fetch and ctx.kv.)`,
    );
  });
  const code = result.outputFiles[0]!.text;
  let definition: { manifest?: unknown; handlers?: Record<string, unknown> } | undefined;
  try {
    const g = runInNewContext(`${code}\n;__docketPlugin`, Object.create(null), {
      filename: relative(dir, entry),
      timeout: 5_000,
    }) as { default?: typeof definition } | undefined;
    definition = g?.default;
  } catch (e) {
    throw new CliError(`The plugin fails while loading: ${(e as Error).message}`);
  }
  if (!definition?.manifest || !definition.handlers)
    throw new CliError(
      `${relative(dir, entry)} must \`export default definePlugin({ ... })\` (from "@docket/sdk").`,
    );
  const manifest = JSON.parse(JSON.stringify(definition.manifest)) as PluginManifest;
  const errors = checkPluginManifest(manifest);
  if (errors.length > 0)
    throw new CliError(
      `The plugin's manifest is not valid:\n${errors.map((e) => `  ${e.path || '(root)'}: ${e.message}`).join('\n')}`,
    );
  const missing = handlerNamesOf(manifest).filter((h) => typeof definition.handlers?.[h] !== 'function');
  if (missing.length > 0) throw new CliError(`The plugin lacks handlers: ${missing.join(', ')}`);
  const bytes = Buffer.byteLength(code, 'utf8');
  const sha256 = createHash('sha256').update(code, 'utf8').digest('hex');
  const full: PluginManifest = { ...manifest, bundle: { file: BUNDLE_FILE, bytes, sha256 }, sdkVersion };
  const bundlePath = join(outDir, BUNDLE_FILE);
  const manifestPath = join(outDir, MANIFEST_FILE);
  writeFileSync(bundlePath, code);
  writeFileSync(manifestPath, `${JSON.stringify(full, null, 2)}\n`);
  return { manifest: full, bundlePath, manifestPath };
}
