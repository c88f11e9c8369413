import type { Principal } from '@docket/core';
import { forkEm } from '@docket/db';
import type Koa from 'koa';
import { fileScope, requireUploadFile } from '../access/policy.ts';
import { authenticate } from '../auth/authenticate.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { BodyTooLarge, readBody } from '../http/read-body.ts';
import type { Services } from '../services.ts';
import { findVisibleFile, insertFile } from './file-repository.ts';
import { type FileStorage, isFileId, newFileId } from './file-storage.ts';
import { baseType, bytesMatchType, cleanFileName, isAcceptedType } from './file-types.ts';

const answer = (ctx: Koa.Context, status: number, body: Record<string, unknown>) => {
  ctx.status = status;
  ctx.body = body;
};

/**
 * Files for ticket forms:
 * - `POST /files`: the file itself as the body, its type in Content-Type and its name in
 *   X-File-Name (URI-encoded). Size and type limits from the config (DOCKET_MAX_FILE_BYTES,
 *   DOCKET_FILE_TYPES); the answer is what a form field keeps: `{ id, name, size, contentType }`.
 *   A browser session must send the x-docket-csrf header (a foreign page cannot).
 * - `GET /files/<id>`: the file, to those who see the ticket whose form names it (before any
 *   does, only to its uploader); anyone else gets 404, as if it did not exist.
 */
export function fileRoutes(services: Services, storage: FileStorage): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path === '/files') return upload(services, storage, ctx);
    const m = /^\/files\/([^/]+)$/.exec(ctx.path);
    if (m) return download(services, storage, ctx, decodeURIComponent(m[1]!));
    return next();
  };
}

async function principalOf(
  services: Services,
  ctx: Koa.Context,
): Promise<Principal | { status: number; error: string }> {
  const auth = await authenticate(services, ctx.headers);
  if ('error' in auth) return { status: 401, error: auth.error };
  if (!auth.principal) return { status: 401, error: 'Sign in first.' };
  if (auth.viaCookie && ctx.method !== 'GET' && !ctx.get('x-docket-csrf'))
    return { status: 403, error: 'Send the x-docket-csrf header with a session cookie, or an API token.' };
  return auth.principal;
}

async function upload(services: Services, storage: FileStorage, ctx: Koa.Context): Promise<void> {
  if (ctx.method !== 'POST') {
    ctx.set('allow', 'POST');
    return answer(ctx, 405, { error: 'POST the file as the request body.' });
  }
  const who = await principalOf(services, ctx);
  if ('error' in who) return answer(ctx, who.status, { error: who.error });
  let principal: Principal;
  try {
    principal = requireUploadFile(who);
  } catch (e) {
    if (e instanceof ForbiddenError) return answer(ctx, 403, { error: e.message, permission: e.permission });
    if (e instanceof UnauthenticatedError) return answer(ctx, 401, { error: e.message });
    throw e;
  }
  const { maxBytes, types } = services.config.files;
  const contentType = baseType(ctx.get('content-type') || 'application/octet-stream');
  if (!isAcceptedType(contentType, types))
    return answer(ctx, 415, {
      error: `Files of type "${contentType}" are not accepted. Accepted: ${types.join(', ')}.`,
      field: 'contentType',
    });
  let name: string;
  try {
    name = cleanFileName(decodeURIComponent(ctx.get('x-file-name') || 'file'));
  } catch {
    return answer(ctx, 400, { error: 'X-File-Name must be URI-encoded.', field: 'name' });
  }
  let bytes: Buffer;
  try {
    bytes = await readBody(ctx.req, maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge)
      return answer(ctx, 413, {
        error: `A file may be at most ${maxBytes} bytes.`,
        field: 'size',
        limit: maxBytes,
      });
    throw e;
  }
  if (bytes.length === 0) return answer(ctx, 400, { error: 'The file is empty.', field: 'size' });
  if (!bytesMatchType(contentType, bytes))
    return answer(ctx, 415, {
      error: `The file's content is not ${contentType}.`,
      field: 'contentType',
    });
  const id = newFileId();
  const { sha256 } = await storage.write(id, bytes);
  try {
    await insertFile(forkEm(services.db), {
      id,
      name,
      contentType,
      size: bytes.length,
      sha256,
      uploadedByUser: principal.kind === 'user' ? principal.userId : null,
      uploadedByCustomer: principal.kind === 'customer' ? principal.customerId : null,
    });
  } catch (e) {
    await storage.remove(id);
    throw e;
  }
  answer(ctx, 201, { id, name, size: bytes.length, contentType });
}

async function download(
  services: Services,
  storage: FileStorage,
  ctx: Koa.Context,
  id: string,
): Promise<void> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    ctx.set('allow', 'GET, HEAD');
    return answer(ctx, 405, { error: 'Files are read with GET.' });
  }
  const who = await principalOf(services, ctx);
  if ('error' in who) return answer(ctx, who.status, { error: who.error });
  const notFound = () => answer(ctx, 404, { error: 'There is no such file, or you may not see it.' });
  if (!isFileId(id)) return notFound();
  const row = await findVisibleFile(forkEm(services.db), id, fileScope(who));
  if (!row) return notFound();
  ctx.status = 200;
  ctx.type = row.content_type;
  ctx.length = Number(row.size);
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('cache-control', 'private, max-age=3600');
  ctx.set('content-security-policy', "default-src 'none'; sandbox");
  const isInline = row.content_type.startsWith('image/') || row.content_type === 'application/pdf';
  ctx.set(
    'content-disposition',
    `${isInline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(row.name)}`,
  );
  ctx.set('etag', `"${row.sha256}"`);
  if (ctx.method === 'HEAD') return;
  ctx.body = storage.read(id);
}
