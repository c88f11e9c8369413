import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { checkPluginManifest, type FieldError, fieldError, type PluginManifest } from '@docket/core';

/** Largest package accepted (gzipped), and largest once unpacked. */
export const MAX_PACKAGE_BYTES = 10_000_000;
const MAX_UNPACKED_BYTES = 50_000_000;

/** A plugin package, read and checked: its manifest, its bundle and their hashes. */
export type PluginPackage = {
  manifest: PluginManifest;
  code: string;
  /** Hex sha256 of the bundle (equal to manifest.bundle.sha256). */
  sha256: string;
  /** Hex sha256 of the package file as given. */
  packageSha256: string;
};

export type ReadPackageResult = { package: PluginPackage } | { errors: FieldError[] };

/** The files of a tar archive (regular files only), by path. */
export function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  const text = (start: number, length: number) => {
    const raw = tar.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
  };
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error('a tar header has no valid size');
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = text(offset + 345, 155);
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100));
    const start = offset + 512;
    const body = tar.subarray(start, start + size);
    if (body.length < size) throw new Error('the archive ends inside a file');
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
    else if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = m?.[1];
    } else {
      paxPath = undefined;
      if (type === '0' || type === '\0') files.set(name.replace(/^\.\//, ''), Buffer.from(body));
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  return files;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Reads a plugin package: the .tgz `docket-plugin pack` makes (`<name>/manifest.json`,
 * `<name>/plugin.js`) or an npm package holding the same files (at its root or under `dist/`).
 * Checks the manifest, and the bundle against the sha256 the manifest gives it (and the package
 * file against `expectedSha256` when the admin gives one). Every problem comes back as a field
 * error under `path` (the mutation's argument).
 */
export function readPluginPackage(
  file: Buffer,
  options: { path: string; expectedSha256?: string | null | undefined },
): ReadPackageResult {
  const { path } = options;
  const fail = (code: string, message: string, at = path): ReadPackageResult => ({
    errors: [fieldError(at, code, message)],
  });
  if (file.length === 0) return fail('required', 'The package is empty.');
  if (file.length > MAX_PACKAGE_BYTES)
    return fail('too_large', `The package is ${file.length} bytes; at most ${MAX_PACKAGE_BYTES}.`);
  const packageSha256 = sha256(file);
  if (options.expectedSha256 && options.expectedSha256.trim().toLowerCase() !== packageSha256)
    return fail(
      'hash_mismatch',
      `The package's sha256 is ${packageSha256}, not the ${options.expectedSha256.trim()} you expected: it is not the file that was published (or it was damaged). Nothing was installed.`,
      '/sha256',
    );
  let files: Map<string, Buffer>;
  try {
    files = untar(gunzipSync(file, { maxOutputLength: MAX_UNPACKED_BYTES }));
  } catch (e) {
    return fail(
      'invalid',
      `The package is not a gzipped tar archive (.tgz from "docket-plugin pack"): ${(e as Error).message}.`,
    );
  }
  const manifests = [...files.keys()]
    .filter((f) => f === 'manifest.json' || f.endsWith('/manifest.json'))
    .filter((f) => !f.includes('node_modules/'))
    .sort((a, b) => a.split('/').length - b.split('/').length);
  const manifestPath = manifests[0];
  if (!manifestPath)
    return fail(
      'invalid',
      `The package holds no manifest.json (it has ${[...files.keys()].slice(0, 10).join(', ') || 'no files'}): make it with "docket-plugin pack".`,
    );
  let manifest: PluginManifest;
  try {
    manifest = JSON.parse(files.get(manifestPath)!.toString('utf8')) as PluginManifest;
  } catch (e) {
    return fail('invalid', `${manifestPath} is not JSON: ${(e as Error).message}.`);
  }
  const problems = checkPluginManifest(manifest);
  if (problems.length > 0)
    return {
      errors: problems.map((p) =>
        fieldError(`${path}/manifest${p.path}`, p.code, `The manifest: ${p.message}`),
      ),
    };
  if (!manifest.bundle)
    return fail(
      'invalid',
      'The manifest names no bundle (file, bytes, sha256): build the plugin with "docket-plugin build" before packing it.',
      `${path}/manifest/bundle`,
    );
  const dir = manifestPath.includes('/') ? manifestPath.slice(0, manifestPath.lastIndexOf('/') + 1) : '';
  const bundle = files.get(`${dir}${manifest.bundle.file}`);
  if (!bundle)
    return fail(
      'invalid',
      `The package has no ${dir}${manifest.bundle.file}, the bundle its manifest names.`,
      `${path}/manifest/bundle/file`,
    );
  const bundleSha256 = sha256(bundle);
  if (bundleSha256 !== manifest.bundle.sha256)
    return fail(
      'hash_mismatch',
      `The bundle's sha256 is ${bundleSha256}, but the manifest says ${manifest.bundle.sha256}: the package was changed after it was built (or damaged). Nothing was installed.`,
      `${path}/manifest/bundle/sha256`,
    );
  return { package: { manifest, code: bundle.toString('utf8'), sha256: bundleSha256, packageSha256 } };
}
