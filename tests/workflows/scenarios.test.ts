import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Scenarios 1, 2 and 5 of SCENARIOS.md, through the GraphQL API, on the example workflows. */

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) {
    __typename
    ... on Ticket { id number status team { name } assignee { email } }
    ... on ValidationError { message fields { path code message } }
  }
}`;

const TICKET = `query($id: ID!) {
  ticket(id: $id) {
    id status statusName priority assignee { email } team { name } orgUnit { name }
    tasks { id nodeId title status assignee { email } team { name } orgUnit { name } dueAt
            closedBy { email } closeReason output origin createdAt closedAt actions }
    timeline { kind actorKind actorUser { email } channel body diff createdAt }
    workflowInstances { status currentNodes trace workflowVersion { version workflowKey } }
  }
}`;

const ACT = `mutation($taskId: ID!, $action: TaskAction!, $output: JSON, $to: TransferTarget, $reason: String) {
  actOnTask(taskId: $taskId, action: $action, output: $output, to: $to, reason: $reason) {
    __typename
    ... on Task { id status nodeId closedBy { email } }
    ... on ValidationError { message fields { path code message } }
    ... on NotFoundError { message path }
    ... on ForbiddenError { message }
  }
}`;

type Task = {
  id: string;
  nodeId: string;
  status: string;
  assignee: { email: string } | null;
  team: { name: string } | null;
  orgUnit: { name: string } | null;
  origin: Record<string, unknown> | null;
  dueAt: string | null;
  closedBy: { email: string } | null;
  closeReason: string | null;
  output: unknown;
  actions: string[];
};

describe(`workflow scenarios (${databaseKind()})`, () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const as = (who: string) => tokens[who]!;

  beforeAll(async () => {
    s = await startTestServer();
    for (const who of ['admin', 'agent.a', 'agent.b', 'service', 'tech', 'manager.north'])
      tokens[who] = await s.login(`${who}@docket.local`);
  });
  afterAll(() => s?.close());

  const ticket = async (id: string, who = 'admin') => (await s.gql(TICKET, { id }, as(who))).data!.ticket;
  const openTask = async (id: string, nodeId?: string): Promise<Task> => {
    const t = (await ticket(id)).tasks as Task[];
    const open = t.filter((x) => x.status === 'open' && (!nodeId || x.nodeId === nodeId));
    expect(open, `open task ${nodeId ?? ''} of ticket ${id}`).toHaveLength(1);
    return open[0]!;
  };
  const act = async (who: string, vars: Record<string, unknown>) =>
    (await s.gql(ACT, vars, as(who))).data!.actOnTask;
  const create = async (who: string, input: Record<string, unknown>) => {
    const r = await s.gql(CREATE, { input }, as(who));
    expect(r.data?.createTicket.__typename, JSON.stringify(r)).toBe('Ticket');
    return r.data!.createTicket;
  };

  it('scenario 2: a return goes review -> warehouse -> finance, with return, forms checked at every step', async () => {
    const t = await create('agent.a', {
      templateKey: 'returns',
      title: 'Kettle leaks',
      formData: validReturn,
      channel: 'phone',
    });
    // The first step's task is created in the ticket's own transaction.
    expect(t.team.name).toBe('Service desk');
    expect(t.assignee.email).toBe('service@docket.local');
    const review = await openTask(t.id, 'cs_review');
    expect(review.dueAt).not.toBeNull();
    expect(review.actions).toEqual(['complete', 'transfer']);

    const mine = await s.gql('{ myTasks { id title ticket { id } } }', {}, as('service'));
    expect(mine.data!.myTasks.map((x: { id: string }) => x.id)).toContain(review.id);

    // The step form is checked: the wrong type and a missing field, each with its pointer.
    const bad = await act('service', { taskId: review.id, action: 'complete', output: { approved: 'yes' } });
    expect(bad.__typename).toBe('ValidationError');
    const paths = bad.fields.map((f: { path: string }) => f.path);
    expect(paths).toContain('/output/approved');
    expect(paths).toContain('/output/note');
    expect((await openTask(t.id, 'cs_review')).id).toBe(review.id);

    // An action the step does not allow is refused.
    const notAllowed = await act('service', { taskId: review.id, action: 'reject', reason: 'no' });
    expect(notAllowed.__typename).toBe('ValidationError');
    expect(notAllowed.fields[0].path).toBe('/action');

    // Someone else cannot act on it.
    const other = await act('tech', {
      taskId: review.id,
      action: 'complete',
      output: { approved: true, note: 'ok' },
    });
    expect(['NotFoundError', 'ForbiddenError']).toContain(other.__typename);

    const done = await act('service', {
      taskId: review.id,
      action: 'complete',
      output: { approved: true, note: 'Defect confirmed on the photos' },
    });
    expect(done).toMatchObject({
      __typename: 'Task',
      status: 'completed',
      closedBy: { email: 'service@docket.local' },
    });
    // Acting twice on the same task does nothing.
    const again = await act('service', {
      taskId: review.id,
      action: 'complete',
      output: { approved: true, note: 'x2' },
    });
    expect(again.__typename).toBe('ValidationError');

    const warehouse = await openTask(t.id, 'warehouse');
    // The assignee hears of each new step, and so does the step's CC list (the service desk).
    const notices = async (who: string) =>
      (await s.gql('{ myNotifications { subject ticketId } }', {}, as(who))).data!.myNotifications.filter(
        (n: { ticketId: string }) => n.ticketId === t.id,
      );
    expect((await notices('tech')).map((n: { subject: string }) => n.subject)).toEqual([
      'Confirm the returned goods',
    ]);
    expect((await notices('service')).map((n: { subject: string }) => n.subject)).toEqual([
      'Confirm the returned goods',
      'Review the return request',
    ]);
    expect(warehouse.assignee?.email).toBe('tech@docket.local');
    expect(warehouse.team?.name).toBe('Warehouse');
    // The warehouse technician (own scope) sees the ticket because it is now his.
    expect((await ticket(t.id, 'tech')).id).toBe(t.id);
    await act('tech', {
      taskId: warehouse.id,
      action: 'complete',
      output: { received: true, condition: 'damaged' },
    });

    const finance = await openTask(t.id, 'finance');
    expect(finance.assignee?.email).toBe('manager.north@docket.local');
    const noReason = await act('manager.north', { taskId: finance.id, action: 'return', reason: '  ' });
    expect(noReason.fields[0]).toMatchObject({ path: '/reason', code: 'required' });
    const returned = await act('manager.north', {
      taskId: finance.id,
      action: 'return',
      reason: 'Photo of the received goods is missing',
    });
    expect(returned.status).toBe('returned');

    const again2 = await openTask(t.id, 'warehouse');
    expect(again2.id).not.toBe(warehouse.id);
    expect(again2.assignee?.email).toBe('tech@docket.local');
    expect(again2.origin).toMatchObject({
      action: 'return',
      fromNodeId: 'finance',
      reason: 'Photo of the received goods is missing',
    });
    await act('tech', {
      taskId: again2.id,
      action: 'complete',
      output: { received: true, condition: 'damaged' },
    });
    const finance2 = await openTask(t.id, 'finance');
    const refund = await act('manager.north', {
      taskId: finance2.id,
      action: 'complete',
      output: { refundAmount: 199, transactionId: 'TX-20261123-01' },
    });
    expect(refund.status).toBe('completed');

    const final = await ticket(t.id);
    expect(final.status).toBe('solved');
    expect(final.statusName).toBe('Refunded');
    expect(final.tasks.every((x: Task) => x.status !== 'open')).toBe(true);
    expect(final.tasks.map((x: Task) => `${x.nodeId}:${x.status}`)).toEqual([
      'cs_review:completed',
      'warehouse:completed',
      'finance:returned',
      'warehouse:completed',
      'finance:completed',
    ]);
    expect(final.tasks.at(-1).output).toEqual({ refundAmount: 199, transactionId: 'TX-20261123-01' });
    const kinds = final.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'created',
        'task.created',
        'task.completed',
        'task.returned',
        'workflow.ended',
      ]),
    );
    // Each action comes before what it set off: review completed, then the warehouse task created.
    const taskKinds = kinds.filter((k: string) => k.startsWith('task.'));
    expect(taskKinds.slice(0, 4)).toEqual([
      'task.created',
      'task.completed',
      'task.created',
      'task.completed',
    ]);
    const ret = final.timeline.find((e: { kind: string }) => e.kind === 'task.returned');
    expect(ret).toMatchObject({
      actorUser: { email: 'manager.north@docket.local' },
      body: 'Photo of the received goods is missing',
    });
    const [instance] = final.workflowInstances;
    expect(instance).toMatchObject({
      status: 'completed',
      workflowVersion: { version: 1, workflowKey: 'returns' },
    });
    const nodes = instance.trace
      .filter((e: { kind: string }) => e.kind === 'step')
      .map((e: { nodeId: string }) => e.nodeId);
    expect(nodes).toEqual([
      'start',
      'cs_review',
      'approved',
      'warehouse',
      'finance',
      'warehouse',
      'finance',
      'refunded',
    ]);
  });

  it('scenario 2: a declined review closes the ticket without a warehouse step', async () => {
    const t = await create('agent.a', {
      templateKey: 'returns',
      title: 'Changed mind',
      formData: validReturn,
    });
    const review = await openTask(t.id, 'cs_review');
    await act('service', {
      taskId: review.id,
      action: 'complete',
      output: { approved: false, note: 'Past 7 days' },
    });
    const final = await ticket(t.id);
    expect(final.status).toBe('closed');
    expect(final.statusName).toBe('Return declined');
    expect(final.tasks).toHaveLength(1);
  });

  it('scenario 1: the category picks the department; transfer; a follow-up visit only when asked for', async () => {
    const repair = await create('agent.a', {
      templateKey: 'call-centre',
      title: 'Washing machine does not spin',
      channel: 'phone',
      formData: {
        callerNumber: '+86 138 0000 0001',
        serviceCategory: 'repair',
        details: 'Drum stuck',
        needsFollowUp: true,
      },
    });
    const fix = await openTask(repair.id, 'repair');
    expect(fix.team?.name).toBe('Store A repairs');
    expect(fix.assignee?.email).toBe('tech@docket.local');

    const badTarget = await act('tech', {
      taskId: fix.id,
      action: 'transfer',
      to: { teamId: 1, userId: 1 },
      reason: 'x',
    });
    expect(badTarget.fields[0].path).toBe('/to');
    const desk = (await s.sql<{ id: number }>("select id from team where name = 'Service desk'"))[0]!.id;
    const moved = await act('tech', {
      taskId: fix.id,
      action: 'transfer',
      to: { teamId: desk },
      reason: 'Billing question, not a repair',
    });
    expect(moved.__typename).toBe('Task');
    const atDesk = await openTask(repair.id, 'repair');
    expect(atDesk.id).toBe(fix.id);
    expect(atDesk.assignee?.email).toBe('service@docket.local');
    await act('service', { taskId: fix.id, action: 'complete', output: { result: 'Explained the bill' } });

    const visit = await openTask(repair.id, 'visit');
    expect(visit.assignee?.email).toBe('service@docket.local');
    await act('service', { taskId: visit.id, action: 'complete', output: { satisfied: true } });
    const final = await ticket(repair.id);
    expect(final.status).toBe('solved');
    const transfer = final.timeline.find((e: { kind: string }) => e.kind === 'task.transferred');
    expect(transfer).toMatchObject({
      body: 'Billing question, not a repair',
      actorUser: { email: 'tech@docket.local' },
    });
    // Everyone involved sees every step: who handled it, start and end.
    for (const task of final.tasks as (Task & { createdAt: string; closedAt: string })[]) {
      expect(task.closedBy).not.toBeNull();
      expect(Date.parse(task.closedAt)).toBeGreaterThanOrEqual(Date.parse(task.createdAt));
    }

    const billing = await create('agent.a', {
      templateKey: 'call-centre',
      title: 'Question about a bill',
      formData: { callerNumber: '+86 138 0000 0002', serviceCategory: 'billing', details: 'Charged twice' },
    });
    const handle = await openTask(billing.id, 'service');
    await act('service', {
      taskId: handle.id,
      action: 'complete',
      output: { result: 'Refunded the double charge' },
    });
    const closed = await ticket(billing.id);
    expect(closed.status).toBe('solved');
    expect(closed.tasks.map((x: Task) => x.nodeId)).toEqual(['service']);
  });

  it('scenario 5: a store rejects a misrouted ticket back to the dispatcher, who reroutes it', async () => {
    const t = await create('service', {
      templateKey: 'store-complaint',
      title: 'Rude staff at the counter',
      channel: 'phone',
      formData: { complaint: 'The staff refused a receipt.' },
    });
    const dispatch = await openTask(t.id, 'dispatch');
    expect(dispatch.assignee?.email).toBe('service@docket.local');
    await act('service', { taskId: dispatch.id, action: 'complete', output: { store: 'storeA' } });

    const atA = await openTask(t.id, 'store_a');
    expect(atA.orgUnit?.name).toBe('Store A (Beijing Chaoyang)');
    expect(atA.assignee).toBeNull();
    const queueA = await s.gql('{ myTasks { id } }', {}, as('agent.a'));
    expect(queueA.data!.myTasks.map((x: { id: string }) => x.id)).toContain(atA.id);
    // Store B neither sees the ticket nor can act on its task.
    expect((await s.gql(TICKET, { id: t.id }, as('agent.b'))).data!.ticket).toBeNull();
    const foreign = await act('agent.b', { taskId: atA.id, action: 'reject', reason: 'not ours' });
    expect(foreign.__typename).toBe('NotFoundError');

    const rejected = await act('agent.a', {
      taskId: atA.id,
      action: 'reject',
      reason: 'The receipt number belongs to Store B',
    });
    expect(rejected).toMatchObject({ __typename: 'Task', status: 'rejected' });
    const back = await openTask(t.id, 'dispatch');
    expect(back.origin).toMatchObject({
      action: 'reject',
      fromNodeId: 'store_a',
      reason: 'The receipt number belongs to Store B',
    });
    expect(back.assignee?.email).toBe('service@docket.local');
    await act('service', { taskId: back.id, action: 'complete', output: { store: 'storeB' } });

    const atB = await openTask(t.id, 'store_b');
    await act('agent.b', {
      taskId: atB.id,
      action: 'complete',
      output: { resolution: 'Apologised, gave a voucher' },
    });
    const final = await ticket(t.id);
    expect(final.status).toBe('solved');
    const rejection = final.timeline.find((e: { kind: string }) => e.kind === 'task.rejected');
    expect(rejection).toMatchObject({
      body: 'The receipt number belongs to Store B',
      actorUser: { email: 'agent.a@docket.local' },
    });
    expect(final.timeline.some((e: { kind: string }) => e.kind === 'task.rejected_to')).toBe(true);
  });
});
