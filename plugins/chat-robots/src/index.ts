import {
  type DeliveryResult,
  defineNotificationTarget,
  definePlugin,
  type HostApi,
  type NotificationRecipient,
  type RenderedMessage,
} from '@docket/sdk';
import { hmacSha256, signPayload, toBase64 } from '@docket/sdk/crypto';

/**
 * Group chat robots as notification targets. Each target posts the notice to every robot of its
 * kind the admin set up (a group per team or per site), mentioning the recipients by mobile
 * number where the platform can, in the platform's own message format and signing:
 * - WeCom (企业微信) group robot: POST {msgtype: "text", text: {content, mentioned_mobile_list}}
 *   to its webhook URL (the key in the URL is the credential).
 * - DingTalk (钉钉) custom robot with "加签": the URL gets &timestamp=<ms>&sign=<urlencoded
 *   base64 HMAC-SHA256 of "<timestamp>\n<secret>" under the secret>; body {msgtype: "text",
 *   text: {content}, at: {atMobiles}}.
 * - Feishu (飞书) custom bot with signature check: body {timestamp: <seconds>, sign: <base64
 *   HMAC-SHA256 of an empty message under the key "<timestamp>\n<secret>">, msg_type: "text",
 *   content: {text}}.
 * - Slack incoming webhook: POST {text} (mrkdwn).
 * - A generic signed webhook: POST JSON {subject, text, ticket, recipients} with
 *   X-Docket-Timestamp and X-Docket-Signature (see the webhook plugin).
 * A robot that answers an error code, a non-2xx status or nothing in time fails the delivery; the
 * server retries it with backoff and shows the result per recipient on the ticket's timeline.
 */

type RobotKind = 'wecom' | 'dingtalk' | 'feishu' | 'slack' | 'webhook';
type Robot = { kind: RobotKind; name: string; url: string };

const robotsOf = (ctx: HostApi, kind: RobotKind): Robot[] =>
  ((Array.isArray(ctx.config.robots) ? ctx.config.robots : []) as unknown as Robot[]).filter(
    (r) => r.kind === kind,
  );

const secretOf = (ctx: HostApi, robot: Robot): string => {
  try {
    const all = JSON.parse(ctx.secrets.robotSecrets ?? '{}') as Record<string, string>;
    return all[robot.name] ?? '';
  } catch {
    return '';
  }
};

const phoneOf = (r: NotificationRecipient) => r.phone ?? null;

/** The text of a notice: subject, body and the ticket it is about. */
export function noticeText(message: RenderedMessage): string {
  const t = message.ticket;
  const about = t ? `\n${t.number ?? t.id}${t.title ? ` ${t.title}` : ''}${t.url ? `\n${t.url}` : ''}` : '';
  return `${message.subject}\n${message.text}${about}`.trim();
}

/** DingTalk's signature of a timestamp (ms), URL-encoded as its URL takes it. */
export const dingtalkSign = (secret: string, timestampMs: string): string =>
  encodeURIComponent(toBase64(hmacSha256(secret, `${timestampMs}\n${secret}`)));

/** Feishu's signature of a timestamp (seconds): the key is "<timestamp>\n<secret>", the message empty. */
export const feishuSign = (secret: string, timestampSeconds: string): string =>
  toBase64(hmacSha256(`${timestampSeconds}\n${secret}`, ''));

type Request = { url: string; headers: Record<string, string>; body: string };

/** The request a robot of a kind takes for a notice. */
export function robotRequest(input: {
  robot: Robot;
  secret: string;
  message: RenderedMessage;
  recipients: NotificationRecipient[];
  now: number;
}): Request {
  const { robot, secret, message, recipients } = input;
  const text = noticeText(message);
  const mobiles = recipients.map(phoneOf).filter((p): p is string => p !== null);
  const json = { 'content-type': 'application/json' };
  switch (robot.kind) {
    case 'wecom':
      return {
        url: robot.url,
        headers: json,
        body: JSON.stringify({ msgtype: 'text', text: { content: text, mentioned_mobile_list: mobiles } }),
      };
    case 'dingtalk': {
      const ts = String(input.now);
      const url = secret
        ? `${robot.url}${robot.url.includes('?') ? '&' : '?'}timestamp=${ts}&sign=${dingtalkSign(secret, ts)}`
        : robot.url;
      const mentions = mobiles.length ? `\n${mobiles.map((m) => `@${m}`).join(' ')}` : '';
      return {
        url,
        headers: json,
        body: JSON.stringify({
          msgtype: 'text',
          text: { content: `${text}${mentions}` },
          at: { atMobiles: mobiles, isAtAll: false },
        }),
      };
    }
    case 'feishu': {
      const ts = String(Math.floor(input.now / 1000));
      return {
        url: robot.url,
        headers: json,
        body: JSON.stringify({
          ...(secret ? { timestamp: ts, sign: feishuSign(secret, ts) } : {}),
          msg_type: 'text',
          content: { text },
        }),
      };
    }
    case 'slack':
      return {
        url: robot.url,
        headers: json,
        body: JSON.stringify({
          text: `*${message.subject}*\n${message.text}${message.ticket?.number ? `\n${message.ticket.number}` : ''}`,
        }),
      };
    case 'webhook': {
      const ts = String(Math.floor(input.now / 1000));
      const body = JSON.stringify({
        event: 'notice',
        subject: message.subject,
        text: message.text,
        ticket: message.ticket ?? null,
        recipients: recipients.map((r) => ({ id: r.id, address: r.address, name: r.name ?? null })),
      });
      return {
        url: robot.url,
        headers: { ...json, 'x-docket-timestamp': ts, 'x-docket-signature': signPayload(secret, ts, body) },
        body,
      };
    }
  }
}

/** Whether the platform accepted the post, or why not. */
async function accepted(kind: RobotKind, res: Awaited<ReturnType<HostApi['fetch']>>): Promise<string | null> {
  if (!res.ok) return `the robot answered HTTP ${res.status}`;
  if (kind === 'slack' || kind === 'webhook') return null;
  let body: { errcode?: number; errmsg?: string; code?: number; msg?: string; StatusCode?: number };
  try {
    body = await res.json();
  } catch {
    return 'the robot answered something that is not JSON';
  }
  const code = body.errcode ?? body.code ?? body.StatusCode ?? 0;
  return code === 0 ? null : `the robot refused it: ${code} ${body.errmsg ?? body.msg ?? ''}`.trim();
}

function robotTarget<const K extends RobotKind>(
  kind: K,
  title: string,
  titleZh: string,
  description: string,
) {
  return defineNotificationTarget({
    name: kind,
    title,
    titles: { 'zh-CN': titleZh },
    description,
    addressKind: 'group chat',
    configSchema: { type: 'object', properties: {} },
    deliver: async ({ message, recipients }, ctx) => {
      const robots = robotsOf(ctx, kind);
      const failed = (error: string): DeliveryResult[] =>
        recipients.map((r) => ({ recipientId: r.id, status: 'failed', error }));
      if (robots.length === 0) return { results: failed(`no ${title} robot is set up`) };
      const problems: string[] = [];
      for (const robot of robots) {
        const req = robotRequest({
          robot,
          secret: secretOf(ctx, robot),
          message,
          recipients,
          now: Date.now(),
        });
        try {
          const res = await ctx.fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
          const why = await accepted(kind, res);
          if (why) problems.push(`${robot.name}: ${why}`);
        } catch (e) {
          problems.push(`${robot.name}: ${String((e as Error).message ?? e)}`);
        }
      }
      ctx.metric(`robot.${kind}.${problems.length ? 'failed' : 'sent'}`, 1);
      if (problems.length) return { results: failed(problems.join('; ')) };
      return { results: recipients.map((r) => ({ recipientId: r.id, status: 'sent' as const })) };
    },
  });
}

export default definePlugin({
  name: 'chat_robots',
  version: '1.0.0',
  displayName: 'Chat robots',
  description:
    'WeCom, DingTalk and Feishu group robots, Slack incoming webhooks and a generic signed webhook.',
  permissions: { fetch: ['config:robots'] },
  config: {
    type: 'object',
    properties: {
      robots: {
        type: 'array',
        title: 'Robots',
        items: {
          type: 'object',
          required: ['kind', 'name', 'url'],
          properties: {
            kind: { type: 'string', enum: ['wecom', 'dingtalk', 'feishu', 'slack', 'webhook'] },
            name: { type: 'string', title: 'Name (the group or team it posts to)' },
            url: { type: 'string', format: 'uri', title: 'Webhook URL' },
          },
        },
      },
      robotSecrets: {
        type: 'string',
        title: 'Signing secrets (JSON: robot name -> secret)',
        'x-secret': true,
      },
    },
  },
  contributes: {
    notificationTargets: [
      robotTarget(
        'wecom',
        'WeCom group robot',
        '企业微信群机器人',
        'Posts to WeCom (企业微信) group robots, mentioning recipients by mobile.',
      ),
      robotTarget(
        'dingtalk',
        'DingTalk robot',
        '钉钉机器人',
        'Posts to DingTalk (钉钉) custom robots, signed, @-mentioning recipients.',
      ),
      robotTarget('feishu', 'Feishu bot', '飞书机器人', 'Posts to Feishu (飞书) custom bots, signed.'),
      robotTarget('slack', 'Slack', 'Slack', 'Posts to Slack incoming webhooks.'),
      robotTarget('webhook', 'Signed webhook', '签名 Webhook', 'Posts the notice as signed JSON to a URL.'),
    ],
  },
});
