import {
  type FetchHostRule,
  type JsonValue,
  type PluginTicketAccess,
  parseFetchHostRule,
} from '@docket/core';
import ivm from 'isolated-vm';
import { SandboxError, type SandboxErrorCode, serializeError } from '../errors.ts';
import type { LoadSpec, ServiceOp, ToParent } from '../protocol.ts';
import {
  checkOutgoingMail,
  type FetchRequest,
  type FetchResult,
  type HostCallSource,
  type SandboxEvent,
} from '../types.ts';
import { BOOTSTRAP_SOURCE } from './bootstrap.ts';
import { FetchRefused, guardedFetch, networkTransport } from './guarded-fetch.ts';

/** What a plugin runtime needs from the host process around it. */
export type RuntimeBridge = {
  post(message: ToParent): void;
  /** Asks the server (kv, tickets, fetch stand-in); resolves with its JSON answer or rejects with its message. */
  service(input: { cid: number; op: ServiceOp; source: HostCallSource; payload: JsonValue }): Promise<string>;
  /** The server answers fetches itself (the SDK's test harness). */
  hasFetchService: boolean;
};

type CallState = {
  cid: number;
  callId: string;
  handler: string;
  ticketId: string;
  ticketAccess: PluginTicketAccess | '';
  cpuNs: bigint;
  hostCalls: number;
  /** performance.now() past which the call breaks its wall-time limit. */
  deadline: number;
  wallMs: number;
  isDone: boolean;
  /** The start item, kept so a call that has reached nothing outside can be started again. */
  startItem: unknown[];
  source: HostCallSource;
};

type Built = {
  generation: number;
  isolate: ivm.Isolate;
  context: ivm.Context;
  dispatch: ivm.Reference<(items: unknown[]) => unknown>;
};

const HOST_OPS = new Set([
  'fetch',
  'kv.get',
  'kv.set',
  'kv.delete',
  'kv.list',
  'ticket.read',
  'ticket.patch',
  'ticket.follow-up',
  'mail.send',
  'org.manager',
  'org.team',
  'notify',
]);
const MAX_KEY_CHARS = 512;
/**
 * The longest an entry may run on the host process's main thread (wall time: on a busy machine a
 * short entry can be preempted, so entries are sized to a tenth of it).
 */
const SYNC_SLICE_MS = 50;
/** Entries expected to take longer than this (CPU) go to the thread pool even in sync mode. */
const SYNC_ENTRY_NS = 2_000_000;
const MAX_LIST = 1000;

const now = () => new Date().toISOString();

/**
 * One plugin inside the host process: its isolate (built on load, rebuilt after a broken limit),
 * the calls in flight, and the accounting that enforces its limits. Entries into the isolate are
 * made one at a time; starts and host-call answers that queue meanwhile go in together.
 */
export class PluginRuntime {
  readonly spec: LoadSpec;
  private readonly bridge: RuntimeBridge;
  private readonly rules: FetchHostRule[];
  private built: Built | undefined;
  private building: Promise<Built> | undefined;
  private generation = 0;
  /** Starts and host-call answers waiting for the next entry into the isolate. */
  private queue: { call: CallState; items: unknown[] }[] = [];
  /** Recent CPU per call in one entry (ns), to size entries. */
  private nsPerItem = 500_000;
  /**
   * Entries run with applySync (no thread hops: several times faster for short calls) until one
   * runs longer than SYNC_SLICE_MS; from then on this plugin's entries run on isolated-vm's thread
   * pool (apply), so a long or runaway call never holds up the host process's other plugins.
   */
  private isSyncMode = true;
  private isEntering = false;
  private readonly calls = new Map<number, CallState>();
  private isRetired = false;
  readonly counters = { calls: 0, failures: 0, limitBreaks: 0, rebuilds: 0, cpuNs: 0n };

  constructor(spec: LoadSpec, bridge: RuntimeBridge) {
    this.spec = spec;
    this.bridge = bridge;
    this.rules = (spec.permissions.fetch ?? [])
      .map((e) => parseFetchHostRule(e))
      .filter((r): r is FetchHostRule => typeof r !== 'string');
  }

  get inFlight(): number {
    return this.calls.size;
  }

  async heapBytes(): Promise<number> {
    const b = this.built;
    if (!b || b.isolate.isDisposed) return 0;
    try {
      const h = await b.isolate.getHeapStatistics();
      return h.used_heap_size + h.externally_allocated_size;
    } catch {
      return 0;
    }
  }

  /** Builds the isolate and checks the bundle against the manifest's handlers. */
  async load(): Promise<void> {
    await this.ensureBuilt();
  }

  private ensureBuilt(): Promise<Built> {
    if (this.built && !this.built.isolate.isDisposed) return Promise.resolve(this.built);
    this.building ??= this.build().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async build(): Promise<Built> {
    const generation = ++this.generation;
    const { spec } = this;
    const isolate = new ivm.Isolate({ memoryLimit: spec.limits.memoryMb });
    try {
      const context = await isolate.createContext();
      const send = new ivm.Callback(
        (cid: unknown, rid: unknown, op: unknown, json: unknown) =>
          this.onSend(generation, cid, rid, op, json),
        { ignored: true },
      );
      const caps = JSON.stringify({
        fetch: this.rules.length > 0,
        kv: spec.permissions.kv === true,
        mail: spec.permissions.mail === true,
        org: spec.permissions.org === true,
        notify: spec.permissions.notify === true,
        followUps: spec.permissions.followUps === true,
      });
      const dispatch = (await context.evalClosure(
        BOOTSTRAP_SOURCE,
        [send, spec.configJson, spec.secretsJson, caps, spec.limits.payloadOutBytes, spec.limits.hostCalls],
        { result: { reference: true } },
      )) as ivm.Reference<(items: unknown[]) => unknown>;
      let script: ivm.Script;
      try {
        script = await isolate.compileScript(spec.code, { filename: `plugin:${spec.id}@${spec.version}` });
      } catch (e) {
        throw new SandboxError(
          'INVALID_PLUGIN',
          `the bundle of ${spec.id}@${spec.version} does not compile: ${(e as Error).message}`,
        );
      }
      try {
        await script.run(context, { timeout: spec.limits.cpuMs });
      } catch (e) {
        throw new SandboxError(
          'INVALID_PLUGIN',
          `the bundle of ${spec.id}@${spec.version} failed while loading: ${(e as Error).message}`,
        );
      }
      let names: string[];
      try {
        names = (await dispatch.apply(undefined, [[0]], {
          arguments: { copy: true },
          result: { copy: true },
          timeout: spec.limits.cpuMs,
        })) as string[];
      } catch (e) {
        throw new SandboxError('INVALID_PLUGIN', `${spec.id}@${spec.version}: ${(e as Error).message}`);
      }
      const missing = spec.requiredHandlers.filter((h) => !names.includes(h));
      if (missing.length > 0)
        throw new SandboxError(
          'INVALID_PLUGIN',
          `the bundle of ${spec.id}@${spec.version} lacks handlers its manifest declares: ${missing.join(', ')}`,
        );
      const built = { generation, isolate, context, dispatch };
      this.built = built;
      return built;
    } catch (e) {
      if (!isolate.isDisposed) isolate.dispose();
      if (e instanceof SandboxError) throw e;
      const message = (e as Error).message;
      throw new SandboxError(
        /memory limit/i.test(message) ? 'LIMIT_MEMORY' : 'INVALID_PLUGIN',
        `${spec.id}@${spec.version} could not be loaded: ${message}`,
      );
    }
  }

  start(
    input: {
      cid: number;
      handler: string;
      argsJson: string;
      callId: string;
      ticketId: string;
      ticketAccess: PluginTicketAccess | '';
      wallMs: number;
      sharedId: number;
    },
    sharedJson: string,
  ): void {
    this.counters.calls++;
    const source: HostCallSource = {
      pluginId: this.spec.id,
      version: this.spec.version,
      callId: input.callId,
      handler: input.handler,
    };
    const wallMs = Math.min(input.wallMs, this.spec.limits.wallMs);
    const call: CallState = {
      cid: input.cid,
      callId: input.callId,
      handler: input.handler,
      ticketId: input.ticketId,
      ticketAccess: input.ticketAccess,
      cpuNs: 0n,
      hostCalls: 0,
      startItem: [
        1,
        input.cid,
        input.handler,
        input.argsJson,
        input.ticketId,
        input.ticketAccess,
        input.sharedId,
        sharedJson,
      ],
      isDone: false,
      source,
      deadline: performance.now() + wallMs,
      wallMs,
    };
    this.calls.set(input.cid, call);
    watchWallTime(this);
    this.enqueue(call, call.startItem);
  }

  private enqueue(call: CallState, items: unknown[]): void {
    this.queue.push({ call, items });
    this.pump();
  }

  private pump(): void {
    if (this.isEntering || this.queue.length === 0) return;
    this.isEntering = true;
    void this.enter().finally(() => {
      this.isEntering = false;
      this.pump();
    });
  }

  /** One entry into the isolate with everything queued; CPU is measured around it and shared out. */
  private async enter(): Promise<void> {
    let built: Built;
    try {
      built = await this.ensureBuilt();
    } catch (e) {
      const err = e instanceof SandboxError ? e : new SandboxError('INVALID_PLUGIN', (e as Error).message);
      const queued = this.queue;
      this.queue = [];
      for (const q of queued) this.finish(q.call, { ok: false, error: err });
      return;
    }
    // Take as many queued items as should run well inside one call's CPU budget together.
    // On the main thread an entry should stay well inside the slice (or it would leave the fast path).
    const budgetNs = (this.spec.limits.cpuMs * 1e6) / 4;
    const maxItems = Math.max(1, Math.min(256, Math.floor(budgetNs / Math.max(this.nsPerItem, 1))));
    const taken = this.queue.length <= maxItems ? this.queue : this.queue.slice(0, maxItems);
    this.queue = taken === this.queue ? [] : this.queue.slice(maxItems);
    const items: unknown[] = [];
    const cids: CallState[] = [];
    const inEntry = new Set<CallState>();
    const sharedSent = new Set<unknown>();
    for (const q of taken) {
      if (q.call.isDone) continue;
      const it = q.items;
      // A batch's shared arguments go into the isolate once per entry (later starts name them by id).
      if (it[0] === 1 && (it[6] as number) > 0 && sharedSent.has(it[6])) {
        for (let k = 0; k < 7; k++) items.push(it[k]);
        items.push('');
      } else {
        if (it[0] === 1 && (it[6] as number) > 0) sharedSent.add(it[6]);
        for (const x of it) items.push(x);
      }
      inEntry.add(q.call);
    }
    for (const c of inEntry) cids.push(c);
    if (cids.length === 0) return;
    const cpuLimitNs = BigInt(this.spec.limits.cpuMs) * 1_000_000n;
    let leftNs = cpuLimitNs;
    for (const c of cids) if (cpuLimitNs - c.cpuNs < leftNs) leftNs = cpuLimitNs - c.cpuNs;
    const leftMs = Math.max(1, Math.ceil(Number(leftNs) / 1e6));
    // Short entries (one call, or a few cheap ones) run on the main thread; a long batch is worth
    // the thread pool's hop, which also keeps it off the other plugins' way.
    const isSync = this.isSyncMode && leftMs > SYNC_SLICE_MS && this.nsPerItem * cids.length <= SYNC_ENTRY_NS;
    const { isolate } = built;
    const before = isolate.cpuTime;
    let failure: Error | undefined;
    let ended: unknown;
    try {
      const options = {
        arguments: { copy: true },
        result: { copy: true },
        timeout: isSync ? SYNC_SLICE_MS : leftMs,
      } as const;
      ended = isSync
        ? built.dispatch.applySync(undefined, [items], options)
        : await built.dispatch.apply(undefined, [items], options);
    } catch (e) {
      failure = e as Error;
    }
    if (built.generation !== this.generation || this.built !== built) return; // rebuilt meanwhile
    if (isolate.isDisposed) {
      const isMemory = /memory limit/i.test(failure?.message ?? '');
      const code: SandboxErrorCode = isMemory ? 'LIMIT_MEMORY' : 'PLUGIN_RESTARTED';
      this.rebuildAfter(
        cids,
        code,
        isMemory
          ? `the plugin went over its memory limit of ${this.spec.limits.memoryMb} MB`
          : 'the isolate was disposed',
      );
      return;
    }
    const used = isolate.cpuTime - before;
    this.counters.cpuNs += used;
    const share = used / BigInt(cids.length);
    for (const c of cids) c.cpuNs += share;
    // Grow entries slowly (code warms up), shrink them at once (a slow call must not push the next
    // entry past the slice).
    const perCall = Number(used) / cids.length;
    this.nsPerItem = perCall > this.nsPerItem ? perCall : this.nsPerItem * 0.8 + perCall * 0.2;
    // What the isolate said during the entry came back as its result: cid, rid, op, json, …
    if (Array.isArray(ended))
      for (let i = 0; i + 3 < ended.length; i += 4) {
        const c = this.calls.get(ended[i] as number);
        if (c && c.cpuNs > cpuLimitNs) continue; // judged below
        this.onSend(built.generation, ended[i], ended[i + 1], ended[i + 2], ended[i + 3]);
      }
    if (failure && isSync && /timed out/i.test(failure.message)) {
      // Stopped mid-run either way; the plugin leaves the fast path only if it was its own doing
      // (CPU spent), not when a busy machine held the thread.
      this.leaveFastPath({
        isPluginsDoing: isolate.cpuTime - before >= BigInt(SYNC_SLICE_MS / 2) * 1_000_000n,
      });
      return;
    }
    if (failure && /timed out/i.test(failure.message)) {
      this.rebuildAfter(
        cids.filter((c) => !c.isDone),
        'LIMIT_CPU',
        `the call used more than its CPU-time limit of ${this.spec.limits.cpuMs} ms${cids.length > 1 ? ` (it ran in one entry with ${cids.length - 1} other call(s) of this plugin)` : ''}`,
      );
      return;
    }
    if (failure) {
      for (const c of cids)
        if (!c.isDone)
          this.finish(c, {
            ok: false,
            error: new SandboxError('PLUGIN_ERROR', `the plugin's entry failed: ${failure.message}`),
          });
      return;
    }
    const over = cids.filter((c) => !c.isDone && c.cpuNs > cpuLimitNs);
    if (over.length > 0)
      this.rebuildAfter(
        over,
        'LIMIT_CPU',
        `the call used more than its CPU-time limit of ${this.spec.limits.cpuMs} ms`,
      );
  }

  private onSend(
    generation: number,
    cidRaw: unknown,
    ridRaw: unknown,
    opRaw: unknown,
    jsonRaw: unknown,
  ): void {
    if (generation !== this.generation) return;
    if (typeof cidRaw !== 'number' || typeof ridRaw !== 'number' || typeof opRaw !== 'string') return;
    const json = typeof jsonRaw === 'string' ? jsonRaw : '';
    const call = this.calls.get(cidRaw);
    if (!call || call.isDone) return; // a finished call can do nothing more
    switch (opRaw) {
      case 'done': {
        const bytes = Buffer.byteLength(json, 'utf8');
        if (bytes > this.spec.limits.payloadOutBytes) {
          this.breakLimit(
            call,
            'LIMIT_PAYLOAD_OUT',
            `the result is ${bytes} bytes, over the limit of ${this.spec.limits.payloadOutBytes}`,
          );
          return;
        }
        this.finish(call, { ok: true, json });
        return;
      }
      case 'too-big':
        this.breakLimit(
          call,
          'LIMIT_PAYLOAD_OUT',
          `the result is ${json} characters of JSON, over the limit of ${this.spec.limits.payloadOutBytes} bytes`,
        );
        return;
      case 'fail': {
        let info: { message?: unknown; name?: unknown; code?: unknown } = {};
        try {
          info = JSON.parse(json) as typeof info;
        } catch {}
        const name = typeof info.name === 'string' && info.name !== 'Error' ? `${info.name}: ` : '';
        this.finish(call, {
          ok: false,
          error: new SandboxError('PLUGIN_ERROR', `${call.handler} failed: ${name}${String(info.message)}`, {
            pluginCode: typeof info.code === 'string' ? info.code.slice(0, 100) : undefined,
          }),
        });
        return;
      }
      case 'missing':
        this.finish(call, {
          ok: false,
          error: new SandboxError(
            'HANDLER_NOT_FOUND',
            `${this.spec.id}@${this.spec.version} has no handler "${call.handler}"`,
          ),
        });
        return;
    }
    call.hostCalls++;
    if (call.hostCalls > this.spec.limits.hostCalls) {
      this.breakLimit(
        call,
        'LIMIT_HOST_CALLS',
        `the call made more than its limit of ${this.spec.limits.hostCalls} host calls`,
      );
      return;
    }
    if (opRaw === 'log' || opRaw === 'metric') {
      this.bridge.post({ t: opRaw, source: call.source, json: json.slice(0, 20_000) });
      return;
    }
    if (!HOST_OPS.has(opRaw) || ridRaw <= 0) return;
    void this.hostCall(call, ridRaw, opRaw as ServiceOp, json);
  }

  private async hostCall(call: CallState, rid: number, op: ServiceOp, json: string): Promise<void> {
    let answer: { ok: true; json: string } | { ok: false; code: string; message: string };
    try {
      const payload = JSON.parse(json) as Record<string, unknown>;
      answer = { ok: true, json: await this.answer(call, op, payload) };
    } catch (e) {
      const code = e instanceof FetchRefused || e instanceof CapabilityDenied ? e.code : 'HOST_CALL_FAILED';
      answer = { ok: false, code, message: (e as Error).message };
      if (e instanceof CapabilityDenied || (e instanceof FetchRefused && e.code === 'CAPABILITY_DENIED'))
        this.report({
          kind: 'denied',
          pluginId: this.spec.id,
          version: this.spec.version,
          capability: capabilityOf(op),
          handler: call.handler,
          callId: call.callId,
          message: (e as Error).message,
          at: now(),
        });
    }
    if (call.isDone) return;
    this.enqueue(
      call,
      answer.ok
        ? [2, rid, 1, answer.json]
        : [2, rid, 0, JSON.stringify({ code: answer.code, message: answer.message })],
    );
  }

  private async answer(call: CallState, op: ServiceOp, payload: Record<string, unknown>): Promise<string> {
    const { permissions } = this.spec;
    if (op === 'fetch') {
      if (this.rules.length === 0) throw new CapabilityDenied('this plugin was not granted fetch');
      const request = payload as unknown as FetchRequest;
      const timeoutMs = this.spec.limits.fetchTimeoutMs;
      const result = await guardedFetch({
        request,
        rules: this.rules,
        timeoutMs,
        maxBytes: this.spec.limits.fetchResponseBytes,
        transport: this.bridge.hasFetchService
          ? async (req) => {
              const out = JSON.parse(
                await this.bridge.service({ cid: call.cid, op: 'fetch', source: call.source, payload: req }),
              ) as FetchResult;
              if (Buffer.byteLength(out.body ?? '', 'utf8') > this.spec.limits.fetchResponseBytes)
                throw new FetchRefused(
                  'FETCH_TOO_LARGE',
                  `the response is larger than ${this.spec.limits.fetchResponseBytes} bytes`,
                );
              return out;
            }
          : networkTransport,
      });
      return JSON.stringify(result);
    }
    if (op.startsWith('kv.')) {
      if (permissions.kv !== true)
        throw new CapabilityDenied('this plugin was not granted a key-value store');
      const key = payload.key;
      if (op !== 'kv.list' && (typeof key !== 'string' || key === '' || key.length > MAX_KEY_CHARS))
        throw new CapabilityDenied(`a key must be a string of 1 to ${MAX_KEY_CHARS} characters`);
      const forwarded: Record<string, JsonValue> = {};
      if (op === 'kv.list') {
        forwarded.prefix = typeof payload.prefix === 'string' ? payload.prefix : '';
        const limit = Number(payload.limit);
        forwarded.limit = Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_LIST) : 100;
      } else forwarded.key = key as string;
      if (op === 'kv.set') {
        forwarded.value = (payload.value ?? null) as JsonValue;
        const ttl = Number(payload.ttlSeconds);
        if (payload.ttlSeconds !== undefined && payload.ttlSeconds !== null) {
          if (!Number.isInteger(ttl) || ttl < 1)
            throw new CapabilityDenied('ttlSeconds must be a whole number of at least 1');
          forwarded.ttlSeconds = ttl;
        }
      }
      return this.bridge.service({ cid: call.cid, op, source: call.source, payload: forwarded });
    }
    if (op === 'mail.send') {
      if (permissions.mail !== true) throw new CapabilityDenied('this plugin was not granted sending mail');
      const problem = checkOutgoingMail(payload);
      if (problem) throw new CapabilityDenied(problem);
      return this.bridge.service({ cid: call.cid, op, source: call.source, payload: payload as JsonValue });
    }
    if (op === 'org.manager' || op === 'org.team') {
      if (permissions.org !== true)
        throw new CapabilityDenied('this plugin was not granted looking up people');
      return this.bridge.service({
        cid: call.cid,
        op,
        source: call.source,
        payload: checkOrgQuery(op, payload),
      });
    }
    if (op === 'notify') {
      if (permissions.notify !== true)
        throw new CapabilityDenied('this plugin was not granted sending notices');
      return this.bridge.service({ cid: call.cid, op, source: call.source, payload: checkNotice(payload) });
    }
    // ticket.read / ticket.patch / ticket.follow-up: only the ticket the call was made for.
    if (call.ticketId === '')
      throw new CapabilityDenied('this call was not made for a ticket, so it has no ticket to read or patch');
    if (payload.id !== call.ticketId)
      throw new CapabilityDenied(
        `this call may only reach ticket ${call.ticketId}, not ${JSON.stringify(payload.id).slice(0, 60)}`,
      );
    if (op === 'ticket.follow-up') {
      if (permissions.followUps !== true)
        throw new CapabilityDenied('this plugin was not granted opening follow-up tickets');
      return this.bridge.service({
        cid: call.cid,
        op,
        source: call.source,
        payload: { followUp: checkFollowUp(payload.followUp) },
      });
    }
    if (op === 'ticket.patch') {
      if (call.ticketAccess !== 'patch')
        throw new CapabilityDenied('this call may read its ticket but not patch it');
      const patch = payload.patch;
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
        throw new CapabilityDenied('a ticket patch must be an object of field names and values');
      return this.bridge.service({
        cid: call.cid,
        op,
        source: call.source,
        payload: { patch: patch as JsonValue },
      });
    }
    return this.bridge.service({ cid: call.cid, op, source: call.source, payload: {} });
  }

  private finish(
    call: CallState,
    outcome: { ok: true; json: string } | { ok: false; error: SandboxError },
  ): void {
    if (call.isDone) return;
    call.isDone = true;
    this.calls.delete(call.cid);
    if (outcome.ok) this.bridge.post({ t: 'result', cid: call.cid, ok: true, json: outcome.json });
    else {
      this.counters.failures++;
      this.bridge.post({ t: 'result', cid: call.cid, ok: false, error: serializeError(outcome.error) });
    }
    if (this.isRetired && this.calls.size === 0) this.dispose();
  }

  private breakLimit(call: CallState, code: SandboxErrorCode, message: string): void {
    if (call.isDone) return;
    this.rebuildAfter([call], code, message);
  }

  /**
   * The calls broke a limit: they fail with its code, the event is reported, the isolate is
   * disposed (every other call of this plugin in flight fails as PLUGIN_RESTARTED, retryable) and
   * the next call builds a fresh one.
   */
  private rebuildAfter(guilty: CallState[], code: SandboxErrorCode, message: string): void {
    const isLimit = code.startsWith('LIMIT_');
    for (const call of guilty) {
      if (call.isDone) continue;
      if (isLimit) {
        this.counters.limitBreaks++;
        this.report({
          kind: 'limit',
          pluginId: this.spec.id,
          version: this.spec.version,
          code,
          handler: call.handler,
          callId: call.callId,
          message,
          at: now(),
        });
      }
      this.finish(call, {
        ok: false,
        error: new SandboxError(code, `${this.spec.id}@${this.spec.version} ${call.handler}: ${message}`),
      });
    }
    for (const call of [...this.calls.values()])
      this.finish(call, {
        ok: false,
        error: new SandboxError(
          'PLUGIN_RESTARTED',
          `${this.spec.id}@${this.spec.version} was restarted because another of its calls broke a limit (${code}); try again`,
        ),
      });
    this.generation++;
    const built = this.built;
    this.built = undefined;
    this.queue = [];
    if (built && !built.isolate.isDisposed) built.isolate.dispose();
    this.counters.rebuilds++;
    this.report({
      kind: 'isolate-rebuilt',
      pluginId: this.spec.id,
      version: this.spec.version,
      reason: `${code}: ${message}`,
      at: now(),
    });
  }

  /**
   * An entry outran the main-thread slice: discard the isolate (it was stopped mid-run), move this
   * plugin to the thread pool, start again the calls that have reached nothing outside (their CPU
   * so far still counts), and fail the others as PLUGIN_RESTARTED (retryable).
   */
  private leaveFastPath(input: { isPluginsDoing: boolean }): void {
    if (input.isPluginsDoing) this.isSyncMode = false;
    this.generation++;
    const built = this.built;
    this.built = undefined;
    if (built && !built.isolate.isDisposed) built.isolate.dispose();
    const restart: CallState[] = [];
    for (const call of [...this.calls.values()]) {
      if (call.hostCalls === 0) restart.push(call);
      else
        this.finish(call, {
          ok: false,
          error: new SandboxError(
            'PLUGIN_RESTARTED',
            `${this.spec.id}@${this.spec.version} was restarted (a long call moved it off the fast path); try again`,
          ),
        });
    }
    this.queue = restart.map((call) => ({ call, items: call.startItem }));
    this.counters.rebuilds++;
    this.report({
      kind: 'isolate-rebuilt',
      pluginId: this.spec.id,
      version: this.spec.version,
      reason: input.isPluginsDoing
        ? `an entry ran longer than ${SYNC_SLICE_MS} ms on the host's main thread; the plugin now runs on the thread pool`
        : `an entry was held past ${SYNC_SLICE_MS} ms by a busy machine; its calls start again`,
      at: now(),
    });
  }

  /** Called by the wall-time watch: calls past their deadline break the limit. */
  checkWallTime(at: number): void {
    let late: CallState | undefined;
    for (const call of this.calls.values())
      if (call.deadline <= at) {
        late = call;
        break;
      }
    if (late)
      this.breakLimit(
        late,
        'LIMIT_WALL',
        `the call did not answer within its wall-time limit of ${late.wallMs} ms`,
      );
  }

  private report(event: SandboxEvent): void {
    this.bridge.post({ t: 'event', event });
  }

  /** Replaced by a newer load: finish the calls in flight, then go. */
  retire(): void {
    this.isRetired = true;
    if (this.calls.size === 0) this.dispose();
  }

  /** Unloaded: calls in flight fail (not retryable on this plugin: it is gone). */
  unload(): void {
    for (const call of [...this.calls.values()])
      this.finish(call, {
        ok: false,
        error: new SandboxError('PLUGIN_NOT_LOADED', `${this.spec.id} was unloaded during the call`),
      });
    this.dispose();
  }

  private dispose(): void {
    this.generation++;
    const built = this.built;
    this.built = undefined;
    if (built && !built.isolate.isDisposed) built.isolate.dispose();
  }
}

/**
 * One timer for every plugin's wall-time limits (a timer per call costs more than the calls):
 * every WALL_TICK_MS, calls past their deadline break the limit. It runs only while calls are in
 * flight, so a limit is met within a tick.
 */
const WALL_TICK_MS = 10;
const watched = new Set<PluginRuntime>();
let wallTimer: NodeJS.Timeout | undefined;

function watchWallTime(rt: PluginRuntime): void {
  watched.add(rt);
  wallTimer ??= setInterval(() => {
    const at = performance.now();
    for (const r of watched) {
      if (r.inFlight === 0) watched.delete(r);
      else r.checkWallTime(at);
    }
    if (watched.size === 0) {
      clearInterval(wallTimer);
      wallTimer = undefined;
    }
  }, WALL_TICK_MS);
}

class CapabilityDenied extends Error {
  readonly code = 'CAPABILITY_DENIED';
}

/** The capability a host call uses, for a refusal's event. */
function capabilityOf(op: ServiceOp): Extract<SandboxEvent, { kind: 'denied' }>['capability'] {
  if (op === 'fetch') return 'fetch';
  if (op.startsWith('kv.')) return 'kv';
  if (op === 'mail.send') return 'mail';
  if (op.startsWith('org.')) return 'org';
  if (op === 'notify') return 'notify';
  if (op === 'ticket.follow-up') return 'followUps';
  return 'ticket';
}

const isOneLine = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.trim() !== '' && v.length <= max && !/[\r\n]/.test(v);
const isUserId = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) > 0 && (v as number) < 2 ** 31;

/** An org lookup's arguments, checked: a user id, or a team (id or name) and skills. */
function checkOrgQuery(op: 'org.manager' | 'org.team', p: Record<string, unknown>): JsonValue {
  if (op === 'org.manager') {
    if (!isUserId(p.userId))
      throw new CapabilityDenied('org.manager(userId): userId must be a user id (a positive integer)');
    return { userId: p.userId };
  }
  const team = typeof p.team === 'number' ? String(p.team) : p.team;
  if (!isOneLine(team, 200))
    throw new CapabilityDenied('org.teamMembers: team must name a team (its id or name)');
  const skills = p.skills ?? [];
  if (!Array.isArray(skills) || skills.length > 20 || !skills.every((k) => isOneLine(k, 100)))
    throw new CapabilityDenied('org.teamMembers: skills must be a list of at most 20 skill names');
  return { team, skills: skills as string[] };
}

/** A notice's fields, checked: people by user id, the targets by key, a subject and a text. */
function checkNotice(p: Record<string, unknown> | null): JsonValue {
  if (p === null || typeof p !== 'object') throw new CapabilityDenied('notify: the notice must be an object');
  const userIds = p.userIds;
  if (!Array.isArray(userIds) || userIds.length === 0 || userIds.length > 50 || !userIds.every(isUserId))
    throw new CapabilityDenied('notify: userIds must list 1 to 50 user ids');
  const targets = p.targets ?? [];
  if (!Array.isArray(targets) || targets.length > 10 || !targets.every((t) => isOneLine(t, 100)))
    throw new CapabilityDenied('notify: targets must list at most 10 notification target keys');
  if (!isOneLine(p.subject, 200))
    throw new CapabilityDenied('notify: subject must be one line of at most 200 characters');
  if (typeof p.text !== 'string' || p.text.trim() === '' || p.text.length > 4000)
    throw new CapabilityDenied('notify: text must be text of at most 4000 characters');
  const key = p.key ?? null;
  if (key !== null && !isOneLine(key, 200))
    throw new CapabilityDenied('notify: key must be one line of at most 200 characters');
  return { userIds, targets: targets as string[], subject: p.subject, text: p.text, key };
}

/** A follow-up ticket's fields, checked: who it is for, a title, and optionally a description and template. */
function checkFollowUp(f: unknown): JsonValue {
  if (f === null || typeof f !== 'object' || Array.isArray(f))
    throw new CapabilityDenied('createFollowUp: the follow-up must be an object');
  const r = f as Record<string, unknown>;
  if (!isUserId(r.forUserId)) throw new CapabilityDenied('createFollowUp: forUserId must be a user id');
  if (!isOneLine(r.title, 200))
    throw new CapabilityDenied('createFollowUp: title must be one line of at most 200 characters');
  if (r.description !== undefined && (typeof r.description !== 'string' || r.description.length > 20_000))
    throw new CapabilityDenied('createFollowUp: description must be text of at most 20000 characters');
  if (r.templateKey !== undefined && !isOneLine(r.templateKey, 100))
    throw new CapabilityDenied('createFollowUp: templateKey must name a template');
  if (r.priority !== undefined && !['urgent', 'high', 'normal', 'low'].includes(r.priority as string))
    throw new CapabilityDenied('createFollowUp: priority must be urgent, high, normal or low');
  if (
    r.formData !== undefined &&
    (r.formData === null ||
      typeof r.formData !== 'object' ||
      Array.isArray(r.formData) ||
      JSON.stringify(r.formData).length > 100_000)
  )
    throw new CapabilityDenied('createFollowUp: formData must be an object of at most 100 KB of JSON');
  if (r.key !== undefined && !isOneLine(r.key, 200))
    throw new CapabilityDenied('createFollowUp: key must be one line of at most 200 characters');
  return {
    forUserId: r.forUserId,
    title: r.title,
    ...(r.description === undefined ? {} : { description: r.description as string }),
    ...(r.templateKey === undefined ? {} : { templateKey: r.templateKey as string }),
    ...(r.priority === undefined ? {} : { priority: r.priority as string }),
    ...(r.formData === undefined ? {} : { formData: r.formData as JsonValue }),
    ...(r.key === undefined ? {} : { key: r.key as string }),
  };
}
