import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginManifest, StaffPrincipal } from '@docket/core';
import { forkEm, queryOne } from '@docket/db';
import * as examples from '@docket/examples';
import {
  adminDepsOf,
  configurePlugin,
  enablePlugin,
  grantPluginPermissions,
  installBuiltPlugin,
} from '../plugins/plugin-admin.ts';
import type { Services } from '../services.ts';

/**
 * Installs the example pack's first-party plugins (built into plugins/<folder>/dist), grants them
 * what they ask for, gives them the example settings and enables them, as the example admin. A
 * plugin installed already is left as it is; one not built is skipped and named.
 */
export async function installExamplePlugins(
  services: Services,
  options: { pluginsDir: string; only?: string[] },
): Promise<{ installed: string[]; skipped: string[] }> {
  const em = forkEm(services.db);
  const admin = await queryOne<{ id: number }>(
    em,
    "select id from app_user where email = 'admin@docket.local'",
  );
  const principal: StaffPrincipal | null = admin ? await services.principals.staffById(admin.id) : null;
  if (!principal) return { installed: [], skipped: examples.plugins.map((p) => p.name) };
  const deps = adminDepsOf(services);
  const installed: string[] = [];
  const skipped: string[] = [];
  for (const p of examples.plugins) {
    if (options.only && !options.only.includes(p.name)) continue;
    const dist = join(options.pluginsDir, p.folder, 'dist');
    if (!existsSync(join(dist, 'manifest.json'))) {
      skipped.push(p.name);
      continue;
    }
    if (await queryOne(em, 'select 1 from plugin where name = ?', [p.name])) continue;
    const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as PluginManifest;
    const code = readFileSync(join(dist, manifest.bundle?.file ?? 'plugin.js'), 'utf8');
    await installBuiltPlugin(deps, em, principal, { manifest, code, source: `first-party:${p.folder}` });
    await grantPluginPermissions(deps, em, principal, { name: p.name, grants: manifest.permissions });
    await configurePlugin(deps, em, principal, { name: p.name, config: p.settings });
    await enablePlugin(deps, em, principal, { name: p.name });
    installed.push(p.name);
  }
  return { installed, skipped };
}
