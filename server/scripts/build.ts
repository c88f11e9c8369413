/**
 * `npm run build` for the server: plain JavaScript that `node` runs without tsx.
 *
 *   server/dist/main.js          the server and the workspace packages it imports (@docket/core,
 *                                db, engine, sandbox, examples), bundled; packages from
 *                                node_modules stay imports (isolated-vm, PGlite and argon2 load
 *                                native or WebAssembly files next to themselves)
 *   server/dist/sandbox-host.js  the plugin host process the sandbox forks (it looks for this
 *                                file beside the bundle, see packages/sandbox/src/sandbox-host.ts)
 *
 * It also builds the first-party plugins the example data installs (plugins/*\/dist). The web app
 * (designer/dist) is built by its own workspace's build, which `npm run build` runs beside this.
 *
 *   npm run build                 # everything (turbo)
 *   npm run build -w @docket/server
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { buildFirstPartyPlugins } from '../../plugins/build.ts';

const server = fileURLToPath(new URL('..', import.meta.url));
const root = join(server, '..');
const dist = join(server, 'dist');

/** Workspace packages (TypeScript sources) are bundled; everything else from node_modules is imported at run time. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@docket/') ? undefined : { path: args.path, external: true },
    );
  },
};

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // MikroORM and the error classes are looked up by name: keep the names the sources give.
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [externalPackages],
  // A bundled CommonJS helper may call require(): give ES modules one.
  banner: {
    js: "import { createRequire as __docketRequire } from 'node:module'; const require = __docketRequire(import.meta.url);",
  },
};
await Promise.all([
  build({ ...common, entryPoints: [join(server, 'src/main.ts')], outfile: join(dist, 'main.js') }),
  build({
    ...common,
    entryPoints: [join(root, 'packages/sandbox/src/host/host-process.ts')],
    outfile: join(dist, 'sandbox-host.js'),
  }),
]);
const plugins = await buildFirstPartyPlugins();
console.log(
  `server/dist built in ${Date.now() - started} ms${plugins.length ? ` (example plugins built: ${plugins.join(', ')})` : ''}`,
);
