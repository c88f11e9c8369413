/**
 * Builds the first-party plugins (every folder here with src/index.ts) into their dist/ with the
 * SDK's builder, as `docket-plugin build` would, when a source file (theirs or the SDK's) is newer
 * than the build. `npm start` runs it so the example pack can install them.
 *
 *   node --import tsx plugins/build.ts [--force] [name …]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlugin } from '../sdk/src/cli/build-plugin.ts';

export const PLUGINS_DIR = dirname(fileURLToPath(import.meta.url));
const SDK_SRC = join(PLUGINS_DIR, '../sdk/src');

/** The first-party plugin folders (names of folders under plugins/). */
export const firstPartyPlugins = (): string[] =>
  readdirSync(PLUGINS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(PLUGINS_DIR, d.name, 'src/index.ts')))
    .map((d) => d.name)
    .sort();

const newest = (dir: string): number =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts'))
    .reduce((m, f) => Math.max(m, statSync(join(f.parentPath, f.name)).mtimeMs), 0);

/** Builds the named plugins (all when none is named) whose build is older than their sources. */
export async function buildFirstPartyPlugins(
  options: { force?: boolean; names?: string[] } = {},
): Promise<string[]> {
  const built: string[] = [];
  const sdk = newest(SDK_SRC);
  for (const name of options.names?.length ? options.names : firstPartyPlugins()) {
    const dir = join(PLUGINS_DIR, name);
    const manifest = join(dir, 'dist/manifest.json');
    const isStale =
      options.force ||
      !existsSync(manifest) ||
      statSync(manifest).mtimeMs < Math.max(sdk, newest(join(dir, 'src')));
    if (!isStale) continue;
    await buildPlugin(dir, '0.1.0');
    built.push(name);
  }
  return built;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const built = await buildFirstPartyPlugins({
    force: args.includes('--force'),
    names: args.filter((a) => !a.startsWith('--')),
  });
  console.log(built.length ? `plugins built: ${built.join(', ')}` : 'plugins up to date');
}
