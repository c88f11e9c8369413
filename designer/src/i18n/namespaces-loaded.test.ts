import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every namespace a page's components ask for (useTranslation) arrives with the page's code:
 * an area or admin section lists its namespaces (`messages`), fetched beside its chunk. One asked
 * for but not listed is fetched only when the component first renders, and the component suspends
 * in the middle of an edit (the form builder's condition editor, borrowed from the workflow
 * designer, did: its preview kept a field the new condition hides). Read from the sources: each
 * definition's loaded module and everything it imports, across features.
 */
const src = resolve(import.meta.dirname, '..');
const features = join(src, 'features');

const read = (file: string) => readFileSync(file, 'utf8');

/**
 * The files a module imports (relative imports). A page's own lazy parts are followed (they get
 * its namespaces); not the lazy imports of a definition file or of what it imports (a section's
 * preload fetches another chunk ahead, whose namespaces its section brings).
 */
function importsOf(file: string, isLazyFollowed: boolean): string[] {
  const text = isLazyFollowed ? read(file) : read(file).replace(/import\(\s*'[^']+'\s*\)/g, '');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = resolve(dirname(file), m[1]!);
    if (/\.(tsx?|ts)$/.test(target) && existsSync(target)) found.push(target);
  }
  return found;
}

const isDefinition = (file: string) => /[/\\](area|admin-section)\.ts$/.test(file);

/** The namespaces every module reachable from `entry` asks for. */
function namespacesFrom(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const asked = new Map<string, string>();
  const stack: { file: string; isLazyFollowed: boolean }[] = [{ file: entry, isLazyFollowed: true }];
  while (stack.length) {
    const { file, isLazyFollowed } = stack.pop()!;
    const follow = isLazyFollowed && !isDefinition(file);
    const key = `${follow}:${file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const m of read(file).matchAll(/useTranslation\(\s*(\[[^\]]*\]|'[^']+')/g))
      for (const ns of m[1]!.matchAll(/'([^']+)'/g)) if (!asked.has(ns[1]!)) asked.set(ns[1]!, file);
    stack.push(...importsOf(file, follow).map((f) => ({ file: f, isLazyFollowed: follow })));
  }
  return asked;
}

type Definition = { file: string; messages: string[]; entry: string };

function definitionsIn(name: 'area.ts' | 'admin-section.ts'): Definition[] {
  const out: Definition[] = [];
  for (const feature of readdirSync(features)) {
    const file = join(features, feature, name);
    if (!existsSync(file)) continue;
    const text = read(file);
    // Each definition in the file: its messages, then its load.
    for (const m of text.matchAll(/messages:\s*\[([^\]]*)\][\s\S]*?load:\s*\(\)\s*=>\s*import\('([^']+)'\)/g))
      out.push({
        file,
        messages: [...m[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!),
        entry: resolve(dirname(file), m[2]!),
      });
  }
  return out;
}

const areas = definitionsIn('area.ts');
const sections = definitionsIn('admin-section.ts');
const adminArea = areas.find((a) => a.file.endsWith(join('admin', 'area.ts')));

describe('namespaces arrive with the code that asks for them', () => {
  it('finds the areas and the admin sections', () => {
    expect(areas.length).toBeGreaterThanOrEqual(5);
    expect(sections.length).toBeGreaterThanOrEqual(8);
    expect(adminArea).toBeDefined();
  });

  it.each(areas.map((a) => [a.file.slice(src.length + 1), a] as const))('%s', (_name, area) => {
    const loaded = new Set(['shell', ...area.messages]);
    const missing = [...namespacesFrom(area.entry)].filter(([ns]) => !loaded.has(ns));
    expect(missing.map(([ns, file]) => `${ns} (asked for in ${file.slice(src.length + 1)})`)).toEqual([]);
  });

  it.each(
    sections.map((s) => [`${s.file.slice(src.length + 1)} -> ${s.entry.slice(src.length + 1)}`, s] as const),
  )('%s', (_name, section) => {
    const loaded = new Set(['shell', ...(adminArea?.messages ?? []), ...section.messages]);
    const missing = [...namespacesFrom(section.entry)].filter(([ns]) => !loaded.has(ns));
    expect(missing.map(([ns, file]) => `${ns} (asked for in ${file.slice(src.length + 1)})`)).toEqual([]);
  });
});
