import { defineNotificationTarget, definePlugin, type HostApi, type RenderedMessage } from '@docket/sdk';
import { toBase64, utf8 } from '@docket/sdk/crypto';

/**
 * SMS through an HTTP gateway the admin configures: its URL, how it authenticates (a bearer
 * token, basic auth, or a header of its own), a message template, a sender name, and the length
 * limits (characters per segment: 70 when the text holds anything beyond GSM-7, as Chinese does,
 * else 160; at most `maxSegments`, the text is cut with "…" to fit). Each recipient is one
 * request: POST {to, text, sender} as JSON. A 2xx answer is sent; anything else fails that
 * recipient (the server retries with backoff and shows each result on the ticket's timeline).
 */

type Settings = {
  gatewayUrl: string;
  authScheme: 'bearer' | 'basic' | 'header' | 'none';
  authHeaderName: string;
  template: string;
  sender: string;
  maxSegments: number;
};

const settingsOf = (ctx: HostApi): Settings => {
  const c = ctx.config as Record<string, unknown>;
  return {
    gatewayUrl: String(c.gatewayUrl ?? ''),
    authScheme: (c.authScheme as Settings['authScheme']) ?? 'bearer',
    authHeaderName: String(c.authHeaderName ?? 'X-Api-Key'),
    template: String(c.template ?? '[{{subject}}] {{text}} {{ticket}}'),
    sender: String(c.sender ?? 'Docket'),
    maxSegments: Number(c.maxSegments ?? 3),
  };
};

const GSM7 = /^[\n\r A-Za-z0-9@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà]*$/;

/** Characters one segment holds for this text. */
export const segmentLength = (text: string): number => (GSM7.test(text) ? 160 : 70);

/** The message rendered from the template and cut to the length limit. */
export function renderSms(template: string, message: RenderedMessage, maxSegments: number): string {
  const t = message.ticket;
  const filled = template
    .replace(/\{\{\s*subject\s*\}\}/g, message.subject)
    .replace(/\{\{\s*text\s*\}\}/g, message.text)
    .replace(/\{\{\s*ticket\s*\}\}/g, t ? String(t.number ?? t.id) : '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...filled];
  const limit = segmentLength(filled) * Math.max(1, maxSegments);
  return chars.length <= limit ? filled : `${chars.slice(0, limit - 1).join('')}…`;
}

const authHeaders = (s: Settings, ctx: HostApi): Record<string, string> => {
  const key = ctx.secrets.apiKey ?? '';
  if (s.authScheme === 'bearer') return { authorization: `Bearer ${key}` };
  if (s.authScheme === 'header') return { [s.authHeaderName]: key };
  if (s.authScheme === 'basic') {
    const user = String(ctx.config.username ?? '');
    return { authorization: `Basic ${toBase64(utf8(`${user}:${key}`))}` };
  }
  return {};
};

const sms = defineNotificationTarget({
  name: 'sms',
  title: 'SMS',
  titles: { 'zh-CN': '短信' },
  description: 'Text messages through the SMS gateway set in the plugin.',
  addressKind: 'sms phone',
  configSchema: { type: 'object', properties: {} },
  deliver: async ({ message, recipients }, ctx) => {
    const s = settingsOf(ctx);
    const text = renderSms(s.template, message, s.maxSegments);
    const results = [];
    for (const r of recipients) {
      if (!/^\+?[0-9][0-9 -]{5,20}$/.test(r.address)) {
        results.push({
          recipientId: r.id,
          status: 'skipped' as const,
          error: `"${r.address}" is not a phone number`,
        });
        continue;
      }
      try {
        const res = await ctx.fetch(s.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeaders(s, ctx) },
          body: { to: r.address.replace(/[ -]/g, ''), text, sender: s.sender },
        });
        if (res.ok) {
          let id: string | undefined;
          try {
            const body = await res.json<{ id?: string; messageId?: string }>();
            id = body.id ?? body.messageId;
          } catch {
            id = undefined;
          }
          results.push({
            recipientId: r.id,
            status: 'sent' as const,
            ...(id ? { externalId: String(id) } : {}),
          });
        } else
          results.push({
            recipientId: r.id,
            status: 'failed' as const,
            error: `the gateway answered HTTP ${res.status}`,
          });
      } catch (e) {
        results.push({
          recipientId: r.id,
          status: 'failed' as const,
          error: String((e as Error).message ?? e),
        });
      }
    }
    ctx.metric('sms.sent', results.filter((x) => x.status === 'sent').length);
    return { results };
  },
});

export default definePlugin({
  name: 'sms',
  version: '1.0.0',
  displayName: 'SMS',
  description: 'Text messages through an HTTP SMS gateway.',
  permissions: { fetch: ['config:gatewayUrl'] },
  config: {
    type: 'object',
    required: ['gatewayUrl'],
    properties: {
      gatewayUrl: { type: 'string', format: 'uri', title: 'Gateway URL' },
      authScheme: { type: 'string', enum: ['bearer', 'basic', 'header', 'none'], title: 'Authentication' },
      authHeaderName: { type: 'string', title: 'Header name (for "header")' },
      username: { type: 'string', title: 'User (for "basic")' },
      apiKey: { type: 'string', title: 'API key or password', 'x-secret': true },
      template: { type: 'string', title: 'Message template ({{subject}}, {{text}}, {{ticket}})' },
      sender: { type: 'string', title: 'Sender name' },
      maxSegments: { type: 'integer', minimum: 1, maximum: 10, title: 'Most segments per message' },
    },
  },
  contributes: { notificationTargets: [sms] },
});
