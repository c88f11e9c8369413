import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { createSlaPolicy, createTicket, timelineOf } from '../sla/sla-fixtures.ts';
import {
  buildAndPack,
  CONFIGURE,
  copyPlugin,
  DISABLE,
  ENABLE,
  type FakeService,
  fakeService,
  GRANT,
  pluginMutation,
  ROOT,
  UPLOAD,
} from './plugin-fixtures.ts';

/**
 * The example plugin (examples/parcel) from its package to a ticket: installed through GraphQL,
 * granted and configured, its node used in a published workflow that a ticket goes through (a
 * loopback server stands for the parcel service), then disabled (the step fails naming the
 * plugin) and enabled again (retrying the instance resumes it). Its SLA action posts to a chat
 * room (another loopback server) when a policy's timer fires.
 */

/** Monday 2026-11-30, 10:00 in Shanghai. */
const T0 = Date.parse('2026-11-30T02:00:00Z');

const node = (id: string, type: string, config: unknown, i = 0) => ({
  id,
  type,
  typeVersion: 1,
  config,
  position: { x: 0, y: i * 100 },
});
const edge = (source: string, target: string, sourcePort = 'out') => ({
  id: `${source}-${sourcePort}-${target}`,
  source,
  sourcePort,
  target,
});

const INSTANCES = `query($id: ID!) { ticket(id: $id) { status workflowInstances { id status failures trace } } }`;

describe(`the example plugin, installed and used (${databaseKind()})`, () => {
  const clock = new ManualClock(T0);
  let s: TestServer;
  let admin: string;
  let agent: string;
  let parcels: FakeService;
  let chat: FakeService;
  let tgz: Buffer;
  let removeCopy = () => {};
  /** Parcels the fake service knows: tracking number -> status. */
  const known = new Map<string, string>([
    ['SF1001', 'delivered'],
    ['SF2002', 'in_transit'],
    ['SF3003', 'delivered'],
  ]);

  beforeAll(async () => {
    parcels = await fakeService();
    parcels.respond((req) => {
      const m = /^\/v1\/parcels\/([^/?]+)$/.exec(req.url);
      const status = m ? known.get(decodeURIComponent(m[1]!)) : undefined;
      return status ? { status: 200, json: { status, location: 'Shanghai hub' } } : { status: 404, json: {} };
    });
    chat = await fakeService();
    chat.respond(() => ({ status: 201, json: { id: 'm1' } }));
    // The example as its README builds it, its two outside services pointed at the loopback servers.
    const copy = copyPlugin(join(ROOT, 'examples/parcel'), [
      ["'api.parcels.example'", `'${parcels.origin}'`],
      ["'chat.example.com'", `'${chat.origin}'`],
    ]);
    removeCopy = copy.remove;
    tgz = buildAndPack(copy.dir);
    s = await startTestServer({ clock });
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
  }, 180_000);

  afterAll(async () => {
    await s?.close();
    await parcels?.close();
    await chat?.close();
    removeCopy();
  });

  it('installs from its package through GraphQL: disabled, nothing granted, asking for what it needs', async () => {
    const r = await pluginMutation(s, admin, UPLOAD, { p: tgz.toString('base64') });
    expect(r.__typename, JSON.stringify(r)).toBe('PluginUpload');
    expect(r.isNewVersion).toBe(true);
    expect(r.version.version).toBe('1.0.0');
    expect(r.version.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.plugin).toMatchObject({
      name: 'parcel',
      status: 'disabled',
      requestedPermissions: { fetch: [parcels.origin, chat.origin], kv: false, ticket: 'patch' },
      grants: { fetch: [], kv: false, ticket: null },
      secrets: [
        { key: 'apiKey', isSet: false },
        { key: 'chatToken', isSet: false },
      ],
    });
    expect(r.plugin.missingGrants).toHaveLength(3);
    expect(r.plugin.contributions).toEqual([
      { kind: 'nodeType', key: 'parcel.lookup', route: null },
      { kind: 'slaAction', key: 'parcel/post_to_chat', route: null },
    ]);

    // Not yet: nothing is granted and the API key its settings require is missing.
    const early = await pluginMutation(s, admin, ENABLE, { n: 'parcel' });
    expect(early.__typename).toBe('ValidationError');
    expect(early.fields.map((f: { path: string; code: string }) => `${f.path} ${f.code}`)).toEqual([
      '/grants/fetch not_granted',
      '/grants/fetch not_granted',
      '/grants/ticket not_granted',
      '/config/apiKey required',
    ]);

    const granted = await pluginMutation(s, admin, GRANT, {
      n: 'parcel',
      g: { fetch: [parcels.origin, chat.origin], ticket: 'patch' },
    });
    expect(granted.__typename, JSON.stringify(granted)).toBe('Plugin');
    expect(granted.missingGrants).toEqual([]);

    const configured = await pluginMutation(s, admin, CONFIGURE, {
      n: 'parcel',
      c: { apiBase: parcels.origin, chatBase: chat.origin, apiKey: 'parcel-key', chatToken: 'chat-token' },
    });
    expect(configured.__typename, JSON.stringify(configured)).toBe('Plugin');
    // Secrets are kept apart (encrypted) and shown only as set.
    expect(configured.config).toEqual({ apiBase: parcels.origin, chatBase: chat.origin });
    expect(configured.secrets).toEqual([
      { key: 'apiKey', isSet: true },
      { key: 'chatToken', isSet: true },
    ]);
    const [stored] = await s.sql<{ secrets: string }>("select secrets from plugin where name = 'parcel'");
    expect(stored!.secrets).not.toContain('parcel-key');

    const enabled = await pluginMutation(s, admin, ENABLE, { n: 'parcel' });
    expect(enabled.__typename, JSON.stringify(enabled)).toBe('Plugin');
    expect(enabled.status).toBe('enabled');

    const types = await s.gql('{ workflowNodeTypes { type source outputs { id } } }', {}, admin);
    expect(types.data!.workflowNodeTypes).toContainEqual({
      type: 'parcel.lookup',
      source: 'plugin:parcel',
      outputs: [{ id: 'delivered' }, { id: 'in_transit' }, { id: 'unknown' }],
    });
  });

  let instanceOf: (ticketId: string) => Promise<{ id: string; status: string; failures: any; trace: any[] }>;

  it('runs its node in a published workflow: a ticket goes through it', async () => {
    const graph = {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('lookup', 'parcel.lookup', { trackingField: 'logistics.trackingNumber' }, 1),
        node('done', 'end', { status: 'solved' }, 2),
        node('moving', 'end', { status: 'closed' }, 3),
        node('lost', 'end', { status: 'closed' }, 4),
      ],
      edges: [
        edge('start', 'lookup'),
        edge('lookup', 'done', 'delivered'),
        edge('lookup', 'moving', 'in_transit'),
        edge('lookup', 'lost', 'unknown'),
      ],
    };
    const bad = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "parcel-bad", name: "x", graph: $g) { ... on Workflow { draftProblems { path code } } } }',
      {
        g: {
          ...graph,
          nodes: graph.nodes.map((n) => (n.id === 'lookup' ? { ...n, config: { trackingField: '' } } : n)),
        },
      },
      admin,
    );
    // The plugin's config schema is checked at publish like a core node's.
    expect(bad.data!.createWorkflow.draftProblems).toContainEqual(
      expect.objectContaining({ path: '/nodes/1/config/trackingField' }),
    );
    const created = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "parcel-check", name: "Parcel check", graph: $g) { ... on Workflow { id draftProblems { path message } } } }',
      { g: graph },
      admin,
    );
    expect(created.data!.createWorkflow.draftProblems).toEqual([]);
    const published = await s.gql(
      'mutation($id: ID!) { publishWorkflow(id: $id) { __typename ... on ValidationError { fields { path message } } } }',
      { id: created.data!.createWorkflow.id },
      admin,
    );
    expect(published.data!.publishWorkflow.__typename, JSON.stringify(published)).toBe('WorkflowVersion');
    const template = await s.gql(
      'mutation($c: TemplateContentInput!) { createTemplate(key: "parcel-query", content: $c) { ... on TicketTemplate { id } } }',
      {
        c: {
          name: 'Where is my parcel?',
          categoryPath: ['Logistics'],
          defaultPriority: 'normal',
          numberPattern: 'PQ-{seq:4}',
          formSchema: {
            type: 'object',
            required: ['logistics'],
            properties: {
              logistics: {
                type: 'object',
                required: ['trackingNumber'],
                properties: { trackingNumber: { type: 'string' } },
              },
            },
          },
          workflowKey: 'parcel-check',
        },
      },
      admin,
    );
    const tp = await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename ... on Error { message } } }',
      { id: template.data!.createTemplate.id },
      admin,
    );
    expect(tp.data!.publishTemplate.__typename, JSON.stringify(tp)).toBe('TemplateVersion');

    instanceOf = async (ticketId) => {
      const r = await s.gql(INSTANCES, { id: ticketId }, admin);
      return r.data!.ticket.workflowInstances[0];
    };

    const t = await createTicket(s, agent, {
      templateKey: 'parcel-query',
      title: 'Where is my kettle?',
      formData: { logistics: { trackingNumber: 'SF1001' } },
    });
    const done = await waitFor(
      'the ticket to go through the plugin node',
      async () => {
        const r = await s.gql('query($id: ID!) { ticket(id: $id) { status } }', { id: t.id }, admin);
        return r.data!.ticket.status === 'solved' ? r.data!.ticket : undefined;
      },
      30_000,
    );
    expect(done.status).toBe('solved');
    // The plugin asked the parcel service with its secret, and wrote the status onto the ticket.
    expect(parcels.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['GET', '/v1/parcels/SF1001', 'Bearer parcel-key'],
    ]);
    const [row] = await s.sql<{ custom_fields: Record<string, unknown> }>(
      'select custom_fields from ticket where id = ?',
      [t.id],
    );
    expect(row!.custom_fields).toMatchObject({ parcelStatus: 'delivered' });
    const instance = await instanceOf(t.id);
    expect(instance.status).toBe('completed');
    const step = instance.trace.find((e: { nodeId: string }) => e.nodeId === 'lookup');
    expect(step.output).toEqual({ trackingNumber: 'SF1001', status: 'delivered', location: 'Shanghai hub' });
    const timeline = await timelineOf(s, admin, t.id);
    expect(timeline.map((e) => e.kind)).toContain('plugin.patched');

    // Another port: a parcel on its way closes the ticket by the in_transit edge.
    const moving = await createTicket(s, agent, {
      templateKey: 'parcel-query',
      title: 'Still waiting',
      formData: { logistics: { trackingNumber: 'SF2002' } },
    });
    await waitFor('the in-transit ticket to close', async () => {
      const r = await s.gql('query($id: ID!) { ticket(id: $id) { status } }', { id: moving.id }, admin);
      return r.data!.ticket.status === 'closed' ? true : undefined;
    });
  });

  it('fails the step with an error naming the plugin while it is disabled, and resumes once it is enabled and retried', async () => {
    const disabled = await pluginMutation(s, admin, DISABLE, { n: 'parcel' });
    expect(disabled.status).toBe('disabled');
    const before = parcels.requests.length;
    const t = await createTicket(s, agent, {
      templateKey: 'parcel-query',
      title: 'Lost parcel?',
      formData: { logistics: { trackingNumber: 'SF3003' } },
    });
    const failed = await waitFor(
      'the step to fail',
      async () => {
        const i = await instanceOf(t.id);
        return i?.status === 'failed' ? i : undefined;
      },
      30_000,
    );
    const message =
      'The plugin "parcel" (Parcel tracking) is disabled, so the step "Look up a parcel" (lookup) did not run: enable the plugin, then retry the workflow instance.';
    expect(JSON.stringify(failed.failures)).toContain(JSON.stringify(message).slice(1, -1));
    expect(parcels.requests.length).toBe(before);
    const timeline = await timelineOf(s, admin, t.id);
    expect(timeline.find((e) => e.kind === 'workflow.failed')?.body).toMatch(
      /The plugin "parcel" .* is disabled/,
    );

    // Publishing another workflow with its node is refused while it is disabled.
    const refused = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "parcel-while-off", name: "x", graph: $g) { ... on Workflow { draftProblems { path code message } } } }',
      {
        g: {
          nodes: [
            node('start', 'start', { trigger: 'ticket_created' }),
            node('lookup', 'parcel.lookup', { trackingField: 'x' }, 1),
            node('end', 'end', { status: 'solved' }, 2),
          ],
          edges: [
            edge('start', 'lookup'),
            ...['delivered', 'in_transit', 'unknown'].map((p) => edge('lookup', 'end', p)),
          ],
        },
      },
      admin,
    );
    expect(refused.data!.createWorkflow.draftProblems).toContainEqual(
      expect.objectContaining({ code: 'plugin_disabled', path: '/nodes/1/config' }),
    );

    const enabled = await pluginMutation(s, admin, ENABLE, { n: 'parcel' });
    expect(enabled.status).toBe('enabled');
    const retried = await s.gql(
      'mutation($id: ID!) { retryWorkflowInstance(id: $id) { __typename ... on Error { message } } }',
      { id: failed.id },
      admin,
    );
    expect(retried.errors, JSON.stringify(retried)).toBeUndefined();
    await waitFor(
      'the retried step to resume the ticket',
      async () => {
        const r = await s.gql('query($id: ID!) { ticket(id: $id) { status } }', { id: t.id }, admin);
        return r.data!.ticket.status === 'solved' ? true : undefined;
      },
      30_000,
    );
    expect(parcels.requests.at(-1)?.url).toBe('/v1/parcels/SF3003');
    expect((await instanceOf(t.id)).status).toBe('completed');
  });

  it("posts to the chat room when an SLA policy's plugin action fires", async () => {
    // A template without a workflow: its tickets stay open until someone answers.
    const template = await s.gql(
      'mutation($c: TemplateContentInput!) { createTemplate(key: "parcel-complaint", content: $c) { ... on TicketTemplate { id } } }',
      {
        c: {
          name: 'Parcel complaint',
          categoryPath: ['Logistics'],
          defaultPriority: 'normal',
          numberPattern: 'PC-{seq:4}',
          formSchema: { type: 'object', properties: {} },
        },
      },
      admin,
    );
    await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
      {
        id: template.data!.createTemplate.id,
      },
      admin,
    );
    await createSlaPolicy(s, admin, {
      name: 'Parcel complaints: tell the chat',
      position: 0,
      condition: 'ticket.template == "parcel-complaint"',
      targets: { first_response: { normal: { amount: 10, unit: 'minutes', time: 'calendar' } } },
      actions: {
        first_response: [
          {
            offsetMinutes: 0,
            kind: 'plugin',
            plugin: 'parcel',
            action: 'post_to_chat',
            config: { room: 'after-sales' },
          },
        ],
      },
    });
    clock.set(T0);
    const t = await createTicket(s, agent, { templateKey: 'parcel-complaint', title: 'Parcel never came' });
    clock.set(T0 + 11 * 60_000);
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);
    const post = await waitFor('the chat post', async () => chat.requests.at(-1), 30_000);
    expect(post.method).toBe('POST');
    expect(post.url).toBe('/rooms/after-sales/messages');
    expect(post.headers.authorization).toBe('Bearer chat-token');
    expect(JSON.parse(post.body)).toEqual({
      text: `${t.number} "Parcel never came": First response breached at ${new Date(T0 + 10 * 60_000).toISOString()}`,
    });
    const notes = await waitFor('the action on the timeline', async () => {
      const entries = (await timelineOf(s, admin, t.id)).filter((e) => e.kind === 'sla.action');
      return entries.length === 2 ? entries.map((e) => e.body) : undefined;
    });
    expect(notes).toEqual([
      '"Post to the team chat" (plugin parcel) at the first response breach: handed to the plugin.',
      '"Post to the team chat" (plugin parcel) at the first response breach: posted to after-sales.',
    ]);
  });

  it('shows its calls, error rates, latency percentiles and log', async () => {
    const r = await s.gql(
      `{ plugin(name: "parcel") { callStats { handler calls errors errorRate p50Ms p95Ms p99Ms }
         logs(kinds: ["log"]) { level message data handler } } }`,
      {},
      admin,
    );
    const p = r.data!.plugin;
    const overall = p.callStats.find((x: { handler: string | null }) => x.handler === null);
    // Three node calls (two at first, then the retried one: the disabled plugin was not called) and the chat post.
    expect(overall.calls).toBe(4);
    expect(overall.errors).toBe(0);
    expect(overall.p50Ms).toBeGreaterThan(0);
    expect(overall.p99Ms).toBeGreaterThanOrEqual(overall.p50Ms);
    expect(p.callStats.map((x: { handler: string | null }) => x.handler)).toEqual([
      null,
      'node:parcel.lookup',
      'sla:post_to_chat',
    ]);
    expect(p.logs.filter((l: { message: string }) => l.message === 'parcel looked up')).toHaveLength(3);
  });
});
