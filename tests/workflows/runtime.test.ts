import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { createSlaPolicy } from '../sla/sla-fixtures.ts';

/** The durable runtime through the API: publishing, timers, outbound calls, retries, versions, simulation. */

type Node = {
  id: string;
  type: string;
  typeVersion: number;
  config: unknown;
  position: { x: number; y: number };
};
const node = (id: string, type: string, config: unknown, i = 0): Node => ({
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

const PUBLISH = `mutation($id: ID!) { publishWorkflow(id: $id) {
  __typename ... on WorkflowVersion { id version } ... on ValidationError { message fields { path code message } } } }`;

describe(`workflow runtime (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let endpoint: Server;
  let endpointUrl: string;
  const calls: { key: string; body: unknown }[] = [];
  /** When set, the first attempt of every call is answered 503. */
  let isFailingFirstAttempts = false;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
    endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        calls.push({ key, body: body ? JSON.parse(body) : null });
        if (isFailingFirstAttempts && calls.filter((c) => c.key === key).length === 1) {
          res.writeHead(503).end('busy');
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: true, ref: 'R-1' }));
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await s?.close();
    endpoint?.close();
  });

  async function publishFlow(key: string, graph: unknown): Promise<string> {
    const created = await s.gql(
      'mutation($k: String!, $g: JSON) { createWorkflow(key: $k, name: $k, graph: $g) { __typename ... on Workflow { id } ... on Error { message } } }',
      { k: key, g: graph },
      admin,
    );
    const id = created.data!.createWorkflow.id;
    const published = await s.gql(PUBLISH, { id }, admin);
    expect(published.data!.publishWorkflow.__typename, JSON.stringify(published)).toBe('WorkflowVersion');
    return id;
  }

  async function templateFor(key: string, workflowKey: string): Promise<string> {
    const t = await s.gql(
      `mutation($k: String!, $c: TemplateContentInput!) { createTemplate(key: $k, content: $c) { __typename ... on TicketTemplate { id } ... on Error { message } } }`,
      {
        k: key,
        c: {
          name: key,
          categoryPath: ['Tests'],
          defaultPriority: 'normal',
          numberPattern: `${key.toUpperCase()}-{seq:5}`,
          formSchema: { type: 'object', properties: { amount: { type: 'number' } } },
          workflowKey,
        },
      },
      admin,
    );
    const id = t.data!.createTemplate.id;
    const p = await s.gql(
      'mutation($id: ID!) { publishTemplate(id: $id) { __typename ... on TemplateVersion { version workflowVersion { version workflowKey } } ... on ValidationError { message fields { path message } } } }',
      { id },
      admin,
    );
    expect(p.data!.publishTemplate.__typename, JSON.stringify(p)).toBe('TemplateVersion');
    return id;
  }

  const createTicket = async (templateKey: string, formData: Record<string, unknown> = {}) => {
    const r = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id status priority } ... on Error { message } } }',
      { i: { templateKey, title: 'Runtime test', formData } },
      agent,
    );
    expect(r.data!.createTicket.__typename, JSON.stringify(r)).toBe('Ticket');
    return r.data!.createTicket as { id: string; status: string; priority: string };
  };

  const ticket = async (id: string) =>
    (
      await s.gql(
        'query($id: ID!) { ticket(id: $id) { status priority timeline { kind body } workflowInstances { id status currentNodes failures trace } } }',
        { id },
        admin,
      )
    ).data!.ticket;

  it('refuses to publish a broken graph, naming each node and field', async () => {
    const graph = {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('check', 'condition', { branches: [{ id: 'big', when: 'ticket.priority >' }] }, 1),
        node('late', 'timer', { mode: 'duration', unit: 'hours', time: 'calendar' }, 2),
        node('lonely', 'end', { status: 'solved' }, 3),
        node('done', 'end', { status: 'solved' }, 4),
      ],
      edges: [
        edge('start', 'check'),
        edge('check', 'done', 'big'),
        edge('check', 'late', 'else'),
        edge('late', 'ghost'),
      ],
    };
    const created = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "broken", name: "Broken", graph: $g) { ... on Workflow { id draftProblems { path nodeId message } } } }',
      { g: graph },
      admin,
    );
    const wf = created.data!.createWorkflow;
    expect(wf.draftProblems.length).toBeGreaterThan(0);
    const r = await s.gql(PUBLISH, { id: wf.id }, admin);
    const e = r.data!.publishWorkflow;
    expect(e.__typename).toBe('ValidationError');
    const byPath = Object.fromEntries(
      e.fields.map((f: { path: string; message: string }) => [f.path, f.message]),
    );
    expect(byPath['/graph/nodes/1/config/branches/0/when']).toMatch(/"check"/);
    expect(Object.keys(byPath).some((p) => p.startsWith('/graph/nodes/2/config'))).toBe(true);
    expect(byPath['/graph/nodes/3']).toMatch(/"lonely": No path from the start/);
    expect(Object.keys(byPath)).toContain('/graph/edges/3');
    // A type error against the ticket's fields is caught too.
    await s.gql(
      'mutation($id: ID!, $g: JSON) { updateWorkflowDraft(id: $id, graph: $g) { __typename } }',
      {
        id: wf.id,
        g: {
          nodes: [
            node('start', 'start', { trigger: 'ticket_created' }),
            node('check', 'condition', { branches: [{ id: 'big', when: 'ticket.priority > 3' }] }, 1),
            node('done', 'end', { status: 'solved' }, 2),
          ],
          edges: [edge('start', 'check'), edge('check', 'done', 'big'), edge('check', 'done', 'else')],
        },
      },
      admin,
    );
    const typed = (await s.gql(PUBLISH, { id: wf.id }, admin)).data!.publishWorkflow;
    expect(typed.__typename).toBe('ValidationError');
    expect(typed.fields[0]).toMatchObject({ path: '/graph/nodes/1/config/branches/0/when' });
    expect(typed.fields[0].message).toMatch(/"check"/);
    // An end's named status must be stored, in the category the end leaves the ticket in.
    await s.gql(
      'mutation($id: ID!, $g: JSON) { updateWorkflowDraft(id: $id, graph: $g) { __typename } }',
      {
        id: wf.id,
        g: {
          nodes: [
            node('start', 'start', { trigger: 'ticket_created' }),
            node('check', 'condition', { branches: [{ id: 'big', when: 'ticket.priority == "high"' }] }, 1),
            node('paid', 'end', { status: 'solved', statusName: 'Paid out' }, 2),
            node('parts', 'end', { status: 'solved', statusName: 'Waiting for parts' }, 3),
          ],
          edges: [edge('start', 'check'), edge('check', 'paid', 'big'), edge('check', 'parts', 'else')],
        },
      },
      admin,
    );
    // The draft shows them before anyone tries to publish.
    const draft = await s.gql('{ workflow(key: "broken") { draftProblems { path nodeId } } }', {}, admin);
    expect(draft.data!.workflow.draftProblems).toEqual([
      { path: '/nodes/2/config/statusName', nodeId: 'paid' },
      { path: '/nodes/3/config/statusName', nodeId: 'parts' },
    ]);
    const named = (await s.gql(PUBLISH, { id: wf.id }, admin)).data!.publishWorkflow;
    expect(named.__typename).toBe('ValidationError');
    expect(named.fields).toEqual([
      expect.objectContaining({
        path: '/graph/nodes/2/config/statusName',
        code: 'not_found',
        message: expect.stringMatching(/"paid": there is no status named "Paid out"/),
      }),
      expect.objectContaining({
        path: '/graph/nodes/3/config/statusName',
        code: 'invalid',
        message: expect.stringMatching(/"parts": status "Waiting for parts" belongs to category "on_hold"/),
      }),
    ]);
    // Nothing was published.
    const after = await s.gql('{ workflow(key: "broken") { latestVersion } }', {}, admin);
    expect(after.data!.workflow.latestVersion).toBe(0);
    // Agents may not edit workflows.
    const denied = await s.gql(PUBLISH, { id: wf.id }, agent);
    expect(denied.data!.publishWorkflow.__typename).toBe('ForbiddenError');
  });

  it('runs a 4-node workflow inside the ticket transaction and a durable timer through the job queue', async () => {
    await publishFlow('quick', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'big',
          'condition',
          { branches: [{ id: 'yes', when: 'has(form.amount) && form.amount > 100' }] },
          1,
        ),
        node('raise', 'set_fields', { fields: [{ field: 'priority', value: 'urgent' }] }, 2),
        node('wait', 'timer', { mode: 'duration', amount: 0.01, unit: 'minutes', time: 'calendar' }, 3),
        node('done', 'end', { status: 'solved' }, 4),
      ],
      edges: [
        edge('start', 'big'),
        edge('big', 'raise', 'yes'),
        edge('big', 'done', 'else'),
        edge('raise', 'wait'),
        edge('wait', 'done'),
      ],
    });
    await templateFor('quick-t', 'quick');
    const small = await createTicket('quick-t', { amount: 5 });
    // Without waiting: the whole run happened in the create transaction.
    expect(small).toMatchObject({ status: 'solved', priority: 'normal' });
    const big = await createTicket('quick-t', { amount: 500 });
    expect(big).toMatchObject({ status: 'new', priority: 'urgent' });
    const t = await waitFor('the timer to fire', async () => {
      const x = await ticket(big.id);
      return x.status === 'solved' ? x : undefined;
    });
    expect(t.workflowInstances[0].status).toBe('completed');
    const steps = t.workflowInstances[0].trace.filter((e: { kind: string }) => e.kind === 'step');
    expect(steps.map((e: { nodeId: string }) => e.nodeId)).toEqual(['start', 'big', 'raise', 'wait', 'done']);
    const wait = steps.find((e: { nodeId: string }) => e.nodeId === 'wait');
    expect(Date.parse(wait.endedAt) - Date.parse(wait.startedAt)).toBeGreaterThanOrEqual(550);
    expect(t.timeline.map((e: { kind: string }) => e.kind)).toContain('workflow.ended');
  });

  it('writes a run that only changes its own ticket with the ticket, leaving what a stored run leaves', async () => {
    // Clocks with targets, so the run's status and priority changes reach them.
    await createSlaPolicy(s, admin, {
      name: 'Fold tests',
      position: 1,
      condition: 'ticket.template in ["fold-a", "fold-b"]',
      targets: {
        first_response: { normal: { amount: 1, unit: 'hours', time: 'calendar' } },
        resolution: {
          normal: { amount: 8, unit: 'hours', time: 'calendar' },
          high: { amount: 4, unit: 'hours', time: 'calendar' },
        },
      },
    });
    const nodes = [
      node('start', 'start', { trigger: 'ticket_created' }),
      node(
        'big',
        'condition',
        {
          branches: [
            { id: 'yes', when: 'has(form.amount) && form.amount > 100' },
            { id: 'never', when: 'has(form.amount) && form.amount < 0' },
          ],
        },
        1,
      ),
      node(
        'raise',
        'set_fields',
        {
          fields: [
            { field: 'priority', value: 'high' },
            { field: 'route', value: 'large refunds' },
          ],
        },
        2,
      ),
      // A named status of the example data.
      node('done', 'end', { status: 'solved', statusName: 'Refunded' }, 3),
    ];
    const edges = [
      edge('start', 'big'),
      edge('big', 'raise', 'yes'),
      edge('big', 'done', 'else'),
      edge('raise', 'done'),
    ];
    // fold-a only changes its ticket: it runs before the ticket is written, in the same statement.
    await publishFlow('fold-a', { nodes, edges: [...edges, edge('big', 'done', 'never')] });
    // fold-b has a timer on a branch no ticket here takes: it runs after the insert, in the transaction.
    await publishFlow('fold-b', {
      nodes: [
        ...nodes,
        node('wait', 'timer', { mode: 'duration', amount: 1, unit: 'minutes', time: 'calendar' }, 4),
      ],
      edges: [...edges, edge('big', 'wait', 'never'), edge('wait', 'done')],
    });
    await templateFor('fold-a', 'fold-a');
    await templateFor('fold-b', 'fold-b');
    // fold-c decides by the ticket's number: the id and number are drawn before its run.
    await publishFlow('fold-c', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'byNumber',
          'condition',
          { branches: [{ id: 'c', when: 'ticket.number.startsWith("FOLD-C-")' }] },
          1,
        ),
        node('raise', 'set_fields', { fields: [{ field: 'priority', value: 'high' }] }, 2),
        node('done', 'end', { status: 'solved' }, 3),
      ],
      edges: [
        edge('start', 'byNumber'),
        edge('byNumber', 'raise', 'c'),
        edge('byNumber', 'done', 'else'),
        edge('raise', 'done'),
      ],
    });
    await templateFor('fold-c', 'fold-c');
    const c = await createTicket('fold-c', { amount: 1 });
    expect(c).toMatchObject({ status: 'solved', priority: 'high' });

    const outcome = async (templateKey: string, amount: number) => {
      const created = await createTicket(templateKey, { amount });
      const t = (
        await s.gql(
          `query($id: ID!) { ticket(id: $id) { status statusName priority solvedAt slaPolicyName customFields
             timeline { kind actorKind actorUser { id } channel isPublic body diff }
             slaClocks { metric status priority }
             workflowInstances { status currentNodes trace } } }`,
          { id: created.id },
          admin,
        )
      ).data!.ticket;
      const [row] = await s.sql<{ custom_fields: unknown; participant_ids: number[]; number: string }>(
        'select custom_fields, participant_ids, number from ticket where id = ?',
        [created.id],
      );
      return {
        created,
        ticket: {
          ...t,
          solvedAt: t.solvedAt !== null,
          workflowInstances: t.workflowInstances.map(
            (i: { status: string; currentNodes: string[]; trace: { kind: string; nodeId?: string }[] }) => ({
              status: i.status,
              currentNodes: i.currentNodes,
              steps: i.trace.filter((e) => e.kind === 'step').map((e) => e.nodeId),
            }),
          ),
        },
        row: { custom_fields: row!.custom_fields, participant_ids: row!.participant_ids },
        number: row!.number,
      };
    };
    for (const amount of [500, 5]) {
      const a = await outcome('fold-a', amount);
      const b = await outcome('fold-b', amount);
      // What the create answers is the ticket as the run left it.
      expect(a.created).toMatchObject({ status: 'solved', priority: amount > 100 ? 'high' : 'normal' });
      expect(a.ticket.statusName).toBe('Refunded');
      // The same ticket, trail, clocks and instance; clock entries of one instant may differ in
      // order and in the fractions of a second the stored run took.
      const comparable = (t: typeof a.ticket) => ({
        ...t,
        timeline: t.timeline
          .map((e: { kind: string; body: string; diff: unknown }) =>
            e.kind.startsWith('sla.')
              ? { ...e, body: null, diff: null }
              : JSON.parse(JSON.stringify(e).replace(/fold-[ab]@/g, 'fold@')),
          )
          .sort((x: { kind: string }, y: { kind: string }) =>
            x.kind.startsWith('sla.') && y.kind.startsWith('sla.') ? x.kind.localeCompare(y.kind) : 0,
          ),
      });
      expect(comparable(a.ticket)).toEqual(comparable(b.ticket));
      expect(a.row).toEqual(b.row);
      expect(a.number).toMatch(/^FOLD-A-\d{5}$/);
      // fold-a reads neither id nor number: its run started before the ticket had them, and the
      // statement writing the ticket filled them into the instance's state.
      const [stored] = await s.sql<{ ticket: Record<string, unknown>; id: string; created_at: Date }>(
        `select i.state->'ticket' as ticket, t.id::text as id, t.created_at
           from workflow_instance i join ticket t on t.id = i.ticket_id where t.id = ?`,
        [a.created.id],
      );
      expect(stored!.ticket).toMatchObject({
        id: Number(stored!.id),
        number: a.number,
        createdAt: new Date(stored!.created_at).toISOString(),
      });
      expect(a.ticket.workflowInstances).toEqual([
        {
          status: 'completed',
          currentNodes: [],
          steps: amount > 100 ? ['start', 'big', 'raise', 'done'] : ['start', 'big', 'done'],
        },
      ]);
      // The run's own entries, then the clock changes they caused.
      expect(a.ticket.timeline.map((e: { kind: string }) => e.kind)).toEqual([
        'created',
        'sla.started',
        'sla.started',
        'workflow.ended',
        'updated',
        'sla.stopped',
        'sla.met',
      ]);
      expect(a.ticket.timeline[4].diff).toEqual({
        status: { from: 'new', to: 'solved' },
        statusName: { from: null, to: 'Refunded' },
        ...(amount > 100
          ? { priority: { from: 'normal', to: 'high' }, route: { from: null, to: 'large refunds' } }
          : {}),
      });
      if (amount > 100) {
        expect(a.row.custom_fields).toEqual({ route: 'large refunds' });
        // Agents read it where the ticket's data is: customFields beside the form's formData.
        expect(a.ticket.customFields).toEqual({ route: 'large refunds' });
        expect(a.ticket.slaClocks).toContainEqual({
          metric: 'resolution',
          status: 'met',
          priority: 'normal',
        });
      }
    }
  });

  it('gives the ticket the named status its end names, and the category alone where an older version names one not stored', async () => {
    const graph = {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('done', 'end', { status: 'closed', statusName: 'Return declined' }, 1),
      ],
      edges: [edge('start', 'done')],
    };
    await publishFlow('named-end', graph);
    await publishFlow('legacy-end', graph);
    // As a version published before end statuses were checked would be.
    await s.sql(
      `update workflow_version v set graph = jsonb_set(graph, '{nodes,1,config,statusName}', '"Gone"')
         from workflow w where w.id = v.workflow_id and w.key = 'legacy-end'`,
    );
    await templateFor('named-end', 'named-end');
    await templateFor('legacy-end', 'legacy-end');
    for (const [key, statusName] of [
      ['named-end', 'Return declined'],
      ['legacy-end', null],
    ] as const) {
      const t = await createTicket(key);
      const [row] = await s.sql<{ status: string; status_name: string | null }>(
        'select status, status_name from ticket where id = ?',
        [t.id],
      );
      expect(row, key).toEqual({ status: 'closed', status_name: statusName });
    }
  });

  it("counts a step's time limit in the business calendar its node names, and refuses a calendar that is not stored", async () => {
    // Open one hour a week: Saturdays 10:00-11:00 in Berlin.
    const definition = {
      timeZone: 'Europe/Berlin',
      weeklyHours: [[], [], [], [], [], [], [{ start: '10:00', end: '11:00' }]],
    };
    const cal = await s.gql(
      'mutation($d: JSON!) { createBusinessCalendar(key: "saturday-hour", name: "Saturday hour", definition: $d) { __typename ... on Error { message } } }',
      { d: definition },
      admin,
    );
    expect(cal.data!.createBusinessCalendar.__typename, JSON.stringify(cal)).toBe('BusinessCalendar');
    const graph = (calendarId: string) => ({
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'look',
          'human_step',
          {
            title: 'Have a look',
            assignee: { kind: 'user', userId: 'agent.a@docket.local' },
            formSchema: { type: 'object', properties: {} },
            actions: ['complete'],
            timeLimit: { amount: 30, unit: 'minutes', time: 'business', calendarId },
          },
          1,
        ),
        node('done', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'look'), edge('look', 'done')],
    });
    const refused = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "cal-bad", name: "Bad calendar", graph: $g) { ... on Workflow { id } } }',
      { g: graph('nowhere') },
      admin,
    );
    const r = await s.gql(PUBLISH, { id: refused.data!.createWorkflow.id }, admin);
    expect(r.data!.publishWorkflow).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: '/graph/nodes/1/config/timeLimit/calendarId' }],
    });
    expect(r.data!.publishWorkflow.fields[0].message).toMatch(
      /"look": there is no business calendar with key "nowhere"/,
    );

    await publishFlow('cal-good', graph('saturday-hour'));
    await templateFor('cal-t', 'cal-good');
    const before = Date.now();
    const t = await createTicket('cal-t');
    const [task] = await s.sql<{ due_at: Date; created_at: Date }>(
      'select due_at, created_at from workflow_task where ticket_id = ?',
      [t.id],
    );
    // Half an hour into the next Saturday 10:00-11:00 in Berlin, counted from when the step began.
    const due = new Date(task!.due_at);
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(due);
    const started = new Date(task!.created_at).getTime();
    const isInsideTheHour =
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        weekday: 'short',
        hour: '2-digit',
        hourCycle: 'h23',
      }).format(started) === 'Sat 10';
    if (!isInsideTheHour) expect(berlin).toBe('Sat 10:30');
    expect(due.getTime()).toBeGreaterThan(before);
    expect(due.getTime() - started).toBeLessThanOrEqual(7 * 24 * 3_600_000 + 1_800_000);
  });

  it('calls out with an idempotency key, retries a failed call with the same key, and goes on with the answer', async () => {
    await publishFlow('callout', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'hook',
          'http_request',
          {
            method: 'POST',
            url: endpointUrl,
            body: { event: 'ticket' },
            allowedHosts: ['127.0.0.1'],
            timeoutMs: 2000,
            retries: 2,
          },
          1,
        ),
        node('ok', 'condition', { branches: [{ id: 'yes', when: "steps.hook.body.ref == 'R-1'" }] }, 2),
        node('done', 'end', { status: 'solved' }, 3),
        node('odd', 'end', { status: 'closed' }, 4),
      ],
      edges: [
        edge('start', 'hook'),
        edge('hook', 'ok'),
        edge('hook', 'odd', 'error'),
        edge('ok', 'done', 'yes'),
        edge('ok', 'odd', 'else'),
      ],
    });
    await templateFor('callout-t', 'callout');
    const before = calls.length;
    isFailingFirstAttempts = true;
    const t = await createTicket('callout-t');
    const done = await waitFor('the call to be answered', async () => {
      const x = await ticket(t.id);
      return x.status === 'solved' || x.status === 'closed' ? x : undefined;
    });
    isFailingFirstAttempts = false;
    expect(done.status).toBe('solved');
    const mine = calls.slice(before);
    expect(mine).toHaveLength(2);
    expect(mine[0]!.key).toBeTruthy();
    expect(mine[1]!.key).toBe(mine[0]!.key);
    expect(mine[0]!.body).toEqual({ event: 'ticket' });
    const hook = done.workflowInstances[0].trace.find(
      (e: { nodeId: string; kind: string }) => e.nodeId === 'hook' && e.kind === 'step',
    );
    expect(hook.output).toMatchObject({ status: 200, body: { ok: true, ref: 'R-1' } });
  });

  it('shows a failed step with its node and error, and retries it once the cause is fixed', async () => {
    await publishFlow('needs-user', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('calc', 'set_fields', { fields: [{ field: 'note', expression: 'form.amount * 2.0' }] }, 1),
        node('done', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'calc'), edge('calc', 'done')],
    });
    await templateFor('needs-user-t', 'needs-user');
    // No amount: form.amount does not exist, the step fails.
    const t = await createTicket('needs-user-t', {});
    const failed = await ticket(t.id);
    const inst = failed.workflowInstances[0];
    expect(inst.status).toBe('failed');
    expect(inst.failures[0]).toMatchObject({ nodeId: 'calc' });
    expect(inst.failures[0].error).toMatch(/amount/);
    expect(failed.timeline.map((e: { kind: string }) => e.kind)).toContain('workflow.failed');
    // The cause is fixed (the data is corrected), then the step is retried.
    await s.sql(
      `update workflow_instance set state = jsonb_set(state, '{form}', '{"amount": 21}') where id = ?`,
      [inst.id],
    );
    const retried = await s.gql(
      'mutation($id: ID!) { retryWorkflowInstance(id: $id) { __typename ... on WorkflowInstance { status } ... on Error { message } } }',
      { id: inst.id },
      admin,
    );
    expect(retried.data!.retryWorkflowInstance).toMatchObject({
      __typename: 'WorkflowInstance',
      status: 'completed',
    });
    const again = await s.gql(
      'mutation($id: ID!) { retryWorkflowInstance(id: $id) { __typename ... on ValidationError { fields { path code } } } }',
      { id: inst.id },
      admin,
    );
    expect(again.data!.retryWorkflowInstance.fields[0].code).toBe('nothing_to_retry');
    const custom = await s.sql<{ custom_fields: Record<string, unknown> }>(
      'select custom_fields from ticket where id = ?',
      [t.id],
    );
    expect(custom[0]!.custom_fields).toEqual({ note: 42 });
  });

  it('keeps running instances on their version; a template pins a workflow version until published again', async () => {
    const wfId = await publishFlow('versioned', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'step',
          'human_step',
          {
            title: 'Version one step',
            assignee: { kind: 'user', userId: 'agent.a@docket.local' },
            formSchema: { type: 'object', properties: {} },
            actions: ['complete'],
          },
          1,
        ),
        node('done', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'step'), edge('step', 'done')],
    });
    const tplId = await templateFor('versioned-t', 'versioned');
    const first = await createTicket('versioned-t');
    // Version 2 closes instead of solving.
    await s.gql(
      'mutation($id: ID!, $g: JSON) { updateWorkflowDraft(id: $id, graph: $g) { __typename } }',
      {
        id: wfId,
        g: {
          nodes: [
            node('start', 'start', { trigger: 'ticket_created' }),
            node(
              'step',
              'human_step',
              {
                title: 'Version two step',
                assignee: { kind: 'user', userId: 'agent.a@docket.local' },
                formSchema: { type: 'object', properties: {} },
                actions: ['complete'],
              },
              1,
            ),
            node('done', 'end', { status: 'closed' }, 2),
          ],
          edges: [edge('start', 'step'), edge('step', 'done')],
        },
      },
      admin,
    );
    const v2 = await s.gql(PUBLISH, { id: wfId }, admin);
    expect(v2.data!.publishWorkflow.version).toBe(2);
    // The template still pins version 1 until it is published again.
    const second = await createTicket('versioned-t');
    await s.gql('mutation($id: ID!) { publishTemplate(id: $id) { __typename } }', { id: tplId }, admin);
    const third = await createTicket('versioned-t');
    const titles = async (id: string) =>
      (await s.gql('query($id: ID!) { ticket(id: $id) { tasks { id title } } }', { id }, admin)).data!.ticket
        .tasks;
    expect((await titles(first.id))[0].title).toBe('Version one step');
    expect((await titles(second.id))[0].title).toBe('Version one step');
    expect((await titles(third.id))[0].title).toBe('Version two step');
    // Reverting the template to its first version is one action, and pins workflow version 1 again.
    const reverted = await s.gql(
      'mutation($id: ID!) { revertTemplate(id: $id, version: 1) { __typename ... on TemplateVersion { version workflowVersion { version } } } }',
      { id: tplId },
      admin,
    );
    expect(reverted.data!.revertTemplate).toMatchObject({ version: 3, workflowVersion: { version: 1 } });
    const fourth = await createTicket('versioned-t');
    expect((await titles(fourth.id))[0].title).toBe('Version one step');
  });

  it('moves chosen running instances to a new version by mapping their nodes, checked before anything moves', async () => {
    const step = (title: string, i: number, id: string) =>
      node(
        id,
        'human_step',
        {
          title,
          assignee: { kind: 'user', userId: 'agent.a@docket.local' },
          formSchema: { type: 'object', properties: {} },
          actions: ['complete', 'return'],
        },
        i,
      );
    const wfId = await publishFlow('movable', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        step('A', 1, 'a'),
        step('B', 2, 'b'),
        node('done', 'end', { status: 'solved' }, 3),
      ],
      edges: [edge('start', 'a'), edge('a', 'b'), edge('b', 'done')],
    });
    await templateFor('movable-t', 'movable');
    const t = await createTicket('movable-t');
    const tasks = async () =>
      (
        await s.gql(
          'query($id: ID!) { ticket(id: $id) { status tasks { id nodeId status } workflowInstances { id } } }',
          { id: t.id },
          admin,
        )
      ).data!.ticket;
    const first = (await tasks()).tasks[0];
    await s.gql(
      'mutation($id: ID!) { actOnTask(taskId: $id, action: complete, output: {}) { __typename } }',
      { id: first.id },
      agent,
    );
    const atB = await tasks();
    const instanceId = atB.workflowInstances[0].id;
    await s.gql(
      'mutation($id: ID!, $g: JSON) { updateWorkflowDraft(id: $id, graph: $g) { __typename } }',
      {
        id: wfId,
        g: {
          nodes: [
            node('start', 'start', { trigger: 'ticket_created' }),
            step('A', 1, 'a'),
            step('B two', 2, 'b2'),
            node('done', 'end', { status: 'closed' }, 3),
          ],
          edges: [edge('start', 'a'), edge('a', 'b2'), edge('b2', 'done')],
        },
      },
      admin,
    );
    await s.gql(PUBLISH, { id: wfId }, admin);
    const versions = (await s.gql('{ workflow(key: "movable") { versions { id version } } }', {}, admin))
      .data!.workflow.versions;
    const v1 = versions.find((v: { version: number }) => v.version === 1).id;
    const v2 = versions.find((v: { version: number }) => v.version === 2).id;
    const MIGRATE = `mutation($from: ID!, $to: ID!, $ids: [ID!], $map: JSON, $dry: Boolean) {
      migrateWorkflowInstances(fromVersionId: $from, toVersionId: $to, instanceIds: $ids, nodeMap: $map, isDryRun: $dry) {
        __typename ... on WorkflowMigration { instanceIds isDryRun } ... on ValidationError { message fields { path code message } } } }`;
    const unmapped = (await s.gql(MIGRATE, { from: v1, to: v2, ids: [instanceId] }, admin)).data!
      .migrateWorkflowInstances;
    expect(unmapped.__typename).toBe('ValidationError');
    expect(unmapped.fields[0]).toMatchObject({ path: '/instances/0/nodeMap/b', code: 'unmapped' });
    expect(unmapped.fields[0].message).toMatch(/"b"/);
    const dry = (
      await s.gql(MIGRATE, { from: v1, to: v2, ids: [instanceId], map: { b: 'b2' }, dry: true }, admin)
    ).data!.migrateWorkflowInstances;
    expect(dry).toMatchObject({ instanceIds: [instanceId], isDryRun: true });
    expect((await tasks()).tasks[1].nodeId).toBe('b');
    const denied = (await s.gql(MIGRATE, { from: v1, to: v2, ids: [instanceId], map: { b: 'b2' } }, agent))
      .data!.migrateWorkflowInstances;
    expect(denied.__typename).toBe('ForbiddenError');
    const moved = (await s.gql(MIGRATE, { from: v1, to: v2, ids: [instanceId], map: { b: 'b2' } }, admin))
      .data!.migrateWorkflowInstances;
    expect(moved).toMatchObject({ instanceIds: [instanceId], isDryRun: false });
    const after = await tasks();
    const open = after.tasks.find((x: { status: string }) => x.status === 'open');
    expect(open.nodeId).toBe('b2');
    await s.gql(
      'mutation($id: ID!) { actOnTask(taskId: $id, action: complete, output: {}) { __typename } }',
      { id: open.id },
      agent,
    );
    const final = await ticket(t.id);
    // Version 2's end closes the ticket.
    expect(final.status).toBe('closed');
    expect(final.timeline.map((e: { kind: string }) => e.kind)).toContain('workflow.migrated');
  });

  it("marks a step overdue at its time limit and tells the handler, the handler's manager and the CC list", async () => {
    await publishFlow('limited', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node(
          'step',
          'human_step',
          {
            title: 'Answer quickly',
            assignee: { kind: 'user', userId: 'agent.a@docket.local' },
            cc: [{ kind: 'user', id: 'service@docket.local' }],
            formSchema: { type: 'object', properties: {} },
            actions: ['complete'],
            timeLimit: { amount: 0.01, unit: 'minutes', time: 'calendar' },
          },
          1,
        ),
        node('done', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'step'), edge('step', 'done')],
    });
    await templateFor('limited-t', 'limited');
    const t = await createTicket('limited-t');
    const task = await waitFor('the step to be overdue', async () => {
      const r = await s.gql(
        'query($id: ID!) { ticket(id: $id) { tasks { id isOverdue } } }',
        { id: t.id },
        admin,
      );
      const x = r.data!.ticket.tasks[0];
      return x.isOverdue ? x : undefined;
    });
    expect(task.isOverdue).toBe(true);
    for (const who of ['agent.a', 'manager.north', 'service']) {
      const token = await s.login(`${who}@docket.local`);
      const n = (await s.gql('{ myNotifications(isUnreadOnly: true) { id subject ticketId } }', {}, token))
        .data!.myNotifications;
      expect(
        n.some(
          (x: { subject: string; ticketId: string }) =>
            x.ticketId === t.id && x.subject === 'Overdue: Answer quickly',
        ),
        who,
      ).toBe(true);
      const read = await s.gql('mutation { markNotificationsRead { readAt } }', {}, token);
      expect(
        read.data!.markNotificationsRead.every((x: { readAt: string | null }) => x.readAt !== null),
      ).toBe(true);
    }
    const events = (await ticket(t.id)).timeline.map((e: { kind: string }) => e.kind);
    expect(events).toContain('task.overdue');
  });

  it('starts a sub-workflow on the same ticket and waits for it to end', async () => {
    await publishFlow('child', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('raise', 'set_fields', { fields: [{ field: 'priority', value: 'high' }] }, 1),
        node('done', 'end', { status: 'solved' }, 2),
      ],
      edges: [edge('start', 'raise'), edge('raise', 'done')],
    });
    await publishFlow('parent', {
      nodes: [
        node('start', 'start', { trigger: 'ticket_created' }),
        node('sub', 'sub_workflow', { workflowId: 'child', shouldWait: true }, 1),
        node('done', 'end', { status: 'closed' }, 2),
      ],
      edges: [edge('start', 'sub'), edge('sub', 'done')],
    });
    await templateFor('parent-t', 'parent');
    const t = await createTicket('parent-t');
    const done = await waitFor('the parent to end', async () => {
      const x = await ticket(t.id);
      return x.status === 'closed' ? x : undefined;
    });
    expect(done.priority).toBe('high');
    expect(done.workflowInstances.map((i: { status: string }) => i.status)).toEqual([
      'completed',
      'completed',
    ]);
  });

  it('simulates a workflow on a virtual clock without touching tickets', async () => {
    const before = await s.sql<{ n: string }>('select count(*) as n from ticket');
    const wf = await s.gql('{ workflow(key: "returns") { id } }', {}, admin);
    const r = await s.gql(
      `mutation($id: ID!, $a: JSON, $f: JSON) { simulateWorkflow(workflowId: $id, formData: $f, actions: $a, startAt: "2026-11-23T01:00:00Z") {
        __typename ... on WorkflowSimulation { status path timersFired timersPending endStatus } ... on Error { message } } }`,
      {
        id: wf.data!.workflow.id,
        f: { returnReason: 'defective' },
        a: {
          cs_review: {
            action: 'complete',
            output: { approved: true, note: 'fine' },
            after: { amount: 3, unit: 'hours' },
          },
          warehouse: [
            { action: 'complete', output: { received: true, condition: 'as_new' } },
            { action: 'complete', output: { received: true, condition: 'as_new' } },
          ],
          finance: [
            { action: 'return', reason: 'Missing photo' },
            { action: 'complete', output: { refundAmount: 10, transactionId: 'TX-1' } },
          ],
        },
      },
      admin,
    );
    const sim = r.data!.simulateWorkflow;
    expect(sim.__typename, JSON.stringify(r)).toBe('WorkflowSimulation');
    expect(sim.status).toBe('completed');
    expect(sim.path).toEqual([
      'start',
      'cs_review',
      'approved',
      'warehouse',
      'finance',
      'warehouse',
      'finance',
      'refunded',
    ]);
    // Monday 09:00 in Shanghai: the review's limit of two business hours passed before it was
    // completed three hours later.
    expect(
      sim.timersFired.some(
        (t: { nodeId: string; purpose: string }) => t.nodeId === 'cs_review' && t.purpose === 'time_limit',
      ),
    ).toBe(true);
    expect(sim.endStatus).toMatchObject({ status: 'solved' });
    const after = await s.sql<{ n: string }>('select count(*) as n from ticket');
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
