import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGz } from '../../sdk/src/cli/tar.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { CONFIGURE, ENABLE, GRANT, pluginMutation, UPLOAD } from './plugin-fixtures.ts';

/**
 * A hostile plugin installed in a running server: its calls (an infinite loop, a memory bomb)
 * break their limits, are reported against it, and fail only themselves, while the server goes on
 * answering GraphQL. The p99 latency of a simple query is measured at rest and during each attack
 * and printed; the bound is generous (the attack may cost the shared machine a core) but a server
 * whose own process ran the plugin would blow it.
 */

const ATTACKS = {
  loop: 'while (true) {}',
  bomb: 'const hoard = []; while (true) hoard.push(new Array(1e6).fill(Math.random()));',
} as const;

function hostilePackage(): Buffer {
  const handlers = Object.entries(ATTACKS)
    .map(([name, body]) => `'node:hostile.${name}': () => { ${body} },`)
    .join('\n');
  const code = `globalThis.__docketPlugin = { handlers: {\n${handlers}\n'node:hostile.ok': () => ({ outputs: {}, port: 'out' }),\n} };`;
  const manifest = {
    manifestVersion: 1,
    name: 'hostile',
    version: '1.0.0',
    displayName: 'Hostile',
    permissions: {},
    config: { type: 'object', properties: {} },
    contributes: {
      nodeTypes: ['loop', 'bomb', 'ok'].map((name) => ({
        type: `hostile.${name}`,
        version: 1,
        title: `Hostile ${name}`,
        category: 'action',
        configSchema: { type: 'object', properties: {} },
        defaultConfig: {},
        ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next' }] },
        isWaiting: false,
        migrations: [],
      })),
      slaActions: [],
      notificationTargets: [],
      channels: [],
    },
    bundle: {
      file: 'plugin.js',
      bytes: Buffer.byteLength(code),
      sha256: createHash('sha256').update(code).digest('hex'),
    },
  };
  return tarGz([
    { name: 'hostile/manifest.json', content: Buffer.from(JSON.stringify(manifest)) },
    { name: 'hostile/plugin.js', content: Buffer.from(code) },
  ]);
}

const p99 = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
};

describe(`a hostile plugin in a running server (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  const figures: Record<string, { p99: number; queries: number; attacks: number; codes: string[] }> = {};

  /** Times a simple GraphQL query back to back for `ms`, while `attack` (if any) keeps calling the plugin. */
  async function measure(ms: number, attack?: keyof typeof ATTACKS) {
    const latencies: number[] = [];
    const codes: string[] = [];
    let attacks = 0;
    let isRunning = true;
    const attacker = (async () => {
      if (!attack) return;
      while (isRunning) {
        const e = await s.app.services.plugins
          .call('hostile', `node:hostile.${attack}`, { config: {}, inputs: {} })
          .then(
            () => null,
            (err: { code?: string }) => err,
          );
        attacks++;
        codes.push(e?.code ?? 'NO_ERROR');
      }
    })();
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const started = performance.now();
      const r = await s.gql('{ templates { key } }', {}, admin);
      latencies.push(performance.now() - started);
      expect(r.errors).toBeUndefined();
    }
    isRunning = false;
    await attacker;
    return { p99: p99(latencies), queries: latencies.length, attacks, codes: [...new Set(codes)] };
  }

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    const up = await pluginMutation(s, admin, UPLOAD, { p: hostilePackage().toString('base64') });
    expect(up.__typename, JSON.stringify(up)).toBe('PluginUpload');
    await pluginMutation(s, admin, GRANT, { n: 'hostile', g: {} });
    await pluginMutation(s, admin, CONFIGURE, { n: 'hostile', c: {} });
    const limits = await s.gql(
      'mutation { setPluginLimits(name: "hostile", limits: { cpuMs: 500, memoryMb: 32, wallMs: 3000 }) { __typename } }',
      {},
      admin,
    );
    expect(limits.data!.setPluginLimits.__typename).toBe('Plugin');
    const on = await pluginMutation(s, admin, ENABLE, { n: 'hostile' });
    expect(on.status).toBe('enabled');
    // Warm: the server's query path, the sandbox with the plugin loaded.
    await measure(500);
    figures.rest = await measure(3_000);
  }, 120_000);

  afterAll(async () => {
    const line = (k: string) =>
      figures[k]
        ? `${k}: p99 ${figures[k]!.p99.toFixed(1)} ms over ${figures[k]!.queries} queries${figures[k]!.attacks ? `, ${figures[k]!.attacks} attacking calls (${figures[k]!.codes.join(', ')})` : ''}`
        : `${k}: not measured`;
    console.log(`GraphQL { templates { key } } latency — ${['rest', 'loop', 'bomb'].map(line).join('; ')}`);
    await s?.close();
  });

  it.each(['loop', 'bomb'] as const)(
    'an attack (%s) breaks its limit, is recorded, and the server keeps answering',
    async (attack) => {
      const during = await measure(6_000, attack);
      figures[attack] = during;
      expect(during.attacks).toBeGreaterThan(0);
      // A bomb on a loaded machine may run out of CPU time before it fills its memory: either way
      // it is stopped by a limit, and at least some of its calls by the memory limit.
      if (attack === 'loop') expect(during.codes).toEqual(['LIMIT_CPU']);
      else {
        expect(during.codes).toContain('LIMIT_MEMORY');
        expect(during.codes.every((c) => c === 'LIMIT_MEMORY' || c === 'LIMIT_CPU')).toBe(true);
      }
      // Generous: a shared two-core machine may lose a core to the attack, not the server its answers.
      const rest = figures.rest!.p99;
      expect(during.p99).toBeLessThan(Math.max(rest * 10, rest + 250));
      // Recorded against the plugin, and it still answers an innocent call.
      const log = await waitFor('the limit in its log', async () => {
        const r = await s.gql(
          '{ plugin(name: "hostile") { logs(kinds: ["event"]) { message data } callStats { handler calls errors } } }',
          {},
          admin,
        );
        const p = r.data!.plugin;
        return p.logs.some(
          (l: { data: { code?: string } | null }) =>
            l.data?.code === (attack === 'loop' ? 'LIMIT_CPU' : 'LIMIT_MEMORY'),
        )
          ? p
          : undefined;
      });
      const stats = log.callStats.find(
        (x: { handler: string | null }) => x.handler === `node:hostile.${attack}`,
      );
      expect(stats.errors).toBe(stats.calls);
      expect(
        await s.app.services.plugins.call('hostile', 'node:hostile.ok', { config: {}, inputs: {} }),
      ).toEqual({
        outputs: {},
        port: 'out',
      });
    },
  );
});
