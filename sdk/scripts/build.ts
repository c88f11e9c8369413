/**
 * Builds the publishable @docket/sdk into sdk/dist (its own package.json included), so that
 * `npm pack sdk/dist` makes the tarball a plugin developer installs. The sandbox (packages/sandbox)
 * and the pure parts of @docket/core it needs are bundled in; isolated-vm and esbuild stay
 * dependencies (isolated-vm compiles at install).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const sdk = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(sdk, '..');
const dist = join(sdk, 'dist');
const pkg = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  engines: Record<string, string>;
  description: string;
  license: string;
};

rmSync(dist, { recursive: true, force: true });
const external = Object.keys(pkg.dependencies);
const common = {
  bundle: true,
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
} as const;
await Promise.all([
  // What plugins import: bundled again into each plugin, so it must stay free of Node APIs.
  build({
    ...common,
    entryPoints: [join(sdk, 'src/index.ts')],
    outfile: join(dist, 'index.js'),
    platform: 'neutral',
  }),
  build({
    ...common,
    entryPoints: [join(sdk, 'src/crypto.ts')],
    outfile: join(dist, 'crypto.js'),
    platform: 'neutral',
  }),
  build({
    ...common,
    entryPoints: [join(sdk, 'src/testing.ts')],
    outfile: join(dist, 'testing.js'),
    platform: 'node',
    external,
  }),
  build({
    ...common,
    entryPoints: [join(root, 'packages/sandbox/src/host/host-process.ts')],
    outfile: join(dist, 'sandbox-host.js'),
    platform: 'node',
    external,
  }),
  build({
    ...common,
    entryPoints: [join(sdk, 'src/cli/bin.ts')],
    outfile: join(dist, 'cli.js'),
    platform: 'node',
    external,
    banner: { js: '#!/usr/bin/env node' },
    define: { __SDK_VERSION__: JSON.stringify(pkg.version) },
  }),
]);
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(sdk, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
// The sandbox's declarations name '@docket/core', which is not published: point them at the pure
// core files shipped beside them.
writeFileSync(
  join(dist, 'types/core.d.ts'),
  ['plugins/plugin-manifest', 'field-error', 'workflow/json-schema-type', 'workflow/define-node-type']
    .map((f) => `export * from './packages/core/src/${f}.ts';\n`)
    .join(''),
);
for (const f of readdirSync(join(dist, 'types/packages/sandbox/src'), { recursive: true }) as string[]) {
  if (!f.endsWith('.d.ts')) continue;
  const path = join(dist, 'types/packages/sandbox/src', f);
  const back = '../'.repeat(f.split('/').length + 2);
  writeFileSync(path, readFileSync(path, 'utf8').replaceAll("'@docket/core'", `'${back}core.ts'`));
}
const types = (entry: string) => `./types/sdk/src/${entry}.d.ts`;
writeFileSync(
  join(dist, 'package.json'),
  `${JSON.stringify(
    {
      name: '@docket/sdk',
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      type: 'module',
      bin: { 'docket-plugin': './cli.js' },
      exports: {
        '.': { types: types('index'), default: './index.js' },
        './testing': { types: types('testing'), default: './testing.js' },
        './crypto': { types: types('crypto'), default: './crypto.js' },
        './package.json': './package.json',
      },
      dependencies: pkg.dependencies,
      engines: pkg.engines,
    },
    null,
    2,
  )}\n`,
);
copyFileSync(join(sdk, 'README.md'), join(dist, 'README.md'));
console.log(`@docket/sdk ${pkg.version} built in ${dist}`);
