import { ValidationFailed } from '@docket/core';
import { forkEm } from '@docket/db';
import type Koa from 'koa';
import { NotFoundError } from '../errors.ts';
import { BodyTooLarge, readBody } from '../http/read-body.ts';
import { MAX_SUBMISSION_BYTES, type PublicFormInput, submitPublicForm } from '../portal/public-form.ts';
import type { Services } from '../services.ts';

/**
 * The public form as the `web` channel over plain HTTP, for pages and systems that post a form
 * without GraphQL: `POST /forms/<templateKey>` with the JSON the portal's submitPublicForm takes
 * (`{ title, description?, formData?, contact: { name, email?, phone? } }`). The same rules hold:
 * the template's public form must be on, the fields are checked, the ticket comes in on the `web`
 * channel as the contact's (found or new) customer, and one address may send a few a minute.
 * Answers: 201 `{ number, followToken }`; 400 `{ error, fields: [{ path, code, message }] }`;
 * 404 for a form that is not public; 413 past the size limit; 429 with `Retry-After` (seconds)
 * when the address sent too many.
 */
export function webFormRoutes(services: Services): Koa.Middleware {
  return async (ctx, next) => {
    const m = /^\/forms\/([A-Za-z0-9_-]{1,100})$/.exec(ctx.path);
    // Only a POST is the form's: anything else goes on (the web app owns its own pages).
    if (!m || ctx.method !== 'POST') return next();
    if (!ctx.is('application/json'))
      return answer(ctx, 415, { error: 'Send the form as JSON (Content-Type: application/json).' });
    let input: Omit<PublicFormInput, 'templateKey'>;
    try {
      // The form's own limit is checked on its fields; the body may carry JSON's punctuation too.
      const body = await readBody(ctx.req, 2 * MAX_SUBMISSION_BYTES);
      input = JSON.parse(body.toString('utf8'));
    } catch (e) {
      if (e instanceof BodyTooLarge)
        return answer(ctx, 413, { error: `A form may be at most ${MAX_SUBMISSION_BYTES} bytes.` });
      return answer(ctx, 400, { error: 'The body is not JSON.' });
    }
    const shape = shapeProblem(input);
    if (shape) return answer(ctx, 400, { error: shape.message, fields: [shape] });
    const address = ctx.ip;
    const limiter = services.portal.submissions;
    try {
      const { ticket, followToken } = await submitPublicForm(
        { ...services, ...services.portal },
        forkEm(services.db),
        { ...input, templateKey: m[1]! },
        address,
      );
      return answer(ctx, 201, { number: ticket.number, followToken });
    } catch (e) {
      if (e instanceof ValidationFailed) {
        if (e.errors.some((f) => f.code === 'rate_limited')) {
          const seconds = Math.max(1, Math.ceil(limiter.retryAfterMs(address) / 1000));
          ctx.set('retry-after', String(seconds));
          return answer(ctx, 429, {
            error: `Too many forms from your address: try again in ${seconds} seconds.`,
            retryAfterSeconds: seconds,
          });
        }
        return answer(ctx, 400, { error: e.message, fields: e.errors });
      }
      if (e instanceof NotFoundError) return answer(ctx, 404, { error: e.message });
      throw e;
    }
  };
}

const answer = (ctx: Koa.Context, status: number, body: Record<string, unknown>) => {
  ctx.status = status;
  ctx.body = body;
};

/** What is wrong with the body's shape before the form's own checks, naming the field. */
function shapeProblem(v: unknown): { path: string; code: string; message: string } | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return { path: '', code: 'invalid', message: 'The body must be a JSON object.' };
  const r = v as Record<string, unknown>;
  if (typeof r.title !== 'string')
    return { path: '/title', code: 'required', message: 'title must be text.' };
  if (r.description != null && typeof r.description !== 'string')
    return { path: '/description', code: 'invalid', message: 'description must be text.' };
  if (r.contact === null || typeof r.contact !== 'object' || Array.isArray(r.contact))
    return { path: '/contact', code: 'required', message: 'contact must be { name, email?, phone? }.' };
  const c = r.contact as Record<string, unknown>;
  for (const k of ['name', 'email', 'phone'] as const)
    if (c[k] != null && typeof c[k] !== 'string')
      return { path: `/contact/${k}`, code: 'invalid', message: `contact.${k} must be text.` };
  if (typeof c.name !== 'string')
    return { path: '/contact/name', code: 'required', message: 'Tell us your name.' };
  return null;
}
