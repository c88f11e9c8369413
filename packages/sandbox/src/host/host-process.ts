/**
 * The sandbox host process: a child of the server (started by SandboxHost with
 * --no-node-snapshot) that holds one isolate per plugin and answers the server over its IPC
 * channel. Plugin code never runs in the server's process; if this one dies, the server starts
 * another and loads the plugins again.
 */
import type { JsonValue } from '@docket/core';
import { SandboxError, serializeError } from '../errors.ts';
import type { ToHost, ToParent } from '../protocol.ts';
import { packToParent, unpackToHost, type WireToHost } from '../wire.ts';
import { PluginRuntime, type RuntimeBridge } from './plugin-runtime.ts';

if (!process.send) {
  console.error('The sandbox host process must be started by SandboxHost (it talks over an IPC channel).');
  process.exit(1);
}

const hasFetchService = process.env.DOCKET_SANDBOX_FETCH_SERVICE === '1';
const startedAt = Date.now();
const runtimes = new Map<string, PluginRuntime>();
/** Batch-shared arguments by id, with the calls still holding them. */
const sharedArgs = new Map<number, { json: string; cids: Set<number> }>();
const sharedOfCall = new Map<number, number>();
const pendingServices = new Map<number, { resolve: (json: string) => void; reject: (e: Error) => void }>();
let nextSid = 1;

let outbox: ToParent[] = [];
let isFlushScheduled = false;
function post(message: ToParent): void {
  if (message.t === 'result' && sharedOfCall.size > 0) {
    const id = sharedOfCall.get(message.cid);
    if (id !== undefined) {
      sharedOfCall.delete(message.cid);
      const s = sharedArgs.get(id);
      s?.cids.delete(message.cid);
      if (s && s.cids.size === 0) sharedArgs.delete(id);
    }
  }
  outbox.push(message);
  if (!isFlushScheduled) {
    isFlushScheduled = true;
    queueMicrotask(flush);
  }
}
function flush(): void {
  isFlushScheduled = false;
  const batch = outbox;
  outbox = [];
  if (batch.length > 0 && process.connected) process.send!(packToParent(batch));
}

const bridge: RuntimeBridge = {
  post,
  hasFetchService,
  service: ({ cid, op, source, payload }) =>
    new Promise<string>((resolve, reject) => {
      const sid = nextSid++;
      pendingServices.set(sid, { resolve, reject });
      post({ t: 'svc', sid, cid, op, source, payload });
    }),
};

function reply(rid: number, outcome: { value?: JsonValue } | { error: SandboxError }): void {
  if ('error' in outcome) post({ t: 'reply', rid, ok: false, error: serializeError(outcome.error) });
  else post({ t: 'reply', rid, ok: true, ...(outcome.value === undefined ? {} : { value: outcome.value }) });
}

function startCall(m: Extract<ToHost, { t: 'call' }>): void {
  const rt = runtimes.get(m.pluginId);
  if (!rt) {
    post({
      t: 'result',
      cid: m.cid,
      ok: false,
      error: { code: 'PLUGIN_NOT_LOADED', message: `plugin ${m.pluginId} is not loaded` },
    });
    return;
  }
  let sharedJson = '';
  if (m.sharedId > 0) {
    const s = sharedArgs.get(m.sharedId);
    if (s) {
      s.cids.add(m.cid);
      sharedOfCall.set(m.cid, m.sharedId);
      sharedJson = s.json;
    }
  }
  rt.start(m, sharedJson);
}

async function handle(m: ToHost): Promise<void> {
  switch (m.t) {
    case 'call':
      startCall(m);
      return;
    case 'shared': {
      sharedArgs.set(m.id, { json: m.json, cids: new Set() });
      return;
    }
    case 'svc-reply': {
      const p = pendingServices.get(m.sid);
      if (!p) return;
      pendingServices.delete(m.sid);
      if (m.ok) p.resolve(m.json);
      else p.reject(new Error(m.json));
      return;
    }
    case 'load': {
      // Calls may follow at once: they wait in the new runtime until its isolate is built.
      const rt = new PluginRuntime(m.spec, bridge);
      const previous = runtimes.get(m.spec.id);
      runtimes.set(m.spec.id, rt);
      previous?.retire();
      try {
        await rt.load();
      } catch (e) {
        if (runtimes.get(m.spec.id) === rt) runtimes.delete(m.spec.id);
        rt.unload();
        reply(m.rid, {
          error: e instanceof SandboxError ? e : new SandboxError('INVALID_PLUGIN', (e as Error).message),
        });
        return;
      }
      reply(m.rid, {});
      return;
    }
    case 'unload': {
      const rt = runtimes.get(m.id);
      runtimes.delete(m.id);
      rt?.unload();
      reply(m.rid, {});
      return;
    }
    case 'stats': {
      const mem = process.memoryUsage();
      const plugins = await Promise.all(
        [...runtimes.values()].map(async (rt) => ({
          id: rt.spec.id,
          version: rt.spec.version,
          calls: rt.counters.calls,
          failures: rt.counters.failures,
          limitBreaks: rt.counters.limitBreaks,
          rebuilds: rt.counters.rebuilds,
          inFlight: rt.inFlight,
          heapBytes: await rt.heapBytes(),
          cpuMs: Number(rt.counters.cpuNs / 1000n) / 1000,
        })),
      );
      reply(m.rid, {
        value: {
          pid: process.pid,
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          uptimeMs: Date.now() - startedAt,
          plugins,
        },
      });
      return;
    }
  }
}

process.on('message', (wire: WireToHost[]) => {
  unpackToHost(wire, (m) => {
    if (m.t === 'call') startCall(m);
    else void handle(m);
  });
});
// The server went away: nothing is left to answer.
process.on('disconnect', () => process.exit(0));
post({ t: 'ready', pid: process.pid });
