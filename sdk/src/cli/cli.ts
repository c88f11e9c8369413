/**
 * docket-plugin: init, build, test and pack a Docket plugin.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, buildPlugin, CliError, MANIFEST_FILE } from './build-plugin.ts';
import { dev, publish } from './publish.ts';
import { scaffold } from './scaffold.ts';
import { tarGz } from './tar.ts';

declare const __SDK_VERSION__: string | undefined;
const SDK_VERSION = typeof __SDK_VERSION__ === 'string' ? __SDK_VERSION__ : '0.0.0-dev';

const USAGE = `docket-plugin ${SDK_VERSION}: make Docket plugins

  docket-plugin init [folder]   a new plugin in this folder or <folder> (named after the folder), with a passing test
  docket-plugin build           bundle src/index.ts into dist/plugin.js and write dist/manifest.json
  docket-plugin test [files]    build, then run test/**/*.test.ts (node:test) against the plugin in Docket's sandbox
  docket-plugin pack            dist/ into <name>-<version>.tgz (plugin.js + manifest.json) to upload to a server
  docket-plugin publish [--server URL] [--token TOKEN]
                                build, pack and upload to a Docket server (an API token of someone with plugin.manage)
  docket-plugin dev [--server URL] [--token TOKEN | --email E --password P] [--config settings.json]
                                keep the plugin loaded, granted and enabled on a local server, reloaded on every change

Run them in the plugin's folder. The server defaults to DOCKET_URL or http://127.0.0.1:4000; the token to
DOCKET_TOKEN (or DOCKET_EMAIL and DOCKET_PASSWORD).`;

function findTests(dir: string, given: string[]): string[] {
  if (given.length > 0) return given.map((f) => resolve(f));
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
    }
  };
  for (const d of ['test', 'tests', 'src']) if (existsSync(join(dir, d))) walk(join(dir, d));
  return out.sort();
}

async function runTests(dir: string, given: string[]): Promise<number> {
  const { manifest } = await buildPlugin(dir, SDK_VERSION);
  console.log(`built ${manifest.name}@${manifest.version}`);
  const files = findTests(dir, given);
  if (files.length === 0) {
    console.error('No test files (test/**/*.test.ts). `docket-plugin init` writes an example.');
    return 1;
  }
  // Tests are TypeScript: bundle each (packages stay imports) so plain `node --test` runs them.
  const outDir = join(dir, '.docket', 'test');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: files,
    outdir: outDir,
    outbase: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'silent',
  }).catch((e: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    throw new CliError(
      `The tests do not compile:\n${(e.errors ?? []).map((x) => `  ${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`).join('\n')}`,
    );
  });
  const compiled = files.map((f) => join(outDir, relative(dir, f)).replace(/\.(ts|mts|js|mjs)$/, '.mjs'));
  const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...compiled], {
    cwd: dir,
    stdio: 'inherit',
  });
  return r.status ?? 1;
}

function pack(dir: string): string {
  const manifestPath = join(dir, 'dist', MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new CliError('Nothing to pack: run "docket-plugin build" first.');
  const manifestText = readFileSync(manifestPath);
  const manifest = JSON.parse(manifestText.toString('utf8')) as { name: string; version: string };
  const bundle = readFileSync(join(dir, 'dist', BUNDLE_FILE));
  const entries = [
    { name: `${manifest.name}/${MANIFEST_FILE}`, content: manifestText },
    { name: `${manifest.name}/${BUNDLE_FILE}`, content: bundle },
  ];
  const readme = join(dir, 'README.md');
  if (existsSync(readme)) entries.push({ name: `${manifest.name}/README.md`, content: readFileSync(readme) });
  const out = join(dir, `${manifest.name}-${manifest.version}.tgz`);
  writeFileSync(out, tarGz(entries));
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dir = process.cwd();
  try {
    switch (command) {
      case 'init': {
        const r = scaffold(rest[0] ?? '.', SDK_VERSION);
        const where = relative(process.cwd(), r.dir);
        console.log(`Made plugin "${r.pluginName}" in ${r.dir}:\n${r.files.map((f) => `  ${f}`).join('\n')}`);
        console.log(
          `\nNext:${where ? `\n  cd ${where}\n  npm install` : ''}\n  npx docket-plugin test    (builds it and runs test/plugin.test.ts in Docket's sandbox)`,
        );
        return 0;
      }
      case 'build': {
        const { manifest, bundlePath, manifestPath } = await buildPlugin(dir, SDK_VERSION);
        console.log(
          `built ${manifest.name}@${manifest.version}: ${relative(dir, bundlePath)} (${manifest.bundle?.bytes} bytes, sha256 ${manifest.bundle?.sha256}) and ${relative(dir, manifestPath)}`,
        );
        return 0;
      }
      case 'test':
        return await runTests(dir, rest);
      case 'pack': {
        const out = pack(dir);
        console.log(`packed ${relative(dir, out)}`);
        return 0;
      }
      case 'publish':
        await publish(dir, SDK_VERSION, rest);
        return 0;
      case 'dev':
        await dev(dir, SDK_VERSION, rest);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 1 : 0;
      case '--version':
      case '-v':
        console.log(SDK_VERSION);
        return 0;
      default:
        console.error(`Unknown command "${command}".\n\n${USAGE}`);
        return 1;
    }
  } catch (e) {
    if (e instanceof CliError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}
