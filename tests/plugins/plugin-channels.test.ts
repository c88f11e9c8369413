import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGz } from '../../sdk/src/cli/tar.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { timelineOf } from '../sla/sla-fixtures.ts';
import {
  CONFIGURE,
  ENABLE,
  type FakeService,
  fakeService,
  GRANT,
  pluginMutation,
  UPLOAD,
} from './plugin-fixtures.ts';

/**
 * A plugin's channel and notification target in a running server: a webhook under
 * /channels/<plugin>/<channel>/ becomes a ticket (the plugin decides what the payload means, the
 * host writes it through createTicket), a follow-up on the same thread becomes the customer's
 * reply, an agent's public reply goes back out through the plugin, and a workflow notice reaches
 * people through the plugin's target.
 */

function chatPackage(sink: string): Buffer {
  const code = `globalThis.__docketPlugin = { handlers: {
  'channel-inbound:webhook': (req, ctx) => {
    if (req.headers['x-signature'] !== ctx.secrets.signingKey) return { action: 'ignore', reason: 'bad signature', httpResponse: { status: 401, body: 'bad signature' } };
    const m = JSON.parse(req.body);
    if (m.type === 'hello') return { action: 'ignore', reason: 'greeting', httpResponse: { status: 200, body: 'hi' } };
    if (m.thread && m.isFollowUp) return { action: 'reply', threadKey: m.thread, reply: { text: m.text }, author: { email: m.from } };
    return {
      action: 'create',
      threadKey: m.thread,
      ticket: { templateKey: 'product-b-issue', title: m.text.slice(0, 60), formData: { question: m.text } },
      requester: { email: m.from, name: m.name },
      httpResponse: { status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ received: m.thread }) },
    };
  },
  'channel-send:webhook': async (reply, ctx) => {
    await ctx.fetch('${sink}/send', { method: 'POST', body: { thread: reply.threadKey, to: reply.recipients, text: reply.reply.text, from: reply.reply.author.name, ticket: reply.ticket.number } });
    return { externalId: 'out-1' };
  },
  'notify:pager': async (input, ctx) => {
    const res = await ctx.fetch('${sink}/page', { method: 'POST', body: { to: input.recipients.map((r) => r.address), text: input.message.text } });
    return { results: input.recipients.map((r) => ({ recipientId: r.id, status: res.ok ? 'sent' : 'failed' })) };
  },
} };`;
  const manifest = {
    manifestVersion: 1,
    name: 'chat',
    version: '1.0.0',
    displayName: 'Chat',
    permissions: { fetch: [sink] },
    config: {
      type: 'object',
      required: ['signingKey'],
      properties: { signingKey: { type: 'string', 'x-secret': true } },
    },
    contributes: {
      nodeTypes: [],
      slaActions: [],
      notificationTargets: [
        {
          name: 'pager',
          title: 'Pager',
          titles: { 'zh-CN': '寻呼机' },
          addressKind: 'email',
          configSchema: { type: 'object', properties: {} },
        },
      ],
      channels: [
        {
          name: 'webhook',
          title: 'Chat webhook',
          titles: { 'zh-CN': '聊天机器人' },
          inbound: { http: { methods: ['POST'] } },
          canSend: true,
        },
      ],
    },
    bundle: {
      file: 'plugin.js',
      bytes: Buffer.byteLength(code),
      sha256: createHash('sha256').update(code).digest('hex'),
    },
  };
  return tarGz([
    { name: 'chat/manifest.json', content: Buffer.from(JSON.stringify(manifest)) },
    { name: 'chat/plugin.js', content: Buffer.from(code) },
  ]);
}

describe(`a plugin's channel and notification target (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let sink: FakeService;

  const post = (
    body: unknown,
    headers: Record<string, string> = { 'x-signature': 'k3y' },
    path = '/channels/chat/webhook/events',
  ) =>
    fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sink = await fakeService();
    sink.respond(() => ({ status: 200, json: {} }));
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    const up = await pluginMutation(s, admin, UPLOAD, { p: chatPackage(sink.origin).toString('base64') });
    expect(up.__typename, JSON.stringify(up)).toBe('PluginUpload');
    expect(up.plugin.contributions).toEqual([
      { kind: 'notificationTarget', key: 'chat.pager', route: null },
      { kind: 'channel', key: 'chat.webhook', route: '/channels/chat/webhook/' },
    ]);
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    await sink?.close();
  });

  it('answers nothing under /channels while the plugin is not enabled', async () => {
    const r = await post({ thread: 't0', text: 'hello?', from: 'a@example.com' });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'No enabled plugin channel answers at /channels/chat/webhook.' });
    await pluginMutation(s, admin, GRANT, { n: 'chat', g: { fetch: [sink.origin] } });
    await pluginMutation(s, admin, CONFIGURE, { n: 'chat', c: { signingKey: 'k3y' } });
    const on = await pluginMutation(s, admin, ENABLE, { n: 'chat' });
    expect(on.status, JSON.stringify(on)).toBe('enabled');
    const channels = await s.gql('{ channels { key isInbound title titles { locale text } } }', {}, admin);
    // Its display data in both languages, as the web app picks from it.
    expect(channels.data!.channels).toContainEqual({
      key: 'chat.webhook',
      isInbound: true,
      title: 'Chat webhook',
      titles: [{ locale: 'zh-CN', text: '聊天机器人' }],
    });
    // Its notification target too: the preferences page shows the title in the page's language.
    const targets = await s.gql(
      '{ notificationTargets { key title zh: title(locale: "zh-CN") titles { locale text } } }',
      {},
      admin,
    );
    expect(targets.data!.notificationTargets).toContainEqual({
      key: 'chat.pager',
      title: 'Pager',
      zh: '寻呼机',
      titles: [{ locale: 'zh-CN', text: '寻呼机' }],
    });
    const listed = await s.gql(
      '{ plugin(name: "chat") { contributions { key titles { locale text } } } }',
      {},
      admin,
    );
    expect(listed.data!.plugin.contributions).toEqual([
      { key: 'chat.pager', titles: [{ locale: 'zh-CN', text: '寻呼机' }] },
      { key: 'chat.webhook', titles: [{ locale: 'zh-CN', text: '聊天机器人' }] },
    ]);
  });

  it('turns a webhook into a ticket for its sender, and a follow-up on the thread into their reply', async () => {
    expect(
      (await post({ thread: 't1', text: 'x', from: 'a@example.com' }, { 'x-signature': 'wrong' })).status,
    ).toBe(401);
    expect((await fetch(`${s.url}/channels/chat/webhook/events`)).status).toBe(405);
    expect((await post({}, {}, '/channels/chat/nothing/')).status).toBe(404);
    const hello = await post({ type: 'hello' });
    expect([hello.status, await hello.text()]).toEqual([200, 'hi']);

    const r = await post({
      thread: 'T-100',
      text: 'My kettle will not switch on',
      from: 'li.wei@example.com',
      name: 'Li Wei',
    });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ received: 'T-100' });
    const [ticket] = await s.sql<{
      id: string;
      number: string;
      channel: string;
      title: string;
      email: string;
    }>(
      `select t.id::text, t.number, t.channel, t.title, c.email from ticket t join customer c on c.id = t.requester_id
        where t.channel = 'chat.webhook'`,
    );
    expect(ticket).toMatchObject({
      channel: 'chat.webhook',
      title: 'My kettle will not switch on',
      email: 'li.wei@example.com',
    });

    const again = await post({
      thread: 'T-100',
      text: 'Any news?',
      from: 'li.wei@example.com',
      isFollowUp: true,
    });
    expect(again.status).toBe(200);
    const timeline = await timelineOf(s, admin, ticket!.id);
    expect(timeline.filter((e) => e.kind === 'reply').map((e) => e.body)).toEqual(['Any news?']);

    // A follow-up on a thread nobody started is refused, and recorded against the plugin.
    const stray = await post({ thread: 'T-404', text: 'hm', from: 'li.wei@example.com', isFollowUp: true });
    expect(stray.status).toBe(404);
    expect(await stray.json()).toEqual({ error: 'No ticket came in on the thread "T-404".' });
    // A payload that breaks the template's form is refused with its fields.
    const empty = await post({ thread: 'T-101', text: '', from: 'li.wei@example.com' });
    expect(empty.status).toBe(422);
    expect((await empty.json()).fields.map((f: { path: string }) => f.path)).toContain('/title');
  });

  it("sends an agent's public reply back out through the channel", async () => {
    const [ticket] = await s.sql<{ id: string; number: string }>(
      "select id::text, number from ticket where channel = 'chat.webhook' order by id limit 1",
    );
    const agent = await s.login('admin@docket.local');
    const r = await s.gql(
      'mutation($id: ID!) { replyToTicket(id: $id, body: "Please hold the power button for 5 seconds.") { __typename } }',
      { id: ticket!.id },
      agent,
    );
    expect(r.data!.replyToTicket.__typename).toBe('Ticket');
    const sent = await waitFor(
      'the reply to go out',
      async () => sink.requests.find((q) => q.url === '/send'),
      30_000,
    );
    expect(JSON.parse(sent.body)).toEqual({
      thread: 'T-100',
      to: ['li.wei@example.com'],
      text: 'Please hold the power button for 5 seconds.',
      from: 'Ada Admin',
      ticket: ticket!.number,
    });
    await waitFor('the send on the timeline', async () =>
      (await timelineOf(s, admin, ticket!.id)).find((e) => e.kind === 'channel.sent'),
    );
  });

  it('delivers a workflow notice through its notification target', async () => {
    const graph = {
      nodes: [
        {
          id: 'start',
          type: 'start',
          typeVersion: 1,
          config: { trigger: 'ticket_created' },
          position: { x: 0, y: 0 },
        },
        {
          id: 'page',
          type: 'notify',
          typeVersion: 1,
          config: {
            channel: 'chat.pager',
            recipients: [{ kind: 'user', id: 'agent.a@docket.local' }],
            body: 'Ticket in',
          },
          position: { x: 0, y: 100 },
        },
        { id: 'end', type: 'end', typeVersion: 1, config: { status: 'solved' }, position: { x: 0, y: 200 } },
      ],
      edges: [
        { id: 'a', source: 'start', sourcePort: 'out', target: 'page' },
        { id: 'b', source: 'page', sourcePort: 'out', target: 'end' },
      ],
    };
    const wf = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "paged", name: "Paged", graph: $g) { ... on Workflow { id draftProblems { message } } } }',
      { g: graph },
      admin,
    );
    expect(wf.data!.createWorkflow.draftProblems).toEqual([]);
    await s.gql(
      'mutation($id: ID!) { publishWorkflow(id: $id) { __typename } }',
      { id: wf.data!.createWorkflow.id },
      admin,
    );
    const tpl = await s.gql(
      'mutation($c: TemplateContentInput!) { createTemplate(key: "paged", content: $c) { ... on TicketTemplate { id } } }',
      {
        c: {
          name: 'Paged',
          categoryPath: ['Tests'],
          defaultPriority: 'normal',
          numberPattern: 'PG-{seq:4}',
          formSchema: { type: 'object', properties: {} },
          workflowKey: 'paged',
        },
      },
      admin,
    );
    await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
      { id: tpl.data!.createTemplate.id },
      admin,
    );
    const t = await s.gql(
      'mutation { createTicket(input: { templateKey: "paged", title: "Page me" }) { ... on Ticket { id } } }',
      {},
      admin,
    );
    const page = await waitFor('the page', async () => sink.requests.find((q) => q.url === '/page'), 30_000);
    expect(JSON.parse(page.body)).toEqual({ to: ['agent.a@docket.local'], text: 'Ticket in' });
    const delivered = await waitFor('the delivery on the timeline', async () =>
      (await timelineOf(s, admin, t.data!.createTicket.id)).find((e) => e.kind === 'notification.delivered'),
    );
    expect(delivered.body).toBe('Pager: 1 of 1 delivered.');
  });
});
