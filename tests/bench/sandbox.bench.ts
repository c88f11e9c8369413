/**
 * The plugin sandbox through its whole path: this process (the server's side, SandboxHost) ->
 * IPC -> the sandbox host process -> an isolate, and back. No database.
 *
 *   npx tsx tests/bench/sandbox.bench.ts        (or BENCH_ONLY=sandbox npm run bench)
 *   BENCH_SANDBOX_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the sandbox host process.
 *
 * (a) a realistic handler (render a notification from a 2 KB ticket and a template, pick an
 *     assignee among 50 candidates by a rule) against the same code run in this process, same
 *     run: target >= 0.3 of the in-process rate when calls are batched (the unbatched rate beside).
 * (b) a trivial handler: >= 20,000 calls/s batched, >= 5,000 calls/s unbatched, warm unbatched
 *     p99 <= 2 ms.
 * (c) cold start (load, compile, first call) <= 50 ms; resident memory per idle loaded plugin
 *     <= 10 MB with 50 plugins loaded at once.
 *
 * Batched means concurrent calls: SandboxHost puts calls made in one turn of the event loop into
 * one IPC message (here callBatch with 256 calls, four such batches in flight, as concurrent jobs
 * would be); unbatched means one call at a time, each awaited before the next.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import type { PluginManifest } from '@docket/core';
import { SandboxHost } from '@docket/sandbox';
import { memoryServices, testPlugin } from '@docket/sandbox/testing';
import { build } from 'esbuild';

export const TARGETS = {
  realisticRatio: 0.3,
  trivialBatched: 20_000,
  trivialUnbatched: 5_000,
  trivialP99Ms: 2,
  coldStartMs: 50,
  idleMbPerPlugin: 10,
  pluginsLoaded: 50,
};

/** The realistic handler, as plugin code: the same text runs in the isolate and in this process. */
export const REALISTIC_SOURCE = `(args) => {
  const { ticket, template, candidates } = args;
  const read = (path) => path.split('.').reduce((v, k) => (v == null ? undefined : v[k]), { ticket });
  const render = (text) => text.replace(/\\{\\{\\s*([\\w.]+)\\s*\\}\\}/g, (_, p) => {
    const v = read(p);
    return v == null ? '' : String(v);
  });
  const skill = ticket.category;
  const ranked = candidates
    .filter((c) => c.isActive && c.skills.includes(skill) && (c.region === ticket.region || c.region === 'any'))
    .sort((a, b) => a.openTickets - b.openTickets || a.lastAssignedAt.localeCompare(b.lastAssignedAt) || a.id.localeCompare(b.id));
  const assignee = ranked[0] ?? null;
  return {
    assigneeId: assignee ? assignee.id : null,
    subject: render(template.subject),
    body: render(template.body),
  };
}`;

export function realisticArgs(i: number) {
  const lines = Array.from(
    { length: 12 },
    (_, k) => `Line ${k}: the kettle leaks near the base after ${k + 2} minutes.`,
  );
  const ticket = {
    id: String(1000 + i),
    number: `RT-20261130-${String(i).padStart(6, '0')}`,
    title: `Kettle leaks (${i})`,
    category: ['repair', 'returns', 'billing'][i % 3],
    region: ['north', 'south'][i % 2],
    priority: 'high',
    requester: { name: 'Li Wei', email: 'li.wei@example.com', phone: '+86 138 0000 0000' },
    formData: {
      productModel: 'X200',
      purchaseDate: '2026-11-01',
      serial: `SN-${i}`,
      description: lines.join(' '),
      logistics: { carrier: 'SF Express', trackingNumber: `SF${100000 + i}` },
    },
  };
  const template = {
    subject: 'Ticket {{ticket.number}}: {{ticket.title}} ({{ticket.priority}})',
    body: 'Hello, {{ticket.requester.name}} reported on {{ticket.formData.purchaseDate}} a {{ticket.formData.productModel}} problem:\n{{ticket.formData.description}}\nParcel {{ticket.formData.logistics.trackingNumber}} via {{ticket.formData.logistics.carrier}}.',
  };
  const candidates = Array.from({ length: 50 }, (_, k) => ({
    id: `u${k}`,
    name: `Agent ${k}`,
    isActive: k % 7 !== 0,
    skills: [['repair'], ['returns', 'repair'], ['billing'], ['returns']][k % 4],
    region: ['north', 'south', 'any'][k % 3],
    openTickets: (k * 7) % 11,
    lastAssignedAt: `2026-11-${String((k % 28) + 1).padStart(2, '0')}T09:00:00Z`,
  }));
  return { ticket, template, candidates };
}

async function rate(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t) / 1000);
}

/** Calls in batches of 256 (one IPC message each way), keeping `inFlight` batches going at once. */
async function batchedRate(
  host: SandboxHost,
  n: number,
  handler: string,
  args: (i: number) => unknown,
  options: { inFlight?: number; shared?: Record<string, unknown> } = {},
): Promise<number> {
  const inFlight = options.inFlight ?? 4;
  const size = 256;
  let next = 0;
  const t = performance.now();
  const worker = async () => {
    while (next < n) {
      const from = next;
      next += size;
      const results = await host.callBatch(
        Array.from({ length: Math.min(size, n - from) }, (_, k) => ({
          pluginId: 'bench',
          handler,
          args: args(from + k),
        })),
        options.shared ? { shared: options.shared } : {},
      );
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) throw failed.error;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return n / ((performance.now() - t) / 1000);
}

/** A plugin bundle as `docket-plugin build` makes it (the SDK bundled in), to time cold starts on. */
async function sdkBuiltPlugin(name: string): Promise<{ code: string; manifest: PluginManifest }> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const source = `
    import { definePlugin, defineNodeType, defineSlaAction } from '@docket/sdk';
    const route = defineNodeType({
      type: '${name}.route', version: 1, title: 'Route', category: 'action',
      configSchema: { type: 'object', properties: { team: { type: 'string' } } },
      defaultConfig: {},
      ports: { hasInput: true, outputs: [{ id: 'done', label: 'Done' }] },
      run: ({ config, inputs }) => ({ outputs: { team: config.team ?? null, title: inputs.ticket.title ?? null } }),
    });
    const notify = defineSlaAction({
      name: 'notify', title: 'Notify', configSchema: { type: 'object', properties: {} },
      run: () => ({ note: 'ok' }),
    });
    export default definePlugin({ name: '${name}', version: '1.0.0', displayName: 'Bench', contributes: { nodeTypes: [route], slaActions: [notify] } });
  `;
  const out = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__docketPlugin',
    platform: 'neutral',
    alias: { '@docket/sdk': join(root, 'sdk/src/index.ts') },
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const def = runInNewContext(`${code}\n;__docketPlugin`, {}) as { default: { manifest: PluginManifest } };
  return { code, manifest: JSON.parse(JSON.stringify(def.default.manifest)) };
}

export type SandboxBenchResult = {
  realistic: {
    inProcess: number;
    batched: number;
    batchedWhole: number;
    unbatched: number;
    ratio: number;
    argsBytes: number;
  };
  trivial: { batched: number; unbatched: number; p50Ms: number; p99Ms: number };
  coldStart: { medianMs: number; maxMs: number; bundleBytes: number };
  memory: {
    plugins: number;
    rssBeforeMb: number;
    rssAfterMb: number;
    mbPerPlugin: number;
    heapMbPerPlugin: number;
  };
  /** The trivial handler again over the channel's other encoding, for the choice of 'json'. */
  ipcOther: { batched: number; unbatched: number };
  meetsTargets: boolean;
};

export async function run(): Promise<SandboxBenchResult> {
  const services = memoryServices();
  const execArgv = process.env.BENCH_SANDBOX_NODE_ARGS?.split(' ').filter(Boolean);
  const host = await SandboxHost.start({ services, ...(execArgv ? { execArgv } : {}) });
  try {
    await host.load(
      testPlugin({ id: 'bench', handlers: `{ realistic: ${REALISTIC_SOURCE}, trivial: (a) => a + 1 }` }),
    );
    // (a) realistic, in-process baseline first.
    const realistic = runInNewContext(REALISTIC_SOURCE) as (a: unknown) => unknown;
    const argsPool = Array.from({ length: 64 }, (_, i) => realisticArgs(i));
    const inProcessArgs = (i: number) => argsPool[i % argsPool.length];
    // Same work and same answer on both sides.
    const check = await host.call('bench', 'realistic', inProcessArgs(3));
    if (JSON.stringify(check) !== JSON.stringify(realistic(inProcessArgs(3))))
      throw new Error('the sandboxed handler answers differently from the in-process one');
    await rate(5_000, (i) => realistic(inProcessArgs(i)));
    // Batched as a timer batch or a notification fan-out is: the template and the team's candidates
    // are the same for every call, so they go once per batch (callBatch's `shared`).
    const shared = { template: argsPool[0]!.template, candidates: argsPool[0]!.candidates };
    const ticketOnly = (i: number) => ({ ticket: argsPool[i % argsPool.length]!.ticket });
    await batchedRate(host, 5_000, 'realistic', ticketOnly, { shared });
    // In-process and sandboxed rounds take turns, and each side's median counts, so a neighbour's
    // load on a shared machine falls on both alike.
    const inProcessRounds: number[] = [];
    const batchedRounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      inProcessRounds.push(await rate(20_000, (i) => realistic(inProcessArgs(i))));
      batchedRounds.push(await batchedRate(host, 8_000, 'realistic', ticketOnly, { shared }));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const inProcess = median(inProcessRounds);
    const realisticBatched = median(batchedRounds);
    const realisticBatchedWhole = await batchedRate(host, 10_000, 'realistic', inProcessArgs);
    await rate(1_000, (i) => host.call('bench', 'realistic', inProcessArgs(i)));
    const realisticUnbatched = await rate(5_000, (i) => host.call('bench', 'realistic', inProcessArgs(i)));

    // (b) trivial.
    await batchedRate(host, 20_000, 'trivial', (i) => i);
    const trivialBatched = await batchedRate(host, 100_000, 'trivial', (i) => i);
    await rate(3_000, (i) => host.call('bench', 'trivial', i));
    const latencies: number[] = [];
    const t = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const s = performance.now();
      await host.call('bench', 'trivial', i);
      latencies.push(performance.now() - s);
    }
    const trivialUnbatched = 10_000 / ((performance.now() - t) / 1000);
    latencies.sort((a, b) => a - b);
    // The same over fork's 'advanced' (structured-clone) serialization.
    const otherHost = await SandboxHost.start({ services, serialization: 'advanced' });
    let ipcOther: SandboxBenchResult['ipcOther'];
    try {
      await otherHost.load(testPlugin({ id: 'bench', handlers: '{ trivial: (a) => a + 1 }' }));
      await batchedRate(otherHost, 20_000, 'trivial', (i) => i);
      const batched = await batchedRate(otherHost, 100_000, 'trivial', (i) => i);
      await rate(3_000, (i) => otherHost.call('bench', 'trivial', i));
      const unbatched = await rate(10_000, (i) => otherHost.call('bench', 'trivial', i));
      ipcOther = { batched: Math.round(batched), unbatched: Math.round(unbatched) };
    } finally {
      await otherHost.close();
    }

    // (c) cold starts and memory: 50 plugins built with the SDK, loaded at once, then idle.
    const before = (await host.stats()).host.rssBytes;
    const colds: number[] = [];
    let bundleBytes = 0;
    for (let i = 0; i < TARGETS.pluginsLoaded; i++) {
      const name = `bench_${i}`;
      const { code, manifest } = await sdkBuiltPlugin(name);
      bundleBytes = code.length;
      const s = performance.now();
      await host.load({ id: name, version: '1.0.0', code, manifest, grants: {}, config: {}, secrets: {} });
      await host.call(name, `node:${name}.route`, {
        config: { team: 't' },
        inputs: { ticket: { id: '1', title: 'x' }, form: {}, steps: {} },
      });
      colds.push(performance.now() - s);
    }
    await new Promise((r) => setTimeout(r, 500));
    const stats = await host.stats();
    const benchPlugins = stats.plugins.filter((p) => p.id.startsWith('bench_'));
    if (benchPlugins.length !== TARGETS.pluginsLoaded)
      throw new Error(`only ${benchPlugins.length} plugins loaded`);
    const heapMb = benchPlugins.reduce((s, p) => s + p.heapBytes, 0) / 1024 / 1024;
    colds.sort((a, b) => a - b);
    const mb = (b: number) => b / 1024 / 1024;
    const result: SandboxBenchResult = {
      realistic: {
        inProcess: Math.round(inProcess),
        batched: Math.round(realisticBatched),
        batchedWhole: Math.round(realisticBatchedWhole),
        argsBytes: JSON.stringify(argsPool[0]).length,
        unbatched: Math.round(realisticUnbatched),
        ratio: realisticBatched / inProcess,
      },
      trivial: {
        batched: Math.round(trivialBatched),
        unbatched: Math.round(trivialUnbatched),
        p50Ms: latencies[Math.floor(latencies.length * 0.5)]!,
        p99Ms: latencies[Math.floor(latencies.length * 0.99)]!,
      },
      coldStart: {
        medianMs: colds[Math.floor(colds.length / 2)]!,
        maxMs: colds[colds.length - 1]!,
        bundleBytes,
      },
      memory: {
        plugins: TARGETS.pluginsLoaded,
        rssBeforeMb: mb(before),
        rssAfterMb: mb(stats.host.rssBytes),
        mbPerPlugin: mb(stats.host.rssBytes - before) / TARGETS.pluginsLoaded,
        heapMbPerPlugin: heapMb / TARGETS.pluginsLoaded,
      },
      ipcOther,
      meetsTargets: false,
    };
    result.meetsTargets =
      result.realistic.ratio >= TARGETS.realisticRatio &&
      result.trivial.batched >= TARGETS.trivialBatched &&
      result.trivial.unbatched >= TARGETS.trivialUnbatched &&
      result.trivial.p99Ms <= TARGETS.trivialP99Ms &&
      result.coldStart.medianMs <= TARGETS.coldStartMs &&
      result.memory.mbPerPlugin <= TARGETS.idleMbPerPlugin;
    return result;
  } finally {
    await host.close();
  }
}

export function report(r: SandboxBenchResult): string[] {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const v = (ok: boolean) => (ok ? 'MEETS ' : 'MISSES');
  return [
    `(a) realistic handler (2 KB ticket, template, 50 candidates), medians of 5 alternating rounds: in-process ${n(r.realistic.inProcess)}/s`,
    `    ${v(r.realistic.ratio >= TARGETS.realisticRatio)} sandboxed batched ${n(r.realistic.batched)}/s = ${r.realistic.ratio.toFixed(2)} of in-process (target >= ${TARGETS.realisticRatio}; template and candidates shared by the batch)`,
    `           batched with every call carrying all its ${n(r.realistic.argsBytes)} bytes of arguments ${n(r.realistic.batchedWhole)}/s (${(r.realistic.batchedWhole / r.realistic.inProcess).toFixed(2)}); unbatched ${n(r.realistic.unbatched)}/s (${(r.realistic.unbatched / r.realistic.inProcess).toFixed(3)})`,
    `(b) trivial handler:`,
    `    ${v(r.trivial.batched >= TARGETS.trivialBatched)} batched   ${n(r.trivial.batched)} calls/s (target >= ${n(TARGETS.trivialBatched)})`,
    `    ${v(r.trivial.unbatched >= TARGETS.trivialUnbatched)} unbatched ${n(r.trivial.unbatched)} calls/s (target >= ${n(TARGETS.trivialUnbatched)})`,
    `    ${v(r.trivial.p99Ms <= TARGETS.trivialP99Ms)} warm unbatched p99 ${r.trivial.p99Ms.toFixed(3)} ms, p50 ${r.trivial.p50Ms.toFixed(3)} ms (target p99 <= ${TARGETS.trivialP99Ms} ms)`,
    `(c) ${r.memory.plugins} SDK-built plugins (${n(r.coldStart.bundleBytes)}-byte bundles) loaded at once:`,
    `    ${v(r.coldStart.medianMs <= TARGETS.coldStartMs)} cold start (load, compile, first call) median ${r.coldStart.medianMs.toFixed(1)} ms, max ${r.coldStart.maxMs.toFixed(1)} ms (target <= ${TARGETS.coldStartMs} ms)`,
    `    ${v(r.memory.mbPerPlugin <= TARGETS.idleMbPerPlugin)} resident memory per idle plugin ${r.memory.mbPerPlugin.toFixed(2)} MB (host RSS ${r.memory.rssBeforeMb.toFixed(0)} -> ${r.memory.rssAfterMb.toFixed(0)} MB; isolate heap ${r.memory.heapMbPerPlugin.toFixed(2)} MB each) (target <= ${TARGETS.idleMbPerPlugin} MB)`,
    `IPC: fork's channel with 'json' serialization, calls of one event-loop turn in one message; with 'advanced' (structured-clone) serialization the trivial handler does ${n(r.ipcOther.batched)}/s batched and ${n(r.ipcOther.unbatched)}/s unbatched.`,
    `${r.meetsTargets ? 'PASS' : 'FAIL'}: ${r.meetsTargets ? 'every figure meets its target' : 'some figures miss their targets'}.`,
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run();
  console.log(report(r).join('\n'));
}
