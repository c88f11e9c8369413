import {
  defineChannel,
  definePlugin,
  type HostApi,
  type HttpInbound,
  type InboundResult,
  type JsonValue,
} from '@docket/sdk';
import { signPayload, timingSafeEqual } from '@docket/sdk/crypto';

/**
 * Partner systems post JSON to /channels/webhook/in/<partner key>, signed:
 *   X-Docket-Timestamp: <unix seconds>
 *   X-Docket-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the partner's secret>
 * A request older or newer than five minutes, or one whose signature was seen already, is refused.
 * The admin's mapping fills the template's form from the payload (JSON pointers); a payload the
 * mapping cannot fill is refused naming the field and kept, so the partner (or an admin, after
 * fixing the mapping) can retry it by POSTing, signed, to …/in/<partner key>/retry/<retry id>.
 * Agents' public replies are posted to the partner's callback URL, signed the same way, with an
 * Idempotency-Key that stays the same across retries.
 */

type Partner = {
  key: string;
  templateKey: string;
  /** Form field -> JSON pointer into the payload ("/order/reason"). */
  mapping: Record<string, string>;
  /** Pointers to the ticket's title, its thread (the partner's own id), and the requester. */
  titlePointer?: string;
  threadPointer: string;
  requesterEmailPointer?: string;
  requesterPhonePointer?: string;
  requesterNamePointer?: string;
  /** Pointer to a reply's text: a payload whose thread has a ticket and that holds this is a reply. */
  replyTextPointer?: string;
  callbackUrl?: string;
};

const TOLERANCE_SECONDS = 300;

const partnersOf = (ctx: HostApi): Partner[] =>
  (Array.isArray(ctx.config.partners) ? ctx.config.partners : []) as unknown as Partner[];

const secretOf = (ctx: HostApi, key: string): string | undefined => {
  try {
    const all = JSON.parse(ctx.secrets.partnerSecrets ?? '{}') as Record<string, string>;
    return typeof all[key] === 'string' && all[key] !== '' ? all[key] : undefined;
  } catch {
    return undefined;
  }
};

/** The value a JSON pointer names in a document, or undefined. */
export function atPointer(doc: JsonValue, pointer: string): JsonValue | undefined {
  if (pointer === '' || pointer === '/') return doc;
  if (!pointer.startsWith('/')) return undefined;
  let cur: JsonValue | undefined = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : (cur as Record<string, JsonValue>)[part];
  }
  return cur;
}

const refuse = (status: number, error: string, extra: Record<string, JsonValue> = {}): InboundResult => ({
  action: 'ignore',
  reason: error,
  httpResponse: {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error, ...extra }),
  },
});

/** Maps a payload to the partner's ticket (or names the field it cannot fill). */
export function mapPayload(
  partner: Partner,
  payload: JsonValue,
):
  | { ok: true; ticket: { title: string; formData: Record<string, JsonValue> }; thread: string }
  | { ok: false; field: string; error: string } {
  const formData: Record<string, JsonValue> = {};
  for (const [field, pointer] of Object.entries(partner.mapping ?? {})) {
    const v = atPointer(payload, pointer);
    if (v === undefined || v === null || v === '')
      return {
        ok: false,
        field,
        error: `the payload has nothing at ${pointer} for the form field "${field}"`,
      };
    formData[field] = v;
  }
  const thread = atPointer(payload, partner.threadPointer);
  if (typeof thread !== 'string' && typeof thread !== 'number')
    return { ok: false, field: 'thread', error: `the payload has no id at ${partner.threadPointer}` };
  const title = partner.titlePointer ? atPointer(payload, partner.titlePointer) : undefined;
  return {
    ok: true,
    thread: String(thread),
    ticket: { title: String(title ?? `${partner.key} ${thread}`).slice(0, 200), formData },
  };
}

async function verified(
  req: HttpInbound,
  partner: Partner,
  ctx: HostApi,
): Promise<{ ok: true } | { ok: false; result: InboundResult }> {
  const secret = secretOf(ctx, partner.key);
  if (!secret)
    return { ok: false, result: refuse(503, `no signing secret is set for the partner "${partner.key}"`) };
  const ts = req.headers['x-docket-timestamp'] ?? '';
  const sig = req.headers['x-docket-signature'] ?? '';
  if (!/^\d{9,11}$/.test(ts) || !sig)
    return { ok: false, result: refuse(401, 'sign the request: X-Docket-Timestamp and X-Docket-Signature') };
  const age = Date.now() / 1000 - Number(ts);
  if (Math.abs(age) > TOLERANCE_SECONDS)
    return {
      ok: false,
      result: refuse(401, 'the request is too old or from the future (more than 5 minutes)'),
    };
  if (!timingSafeEqual(signPayload(secret, ts, req.body), sig))
    return { ok: false, result: refuse(401, 'the signature does not match') };
  const seenKey = `seen:${sig}`;
  if (await ctx.kv.get(seenKey))
    return { ok: false, result: refuse(409, 'this request was received already (a replay)') };
  await ctx.kv.set(seenKey, true, { ttlSeconds: TOLERANCE_SECONDS * 2 });
  return { ok: true };
}

async function intake(
  partner: Partner,
  payload: JsonValue,
  ctx: HostApi,
  retryId: string,
): Promise<InboundResult> {
  const ok = {
    status: 202,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accepted: true }),
  };
  // A follow-up on a thread that has its ticket: only its text matters.
  const thread = atPointer(payload, partner.threadPointer);
  const replyText = partner.replyTextPointer ? atPointer(payload, partner.replyTextPointer) : undefined;
  const known = typeof thread === 'string' || typeof thread === 'number' ? `${partner.key}:${thread}` : null;
  if (known && typeof replyText === 'string' && replyText && (await ctx.kv.get(`thread:${known}`)))
    return {
      action: 'reply',
      threadKey: known,
      reply: { text: replyText },
      author: personOf(partner, payload),
      httpResponse: ok,
    };
  const mapped = mapPayload(partner, payload);
  if (!mapped.ok) {
    await ctx.kv.set(`failed:${partner.key}:${retryId}`, payload, { ttlSeconds: 30 * 24 * 3600 });
    ctx.metric('webhook.unmapped', 1, { partner: partner.key });
    return refuse(422, mapped.error, { field: mapped.field, retryId });
  }
  const threadKey = `${partner.key}:${mapped.thread}`;
  await ctx.kv.set(`thread:${threadKey}`, true);
  return {
    action: 'create',
    threadKey,
    ticket: { templateKey: partner.templateKey, ...mapped.ticket },
    requester: personOf(partner, payload),
    httpResponse: ok,
  };
}

/** The requester (or a reply's author) the partner's payload names. */
function personOf(partner: Partner, payload: JsonValue): { email?: string; phone?: string; name?: string } {
  const who = (p?: string) => {
    const v = p ? atPointer(payload, p) : undefined;
    return typeof v === 'string' && v ? v : undefined;
  };
  const email = who(partner.requesterEmailPointer);
  const phone = who(partner.requesterPhonePointer);
  const name = who(partner.requesterNamePointer);
  return { ...(email ? { email } : {}), ...(phone ? { phone } : {}), ...(name ? { name } : {}) };
}

const partnerChannel = defineChannel({
  name: 'in',
  title: 'Partner webhook',
  titles: { 'zh-CN': '合作方接口' },
  description:
    'Signed JSON from partner systems, mapped to a template form; replies go to their callback URL.',
  inbound: { http: { methods: ['POST'] } },
  receive: async (req, ctx): Promise<InboundResult> => {
    if (req.kind !== 'http') return { action: 'ignore', reason: 'the webhook channel takes HTTP only' };
    const [key = '', verb, retryId] = req.path.replace(/^\//, '').split('/');
    const partner = partnersOf(ctx).find((p) => p.key === key);
    if (!partner) return refuse(404, `no partner "${key.slice(0, 60)}" is set up`);
    const check = await verified(req, partner, ctx);
    if (!check.ok) return check.result;
    if (verb === 'retry' && retryId) {
      const kept = await ctx.kv.get(`failed:${partner.key}:${retryId}`);
      if (kept === null) return refuse(404, `no kept payload ${retryId.slice(0, 60)}`);
      const result = await intake(partner, kept, ctx, retryId);
      if (result.action !== 'ignore') await ctx.kv.delete(`failed:${partner.key}:${retryId}`);
      return result;
    }
    let payload: JsonValue;
    try {
      payload = JSON.parse(req.body) as JsonValue;
    } catch {
      return refuse(400, 'the body is not JSON');
    }
    const id = `${req.headers['x-docket-timestamp']}-${Math.random().toString(36).slice(2, 10)}`;
    return intake(partner, payload, ctx, id);
  },
  send: async ({ threadKey, replyId, ticket, reply }, ctx) => {
    const key = threadKey.slice(0, threadKey.indexOf(':'));
    const partner = partnersOf(ctx).find((p) => p.key === key);
    if (!partner?.callbackUrl) throw new Error(`the partner "${key}" has no callback URL`);
    const secret = secretOf(ctx, partner.key) ?? '';
    const body = JSON.stringify({
      event: 'ticket.reply',
      id: threadKey.slice(key.length + 1),
      ticket: { number: ticket.number ?? null, status: ticket.status ?? null },
      reply: { text: reply.text, author: reply.author.name },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await ctx.fetch(partner.callbackUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': replyId,
        'x-docket-timestamp': ts,
        'x-docket-signature': signPayload(secret, ts, body),
      },
      body,
    });
    if (!res.ok) throw new Error(`the callback answered ${res.status}`);
    return { externalId: replyId };
  },
});

export default definePlugin({
  name: 'webhook',
  version: '1.0.0',
  displayName: 'Partner webhooks',
  description: 'Signed webhooks from partner systems become tickets; replies go back to their callback URL.',
  permissions: { kv: true, fetch: ['config:partners'] },
  config: {
    type: 'object',
    properties: {
      partners: {
        type: 'array',
        title: 'Partners',
        items: {
          type: 'object',
          required: ['key', 'templateKey', 'mapping', 'threadPointer'],
          properties: {
            key: { type: 'string', pattern: '^[a-z0-9_-]{1,40}$' },
            templateKey: { type: 'string' },
            mapping: { type: 'object', additionalProperties: { type: 'string' } },
            titlePointer: { type: 'string' },
            threadPointer: { type: 'string' },
            requesterEmailPointer: { type: 'string' },
            requesterPhonePointer: { type: 'string' },
            requesterNamePointer: { type: 'string' },
            replyTextPointer: { type: 'string' },
            callbackUrl: { type: 'string', format: 'uri' },
          },
        },
      },
      partnerSecrets: {
        type: 'string',
        title: 'Signing secrets (JSON: partner key -> secret)',
        'x-secret': true,
      },
    },
  },
  contributes: { channels: [partnerChannel] },
});
