import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/** Workflow graphs are for those who manage workflows; the secrets their HTTP calls send live apart, sealed. */

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

describe(`workflow graphs and their secrets (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let customer: string;
  let endpoint: Server;
  let endpointUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    s = await startTestServer();
    [admin, agent, customer] = await Promise.all([
      s.login('admin@docket.local'),
      s.login('agent.a@docket.local'),
      s.customerLogin('customer@example.com'),
    ]);
    endpoint = createServer((req, res) => {
      seen.push(String(req.headers.authorization ?? ''));
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await s?.close();
    endpoint?.close();
  });

  it('agents and customers cannot read published graphs; admins can', async () => {
    const viaTemplate =
      '{ template(key: "returns") { published { workflowVersion { id graph { nodes { id config } } } } } }';
    const byAgent = await s.gql(viaTemplate, {}, agent);
    expect(byAgent.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(byAgent.data ?? {})).not.toContain('"nodes"');
    const byCustomer = await s.gql(viaTemplate, {}, customer);
    expect(JSON.stringify(byCustomer)).not.toContain('"nodes"');
    const byAdmin = await s.gql(viaTemplate, {}, admin);
    expect(byAdmin.errors).toBeUndefined();
    expect(byAdmin.data!.template.published.workflowVersion.graph.nodes.length).toBeGreaterThan(1);

    const mine = await s.gql<{ createTicket: { id: string } }>(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } ... on Error { message } } }',
      { i: { templateKey: 'returns', title: 't', formData: validReturn } },
      customer,
    );
    expect(mine.data!.createTicket.id, JSON.stringify(mine)).toBeTruthy();
    const viaTicket = await s.gql(
      'query($id: ID!) { ticket(id: $id) { templateVersion { workflowVersion { graph { nodes { id } } } } } }',
      { id: mine.data!.createTicket.id },
      customer,
    );
    expect(viaTicket.errors).toBeUndefined();
    expect(viaTicket.data!.ticket.templateVersion.workflowVersion).toBeNull();
  });

  it('a token written into a header is moved out of the graph, sealed, shown as set, and sent by the engine', async () => {
    const graph = {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'hook',
          'http_request',
          {
            method: 'POST',
            url: endpointUrl,
            headers: { Authorization: 'Bearer sk-live-7391', 'X-Trace': 'plain' },
            allowedHosts: ['127.0.0.1'],
            timeoutMs: 2000,
            retries: 0,
          },
          1,
        ),
        node('done', 'end', { status: 'solved' }, 2),
        node('failed', 'end', { status: 'closed' }, 3),
      ],
      edges: [edge('start', 'hook'), edge('hook', 'done'), edge('hook', 'failed', 'error')],
    };
    const created = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "secret-call", name: "Secret call", graph: $g) { ... on Workflow { id draft { json } secrets { name isSet isUsed } } ... on Error { message } } }',
      { g: graph },
      admin,
    );
    const wf = created.data!.createWorkflow;
    expect(JSON.stringify(wf)).not.toContain('sk-live-7391');
    expect(JSON.stringify(wf.draft)).toContain('{{secret.hook.authorization}}');
    expect(JSON.stringify(wf.draft)).toContain('plain');
    expect(wf.secrets).toEqual([{ name: 'hook.authorization', isSet: true, isUsed: true }]);
    const stored = await s.sql<{ t: string }>(
      "select (select string_agg(draft::text, '') from workflow) || (select string_agg(sealed, '') from workflow_secret) as t",
    );
    expect(stored[0]!.t).not.toContain('sk-live-7391');

    // Set through the mutation: the answer says "set", never the value.
    const set = await s.gql(
      'mutation($id: ID!) { setWorkflowSecret(workflowId: $id, name: "hook.authorization", value: "Bearer sk-live-8000") { __typename ... on Workflow { secrets { name isSet } } } }',
      { id: wf.id },
      admin,
    );
    expect(JSON.stringify(set)).not.toContain('sk-live-8000');
    expect(set.data!.setWorkflowSecret.secrets).toEqual([{ name: 'hook.authorization', isSet: true }]);
    const byAgent = await s.gql(
      'mutation($id: ID!) { setWorkflowSecret(workflowId: $id, name: "x", value: "y") { __typename } }',
      { id: wf.id },
      agent,
    );
    expect(byAgent.errors?.[0]?.extensions?.code ?? byAgent.data?.setWorkflowSecret.__typename).toMatch(
      /FORBIDDEN|ForbiddenError/,
    );

    const published = await s.gql(
      'mutation($id: ID!) { publishWorkflow(id: $id) { __typename ... on Error { message } } }',
      { id: wf.id },
      admin,
    );
    expect(published.data!.publishWorkflow.__typename, JSON.stringify(published)).toBe('WorkflowVersion');
    const t = await s.gql(
      `mutation($c: TemplateContentInput!) { createTemplate(key: "secret-t", content: $c) { ... on TicketTemplate { id } } }`,
      {
        c: {
          name: 'Secret call',
          categoryPath: ['Tests'],
          defaultPriority: 'normal',
          numberPattern: 'SC-{seq:5}',
          formSchema: { type: 'object', properties: {} },
          workflowKey: 'secret-call',
        },
      },
      admin,
    );
    await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
      { id: t.data!.createTemplate.id },
      admin,
    );
    const ticket = await s.gql(
      'mutation { createTicket(input: { templateKey: "secret-t", title: "call out" }) { ... on Ticket { id } ... on Error { message } } }',
      {},
      admin,
    );
    const id = ticket.data!.createTicket.id;
    await waitFor('the call', async () => (seen.length > 0 ? true : undefined));
    expect(seen).toEqual(['Bearer sk-live-8000']);
    const done = await waitFor('the ticket to finish', async () => {
      const r = await s.gql('query($id: ID!) { ticket(id: $id) { status } }', { id }, admin);
      return r.data!.ticket.status === 'new' ? undefined : r.data!.ticket.status;
    });
    expect(done).toBe('solved');
    const calls = await s.sql<{ request: string }>('select request::text as request from outbound_call');
    expect(calls.map((c) => c.request).join('')).not.toContain('sk-live');
  });

  it('tokens an older version left in plaintext in stored graphs are sealed at start, never returned, and still sent', async () => {
    const graph = (token: string) => ({
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'hook',
          'http_request',
          {
            method: 'POST',
            url: endpointUrl,
            headers: { Authorization: token, 'X-Trace': 'plain' },
            allowedHosts: ['127.0.0.1'],
            timeoutMs: 2000,
            retries: 0,
          },
          1,
        ),
        node('done', 'end', { status: 'solved' }, 2),
        node('failed', 'end', { status: 'closed' }, 3),
      ],
      edges: [edge('start', 'hook'), edge('hook', 'done'), edge('hook', 'failed', 'error')],
    });
    // As an older version stored them: the draft and two published versions, tokens in the graphs.
    const [{ id: wf }] = (await s.sql<{ id: number }>(
      `insert into workflow (key, name, draft, latest_version) values ('legacy-call', 'Legacy call', ?::jsonb, 2) returning id`,
      [JSON.stringify(graph('Bearer sk-old-3333'))],
    )) as [{ id: number }];
    await s.sql(
      'insert into workflow_version (workflow_id, version, graph) values (?, 1, ?::jsonb), (?, 2, ?::jsonb)',
      [wf, JSON.stringify(graph('Bearer sk-old-1111')), wf, JSON.stringify(graph('Bearer sk-old-2222'))],
    );
    await s.restartApp();

    const stored = await s.sql<{ t: string }>(
      `select (select draft::text from workflow where id = ?) || (select string_agg(graph::text, '') from workflow_version where workflow_id = ?)
              || (select string_agg(sealed, '') from workflow_secret where workflow_id = ?) as t`,
      [wf, wf, wf],
    );
    expect(stored[0]!.t).not.toMatch(/sk-old/);
    expect(stored[0]!.t).toContain('{{secret.hook.authorization}}');
    const read = await s.gql(
      'query { workflow(key: "legacy-call") { draft { json } secrets { name isSet isUsed } versions { version graph { nodes { config } } } } }',
      {},
      admin,
    );
    expect(read.errors, JSON.stringify(read.errors)).toBeUndefined();
    expect(JSON.stringify(read)).not.toMatch(/sk-old/);
    expect(read.data!.workflow.secrets).toEqual(
      expect.arrayContaining([
        { name: 'hook.authorization', isSet: true, isUsed: true },
        expect.objectContaining({ isSet: true }),
      ]),
    );
    // A second start finds nothing left to seal.
    const before = await s.sql<{ n: number }>(
      'select count(*)::int as n from workflow_secret where workflow_id = ?',
      [wf],
    );
    await s.restartApp();
    const after = await s.sql<{ n: number }>(
      'select count(*)::int as n from workflow_secret where workflow_id = ?',
      [wf],
    );
    expect(after[0]!.n).toBe(before[0]!.n);

    // The newest version runs, and the engine sends its own token.
    const t = await s.gql(
      `mutation($c: TemplateContentInput!) { createTemplate(key: "legacy-t", content: $c) { ... on TicketTemplate { id } } }`,
      {
        c: {
          name: 'Legacy call',
          categoryPath: ['Tests'],
          defaultPriority: 'normal',
          numberPattern: 'LC-{seq:5}',
          formSchema: { type: 'object', properties: {} },
          workflowKey: 'legacy-call',
        },
      },
      admin,
    );
    await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename } }',
      { id: t.data!.createTemplate.id },
      admin,
    );
    seen.length = 0;
    await s.gql(
      'mutation { createTicket(input: { templateKey: "legacy-t", title: "old call" }) { __typename } }',
      {},
      admin,
    );
    await waitFor('the call', async () => (seen.length > 0 ? true : undefined));
    expect(seen).toEqual(['Bearer sk-old-2222']);
  });
});
