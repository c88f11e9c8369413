/**
 * The hostile-plugin suite at the sandbox's level: each attack runs in a real isolate inside the
 * real sandbox host process, is stopped with the error naming what it broke, is reported as an
 * event, and leaves the plugin usable, the other plugins' calls going on, and this (the server's)
 * process's event loop answering. The loop's delay during the attacks is printed beside its delay
 * at rest.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SandboxError, SandboxHost } from '@docket/sandbox';
import { memoryServices, testPlugin } from '@docket/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const services = memoryServices();
let host: SandboxHost;
let receiver: Server;
let other: Server;
let port = 0;
let otherPort = 0;
const otherHits: string[] = [];
let bystanderCalls = 0;
const bystanderFailures: unknown[] = [];
let isAttacking = false;
let bystanderLoop: Promise<void> | undefined;
const delays = { rest: 0, attack: 0, attackMax: 0 };

async function expectFailure(p: Promise<unknown>, code: string): Promise<SandboxError> {
  const e = await p.then(
    (v) => {
      throw new Error(`expected ${code}, got a result: ${JSON.stringify(v).slice(0, 200)}`);
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SandboxError);
  expect((e as SandboxError).code, (e as Error).message).toBe(code);
  return e as SandboxError;
}

const listen = (s: Server) =>
  new Promise<number>((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)),
  );

/** A different plugin calling away the whole time: an attack must not stop it. */
function startBystander(): void {
  isAttacking = true;
  bystanderLoop = (async () => {
    while (isAttacking) {
      try {
        const r = await host.call<number>('bystander', 'add', { a: bystanderCalls, b: 1 });
        if (r !== bystanderCalls + 1) bystanderFailures.push(`wrong answer ${r}`);
        bystanderCalls++;
      } catch (e) {
        bystanderFailures.push(e);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
}

async function stopBystander(): Promise<void> {
  isAttacking = false;
  await bystanderLoop;
}

/** Runs an attack with the bystander going and the event loop watched. */
async function duringAttack<T>(attack: () => Promise<T>): Promise<T> {
  const before = bystanderCalls;
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  startBystander();
  try {
    return await attack();
  } finally {
    await stopBystander();
    h.disable();
    delays.attack = Math.max(delays.attack, h.percentile(99) / 1e6);
    delays.attackMax = Math.max(delays.attackMax, h.max / 1e6);
    expect(bystanderFailures).toEqual([]);
    expect(bystanderCalls).toBeGreaterThan(before);
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    if (req.url === '/redirect-away') {
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/stolen` }).end();
      return;
    }
    if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 5_000);
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  other = createServer((req, res) => {
    otherHits.push(req.url ?? '');
    res.end('you should not see this');
  });
  port = await listen(receiver);
  otherPort = await listen(other);
  host = await SandboxHost.start({ services });
  await host.load(testPlugin({ id: 'bystander', handlers: `{ add: ({ a, b }) => a + b }` }));
  // The event loop at rest, with the bystander calling.
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  startBystander();
  await new Promise((r) => setTimeout(r, 500));
  await stopBystander();
  h.disable();
  delays.rest = h.percentile(99) / 1e6;
}, 60_000);

afterAll(async () => {
  console.log(
    `server event loop p99 delay: at rest ${delays.rest.toFixed(1)} ms, during attacks ${delays.attack.toFixed(1)} ms (max ${delays.attackMax.toFixed(1)} ms); bystander calls answered: ${bystanderCalls}`,
  );
  await host?.close();
  receiver?.close();
  other?.close();
});

describe('a hostile plugin is stopped, reported, and harms nothing else', () => {
  it('an infinite loop breaks the CPU limit; the plugin works again on the next call', async () => {
    await host.load(
      testPlugin({
        id: 'looper',
        handlers: `{ loop: () => { for (;;) {} }, ok: () => 'fine' }`,
        limits: { cpuMs: 200 },
      }),
    );
    const e = await duringAttack(() => expectFailure(host.call('looper', 'loop', null), 'LIMIT_CPU'));
    expect(e.message).toMatch(/CPU-time limit of 200 ms/);
    expect(services.events).toContainEqual(
      expect.objectContaining({ kind: 'limit', pluginId: 'looper', code: 'LIMIT_CPU' }),
    );
    expect(services.events).toContainEqual(
      expect.objectContaining({ kind: 'isolate-rebuilt', pluginId: 'looper' }),
    );
    expect(await host.call('looper', 'ok', null)).toBe('fine');
  });

  it('an infinite loop after an await (in a microtask) is stopped too', async () => {
    await host.load(
      testPlugin({
        id: 'late_looper',
        handlers: `{ loop: async (a, ctx) => { await Promise.resolve(); ctx.log.info('going'); for (;;) {} } }`,
        limits: { cpuMs: 200 },
      }),
    );
    await duringAttack(() => expectFailure(host.call('late_looper', 'loop', null), 'LIMIT_CPU'));
  });

  it('a memory bomb breaks the memory limit', async () => {
    await host.load(
      testPlugin({
        id: 'bomb',
        handlers: `{ bomb: () => { const a = []; for (;;) a.push(new Array(100000).fill('x' + a.length)); }, ok: () => 1 }`,
        limits: { memoryMb: 16, cpuMs: 20_000 },
      }),
    );
    const e = await duringAttack(() => expectFailure(host.call('bomb', 'bomb', null), 'LIMIT_MEMORY'));
    expect(e.message).toMatch(/memory limit of 16 MB/);
    expect(await host.call('bomb', 'ok', null)).toBe(1);
  });

  it('a huge output breaks the payload limit', async () => {
    await host.load(
      testPlugin({
        id: 'flood_out',
        handlers: `{ big: () => 'x'.repeat(3_000_000), ok: () => 'small' }`,
        limits: { payloadOutBytes: 100_000 },
      }),
    );
    const e = await duringAttack(() =>
      expectFailure(host.call('flood_out', 'big', null), 'LIMIT_PAYLOAD_OUT'),
    );
    expect(e.message).toMatch(/100000/);
    expect(await host.call('flood_out', 'ok', null)).toBe('small');
  });

  it('too large an input is refused before it reaches the plugin', async () => {
    await host.load(
      testPlugin({ id: 'small_in', handlers: `{ echo: (a) => a }`, limits: { payloadInBytes: 1000 } }),
    );
    await expectFailure(host.call('small_in', 'echo', 'y'.repeat(2000)), 'LIMIT_PAYLOAD_IN');
    expect(await host.call('small_in', 'echo', 'ok')).toBe('ok');
  });

  it('deep recursion fails as the plugin’s own error and the plugin goes on', async () => {
    await host.load(
      testPlugin({
        id: 'recurse',
        handlers: `{ deep: () => { const f = (n) => f(n + 1) + 1; return f(0); }, ok: () => 2 }`,
      }),
    );
    const e = await duringAttack(() => expectFailure(host.call('recurse', 'deep', null), 'PLUGIN_ERROR'));
    expect(e.message).toMatch(/Maximum call stack size exceeded/);
    expect(await host.call('recurse', 'ok', null)).toBe(2);
  });

  it('tampering with prototypes and what the host passes in reaches neither the host nor the next call', async () => {
    await host.load(
      testPlugin({
        id: 'tamper',
        config: { region: 'north' },
        handlers: `{
          tamper: (args, ctx) => {
            Object.prototype.polluted = 'yes';
            Array.prototype.push = () => 0;
            JSON.stringify = () => '"hijacked"';
            args.extra = 1;
            try { ctx.config.region = 'south'; } catch (e) {}
            try { ctx.log = null; } catch (e) {}
            return JSON.parse('{"__proto__": {"polluted": "via result"}, "constructor": {"prototype": {"polluted": 1}}, "ok": true}');
          },
          look: (args, ctx) => ({ region: ctx.config.region, hasLog: typeof ctx.log.info, args }),
        }`,
      }),
    );
    const r = await host.call<Record<string, unknown>>('tamper', 'tamper', { a: 1 });
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.hasOwn(r, '__proto__')).toBe(false);
    expect(await host.call('tamper', 'look', { a: 1 })).toEqual({
      region: 'north',
      hasLog: 'function',
      args: { a: 1 },
    });
    expect(await host.call('bystander', 'add', { a: 1, b: 2 })).toBe(3);
  });

  it('reaches for process, require, import(), the host’s globals and other isolates and finds nothing', async () => {
    await host.load(
      testPlugin({
        id: 'reacher',
        handlers: `{
          reach: async () => {
            let imported;
            try { await import('node:fs'); imported = 'loaded'; } catch (e) { imported = 'refused'; }
            let evaled;
            try { evaled = typeof eval('process'); } catch (e) { evaled = 'refused'; }
            let fn;
            try { fn = typeof Function('return this.process')(); } catch (e) { fn = 'refused'; }
            return {
              process: typeof process, require: typeof require, module: typeof module, globalProcess: typeof globalThis.process,
              imported, evaled, fn, ivm: typeof ivm, send: typeof send, plugin: typeof __docketPlugin,
              setTimeout: typeof setTimeout, fetch: typeof fetch, Buffer: typeof Buffer,
              globals: Object.getOwnPropertyNames(globalThis).filter((k) => !/^[A-Z]/.test(k)).sort(),
            };
          },
        }`,
      }),
    );
    const r = await host.call<Record<string, unknown>>('reacher', 'reach', null);
    expect(r).toMatchObject({
      process: 'undefined',
      require: 'undefined',
      module: 'undefined',
      globalProcess: 'undefined',
      imported: 'refused',
      evaled: 'refused',
      fn: 'undefined',
      ivm: 'undefined',
      send: 'undefined',
      plugin: 'undefined',
      setTimeout: 'undefined',
      fetch: 'undefined',
      Buffer: 'undefined',
    });
    // Only the language's own lower-case globals (console is V8's, silent without an inspector): nothing of the host's.
    for (const g of r.globals as string[])
      expect([
        'globalThis',
        'decodeURI',
        'decodeURIComponent',
        'encodeURI',
        'encodeURIComponent',
        'escape',
        'eval',
        'isFinite',
        'isNaN',
        'parseFloat',
        'parseInt',
        'unescape',
        'console',
        'undefined',
      ]).toContain(g);
  });

  it('fetch to an unlisted host, by IP, by a name leading to loopback, or by redirect is refused and reported', async () => {
    await host.load(
      testPlugin({
        id: 'fetcher',
        permissions: { fetch: [`http://127.0.0.1:${port}`, 'api.example.com', `http://localhost:${port}`] },
        handlers: `{
          get: async ({ url }, ctx) => {
            try { const r = await ctx.fetch(url); return { status: r.status, body: await r.text() }; }
            catch (e) { return { error: e.code, message: e.message }; }
          },
        }`,
      }),
    );
    const get = (url: string) =>
      host.call<{ status?: number; body?: string; error?: string; message?: string }>('fetcher', 'get', {
        url,
      });
    expect(await get(`http://127.0.0.1:${port}/hello`)).toEqual({ status: 200, body: '{"path":"/hello"}' });
    await duringAttack(async () => {
      const unlisted = await get('https://evil.example.net/x');
      expect(unlisted).toMatchObject({ error: 'CAPABILITY_DENIED' });
      expect(unlisted.message).toMatch(/not on this plugin's fetch list/);
      expect(await get(`http://127.0.0.1:${otherPort}/by-ip`)).toMatchObject({ error: 'CAPABILITY_DENIED' });
      expect(await get('http://93.184.215.14/')).toMatchObject({ error: 'CAPABILITY_DENIED' });
      expect(await get(`http://[::1]:${port}/v6`)).toMatchObject({ error: 'CAPABILITY_DENIED' });
      const named = await get(`http://localhost:${port}/named`);
      expect(named).toMatchObject({ error: 'CAPABILITY_DENIED' });
      expect(named.message).toMatch(/private or loopback/);
      const redirected = await get(`http://127.0.0.1:${port}/redirect-away`);
      expect(redirected).toMatchObject({ error: 'CAPABILITY_DENIED' });
      expect(redirected.message).toMatch(/redirect/);
    });
    expect(otherHits).toEqual([]);
    expect(services.events).toContainEqual(
      expect.objectContaining({ kind: 'denied', pluginId: 'fetcher', capability: 'fetch' }),
    );
  });

  it('a plugin granted no fetch has none; one whose grant is narrower than its request gets only the grant', async () => {
    await host.load(
      testPlugin({
        id: 'ungranted',
        permissions: { fetch: [`http://127.0.0.1:${port}`], kv: true },
        grants: { kv: true },
        handlers: `{ caps: (a, ctx) => ({ fetch: typeof ctx.fetch, kv: typeof ctx.kv, ticket: typeof ctx.ticket }) }`,
      }),
    );
    expect(await host.call('ungranted', 'caps', null)).toEqual({
      fetch: 'undefined',
      kv: 'object',
      ticket: 'undefined',
    });
  });

  it('cannot read another plugin’s secrets or key-value data', async () => {
    await host.load(
      testPlugin({
        id: 'victim',
        permissions: { kv: true },
        secrets: { apiKey: 'victim-secret' },
        handlers: `{ store: async (a, ctx) => { await ctx.kv.set('token', 'victim-data'); return ctx.secrets.apiKey; } }`,
      }),
    );
    await host.load(
      testPlugin({
        id: 'thief',
        permissions: { kv: true },
        secrets: { apiKey: 'thief-own' },
        handlers: `{
          steal: async (a, ctx) => ({
            token: await ctx.kv.get('token'),
            list: await ctx.kv.list(''),
            secrets: ctx.secrets,
            viaGlobal: typeof globalThis.victim,
          }),
        }`,
      }),
    );
    expect(await host.call('victim', 'store', null)).toBe('victim-secret');
    expect(await host.call('thief', 'steal', null)).toEqual({
      token: null,
      list: [],
      secrets: { apiKey: 'thief-own' },
      viaGlobal: 'undefined',
    });
    expect(services.kv.get('victim')?.get('token')).toBe('victim-data');
  });

  it('can name only the ticket its call was made for', async () => {
    services.tickets.set('101', { id: '101', title: 'mine' });
    services.tickets.set('202', { id: '202', title: 'not mine' });
    await host.load(
      testPlugin({
        id: 'ticketeer',
        permissions: { ticket: 'patch' },
        handlers: `{
          poke: async ({ other }, ctx) => {
            const out = { has: typeof ctx.ticket, canPatch: ctx.ticket ? typeof ctx.ticket.patch : 'none' };
            if (!ctx.ticket) return out;
            out.own = (await ctx.ticket.read()).title;
            try { await ctx.ticket.read(other); out.otherRead = 'read'; } catch (e) { out.otherRead = e.code; }
            try { await ctx.ticket.patch({ title: 'hacked' }, other); out.otherPatch = 'patched'; } catch (e) { out.otherPatch = e.code; }
            return out;
          },
        }`,
      }),
    );
    expect(
      await host.call('ticketeer', 'poke', { other: '202' }, { ticket: { id: '101', access: 'patch' } }),
    ).toEqual({
      has: 'object',
      canPatch: 'function',
      own: 'mine',
      otherRead: 'CAPABILITY_DENIED',
      otherPatch: 'CAPABILITY_DENIED',
    });
    expect(
      await host.call('ticketeer', 'poke', { other: '202' }, { ticket: { id: '101', access: 'read' } }),
    ).toMatchObject({
      canPatch: 'undefined',
    });
    expect(await host.call('ticketeer', 'poke', { other: '202' })).toEqual({
      has: 'undefined',
      canPatch: 'none',
    });
    expect(services.tickets.get('202')).toEqual({ id: '202', title: 'not mine' });
  });

  it('flooding host calls breaks the host-call limit', async () => {
    await host.load(
      testPlugin({
        id: 'flooder',
        limits: { hostCalls: 50 },
        handlers: `{ flood: (a, ctx) => { for (let i = 0; i < 100000; i++) ctx.log.info('spam ' + i); return 'done'; }, ok: () => 3 }`,
      }),
    );
    const e = await duringAttack(() =>
      expectFailure(host.call('flooder', 'flood', null), 'LIMIT_HOST_CALLS'),
    );
    expect(e.message).toMatch(/limit of 50 host calls/);
    expect(services.logs.filter((l) => l.pluginId === 'flooder').length).toBeLessThanOrEqual(50);
    expect(await host.call('flooder', 'ok', null)).toBe(3);
  });

  it('a plugin that never answers breaks the wall-time limit', async () => {
    await host.load(
      testPlugin({
        id: 'silent',
        limits: { wallMs: 300 },
        handlers: `{ wait: () => new Promise(() => {}), ok: () => 4 }`,
      }),
    );
    const e = await duringAttack(() => expectFailure(host.call('silent', 'wait', null), 'LIMIT_WALL'));
    expect(e.message).toMatch(/300 ms/);
    expect(await host.call('silent', 'ok', null)).toBe(4);
  });

  it('the host process killed mid-call fails the call cleanly (retryable) and the next call works', async () => {
    await host.load(
      testPlugin({
        id: 'victim_of_kill',
        permissions: { fetch: [`http://127.0.0.1:${port}`] },
        handlers: `{ slow: async (a, ctx) => (await ctx.fetch('http://127.0.0.1:${port}/slow')).status, ok: () => 5 }`,
      }),
    );
    const pid = host.pid!;
    const pending = host.call('victim_of_kill', 'slow', null);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(pid, 'SIGKILL');
    const e = await expectFailure(pending, 'HOST_RESTARTED');
    expect(e.isRetryable).toBe(true);
    expect(await host.call('victim_of_kill', 'ok', null)).toBe(5);
    expect(host.pid).not.toBe(pid);
    expect(await host.call('bystander', 'add', { a: 2, b: 2 })).toBe(4);
    expect(services.events).toContainEqual(
      expect.objectContaining({ kind: 'host-exit', signal: 'SIGKILL', callsFailed: 1 }),
    );
  });

  it('the server’s event loop kept answering during the attacks', () => {
    // Plugin code in this process would block its loop for an attack's length (the shortest, the
    // CPU-limit loops, run 200 ms); other work on a shared machine adds a few tens of ms at most.
    expect(delays.attack).toBeLessThan(Math.max(150, delays.rest * 5));
  });
});
