import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tarGz } from '../../../sdk/src/cli/tar.ts';
import { readPluginPackage, untar } from './plugin-package.ts';

const manifest = (code: string, more: Record<string, unknown> = {}) => ({
  manifestVersion: 1,
  name: 'demo',
  version: '1.0.0',
  displayName: 'Demo',
  permissions: {},
  config: { type: 'object', properties: {} },
  contributes: { nodeTypes: [], slaActions: [], notificationTargets: [], channels: [] },
  bundle: { file: 'plugin.js', bytes: code.length, sha256: createHash('sha256').update(code).digest('hex') },
  ...more,
});

const pack = (files: Record<string, string>) =>
  tarGz(Object.entries(files).map(([name, text]) => ({ name, content: Buffer.from(text) })));

describe('reading a plugin package', () => {
  const code = 'globalThis.__docketPlugin = { handlers: {} };';

  it('reads the layout docket-plugin pack makes and an npm package holding the build under dist/', () => {
    for (const dir of ['demo', 'package/dist']) {
      const r = readPluginPackage(
        pack({ [`${dir}/manifest.json`]: JSON.stringify(manifest(code)), [`${dir}/plugin.js`]: code }),
        { path: '/package' },
      );
      expect('package' in r && r.package.code).toBe(code);
    }
  });

  it('refuses a bundle that is not the one the manifest hashed, naming both hashes', () => {
    const r = readPluginPackage(
      pack({ 'demo/manifest.json': JSON.stringify(manifest(code)), 'demo/plugin.js': `${code} ` }),
      { path: '/package' },
    );
    expect(r).toEqual({
      errors: [expect.objectContaining({ path: '/package/manifest/bundle/sha256', code: 'hash_mismatch' })],
    });
  });

  it('checks the whole file against the sha256 the admin expects', () => {
    const file = pack({ 'demo/manifest.json': JSON.stringify(manifest(code)), 'demo/plugin.js': code });
    const sha = createHash('sha256').update(file).digest('hex');
    expect(
      'package' in readPluginPackage(file, { path: '/package', expectedSha256: sha.toUpperCase() }),
    ).toBe(true);
    expect(readPluginPackage(file, { path: '/package', expectedSha256: 'ab' })).toEqual({
      errors: [expect.objectContaining({ path: '/sha256', code: 'hash_mismatch' })],
    });
  });

  it('says what is missing: no manifest, no bundle, no hash, a broken manifest, not a tarball', () => {
    const errorsOf = (file: Buffer) => {
      const r = readPluginPackage(file, { path: '/package' });
      return 'errors' in r ? r.errors.map((e) => `${e.path} ${e.code}`) : [];
    };
    expect(errorsOf(pack({ 'demo/plugin.js': code }))).toEqual(['/package invalid']);
    expect(errorsOf(pack({ 'demo/manifest.json': JSON.stringify(manifest(code)) }))).toEqual([
      '/package/manifest/bundle/file invalid',
    ]);
    expect(
      errorsOf(pack({ 'demo/manifest.json': JSON.stringify(manifest(code, { bundle: undefined })) })),
    ).toEqual(['/package/manifest/bundle invalid']);
    expect(errorsOf(pack({ 'demo/manifest.json': '{nope', 'demo/plugin.js': code }))).toEqual([
      '/package invalid',
    ]);
    expect(
      errorsOf(pack({ 'demo/manifest.json': JSON.stringify(manifest(code, { name: 'Bad Name' })) })),
    ).toEqual(['/package/manifest/name invalid']);
    expect(errorsOf(gzipSync(Buffer.from('not a tar')))).toEqual(['/package invalid']);
    expect(errorsOf(Buffer.alloc(0))).toEqual(['/package required']);
  });

  it('untars long names (ustar prefix)', () => {
    const long = `${'a'.repeat(90)}/${'b'.repeat(40)}.txt`;
    const header = Buffer.alloc(512);
    header.write(long.slice(91), 0);
    header.write('0000644\0', 100);
    header.write(`${(2).toString(8).padStart(11, '0')}\0`, 124);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write(long.slice(0, 90), 345);
    const tar = Buffer.concat([header, Buffer.from('hi'), Buffer.alloc(510), Buffer.alloc(1024)]);
    expect(untar(tar).get(long)?.toString()).toBe('hi');
  });
});
