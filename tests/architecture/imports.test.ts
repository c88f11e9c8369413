import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rules ARCHITECTURE.md states, checked on the code as it is: packages depend one way
 * (core <- engine <- db <- server; core <- sdk; core <- designer), no package's files import each
 * other in a cycle, and no two domain folders of the server import each other both ways.
 * Tests and test helpers are left out: they may reach anywhere.
 */

const ROOT = resolve(import.meta.dirname, '../..');

/** What each package may import of the others (by its npm name). */
const ALLOWED: Record<string, string[]> = {
  '@docket/core': [],
  '@docket/engine': ['@docket/core'],
  '@docket/db': ['@docket/core'],
  '@docket/sandbox': ['@docket/core'],
  '@docket/sdk': ['@docket/core', '@docket/sandbox'],
  '@docket/server': ['@docket/core', '@docket/engine', '@docket/db', '@docket/sandbox', '@docket/examples'],
  '@docket/designer': ['@docket/core'],
  // examples/parcel is a plugin written against the SDK alone, as any developer's would be.
  '@docket/examples': ['@docket/core', '@docket/engine', '@docket/sdk'],
};
const PACKAGE_DIRS: Record<string, string> = {
  '@docket/core': 'packages/core/src',
  '@docket/engine': 'packages/engine/src',
  '@docket/db': 'packages/db/src',
  '@docket/sandbox': 'packages/sandbox/src',
  '@docket/sdk': 'sdk/src',
  '@docket/server': 'server/src',
  '@docket/designer': 'designer/src',
  '@docket/examples': 'examples',
};

/** Server folders that hold a domain: each may depend on others one way only. */
const SERVER_DOMAINS = [
  'tickets',
  'workflows',
  'sla',
  'templates',
  'org',
  'users',
  'notifications',
  'auth',
  'plugins',
  'channels',
  'reports',
];

const isTestFile = (path: string) => /\.test\.tsx?$|\/testing\/|\.bench\.ts$/.test(path);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts') && !isTestFile(path)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** Every module a file imports or re-exports (type-only imports too), as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
}

describe('import rules', () => {
  it('packages depend on each other only one way', () => {
    const offences: string[] = [];
    for (const [name, dir] of Object.entries(PACKAGE_DIRS))
      for (const file of sourceFiles(join(ROOT, dir)))
        for (const spec of importsOf(file)) {
          const target = spec.startsWith('@docket/')
            ? spec.split('/').slice(0, 2).join('/')
            : spec.startsWith('.')
              ? Object.entries(PACKAGE_DIRS).find(([, d]) =>
                  resolve(dirname(file), spec).startsWith(join(ROOT, d.split('/src')[0]!)),
                )?.[0]
              : undefined;
          if (target && target !== name && !ALLOWED[name]!.includes(target))
            offences.push(
              `${relative(ROOT, file)} imports ${spec} (${name} may import ${ALLOWED[name]!.join(', ') || 'nothing of Docket'})`,
            );
        }
    expect(offences).toEqual([]);
  });

  /** Each package's files, with the files of the same package each imports (relative imports). */
  const graphOf = (dir: string) => {
    const g = new Map<string, string[]>();
    for (const file of sourceFiles(dir))
      g.set(
        file,
        importsOf(file)
          .filter((s) => s.startsWith('.'))
          .map((s) => resolve(dirname(file), s))
          .filter((p) => p.startsWith(dir)),
      );
    return g;
  };

  it.each(Object.values(PACKAGE_DIRS))("%s: the package's files import each other without cycles", (dir) => {
    const root = join(ROOT, dir);
    const files = graphOf(root);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of files.get(file) ?? []) {
        if (state.get(next) === 'open')
          cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(root, f)).join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  const serverDir = join(ROOT, 'server/src');
  const graph = graphOf(serverDir);

  it('no two domain folders of the server import each other both ways', () => {
    const domainOf = (file: string) => {
      const first = relative(serverDir, file).split('/')[0]!;
      return SERVER_DOMAINS.includes(first) ? first : null;
    };
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      const from = domainOf(file);
      if (!from) continue;
      for (const t of targets) {
        const to = domainOf(t);
        if (to && to !== from) {
          const set = edges.get(from) ?? new Set();
          set.add(`${to}\u0000${relative(serverDir, file)} -> ${relative(serverDir, t)}`);
          edges.set(from, set);
        }
      }
    }
    const pairs: string[] = [];
    const reaches = (a: string, b: string) =>
      [...(edges.get(a) ?? [])].filter((e) => e.startsWith(`${b}\u0000`));
    for (const a of SERVER_DOMAINS)
      for (const b of SERVER_DOMAINS)
        if (a < b && reaches(a, b).length && reaches(b, a).length)
          pairs.push(
            `${a} <-> ${b}: ${[...reaches(a, b), ...reaches(b, a)].map((e) => e.split('\u0000')[1]).join('; ')}`,
          );
    expect(pairs).toEqual([]);
  });
});
