import { createHmac } from 'node:crypto';
import { forkEm } from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/test-server.ts';
import { configure, type Received, receiver, sign, startChannelServer, waitFor } from './channel-fixtures.ts';

/**
 * Notices reaching people outside Docket through the chat-robot and SMS plugins, against loopback
 * receivers that check each platform's format and signature the way the platform does (DingTalk's
 * and Feishu's signed timestamps recomputed here with Node's crypto from their documented
 * recipes); per-recipient results on the ticket's timeline; a robot that answers 500 or hangs
 * fails only its own delivery, after retries, while the notice itself was written at once; and
 * people choose which notices reach them where.
 */

type Row = Record<string, any>;

const DING_SECRET = 'SEC0123456789abcdef';
const FEISHU_SECRET = 'feishu-secret';
const HOOK_SECRET = 'hook-secret';

/** What DingTalk checks: base64 HMAC-SHA256 of "<timestamp ms>\n<secret>" under the secret. */
const dingtalkSign = (ts: string) =>
  createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64');
/** What Feishu checks: base64 HMAC-SHA256 of nothing under the key "<timestamp s>\n<secret>". */
const feishuSign = (ts: string) =>
  createHmac('sha256', `${ts}\n${FEISHU_SECRET}`).update('').digest('base64');

/** The platforms' answers, after checking the request as each platform would. */
function platform(r: Received): { status: number; json?: unknown } | 'hang' {
  const u = new URL(r.url, 'http://x');
  const body = r.body ? JSON.parse(r.body) : {};
  if (u.pathname === '/ding/robot/send') {
    const ts = u.searchParams.get('timestamp') ?? '';
    const fresh = Math.abs(Date.now() - Number(ts)) < 3_600_000;
    if (!fresh || u.searchParams.get('sign') !== dingtalkSign(ts))
      return { status: 200, json: { errcode: 310000, errmsg: 'sign not match' } };
    if (body.msgtype !== 'text' || typeof body.text?.content !== 'string')
      return { status: 200, json: { errcode: 40035, errmsg: 'bad message' } };
    return { status: 200, json: { errcode: 0, errmsg: 'ok' } };
  }
  if (u.pathname === '/feishu/hook/abc') {
    const fresh = Math.abs(Date.now() / 1000 - Number(body.timestamp)) < 3600;
    if (!fresh || body.sign !== feishuSign(String(body.timestamp)))
      return {
        status: 200,
        json: { code: 19021, msg: 'sign match fail or timestamp is not within one hour' },
      };
    if (body.msg_type !== 'text' || typeof body.content?.text !== 'string')
      return { status: 200, json: { code: 9499, msg: 'bad message' } };
    return { status: 200, json: { code: 0, msg: 'success' } };
  }
  if (u.pathname === '/wecom/send') {
    if (u.searchParams.get('key') !== 'wk')
      return { status: 200, json: { errcode: 93000, errmsg: 'invalid key' } };
    return body.msgtype === 'text' ? { status: 200, json: { errcode: 0, errmsg: 'ok' } } : { status: 400 };
  }
  if (u.pathname === '/slack/T1/B1/x')
    return typeof body.text === 'string' ? { status: 200 } : { status: 400 };
  if (u.pathname === '/hook') {
    const ts = String(r.headers['x-docket-timestamp']);
    return r.headers['x-docket-signature'] === sign(HOOK_SECRET, ts, r.body)
      ? { status: 204 }
      : { status: 401 };
  }
  if (u.pathname === '/sms') {
    if (r.headers.authorization !== 'Bearer sms-key') return { status: 401 };
    return { status: 200, json: { id: `sms-${body.to}` } };
  }
  return { status: 404 };
}

describe('notification targets: chat robots and SMS', () => {
  let s: TestServer & { smtpPort: number };
  let net: Awaited<ReturnType<typeof receiver>>;
  let ticketId: string;
  let managerId: number;
  let agentId: number;

  const robots = (origin: string) => [
    { kind: 'dingtalk', name: 'ops-ding', url: `${origin}/ding/robot/send?access_token=tok` },
    { kind: 'feishu', name: 'ops-feishu', url: `${origin}/feishu/hook/abc` },
    { kind: 'wecom', name: 'ops-wecom', url: `${origin}/wecom/send?key=wk` },
    { kind: 'slack', name: 'ops-slack', url: `${origin}/slack/T1/B1/x` },
    { kind: 'webhook', name: 'ops-hook', url: `${origin}/hook` },
  ];
  const timeline = () =>
    s.sql<Row>(
      "select kind, body, diff from ticket_event where ticket_id = ? and kind like 'notification.%' order by ticket_event.id",
      [ticketId],
    );
  /** A notice written through the server's notifier, as a workflow step or an SLA action writes one. */
  const notify = (key: string, targets: string[], userIds: number[]) =>
    forkEm(s.app.services.db).transactional((tx) =>
      s.app.services.notifier.send(tx, [
        {
          key,
          ticketId,
          subject: '工单即将超时',
          body: `Ticket ${key}: the first response is due in 10 minutes.`,
          to: { userIds, customerIds: [] },
          targets,
        },
      ]),
    );

  beforeAll(async () => {
    s = await startChannelServer(['chat_robots', 'sms']);
    net = await receiver();
    net.answer(platform);
    await configure(s, 'chat_robots', {
      robots: robots(net.origin),
      robotSecrets: JSON.stringify({
        'ops-ding': DING_SECRET,
        'ops-feishu': FEISHU_SECRET,
        'ops-hook': HOOK_SECRET,
      }),
    });
    await configure(s, 'sms', {
      gatewayUrl: `${net.origin}/sms`,
      authScheme: 'bearer',
      apiKey: 'sms-key',
      template: '[Docket] {{subject}} {{text}} {{ticket}}',
      sender: 'Docket',
      maxSegments: 1,
    });
    [{ id: managerId }] = (await s.sql<Row>(
      "update app_user set phone = '+8613900000002' where email = 'manager.north@docket.local' returning id",
    )) as [{ id: number }];
    [{ id: agentId }] = (await s.sql<Row>(
      "select id from app_user where email = 'agent.a@docket.local'",
    )) as [{ id: number }];
    const agent = await s.login('agent.a@docket.local');
    const r = await s.gql(
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } } }`,
      {
        i: {
          templateKey: 'product-b-issue',
          title: 'Screen flickers',
          formData: { question: 'The screen flickers after an hour.' },
          requester: { name: 'Chen', email: 'customer@example.com' },
        },
      },
      agent,
    );
    ticketId = r.data!.createTicket.id;
  }, 120_000);
  afterAll(async () => {
    await net?.close();
    await s?.close();
  });

  it("each robot gets its platform's format and signature; every recipient's result is on the timeline", async () => {
    const targets = ['dingtalk', 'feishu', 'wecom', 'slack', 'webhook'].map((k) => `chat_robots.${k}`);
    await notify('robots-1', [...targets, 'sms.sms'], [managerId, agentId]);
    const events = await waitFor('six delivery results', async () => {
      const t = await timeline();
      return t.length >= 6 ? t : undefined;
    });
    const byTarget = Object.fromEntries(events.map((e) => [e.diff.target.to, e]));
    for (const t of targets) {
      expect(byTarget[t]!.kind).toBe('notification.delivered');
      expect(byTarget[t]!.diff.results.to).toEqual([
        { recipient: `user:${managerId}`, isDelivered: true },
        { recipient: `user:${agentId}`, isDelivered: true },
      ]);
    }
    // The agent has no mobile number: SMS reaches the manager and says why not the agent.
    expect(byTarget['sms.sms']!.kind).toBe('notification.failed');
    expect(byTarget['sms.sms']!.diff.results.to).toEqual([
      { recipient: `user:${managerId}`, isDelivered: true },
      { recipient: `user:${agentId}`, isDelivered: false, error: 'no sms phone address' },
    ]);
    // A Chinese desk reads the same entry in Chinese, by the target's Chinese name.
    const zh = await s.gql<{ ticket: { timeline: { kind: string; summary: string | null }[] } }>(
      'query($id: ID!) { ticket(id: $id) { timeline { kind summary(locale: "zh-CN") } } }',
      { id: ticketId },
      await s.login('admin@docket.local'),
    );
    expect(zh.data!.ticket.timeline.map((e) => e.summary)).toContain(
      `短信：共 2 人，送达 1 人；user:${agentId}：no sms phone address。`,
    );
    const ding = JSON.parse(net.requests.find((q) => q.url.startsWith('/ding'))!.body);
    expect(ding.at).toEqual({ atMobiles: ['+8613900000002'], isAtAll: false });
    expect(ding.text.content).toContain('工单即将超时');
    const wecom = JSON.parse(net.requests.find((q) => q.url.startsWith('/wecom'))!.body);
    expect(wecom.text.mentioned_mobile_list).toEqual(['+8613900000002']);
    const hook = JSON.parse(net.requests.find((q) => q.url === '/hook')!.body);
    expect(hook.recipients.map((r: Row) => r.id)).toEqual([`user:${managerId}`, `user:${agentId}`]);
    const sms = net.requests.filter((q) => q.url === '/sms').map((q) => JSON.parse(q.body));
    expect(sms).toHaveLength(1);
    expect(sms[0].to).toBe('+8613900000002');
    // Chinese text: one segment is 70 characters; the message is cut to fit.
    expect([...sms[0].text]).toHaveLength(70);
    expect(sms[0].text.endsWith('…')).toBe(true);
  }, 60_000);

  it('a robot that answers 500, and one that hangs, fail only their own delivery, after retries', async () => {
    const admin = await s.login('admin@docket.local');
    const limits = await s.gql(
      'mutation { setPluginLimits(name: "chat_robots", limits: { wallMs: 1500, fetchTimeoutMs: 1000 }) { __typename } }',
      {},
      admin,
    );
    expect(limits.data!.setPluginLimits.__typename).toBe('Plugin');
    net.answer((r) =>
      r.url.startsWith('/ding') ? { status: 500 } : r.url.startsWith('/feishu') ? 'hang' : platform(r),
    );
    const before = (await timeline()).length;
    const started = Date.now();
    await notify(
      'robots-2',
      ['chat_robots.dingtalk', 'chat_robots.feishu', 'chat_robots.slack'],
      [managerId],
    );
    // The notice itself is written at once, whatever the robots do.
    expect(Date.now() - started).toBeLessThan(1_000);
    const [inbox] = await s.sql<Row>(
      "select count(*)::int as n from notification where idempotency_key = 'robots-2'",
    );
    expect(inbox!.n).toBe(1);
    const slack = await waitFor('the slack result', async () =>
      (await timeline()).slice(before).find((e) => e.diff.target.to === 'chat_robots.slack'),
    );
    expect(slack.kind).toBe('notification.delivered');
    const failed = await waitFor(
      'both failures on the timeline',
      async () => {
        const t = (await timeline()).slice(before).filter((e) => e.kind === 'notification.failed');
        return t.length === 2 ? t : undefined;
      },
      90_000,
    );
    const why = Object.fromEntries(failed.map((e) => [e.diff.target.to, e.diff.results.to[0].error]));
    expect(why['chat_robots.dingtalk']).toBe('ops-ding: the robot answered HTTP 500');
    expect(why['chat_robots.feishu']).toMatch(/^ops-feishu: no answer within \d+ ms$/);
    const dingTries = net.requests.filter((q) => q.url.startsWith('/ding') && q.at >= started);
    expect(dingTries.length).toBeGreaterThan(2);
    net.answer(platform);
  }, 120_000);

  it('people choose which notices reach them where', async () => {
    const manager = await s.login('manager.north@docket.local');
    const targets = await s.gql(
      '{ notificationTargets { key title(locale: "zh-CN") titles { locale } } }',
      {},
      manager,
    );
    expect(targets.data!.notificationTargets.map((t: Row) => t.key)).toEqual(
      expect.arrayContaining(['chat_robots.dingtalk', 'sms.sms']),
    );
    // Each first-party target has its title in Chinese too, for the preferences page.
    for (const t of targets.data!.notificationTargets) expect(t.titles, t.key).toEqual([{ locale: 'zh-CN' }]);
    expect(targets.data!.notificationTargets.find((t: Row) => t.key === 'sms.sms').title).toBe('短信');
    const bad = await s.gql(
      `mutation { setNotificationPreference(kind: "urge", targets: ["sms.sms", "pager.beep"]) {
        __typename ... on ValidationError { fields { path message } } } }`,
      {},
      manager,
    );
    expect(bad.data!.setNotificationPreference).toEqual({
      __typename: 'ValidationError',
      fields: [{ path: '/targets/1', message: '"pager.beep" is not an installed notification target.' }],
    });
    const set = await s.gql(
      `mutation { setNotificationPreference(kind: "sla", targets: ["sms.sms"]) {
        __typename ... on NotificationPreference { kind targets } } }`,
      {},
      manager,
    );
    expect(set.data!.setNotificationPreference).toEqual({
      __typename: 'NotificationPreference',
      kind: 'sla',
      targets: ['sms.sms'],
    });
    const smsBefore = net.requests.filter((q) => q.url === '/sms').length;
    // An SLA notice in-app only: it also reaches the manager by SMS, as they chose; a task notice does not.
    await notify(`sla:${ticketId}:first_response:-10`, [], [managerId]);
    await notify('step-1:task', [], [managerId]);
    await waitFor('the chosen SMS', async () =>
      net.requests.filter((q) => q.url === '/sms').length > smsBefore ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const sent = net.requests.filter((q) => q.url === '/sms').slice(smsBefore);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body).to).toBe('+8613900000002');
    const mine = await s.gql('{ myNotificationPreferences { kind targets } }', {}, manager);
    expect(mine.data!.myNotificationPreferences).toEqual([{ kind: 'sla', targets: ['sms.sms'] }]);
  }, 60_000);
});
