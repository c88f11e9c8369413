/**
 * The code that runs first in every plugin isolate, before the plugin's bundle. It keeps its own
 * copies of the builtins it needs (so a plugin that tampers with globals or prototypes breaks only
 * itself), builds the `ctx` each handler gets from the capabilities the plugin holds, and talks to
 * the host through one function, `send`, that takes only strings and numbers.
 *
 * Evaluated with `context.evalClosure(BOOTSTRAP_SOURCE, [send, configJson, secretsJson, capsJson,
 * maxOutChars, maxHostCalls])`; it returns the dispatcher the host enters the isolate through. The dispatcher
 * takes a flat list of items:
 *   0                                   init: read globalThis.__docketPlugin, return handler names
 *   1, cid, handler, argsJson, ticketId, ticketAccess, sharedId, sharedJson      start a call
 *                                       (sharedId > 0: the batch's shared arguments, merged under argsJson)
 *   2, rid, ok (1|0), valueJson         answer a host call
 * and the isolate answers with send(cid, rid, op, json), or, for what it said before dispatch
 * returned, with dispatch's result: a flat list of cid, rid, op, json (so the host sees a call's
 * logs and host calls before its end, in the order they were made).
 *   done | fail | too-big | missing     the call's end
 *   fetch | kv.get | kv.set | kv.delete | kv.list | ticket.read | ticket.patch | ticket.follow-up |
 *   mail.send | org.manager | org.team | notify      host calls (rid > 0)
 *   log | metric                        fire and forget (rid 0)
 */
export const BOOTSTRAP_SOURCE = `
const send = $0;
const parse = JSON.parse;
const stringify = JSON.stringify;
const P = Promise;
const resolveP = Promise.resolve.bind(Promise);
const thenP = Promise.prototype.then;
const apply = Reflect.apply;
const strSlice = String.prototype.slice;
const toUpper = String.prototype.toUpperCase;
const slice = (s, n) => apply(strSlice, s, [0, n]);
const then = (p, ok, fail) => apply(thenP, p, [ok, fail]);
const freeze = Object.freeze;
const keys = Object.keys;
const create = Object.create;
const assign = Object.assign;
const isArray = Array.isArray;
const Err = Error;
const Str = String;
const maxOut = $4;
const maxHostCalls = $5;
/** Host calls each call made in the current dispatch. */
let emitted = create(null);
const caps = parse($3);
/** The plugin's settings, parsed once and frozen: every call sees the same, unchangeable ones. */
const config = deepFreeze(parse($1));
const secrets = deepFreeze(parse($2));
const pending = create(null);
let nextRid = 1;
let handlers = null;
/** While the host is inside dispatch, ends of calls are collected and returned instead of sent. */
let collected = null;
/** Arguments shared by the calls of one batch, parsed once (a few recent batches kept). */
let sharedCache = create(null);
let sharedCount = 0;

/** Everything the isolate tells the host goes through here, in order. */
function emit(cid, rid, op, json) {
  if (collected !== null) {
    // Past its host-call limit a call's further messages are dropped here: the host breaks the
    // limit on the first one over, and the list returned from dispatch stays bounded.
    if (rid !== 0 || op === 'log' || op === 'metric') {
      const n = (emitted[cid] || 0) + 1;
      emitted[cid] = n;
      if (n > maxHostCalls + 1) return;
    }
    const n = collected.length;
    collected[n] = cid;
    collected[n + 1] = rid;
    collected[n + 2] = op;
    collected[n + 3] = json;
  } else send(cid, rid, op, json);
}

function end(cid, op, json) {
  emit(cid, 0, op, json);
}

function deepFreeze(v) {
  if (v !== null && typeof v === 'object') {
    freeze(v);
    const ks = keys(v);
    for (let i = 0; i < ks.length; i++) deepFreeze(v[ks[i]]);
  }
  return v;
}

function errorJson(e) {
  let message = 'unknown error';
  let name = 'Error';
  let code;
  try {
    if (e !== null && typeof e === 'object') {
      message = Str(e.message);
      name = Str(e.name);
      if (typeof e.code === 'string') code = e.code;
    } else message = Str(e);
  } catch (_) {}
  return stringify({ message: slice(message, 2000), name: slice(name, 100), code });
}

function hostCall(cid, op, payload) {
  const json = stringify(payload);
  const rid = nextRid++;
  return new P((resolve, reject) => {
    pending[rid] = { resolve, reject };
    emit(cid, rid, op, json);
  });
}

function hostError(json) {
  let info;
  try { info = parse(json); } catch (_) { info = { message: 'host call failed' }; }
  const e = new Err(Str(info.message));
  e.code = info.code ? Str(info.code) : 'HOST_CALL_FAILED';
  return e;
}

function toResponse(r) {
  return freeze({
    status: r.status,
    statusText: r.statusText,
    ok: r.status >= 200 && r.status < 300,
    headers: freeze(r.headers),
    url: r.url,
    text: () => resolveP(r.body),
    json: () => {
      try { return resolveP(parse(r.body)); } catch (e) { return P.reject(e); }
    },
  });
}

function makeCtx(cid, ticketId, ticketAccess) {
  const log = (level) => (message, data) => {
    let json;
    try { json = stringify({ level, message: slice(Str(message), 4000), data: data === undefined ? null : data }); }
    catch (_) { json = stringify({ level, message: slice(Str(message), 4000), data: null }); }
    emit(cid, 0, 'log', json);
  };
  const ctx = {
    config,
    secrets,
    log: freeze({ debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }),
    metric: (name, value, tags) => {
      emit(cid, 0, 'metric', stringify({ name: Str(name), value: Number(value), tags: tags === undefined ? null : tags }));
    },
  };
  if (caps.fetch) {
    ctx.fetch = (url, init) => {
      const i = init === undefined || init === null ? {} : init;
      const headers = {};
      if (i.headers) {
        const ks = keys(i.headers);
        for (let n = 0; n < ks.length; n++) headers[Str(ks[n])] = Str(i.headers[ks[n]]);
      }
      const req = { url: Str(url), method: apply(toUpper, Str(i.method || 'GET'), []), headers };
      if (i.body !== undefined && i.body !== null) req.body = typeof i.body === 'string' ? i.body : stringify(i.body);
      return then(hostCall(cid, 'fetch', req), toResponse);
    };
  }
  if (caps.kv) {
    ctx.kv = freeze({
      get: (key) => hostCall(cid, 'kv.get', { key: Str(key) }),
      set: (key, value, options) =>
        hostCall(cid, 'kv.set', { key: Str(key), value: value === undefined ? null : value, ttlSeconds: options && options.ttlSeconds }),
      delete: (key) => hostCall(cid, 'kv.delete', { key: Str(key) }),
      list: (prefix, options) => hostCall(cid, 'kv.list', { prefix: prefix === undefined ? '' : Str(prefix), limit: options && options.limit }),
    });
  }
  if (caps.mail) {
    ctx.mail = freeze({ send: (mail) => hostCall(cid, 'mail.send', mail) });
  }
  if (caps.org) {
    ctx.org = freeze({
      manager: (userId) => hostCall(cid, 'org.manager', { userId }),
      teamMembers: (q) => hostCall(cid, 'org.team', { team: q && q.team, skills: q && q.skills }),
    });
  }
  if (caps.notify) {
    ctx.notify = (notice) => hostCall(cid, 'notify', notice === undefined ? null : notice);
  }
  if (ticketId !== '') {
    const t = {
      id: ticketId,
      read: (id) => hostCall(cid, 'ticket.read', { id: id === undefined ? ticketId : Str(id) }),
    };
    if (ticketAccess === 'patch')
      t.patch = (patch, id) => hostCall(cid, 'ticket.patch', { id: id === undefined ? ticketId : Str(id), patch });
    if (caps.followUps)
      t.createFollowUp = (followUp) => hostCall(cid, 'ticket.follow-up', { id: ticketId, followUp });
    ctx.ticket = freeze(t);
  }
  return freeze(ctx);
}

function done(cid, v) {
  let json;
  try { json = stringify(v === undefined ? null : v); }
  catch (e) { end(cid, 'fail', errorJson(new Err('the result is not JSON: ' + Str(e && e.message)))); return; }
  if (json === undefined) json = 'null';
  if (json.length > maxOut) end(cid, 'too-big', Str(json.length));
  else end(cid, 'done', json);
}

function sharedArgs(id, json) {
  // The first start of a batch in an entry carries the JSON; later ones name the id only.
  if (json === '') return sharedCache[id];
  const v = deepFreeze(parse(json));
  sharedCache[id] = v;
  sharedCount++;
  return v;
}

function start(cid, name, argsJson, ticketId, ticketAccess, sharedId, sharedJson) {
  const h = handlers === null ? undefined : handlers[name];
  if (typeof h !== 'function') { end(cid, 'missing', Str(name)); return; }
  let r;
  let isThenable;
  try {
    let args = parse(argsJson);
    if (sharedId > 0) args = assign({}, sharedArgs(sharedId, sharedJson), args);
    r = h(args, makeCtx(cid, ticketId, ticketAccess));
    isThenable = r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function';
  } catch (e) { end(cid, 'fail', errorJson(e)); return; }
  // A plain value ends the call now (returned from dispatch); a promise ends it later through send.
  if (!isThenable) { done(cid, r); return; }
  then(resolveP(r), (v) => done(cid, v), (e) => end(cid, 'fail', errorJson(e)));
}

function init() {
  const g = globalThis.__docketPlugin;
  try { delete globalThis.__docketPlugin; } catch (_) {}
  const def = g && typeof g === 'object' && g.default && typeof g.default === 'object' ? g.default : g;
  const hs = def && typeof def === 'object' ? def.handlers : undefined;
  if (!hs || typeof hs !== 'object') throw new Err('the bundle does not define globalThis.__docketPlugin with handlers (build it with docket-plugin build)');
  handlers = create(null);
  const ks = keys(hs);
  for (let i = 0; i < ks.length; i++) if (typeof hs[ks[i]] === 'function') handlers[ks[i]] = hs[ks[i]];
  return keys(handlers);
}

return function dispatch(items) {
  if (items[0] === 0) return init();
  collected = [];
  emitted = create(null);
  if (sharedCount > 8) { sharedCache = create(null); sharedCount = 0; }
  let out;
  try { run(items); } finally { out = collected; collected = null; }
  return out.length === 0 ? undefined : out;
};

function run(items) {
  let i = 0;
  while (i < items.length) {
    const kind = items[i++];
    if (kind === 1) {
      start(items[i], items[i + 1], items[i + 2], items[i + 3], items[i + 4], items[i + 5], items[i + 6]);
      i += 7;
    } else {
      const rid = items[i];
      const ok = items[i + 1];
      const json = items[i + 2];
      i += 3;
      const p = pending[rid];
      if (p === undefined) continue;
      delete pending[rid];
      if (ok === 1) {
        let v;
        try { v = parse(json); } catch (e) { p.reject(e); continue; }
        p.resolve(v);
      } else p.reject(hostError(json));
    }
  }
}
`;
