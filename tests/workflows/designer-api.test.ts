import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** What the workflow designer needs of the server beyond the runtime: safe autosave and the run overlay. */

const graph = (title: string) => ({
  nodes: [
    {
      id: 'start',
      type: 'start',
      typeVersion: 1,
      config: { trigger: 'ticket_created' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'review',
      type: 'human_step',
      typeVersion: 1,
      config: {
        title,
        assignee: { kind: 'role', roleId: 'agent' },
        formSchema: { type: 'object', properties: {} },
        actions: ['complete'],
      },
      position: { x: 0, y: 120 },
    },
    { id: 'done', type: 'end', typeVersion: 1, config: { status: 'solved' }, position: { x: 0, y: 240 } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourcePort: 'out', target: 'review' },
    { id: 'e2', source: 'review', sourcePort: 'out', target: 'done' },
  ],
});

const SAVE = `mutation($id: ID!, $g: JSON, $at: DateTime) {
  updateWorkflowDraft(id: $id, graph: $g, expectedUpdatedAt: $at) {
    __typename ... on Workflow { updatedAt draft { nodes { id config } } }
    ... on ValidationError { message fields { path code message } } } }`;

const STATS = `query($k: String!, $from: DateTime, $to: DateTime) {
  workflowStats(key: $k, from: $from, to: $to) {
    __typename
    ... on WorkflowStats { workflowKey from to nodes { nodeId waiting failed steps p50Seconds p90Seconds oldestWaitingSince } }
    ... on Error { message }
    ... on ValidationError { fields { path code message } } } }`;

describe(`the designer's server side (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let workflowId: string;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
    const created = await s.gql(
      'mutation($g: JSON) { createWorkflow(key: "designer-api", name: "Designer API", graph: $g) { ... on Workflow { id } } }',
      { g: graph('First') },
      admin,
    );
    workflowId = created.data!.createWorkflow.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  const readDraft = async () =>
    (await s.gql('{ workflow(key: "designer-api") { updatedAt draft { nodes { id config } } } }', {}, admin))
      .data!.workflow as {
      updatedAt: string;
      draft: { nodes: { id: string; config: { title?: string } }[] };
    };

  it("saves a draft only over the version the caller loaded, and keeps the other admin's otherwise", async () => {
    const loaded = await readDraft();
    // Admin A saves over what they loaded: fine, and the draft gets a new updatedAt.
    const a = (await s.gql(SAVE, { id: workflowId, g: graph('A'), at: loaded.updatedAt }, admin)).data!
      .updateWorkflowDraft;
    expect(a.__typename, JSON.stringify(a)).toBe('Workflow');
    expect(a.updatedAt).not.toBe(loaded.updatedAt);
    // Admin B loaded the same version before A saved: B's save is refused, A's draft stays.
    const b = (await s.gql(SAVE, { id: workflowId, g: graph('B'), at: loaded.updatedAt }, admin)).data!
      .updateWorkflowDraft;
    expect(b.__typename).toBe('ValidationError');
    expect(b.fields).toEqual([
      {
        path: '/expectedUpdatedAt',
        code: 'draft_changed',
        message: expect.stringMatching(
          /^The draft was changed at \d{4}-\d\d-\d\dT[\d:.]+Z \(by another admin, or in another window\) after you last loaded it, so nothing was saved\./,
        ),
      },
    ]);
    expect(b.fields[0].message).toContain(a.updatedAt);
    const after = await readDraft();
    expect(after.draft.nodes[1]?.config.title).toBe('A');
    expect(after.updatedAt).toBe(a.updatedAt);
    // B, having seen A's version, saves over it on purpose.
    const b2 = (await s.gql(SAVE, { id: workflowId, g: graph('B'), at: a.updatedAt }, admin)).data!
      .updateWorkflowDraft;
    expect(b2.__typename).toBe('Workflow');
    expect((await readDraft()).draft.nodes[1]?.config.title).toBe('B');
    // Without the check, a save overwrites as before.
    const plain = (await s.gql(SAVE, { id: workflowId, g: graph('C') }, admin)).data!.updateWorkflowDraft;
    expect(plain.__typename).toBe('Workflow');
    // A workflow that does not exist is named as such, not as a conflict.
    const missing = (await s.gql(SAVE, { id: '999999', g: graph('X'), at: a.updatedAt }, admin)).data!
      .updateWorkflowDraft;
    expect(missing.__typename).toBe('NotFoundError');
  });

  it('gives per node the open instances waiting now and the p50/p90 time of steps that ended in the period', async () => {
    const published = await s.gql(
      'mutation($id: ID!) { publishWorkflow(id: $id) { __typename ... on WorkflowVersion { id } ... on Error { message } } }',
      { id: workflowId },
      admin,
    );
    const versionId = published.data!.publishWorkflow.id as string;
    expect(versionId).toBeTruthy();
    // Instances as the runtime stores them: the review step took 1, 2, 3, 4 and 10 minutes in
    // November; one review took an hour in October (outside the period); two instances wait there now.
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute)).toISOString();
    const step = (nodeId: string, startedAt: string, endedAt?: string) => ({
      kind: 'step',
      stepKey: randomUUID(),
      seq: 1,
      tokenId: 't1',
      nodeId,
      nodeType: nodeId === 'review' ? 'human_step' : nodeId,
      startedAt,
      ...(endedAt ? { endedAt } : {}),
    });
    const insert = async (input: {
      status: string;
      trace: unknown[];
      waitingAt?: string;
      updatedAt: string;
    }) => {
      const state = {
        instanceId: randomUUID(),
        status: input.status,
        seq: 3,
        tokenCounter: 1,
        ticket: {},
        form: {},
        steps: {},
        tokens: {
          t1: input.waitingAt
            ? {
                id: 't1',
                nodeId: input.waitingAt,
                status: 'waiting',
                frames: [],
                history: [],
                traceIndex: input.trace.length - 1,
              }
            : { id: 't1', nodeId: 'done', status: 'done', frames: [], history: [], endedBy: 'end' },
        },
        frames: {},
        tasks: {},
        timers: {},
        trace: input.trace,
        startedAt: at(0),
        updatedAt: input.updatedAt,
      };
      await s.sql(
        `insert into workflow_instance (id, workflow_version_id, status, state, seq, created_at, updated_at)
         values (?, ?, ?, ?::jsonb, 3, ?, ?)`,
        [
          state.instanceId,
          Number(versionId),
          input.status,
          JSON.stringify(state),
          input.updatedAt,
          input.updatedAt,
        ],
      );
    };
    for (const minutes of [1, 2, 3, 4, 10])
      await insert({
        status: 'completed',
        trace: [
          step('start', at(0), at(0)),
          step('review', at(0), at(minutes)),
          step('done', at(minutes), at(minutes)),
        ],
        updatedAt: at(minutes),
      });
    await insert({
      status: 'completed',
      trace: [
        step('start', '2026-10-05T09:00:00.000Z', '2026-10-05T09:00:00.000Z'),
        step('review', '2026-10-05T09:00:00.000Z', '2026-10-05T10:00:00.000Z'),
      ],
      updatedAt: '2026-10-05T10:00:00.000Z',
    });
    await insert({
      status: 'waiting',
      trace: [step('start', at(0), at(0)), step('review', at(5))],
      waitingAt: 'review',
      updatedAt: at(5),
    });
    await insert({
      status: 'waiting',
      trace: [step('start', at(0), at(0)), step('review', at(7))],
      waitingAt: 'review',
      updatedAt: at(7),
    });

    const r = await s.gql(
      STATS,
      { k: 'designer-api', from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' },
      admin,
    );
    const stats = r.data!.workflowStats;
    expect(stats.__typename, JSON.stringify(r)).toBe('WorkflowStats');
    const review = stats.nodes.find((n: { nodeId: string }) => n.nodeId === 'review');
    // 60, 120, 180, 240, 600 seconds: the median 180; the 90th percentile 240 + 0.6 * 360.
    expect(review).toEqual({
      nodeId: 'review',
      waiting: 2,
      failed: 0,
      steps: 5,
      p50Seconds: 180,
      p90Seconds: 456,
      oldestWaitingSince: at(5),
    });
    expect(stats.nodes.find((n: { nodeId: string }) => n.nodeId === 'start')).toMatchObject({
      waiting: 0,
      steps: 7,
      p50Seconds: 0,
    });
    // October's hour counts when October is the period; the waits are now, whatever the period.
    const october = (
      await s.gql(
        STATS,
        { k: 'designer-api', from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
        admin,
      )
    ).data!.workflowStats;
    expect(october.nodes.find((n: { nodeId: string }) => n.nodeId === 'review')).toMatchObject({
      waiting: 2,
      steps: 1,
      p50Seconds: 3600,
      p90Seconds: 3600,
    });

    // The instances a migration from this version would move: the two that wait.
    const running = await s.gql(
      '{ workflow(key: "designer-api") { versions { version runningInstances { status ticketNumber currentNodes } } } }',
      {},
      admin,
    );
    expect(running.data!.workflow.versions[0].runningInstances).toEqual([
      { status: 'waiting', ticketNumber: null, currentNodes: ['review'] },
      { status: 'waiting', ticketNumber: null, currentNodes: ['review'] },
    ]);
  });

  it('refuses a period that ends before it starts, an unknown workflow, and people without workflow.manage', async () => {
    const backwards = (
      await s.gql(
        STATS,
        { k: 'designer-api', from: '2026-12-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
        admin,
      )
    ).data!.workflowStats;
    expect(backwards.__typename).toBe('ValidationError');
    expect(backwards.fields[0]).toMatchObject({ path: '/from', code: 'invalid_period' });
    const missing = (await s.gql(STATS, { k: 'no-such-workflow' }, admin)).data!.workflowStats;
    expect(missing.__typename).toBe('NotFoundError');
    const denied = (await s.gql(STATS, { k: 'designer-api' }, agent)).data!.workflowStats;
    expect(denied.__typename).toBe('ForbiddenError');
    // The default period is the last 30 days up to now.
    const recent = (await s.gql(STATS, { k: 'designer-api' }, admin)).data!.workflowStats;
    expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(30 * 24 * 3600 * 1000);
  });
});
