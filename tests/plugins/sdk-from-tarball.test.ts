/**
 * The SDK as a plugin developer gets it: packed into a tarball, installed with npm into an empty
 * folder outside the monorepo (its isolated-vm compiles there), then `docket-plugin init`, `test`
 * and `pack` run as its README says. Slow (the compile takes minutes on two cores).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(join(tmpdir(), 'docket-sdk-'));
const pluginDir = join(work, 'parcel-tracker');
let tarball = '';

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', NODE_OPTIONS: '' },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}
const cli = (args: string[]) => run(join(pluginDir, 'node_modules/.bin/docket-plugin'), args, pluginDir);

beforeAll(() => {
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'sdk/scripts/build.ts')], {
    cwd: root,
    stdio: 'pipe',
  });
  const packed = run('npm', ['pack', join(root, 'sdk/dist'), '--pack-destination', work], work);
  expect(packed.status, packed.out).toBe(0);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  execFileSync('mkdir', ['-p', pluginDir]);
  const installed = run('npm', ['install', '--save-dev', tarball], pluginDir);
  expect(installed.status, installed.out).toBe(0);
}, 900_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the SDK from its tarball, in an empty folder', () => {
  it('init writes a plugin named after the folder, keeping the installed SDK', () => {
    const r = cli(['init']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('Made plugin "parcel_tracker"');
    const pkg = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8'));
    expect(pkg.type).toBe('module');
    expect(pkg.devDependencies['@docket/sdk']).toMatch(/^file:/);
    expect(pkg.scripts.test).toBe('docket-plugin test');
    expect(pkg.allowScripts).toEqual({ esbuild: true, 'isolated-vm': true });
    expect(readFileSync(join(pluginDir, 'src/index.ts'), 'utf8')).toContain(
      "type: 'parcel_tracker.check_status'",
    );
  });

  it('its types check against the published declarations', () => {
    writeFileSync(
      join(pluginDir, 'tsconfig.check.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { typeRoots: [join(root, 'node_modules/@types')], skipLibCheck: false },
      }),
    );
    const r = run(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.check.json'],
      pluginDir,
    );
    expect(r.status, r.out).toBe(0);
  });

  it('test builds the plugin and passes the scaffold’s tests in the sandbox', () => {
    const r = cli(['test']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/# pass 2/);
    const manifest = JSON.parse(readFileSync(join(pluginDir, 'dist/manifest.json'), 'utf8'));
    const bundle = readFileSync(join(pluginDir, 'dist/plugin.js'));
    expect(manifest).toMatchObject({
      manifestVersion: 1,
      name: 'parcel_tracker',
      version: '0.1.0',
      permissions: { fetch: ['api.example.com'], ticket: 'patch' },
      bundle: {
        file: 'plugin.js',
        bytes: bundle.length,
        sha256: createHash('sha256').update(bundle).digest('hex'),
      },
    });
    expect(manifest.contributes.nodeTypes[0].type).toBe('parcel_tracker.check_status');
  });

  it('a test that should fail fails', () => {
    const file = join(pluginDir, 'test/plugin.test.ts');
    const original = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      original.replace("{ status: 'shipped' } });\n\n  const", "{ status: 'lost' } });\n\n  const"),
    );
    try {
      const r = cli(['test']);
      expect(r.status).not.toBe(0);
      expect(r.out).toMatch(/# fail 1/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a plugin that imports a Node module does not build, and says why', () => {
    const file = join(pluginDir, 'src/index.ts');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n${original}`);
    try {
      const r = cli(['build']);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/cannot import Node modules/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('pack makes a tarball of the bundle and its manifest', () => {
    expect(cli(['build']).status).toBe(0);
    const r = cli(['pack']);
    expect(r.status, r.out).toBe(0);
    const listed = run('tar', ['-tzf', join(pluginDir, 'parcel_tracker-0.1.0.tgz')], pluginDir);
    expect(listed.out.trim().split('\n').sort()).toEqual([
      'parcel_tracker/README.md',
      'parcel_tracker/manifest.json',
      'parcel_tracker/plugin.js',
    ]);
  });

  it('publish and dev say what they need: a token, and a server that answers', () => {
    const noToken = cli(['publish', '--server', 'http://127.0.0.1:9']);
    expect(noToken.status).toBe(1);
    expect(noToken.out).toContain('Give the server a token: --token <API token> (or DOCKET_TOKEN)');
    const nowhere = cli(['dev', '--server', 'http://127.0.0.1:9', '--token', 'dkt_unknown']);
    expect(nowhere.status).toBe(1);
    expect(nowhere.out).toContain('Cannot reach the Docket server at http://127.0.0.1:9');
  });
});
