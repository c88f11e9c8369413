import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineNodeType } from '@docket/core';
import { defineExecutor } from '@docket/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { createSlaPolicy, createTicket, timelineOf } from '../sla/sla-fixtures.ts';

/**
 * Every extension point is a registry the running server reads: a node type (with an effect kind
 * of its own), a channel, a notification target and an SLA action registered from outside the
 * core, as a plugin will register them, each used end to end through the API.
 */

/** A node type from outside the core: it stamps the ticket with a code through an effect of its own kind. */
const stampNode = defineNodeType({
  type: 'acme.stamp',
  version: 1,
  title: 'Stamp',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['code'],
    additionalProperties: false,
    properties: { code: { type: 'string', minLength: 2 } },
  },
  defaultConfig: { code: 'OK' },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
  validate: (c) =>
    c.code === c.code.toUpperCase()
      ? []
      : [{ configPath: '/code', code: 'not_upper', message: 'A stamp code is written in capitals.' }],
});
const stampExecutor = defineExecutor(stampNode, {
  run: (ctx) => ({
    kind: 'next',
    effects: [{ type: 'acme.stamped', code: ctx.config.code }],
    output: { code: ctx.config.code },
  }),
});

const node = (id: string, type: string, config: unknown, i = 0) => ({
  id,
  type,
  typeVersion: 1,
  config,
  position: { x: 0, y: i * 100 },
});
const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourcePort: 'out',
  target,
});

/** Monday 2026-11-30, 10:00 in Shanghai. */
const T0 = Date.parse('2026-11-30T02:00:00Z');

describe(`extension registries (${databaseKind()})`, () => {
  const clock = new ManualClock(T0);
  let s: TestServer;
  let admin: string;
  let agent: string;
  let pager: Server;
  const paged: { to: string[]; text: string }[] = [];
  let isPagerDown = false;

  beforeAll(async () => {
    s = await startTestServer({ clock });
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
    // A real receiver on loopback stands for the outside system a target plugin would call.
    pager = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (isPagerDown) return void res.writeHead(503).end('down');
        paged.push(JSON.parse(body));
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => pager.listen(0, '127.0.0.1', r));
    const pagerUrl = `http://127.0.0.1:${(pager.address() as AddressInfo).port}/page`;

    const { registries } = s.app.services;
    registries.nodeTypes.register(stampExecutor, 'test:acme');
    registries.effects.register(
      'acme.stamped',
      {
        apply: async (ctx, e) => {
          ctx.custom.stamp = (e as { code?: string }).code;
          ctx.audit({ kind: 'acme.stamped', body: `Stamped ${(e as { code?: string }).code}.` });
        },
      },
      'test:acme',
    );
    registries.channels.register(
      'acme.kiosk',
      { key: 'acme.kiosk', title: 'Store kiosk', isInbound: true },
      'test:acme',
    );
    registries.notificationTargets.register(
      'acme.pager',
      {
        key: 'acme.pager',
        title: 'Pager',
        deliver: async (message, recipients) => {
          const res = await fetch(pagerUrl, {
            method: 'POST',
            body: JSON.stringify({ to: recipients.map((r) => r.email), text: message.body }),
          });
          if (!res.ok) throw new Error(`the pager answered ${res.status}`);
          return recipients.map((r) => ({ recipient: r.id, isDelivered: true }));
        },
      },
      'test:acme',
    );
    registries.slaActions.register(
      'acme/flag',
      {
        title: 'Flag for the supervisor',
        run: async (ctx, action) => ({
          audit: {
            kind: 'sla.action',
            body: `Flagged ${ctx.ticket.number} ${ctx.moment} (${JSON.stringify((action as { config?: unknown }).config)}).`,
            diff: {},
          },
        }),
      },
      'test:acme',
    );
  });
  afterAll(async () => {
    await s?.close();
    pager?.close();
  });

  async function publishWorkflow(key: string, graph: unknown) {
    const created = await s.gql(
      'mutation($k: String!, $g: JSON) { createWorkflow(key: $k, name: $k, graph: $g) { ... on Workflow { id draftProblems { path code message } } } }',
      { k: key, g: graph },
      admin,
    );
    const wf = created.data!.createWorkflow;
    const published = await s.gql(
      'mutation($id: ID!) { publishWorkflow(id: $id) { __typename ... on ValidationError { fields { path code message } } } }',
      { id: wf.id },
      admin,
    );
    return { problems: wf.draftProblems, published: published.data!.publishWorkflow };
  }

  async function templateRunning(key: string, workflowKey: string) {
    const t = await s.gql(
      'mutation($k: String!, $c: TemplateContentInput!) { createTemplate(key: $k, content: $c) { ... on TicketTemplate { id } } }',
      {
        k: key,
        c: {
          name: key,
          categoryPath: ['Tests'],
          defaultPriority: 'normal',
          numberPattern: `${key.toUpperCase()}-{seq:4}`,
          formSchema: { type: 'object', properties: {} },
          workflowKey,
        },
      },
      admin,
    );
    const p = await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename ... on Error { message } } }',
      { id: t.data!.createTemplate.id },
      admin,
    );
    expect(p.data!.publishTemplate.__typename, JSON.stringify(p)).toBe('TemplateVersion');
  }

  it('serves a registered node type, validates it with its own rule, and runs it with its own effect kind', async () => {
    const types = await s.gql('{ workflowNodeTypes { type source hasInput outputs { id } } }', {}, admin);
    expect(types.data!.workflowNodeTypes).toContainEqual({
      type: 'acme.stamp',
      source: 'test:acme',
      hasInput: true,
      outputs: [{ id: 'out' }],
    });

    const bad = await publishWorkflow('stamp-bad', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('st', 'acme.stamp', { code: 'ok' }, 1),
        node('end', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'st'), edge('st', 'end')],
    });
    expect(bad.problems).toEqual([
      {
        path: '/nodes/1/config/code',
        code: 'not_upper',
        message: 'Stamp "st": A stamp code is written in capitals.',
      },
    ]);
    expect(bad.published.__typename).toBe('ValidationError');

    const good = await publishWorkflow('stamp', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('st', 'acme.stamp', { code: 'QC' }, 1),
        node('end', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'st'), edge('st', 'end')],
    });
    expect(good.published.__typename).toBe('WorkflowVersion');
    await templateRunning('stamped', 'stamp');
    const t = await createTicket(s, agent, { templateKey: 'stamped', title: 'Stamp me' });
    const timeline = await timelineOf(s, admin, t.id);
    expect(timeline.find((e) => e.kind === 'acme.stamped')?.body).toBe('Stamped QC.');
    const [row] = await s.sql<{ custom_fields: Record<string, unknown> }>(
      'select custom_fields from ticket where id = ?',
      [t.id],
    );
    expect(row?.custom_fields).toEqual({ stamp: 'QC' });
    const after = await s.gql('query($id: ID!) { ticket(id: $id) { status } }', { id: t.id }, admin);
    expect(after.data!.ticket.status).toBe('solved');
  });

  it('takes tickets through a registered channel and names the known channels for an unknown one', async () => {
    const channels = await s.gql('{ channels { key isInbound } }', {}, agent);
    expect(channels.data!.channels).toContainEqual({ key: 'acme.kiosk', isInbound: true });
    const t = await createTicket(s, agent, {
      templateKey: 'product-b-issue',
      title: 'From the kiosk',
      channel: 'acme.kiosk',
      formData: { question: 'Where is my order?' },
    });
    const row = await s.gql('query($id: ID!) { ticket(id: $id) { channel } }', { id: t.id }, agent);
    expect(row.data!.ticket.channel).toBe('acme.kiosk');
    const refused = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on ValidationError { fields { path message } } } }',
      {
        i: {
          templateKey: 'product-b-issue',
          title: 'x',
          channel: 'fax',
          formData: { question: 'Can I send a fax?' },
        },
      },
      agent,
    );
    expect(refused.data!.createTicket.fields).toHaveLength(1);
    const field = refused.data!.createTicket.fields[0];
    expect(field.path).toBe('/channel');
    expect(field.message).toMatch(/"fax" is not a channel .*acme\.kiosk/);
    // `system` is Docket itself: no ticket comes in through it.
    const system = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
      {
        i: {
          templateKey: 'product-b-issue',
          title: 'x',
          channel: 'system',
          formData: { question: 'Who am I?' },
        },
      },
      agent,
    );
    expect(system.data!.createTicket.__typename).toBe('ValidationError');
  });

  it('sends a workflow notice through a registered target, retrying a failing receiver, and records the result on the timeline', async () => {
    const refused = await publishWorkflow('page-unknown', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'page',
          'notify',
          { channel: 'acme.beeper', recipients: [{ kind: 'user', id: 'agent.a@docket.local' }], body: 'x' },
          1,
        ),
        node('end', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'page'), edge('page', 'end')],
    });
    expect(refused.problems).toEqual([
      expect.objectContaining({ path: '/nodes/1/config/channel', code: 'not_found' }),
    ]);

    const flow = await publishWorkflow('page', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'page',
          'notify',
          {
            channel: 'acme.pager',
            recipients: [{ kind: 'user', id: 'agent.a@docket.local' }],
            body: 'A ticket needs you',
          },
          1,
        ),
        node('end', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'page'), edge('page', 'end')],
    });
    expect(flow.published.__typename).toBe('WorkflowVersion');
    await templateRunning('paged', 'page');
    isPagerDown = true;
    const t = await createTicket(s, agent, { templateKey: 'paged', title: 'Page me' });
    // The first attempt fails and is retried: nothing reached the pager yet.
    await new Promise((r) => setTimeout(r, 1500));
    expect(paged).toEqual([]);
    isPagerDown = false;
    await waitFor('the pager to be called', async () => (paged.length === 1 ? true : undefined), 30_000);
    expect(paged[0]).toEqual({ to: ['agent.a@docket.local'], text: 'A ticket needs you' });
    const delivered = await waitFor(
      'the delivery on the timeline',
      async () => (await timelineOf(s, admin, t.id)).find((e) => e.kind === 'notification.delivered'),
      10_000,
    );
    expect(delivered.body).toBe('Pager: 1 of 1 delivered.');
    // The in-app notice is written as always.
    const inbox = await s.gql('{ myNotifications { body } }', {}, agent);
    expect(inbox.data!.myNotifications.map((n: { body: string }) => n.body)).toContain('A ticket needs you');
  });

  it("runs a registered SLA action when its policy's timer fires, and says so when a policy names one not installed", async () => {
    await createSlaPolicy(s, admin, {
      name: 'Kiosk: flag early',
      position: 0,
      condition: 'ticket.channel == "acme.kiosk"',
      targets: { first_response: { normal: { amount: 10, unit: 'minutes', time: 'calendar' } } },
      actions: {
        first_response: [
          { offsetMinutes: 0, kind: 'plugin', plugin: 'acme', action: 'flag', config: { level: 2 } },
          { offsetMinutes: 0, kind: 'plugin', plugin: 'other', action: 'ring' },
        ],
      },
    });
    clock.set(T0);
    const t = await createTicket(s, agent, {
      templateKey: 'product-b-issue',
      title: 'Kiosk question',
      channel: 'acme.kiosk',
      formData: { question: 'Opening hours?' },
    });
    clock.set(T0 + 11 * 60_000);
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);
    const actions = (await timelineOf(s, admin, t.id))
      .filter((e) => e.kind === 'sla.action')
      .map((e) => e.body);
    expect(actions).toEqual([
      `Flagged ${t.number} at the first response breach ({"level":2}).`,
      'The SLA action "other/ring" at the first response breach did not run: no such action is installed (is the plugin "other" installed and enabled?).',
    ]);
  });
});
