import {
  assignNode,
  type HttpRequestConfig,
  hostMatches,
  httpRequestNode,
  notifyNode,
  setFieldsNode,
} from '@docket/core';
import { defineExecutor } from '../define-executor.ts';
import type { EffectDraft } from '../effects.ts';
import { HTTP_RESPONSE_EVENT } from '../effects.ts';

/** Sets ticket fields to fixed values or computed ones; later steps see the new values. */
export const setFieldsExecutor = defineExecutor(setFieldsNode, {
  run(ctx) {
    const fields: Record<string, unknown> = {};
    for (const [i, f] of ctx.config.fields.entries())
      fields[f.field] = f.expression !== undefined ? ctx.cel(`/fields/${i}/expression`) : f.value;
    return { kind: 'next', input: { fields }, ticketPatch: fields };
  },
});

export const assignExecutor = defineExecutor(assignNode, {
  run: (ctx) => ({
    kind: 'next',
    input: { assignee: ctx.config.assignee },
    effects: [{ type: 'assign_ticket', assignee: ctx.config.assignee }],
  }),
});

export const notifyExecutor = defineExecutor(notifyNode, {
  run(ctx) {
    const c = ctx.config;
    return {
      kind: 'next',
      effects: [
        {
          type: 'notify',
          idempotencyKey: ctx.stepKey,
          channel: c.channel,
          recipients: c.recipients,
          ...(c.subject === undefined ? {} : { subject: c.subject }),
          body: c.body,
        },
      ],
    };
  },
});

type HttpMemo = { idempotencyKey: string; attempt: number };
export type HttpResponsePayload = {
  ok: boolean;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  error?: string;
};

/**
 * Asks the caller to make the call (it owns sockets and the timeout) and waits for the outcome.
 * A failure is retried up to `retries` times with the same idempotency key; then the token takes
 * the "error" edge when there is one, or the step fails.
 */
export const httpRequestExecutor = defineExecutor(httpRequestNode, {
  run(ctx) {
    const c = ctx.config;
    let host: string;
    try {
      host = new URL(c.url).hostname;
    } catch {
      return { kind: 'fail', error: `"${c.url}" is not a URL.` };
    }
    if (!c.allowedHosts.some((h) => hostMatches(host, h)))
      return { kind: 'fail', error: `The host "${host}" is not among the allowed hosts.` };
    const memo: HttpMemo = { idempotencyKey: ctx.stepKey, attempt: 1 };
    return {
      kind: 'wait',
      memo,
      input: { method: c.method, url: c.url },
      effects: [request(ctx.config, memo)],
      wait: { kind: 'event', name: HTTP_RESPONSE_EVENT, key: memo.idempotencyKey },
    };
  },
  resume(ctx, signal) {
    if (signal.kind !== 'event')
      return {
        kind: 'refuse',
        errors: [
          { path: '/type', code: 'unexpected_event', message: 'An HTTP step waits for its response.' },
        ],
      };
    const memo = ctx.token.memo as HttpMemo;
    const r = (signal.event.payload ?? {}) as HttpResponsePayload;
    if (r.ok)
      return {
        kind: 'next',
        output: { status: r.status ?? 200, body: r.body ?? null, headers: r.headers ?? {} },
      };
    const error = r.error ?? `HTTP ${r.status ?? 'error'}`;
    if (memo.attempt <= ctx.config.retries) {
      const next: HttpMemo = { ...memo, attempt: memo.attempt + 1 };
      return {
        kind: 'stay',
        memo: next,
        event: { attempt: memo.attempt, error },
        effects: [request(ctx.config, next)],
      };
    }
    return {
      kind: 'fail',
      port: 'error',
      error: `${error} (after ${memo.attempt} attempt${memo.attempt === 1 ? '' : 's'})`,
    };
  },
});

function request(c: HttpRequestConfig, memo: HttpMemo): EffectDraft {
  return {
    type: 'http_request',
    idempotencyKey: memo.idempotencyKey,
    attempt: memo.attempt,
    method: c.method,
    url: c.url,
    headers: (c.headers ?? {}) as Record<string, string>,
    ...(c.body === undefined ? {} : { body: c.body }),
    timeoutMs: c.timeoutMs,
    reply: { name: HTTP_RESPONSE_EVENT, key: memo.idempotencyKey },
  };
}
