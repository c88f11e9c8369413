import { handlerNameOf, ValidationFailed } from '@docket/core';
import { forkEm } from '@docket/db';
import { SandboxError } from '@docket/sandbox';
import type Koa from 'koa';
import { authenticate } from '../auth/authenticate.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { BodyTooLarge, readBody } from '../http/read-body.ts';
import type { Services } from '../services.ts';
import { adminDepsOf, uploadPlugin } from './plugin-admin.ts';
import { applyInbound, type InboundAnswer } from './plugin-inbound.ts';
import { MAX_PACKAGE_BYTES } from './plugin-package.ts';
import { PluginUnavailable } from './plugin-service.ts';

/**
 * The plugins' HTTP routes:
 * - `/channels/<plugin>/<channel>/…`: a channel's inbound webhook. The host checks that the plugin
 *   is enabled, the channel takes HTTP and the method is one it listed, and caps the body; then the
 *   plugin's `receive` decides what the request means: a new ticket (created through createTicket
 *   for the requester, who becomes the ticket's customer), a reply on the ticket its thread key
 *   names (through postMessage, as that customer), or nothing. Its `httpResponse` is the answer.
 * - `POST /plugins/upload`: a .tgz from `docket-plugin pack` as the raw body (what
 *   `docket-plugin publish` sends), with an API token or session of someone holding plugin.manage.
 */
export function pluginRoutes(services: Services): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/channels/')) return channelInbound(services, ctx);
    if (ctx.path === '/plugins/upload') return upload(services, ctx);
    return next();
  };
}

const answer = (ctx: Koa.Context, status: number, body: Record<string, unknown>) => {
  ctx.status = status;
  ctx.body = body;
};

async function upload(services: Services, ctx: Koa.Context): Promise<void> {
  if (ctx.method !== 'POST') {
    ctx.set('allow', 'POST');
    return answer(ctx, 405, { error: 'POST the .tgz made by "docket-plugin pack" as the request body.' });
  }
  const auth = await authenticate(services, ctx.headers);
  if ('error' in auth) return answer(ctx, 401, { error: auth.error });
  // A browser's cookie alone may not upload: a foreign page could send the request.
  if (auth.viaCookie && !ctx.get('x-docket-csrf'))
    return answer(ctx, 403, {
      error: 'Send an API token ("Authorization: Bearer …"), or the x-docket-csrf header with a session.',
    });
  let file: Buffer;
  try {
    file = await readBody(ctx.req, MAX_PACKAGE_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLarge)
      return answer(ctx, 413, { error: `A package may be at most ${MAX_PACKAGE_BYTES} bytes.` });
    throw e;
  }
  try {
    const r = await uploadPlugin(adminDepsOf(services), forkEm(services.db), auth.principal, {
      file,
      sha256: ctx.query.sha256 === undefined ? null : String(ctx.query.sha256),
    });
    const manifest = r.version.manifest as { permissions?: unknown };
    answer(ctx, r.isNewVersion ? 201 : 200, {
      plugin: r.plugin.name,
      version: r.version.version,
      sha256: r.version.sha256,
      status: r.plugin.status,
      runningVersion: r.plugin.version,
      isNewVersion: r.isNewVersion,
      requestedPermissions: manifest.permissions ?? {},
    });
  } catch (e) {
    if (e instanceof ValidationFailed) return answer(ctx, 422, { error: e.message, fields: e.errors });
    if (e instanceof UnauthenticatedError) return answer(ctx, 401, { error: e.message });
    if (e instanceof ForbiddenError) return answer(ctx, 403, { error: e.message, permission: e.permission });
    throw e;
  }
}

async function channelInbound(services: Services, ctx: Koa.Context): Promise<void> {
  const [, , plugin = '', channel = '', ...rest] = ctx.path.split('/');
  const notHere = () =>
    answer(ctx, 404, { error: `No enabled plugin channel answers at /channels/${plugin}/${channel}.` });
  let manifest: Awaited<ReturnType<Services['plugins']['enabledManifest']>>;
  try {
    manifest = await services.plugins.enabledManifest(plugin);
  } catch (e) {
    if (e instanceof PluginUnavailable) return notHere();
    throw e;
  }
  const def = manifest.contributes.channels.find((c) => c.name === channel);
  if (!def?.inbound.http) return notHere();
  if (!def.inbound.http.methods.includes(ctx.method as never)) {
    ctx.set('allow', def.inbound.http.methods.join(', '));
    return answer(ctx, 405, { error: `This channel takes ${def.inbound.http.methods.join(', ')}.` });
  }
  let body: Buffer;
  try {
    body = await readBody(ctx.req, services.config.maxBodyBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) return answer(ctx, 413, { error: e.message });
    throw e;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.headers))
    if (k !== 'cookie' && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.query))
    if (v !== undefined) query[k] = Array.isArray(v) ? v.join(',') : v;
  let result: InboundAnswer & {
    httpResponse?: { status: number; headers?: Record<string, string>; body?: string };
  };
  try {
    result = await services.plugins.call(plugin, handlerNameOf.channelInbound(channel), {
      kind: 'http',
      method: ctx.method,
      path: `/${rest.join('/')}`,
      query,
      headers,
      body: body.toString('utf8'),
      receivedAt: new Date().toISOString(),
    });
  } catch (e) {
    if (e instanceof PluginUnavailable) return notHere();
    if (e instanceof SandboxError)
      return answer(ctx, 502, { error: `The channel's plugin failed: ${e.message} (${e.code}).` });
    throw e;
  }
  const outcome = await applyInbound(services, forkEm(services.db), { plugin, channel, answer: result });
  if (!outcome.ok) {
    services.plugins.recorder.log({
      plugin,
      version: manifest.version,
      kind: 'event',
      level: 'warn',
      message: `${plugin}.${channel}: ${outcome.error}`,
      data: (outcome.fields ?? null) as never,
      handler: handlerNameOf.channelInbound(channel),
      call_id: null,
    });
    return answer(ctx, outcome.status, {
      error: outcome.error,
      ...(outcome.fields ? { fields: outcome.fields } : {}),
    });
  }
  const r = result.httpResponse;
  ctx.status = r && Number.isInteger(r.status) && r.status >= 200 && r.status < 600 ? r.status : 200;
  for (const [k, v] of Object.entries(r?.headers ?? {}))
    if (!/^(set-cookie|content-length|transfer-encoding|connection)$/i.test(k)) ctx.set(k, String(v));
  ctx.body = r?.body ?? '';
}
