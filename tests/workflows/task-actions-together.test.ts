import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Task actions that arrive at the same moment commit together (one transaction for many): each is
 * still all or nothing with its step's tasks and trail, a refused one fails alone with its own
 * error, and two actions on the same task never both succeed.
 */

const ACT = `mutation($taskId: ID!, $action: TaskAction!, $output: JSON, $reason: String) {
  actOnTask(taskId: $taskId, action: $action, output: $output, reason: $reason) {
    __typename
    ... on Task { id status }
    ... on ValidationError { message fields { path code } }
    ... on NotFoundError { message path }
  }
}`;

describe(`task actions at the same moment (${databaseKind()})`, () => {
  let s: TestServer;
  let service: string;

  beforeAll(async () => {
    // Groups form only while earlier ones run: one group transaction at a time makes them form at once.
    s = await startTestServer({ env: { DOCKET_STEP_TRANSACTIONS: '1', DOCKET_STEP_BATCH: '64' } });
    service = await s.login('service@docket.local');
  });
  afterAll(() => s?.close());

  const reviews = async (n: number): Promise<{ ticketId: string; taskId: string }[]> => {
    const agent = await s.login('agent.a@docket.local');
    const out = [];
    for (let i = 0; i < n; i++) {
      const r = await s.gql(
        `mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id tasks { id status } } } }`,
        { i: { templateKey: 'returns', title: `Kettle ${i}`, formData: validReturn, channel: 'phone' } },
        agent,
      );
      const t = r.data!.createTicket;
      out.push({ ticketId: t.id, taskId: t.tasks.find((x: { status: string }) => x.status === 'open').id });
    }
    return out;
  };

  it('completes many steps at once, refuses the bad and the doubled ones alone, and loses none', async () => {
    const tasks = await reviews(12);
    const complete = (taskId: string, note = 'Photos show the defect') =>
      s.gql(ACT, { taskId, action: 'complete', output: { approved: true, note } }, service);
    const calls = [
      ...tasks.map((t) => complete(t.taskId)),
      // The same task twice more: at most one of the three wins.
      complete(tasks[0]!.taskId),
      complete(tasks[0]!.taskId),
      // A bad output and an unknown task, at the same moment as the rest.
      s.gql(ACT, { taskId: tasks[1]!.taskId, action: 'complete', output: { approved: 'yes' } }, service),
      // well-formed (a malformed id is refused before it reaches any step): an instance that does not exist
      complete(tasks[2]!.taskId.replace(/^[0-9a-f-]{36}/, '00000000-0000-4000-8000-000000000000')),
    ];
    const answers = (await Promise.all(calls)).map((r) => r.data!.actOnTask);
    const kinds = answers.map((a) => a.__typename);
    // Every review but the first got one completion; the first got exactly one of three.
    expect(kinds.slice(1, 12)).toEqual(Array(11).fill('Task'));
    expect([kinds[0], kinds[12], kinds[13]].filter((k) => k === 'Task')).toHaveLength(1);
    expect([kinds[0], kinds[12], kinds[13]].filter((k) => k === 'ValidationError')).toHaveLength(2);
    // The bad output lost to the good one, or was refused for its field; either way it failed alone.
    expect(kinds[14]).toBe('ValidationError');
    expect(kinds[15]).toBe('NotFoundError');
    expect(answers[15].path).toBe('/taskId');

    const ids = tasks.map((t) => t.ticketId);
    const trail = await s.sql<{ ticket_id: string; kind: string; n: number }>(
      `select ticket_id::text, kind, count(*)::int as n from ticket_event
        where ticket_id = any(?::bigint[]) and kind in ('task.completed', 'task.created') group by 1, 2`,
      [`{${ids.join(',')}}`],
    );
    // Each ticket: its review's task created and completed once, and the warehouse step's task created.
    for (const id of ids) {
      expect(trail.find((r) => r.ticket_id === id && r.kind === 'task.completed')?.n, id).toBe(1);
      expect(trail.find((r) => r.ticket_id === id && r.kind === 'task.created')?.n, id).toBe(2);
    }
    const open = await s.sql<{ node_id: string; n: number }>(
      `select node_id, count(*)::int as n from workflow_task where ticket_id = any(?::bigint[]) and status = 'open' group by 1`,
      [`{${ids.join(',')}}`],
    );
    expect(open).toEqual([{ node_id: 'warehouse', n: 12 }]);
  });
});
