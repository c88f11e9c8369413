import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxError } from './errors.ts';
import { resolveLimits, SandboxHost } from './sandbox-host.ts';
import { memoryServices, testPlugin } from './test-plugin.ts';
import { DEFAULT_LIMITS, DEFAULT_MAX_LIMITS } from './types.ts';

const services = memoryServices();
let host: SandboxHost;

beforeAll(async () => {
  host = await SandboxHost.start({ services, maxLimits: { memoryMb: 128 } });
}, 30_000);
afterAll(() => host?.close());

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: SandboxError) => e,
  );

describe('SandboxHost', { timeout: 30_000 }, () => {
  it('calls a handler with JSON in and out, and gives it only its own config', async () => {
    await host.load(
      testPlugin({
        id: 'basic',
        config: { greeting: 'hi' },
        secrets: { key: 's3' },
        handlers: `{ greet: (a, ctx) => ({ text: ctx.config.greeting + ' ' + a.name, secret: ctx.secrets.key, caps: Object.keys(ctx).sort() }) }`,
      }),
    );
    expect(await host.call('basic', 'greet', { name: 'Ann' })).toEqual({
      text: 'hi Ann',
      secret: 's3',
      caps: ['config', 'log', 'metric', 'secrets'],
    });
  });

  it('gives org, notify and follow-ups only when granted, checked before the server hears them', async () => {
    const handlers = `{
      people: async (a, ctx) => ({
        caps: Object.keys(ctx).sort(),
        ticketCaps: ctx.ticket ? Object.keys(ctx.ticket).sort() : null,
        manager: ctx.org ? await ctx.org.manager(7) : null,
        team: ctx.org ? await ctx.org.teamMembers({ team: 'Repairs', skills: ['smoke'] }) : null,
        sent: ctx.notify ? await ctx.notify({ userIds: [8], targets: ['sms.sms'], subject: 'Late', text: 'T-1 is late.' }) : null,
        followUp: ctx.ticket && ctx.ticket.createFollowUp ? await ctx.ticket.createFollowUp({ forUserId: 8, title: 'Check T-1' }) : null,
      }),
      bad: async (a, ctx) => {
        const out = [];
        for (const f of [() => ctx.org.manager('seven'), () => ctx.notify({ userIds: [], subject: 'x', text: 'y' }),
                         () => ctx.notify({ userIds: [1], subject: 'two\\nlines', text: 'y' }),
                         () => ctx.ticket.createFollowUp({ forUserId: 1, title: '' })])
          try { await f(); out.push('passed'); } catch (e) { out.push(e.code + ': ' + e.message); }
        return out;
      },
    }`;
    const permissions = { org: true, notify: true, followUps: true };
    await host.load(testPlugin({ id: 'people', handlers, permissions }));
    await host.load(testPlugin({ id: 'notify_only', handlers, permissions, grants: { notify: true } }));
    const ticket = { id: '5', access: 'read' as const };
    expect(await host.call('people', 'people', {}, { ticket })).toEqual({
      caps: ['config', 'log', 'metric', 'notify', 'org', 'secrets', 'ticket'],
      ticketCaps: ['createFollowUp', 'id', 'read'],
      manager: { id: 8, name: 'manager of 7' },
      team: { team: { id: 1, name: 'Repairs' }, members: [], skills: ['smoke'] },
      sent: { notified: 1, targets: ['sms.sms'], unknownTargets: [] },
      followUp: { id: '99', number: 'F-1' },
    });
    expect(services.notices.at(-1)).toEqual({
      pluginId: 'people',
      ticketId: '5',
      notice: { userIds: [8], targets: ['sms.sms'], subject: 'Late', text: 'T-1 is late.', key: null },
    });
    expect(services.followUps.at(-1)).toEqual({
      pluginId: 'people',
      ticketId: '5',
      followUp: { forUserId: 8, title: 'Check T-1' },
    });
    // Granted notify only: no org, no follow-ups.
    expect(await host.call('notify_only', 'people', {}, { ticket })).toMatchObject({
      caps: ['config', 'log', 'metric', 'notify', 'secrets', 'ticket'],
      ticketCaps: ['id', 'read'],
      manager: null,
      followUp: null,
    });
    const notices = services.notices.length;
    expect(await host.call('people', 'bad', {}, { ticket })).toEqual([
      'CAPABILITY_DENIED: org.manager(userId): userId must be a user id (a positive integer)',
      'CAPABILITY_DENIED: notify: userIds must list 1 to 50 user ids',
      'CAPABILITY_DENIED: notify: subject must be one line of at most 200 characters',
      'CAPABILITY_DENIED: createFollowUp: title must be one line of at most 200 characters',
    ]);
    expect(services.notices.length).toBe(notices);
  });

  it('answers a batch in order, each call with its own outcome', async () => {
    await host.load(
      testPlugin({
        id: 'batch',
        handlers: `{ half: (n) => { if (n % 2) throw new Error('odd ' + n); return n / 2; } }`,
      }),
    );
    const r = await host.callBatch(
      [0, 1, 2, 3].map((n) => ({ pluginId: 'batch', handler: 'half', args: n })),
    );
    expect(r.map((x) => (x.ok ? x.value : (x.error as SandboxError).code))).toEqual([
      0,
      'PLUGIN_ERROR',
      1,
      'PLUGIN_ERROR',
    ]);
    expect(r[1]!.ok === false && r[1]!.error.message).toMatch(/odd 1/);
  });

  it('merges a batch’s shared arguments under each call’s, parsed once and frozen', async () => {
    await host.load(
      testPlugin({
        id: 'shared',
        handlers: `{ pick: (a) => { let frozen = true; try { a.team.push('x'); frozen = false; } catch (e) {} return { who: a.team[a.i], i: a.i, frozen }; } }`,
      }),
    );
    const r = await host.callBatch(
      [0, 1, 2].map((i) => ({ pluginId: 'shared', handler: 'pick', args: { i } })),
      { shared: { team: ['ann', 'bo', 'cy'] } },
    );
    expect(r).toEqual(
      [0, 1, 2].map((i) => ({ ok: true, value: { who: ['ann', 'bo', 'cy'][i], i, frozen: true } })),
    );
  });

  it('counts shared arguments into each call’s payload limit', async () => {
    await host.load(
      testPlugin({ id: 'shared_small', limits: { payloadInBytes: 100 }, handlers: `{ echo: (a) => a }` }),
    );
    const [r] = await host.callBatch([{ pluginId: 'shared_small', handler: 'echo', args: { a: 1 } }], {
      shared: { big: 'x'.repeat(200) },
    });
    expect(r!.ok === false && r!.error.code).toBe('LIMIT_PAYLOAD_IN');
  });

  it('names what is wrong with a plugin that cannot load', async () => {
    const bad = await failure(
      host.load(testPlugin({ id: 'broken', handlers: `{ a: () => 1 `, prelude: '' })),
    );
    expect(bad).toMatchObject({ code: 'INVALID_PLUGIN' });
    expect(bad.message).toMatch(/does not compile/);
    const throwing = await failure(
      host.load(testPlugin({ id: 'thrower', prelude: `throw new Error('boom at load');`, handlers: '{}' })),
    );
    expect(throwing.message).toMatch(/failed while loading: .*boom at load/);
    const p = testPlugin({ id: 'missing', handlers: `{ other: () => 1 }` });
    p.manifest.contributes.slaActions.push({
      name: 'escalate_chat',
      title: 'x',
      configSchema: { type: 'object' },
    });
    expect((await failure(host.load(p))).message).toMatch(
      /lacks handlers its manifest declares: sla:escalate_chat/,
    );
    const over = await failure(
      host.load(testPlugin({ id: 'greedy', handlers: '{}', limits: { memoryMb: 512 } })),
    );
    expect(over.message).toMatch(/memoryMb is 512, over the server's maximum of 128/);
    await expect(host.call('broken', 'a', null)).rejects.toMatchObject({ code: 'PLUGIN_NOT_LOADED' });
  });

  it('refuses arguments that are not JSON and handlers that do not exist', async () => {
    await host.load(testPlugin({ id: 'strict', handlers: `{ echo: (a) => a }` }));
    expect((await failure(host.call('strict', 'echo', { f: 1n }))).code).toBe('INVALID_ARGS');
    expect((await failure(host.call('strict', 'nope', {}))).code).toBe('HANDLER_NOT_FOUND');
    expect((await failure(host.call('nobody', 'echo', {}))).code).toBe('PLUGIN_NOT_LOADED');
  });

  it('a new version takes new calls while the old one finishes those it had', async () => {
    await host.load(
      testPlugin({
        id: 'versioned',
        version: '1.0.0',
        limits: { wallMs: 5_000 },
        permissions: { kv: true },
        handlers: `{ v: async (a, ctx) => { if (a.slow) await ctx.kv.get('k'); return 'one'; } }`,
      }),
    );
    const slowKvGet = services.kvGet;
    let release: () => void = () => {};
    services.kvGet = (input) => new Promise((r) => (release = () => r(slowKvGet(input) as never)));
    const old = host.call('versioned', 'v', { slow: true });
    await new Promise((r) => setTimeout(r, 100));
    await host.load(testPlugin({ id: 'versioned', version: '2.0.0', handlers: `{ v: () => 'two' }` }));
    expect(await host.call('versioned', 'v', {})).toBe('two');
    release();
    services.kvGet = slowKvGet;
    expect(await old).toBe('one');
    expect(host.loaded()).toContainEqual({ id: 'versioned', version: '2.0.0' });
  });

  it('unloading fails the calls in flight and refuses new ones', async () => {
    await host.load(
      testPlugin({
        id: 'gone',
        limits: { wallMs: 5_000 },
        handlers: `{ wait: () => new Promise(() => {}) }`,
      }),
    );
    const pending = host.call('gone', 'wait', null);
    await new Promise((r) => setTimeout(r, 50));
    await host.unload('gone');
    expect((await failure(pending)).code).toBe('PLUGIN_NOT_LOADED');
    expect((await failure(host.call('gone', 'wait', null))).code).toBe('PLUGIN_NOT_LOADED');
  });

  it('a long call leaves the fast path and still succeeds, started again in a fresh isolate', async () => {
    await host.load(
      testPlugin({
        id: 'heavy',
        handlers: `{ spin: (ms) => { const end = Date.now() + ms; let n = 0; while (Date.now() < end) n++; return n > 0; } }`,
      }),
    );
    // 300 ms, well past the 50 ms slice: on a loaded machine the timeout can fire late, and a spin
    // just past the slice would sometimes end before it does.
    expect(await host.call('heavy', 'spin', 300)).toBe(true);
    expect(services.events).toContainEqual(
      expect.objectContaining({
        kind: 'isolate-rebuilt',
        pluginId: 'heavy',
        reason: expect.stringMatching(/thread pool/),
      }),
    );
    expect(await host.call('heavy', 'spin', 300)).toBe(true);
  });

  it('passes logs and metrics to the server with the calling plugin named', async () => {
    await host.load(
      testPlugin({
        id: 'talker',
        handlers: `{ talk: (a, ctx) => { ctx.log.warn('careful', { n: 1 }); ctx.metric('calls', 2, { kind: 'x' }); return null; } }`,
      }),
    );
    await host.call('talker', 'talk', null, { callId: 'job-7' });
    await new Promise((r) => setTimeout(r, 20));
    expect(services.logs).toContainEqual({ pluginId: 'talker', level: 'warn', message: 'careful' });
    expect(services.metrics).toContainEqual({ pluginId: 'talker', name: 'calls', value: 2 });
  });

  it('reports per-plugin stats', async () => {
    const s = await host.stats();
    expect(s.host.pid).toBe(host.pid);
    const basic = s.plugins.find((p) => p.id === 'basic')!;
    expect(basic).toMatchObject({ version: '1.0.0', calls: 1, failures: 0, inFlight: 0 });
    expect(basic.heapBytes).toBeGreaterThan(0);
  });
});

describe('resolveLimits', () => {
  it('fills defaults and refuses what exceeds the maxima, naming each', () => {
    expect(resolveLimits({ cpuMs: 50 }, DEFAULT_MAX_LIMITS)).toEqual({ ...DEFAULT_LIMITS, cpuMs: 50 });
    expect(() => resolveLimits({ cpuMs: -1, wallMs: 1e9 }, DEFAULT_MAX_LIMITS)).toThrow(
      /cpuMs must be a positive number; wallMs is 1000000000, over the server's maximum of 300000/,
    );
  });
});
