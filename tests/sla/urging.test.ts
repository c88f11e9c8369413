import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  createTicket,
  MINUTE,
  notificationsOf,
  orgUnitId,
  subscribe,
  timelineOf,
  userId,
} from './sla-fixtures.ts';

/**
 * Scenario 4 of SCENARIOS.md (urging, 催单) on the returns workflow: the first step, "Review the
 * return request", goes to the Service desk (Sam) with the customer on its CC list and a time
 * limit of two office hours. The test moves the SLA clock past that limit by hand.
 */
const URGE = `mutation($id: ID!, $note: String) { urgeTicket(id: $id, note: $note) {
  __typename
  ... on Urge { urgeNumber isOverdue notified { email } ticket { id } }
  ... on ValidationError { message fields { path code message } }
  ... on NotFoundError { message }
} }`;

describe(`urging (${databaseKind()})`, () => {
  const clock = new ManualClock(Date.now());
  let s: TestServer;
  let admin: string;
  let creator: string;
  let handler: string;
  let manager: string;
  let agentB: string;
  let customer: string;
  let ticket: { id: string; number: string };
  let stepDueAt: number;

  beforeAll(async () => {
    s = await startTestServer({ clock });
    admin = await s.login('admin@docket.local');
    creator = await s.login('agent.a@docket.local');
    handler = await s.login('service@docket.local');
    manager = await s.login('manager.north@docket.local');
    agentB = await s.login('agent.b@docket.local');
    customer = await s.customerLogin('customer@example.com');
    // Sam on the Service desk reports to the North region's manager.
    const set = await s.gql(
      'mutation($id: Int!, $m: Int!) { updateUser(id: $id, managerId: $m) { __typename } }',
      { id: await userId(s, 'service@docket.local'), m: await userId(s, 'manager.north@docket.local') },
      admin,
    );
    expect(set.data!.updateUser.__typename).toBe('User');
    ticket = await createTicket(s, creator, {
      templateKey: 'returns',
      title: 'Kettle leaks, customer waiting',
      orgUnitId: await orgUnitId(s, 'Store A'),
      // By email: a store agent names a walk-in customer it has no ticket with yet this way.
      requester: { email: 'customer@example.com' },
      formData: validReturn,
    });
    const [task] = await s.sql<{ due_at: Date; email: string }>(
      `select w.due_at, u.email from workflow_task w join app_user u on u.id = w.assignee_user_id
        where w.ticket_id = ? and w.status = 'open'`,
      [ticket.id],
    );
    expect(task!.email).toBe('service@docket.local');
    stepDueAt = new Date(task!.due_at).getTime();
  });
  afterAll(() => s?.close());

  const urge = (token: string, note?: string) => s.gql(URGE, { id: ticket.id, note }, token);
  const urgeNotices = async (token: string) =>
    (await notificationsOf(s, token)).filter(
      (n) => n.ticketId === ticket.id && n.subject?.startsWith('Urged'),
    );

  it('scenario 4: the creator urges and the handler is told; past the time limit a second urge tells the manager too', async () => {
    const first = await urge(creator, 'The customer called twice.');
    expect(first.data!.urgeTicket).toMatchObject({
      __typename: 'Urge',
      urgeNumber: 1,
      isOverdue: false,
      notified: [{ email: 'service@docket.local' }],
    });
    const toHandler = await urgeNotices(handler);
    expect(toHandler).toHaveLength(1);
    expect(toHandler[0]!.body).toBe(
      `Anna Agent (Store A) urged ticket ${ticket.number} "Kettle leaks, customer waiting" (Review the return request). "The customer called twice."`,
    );
    expect(await urgeNotices(manager)).toEqual([]);

    clock.set(stepDueAt + 10 * MINUTE);
    const second = await urge(creator);
    expect(second.data!.urgeTicket).toMatchObject({
      __typename: 'Urge',
      urgeNumber: 2,
      isOverdue: true,
      notified: [{ email: 'service@docket.local' }, { email: 'manager.north@docket.local' }],
    });
    expect(await urgeNotices(handler)).toHaveLength(2);
    const toManager = await urgeNotices(manager);
    expect(toManager).toHaveLength(1);
    expect(toManager[0]!.body).toMatch(
      /which your report handles \(Review the return request\)\. It is past its time limit/,
    );

    const urged = (await timelineOf(s, admin, ticket.id)).filter((e) => e.kind === 'ticket.urged');
    expect(urged.map((e) => e.diff.urgeNumber.to)).toEqual([1, 2]);
    expect(urged[0]!.body).toBe('The customer called twice.');
  });

  it('one urge per person per 30 minutes: another one at once is refused, saying when to try again', async () => {
    const again = await urge(creator);
    expect(again.data!.urgeTicket).toMatchObject({
      __typename: 'ValidationError',
      fields: [
        {
          path: '/id',
          code: 'too_soon',
          message:
            'You urged this ticket less than a minute ago; you can urge it again in 30 minutes (once every 30 minutes).',
        },
      ],
    });
    clock.advance(30 * MINUTE);
    expect((await urge(creator)).data!.urgeTicket.__typename).toBe('Urge');
  });

  it("anyone on the step's CC list may urge (the customer is on it); someone unrelated is refused", async () => {
    const byCustomer = await urge(customer, 'Any news?');
    expect(byCustomer.data!.urgeTicket).toMatchObject({ __typename: 'Urge', isOverdue: true });
    const byAdmin = await urge(admin);
    expect(byAdmin.data!.urgeTicket).toMatchObject({
      __typename: 'ValidationError',
      fields: [
        {
          path: '/id',
          code: 'not_allowed',
          message:
            "Only the ticket's initiator (its creator or the customer it is for) or someone on its CC list can urge it; ask one of them, or get added to the CC list.",
        },
      ],
    });
    const byHandler = await urge(handler);
    expect(byHandler.data!.urgeTicket.fields[0].code).toBe('not_allowed');
  });

  it("a store-B agent can neither read a store-A ticket's clocks, nor follow them, nor urge it", async () => {
    const read = await s.gql(
      'query($id: ID!) { ticket(id: $id) { slaClocks { metric } } }',
      { id: ticket.id },
      agentB,
    );
    expect(read.data!.ticket).toBeNull();
    expect((await urge(agentB)).data!.urgeTicket.__typename).toBe('NotFoundError');
    const feed = await subscribe(
      s,
      agentB,
      'subscription($id: ID!) { ticketSlaChanged(ticketId: $id) { metric } }',
      { id: ticket.id },
    );
    try {
      const refused = await feed.next();
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      feed.close();
    }
    // Staff who may see it read the clocks; customers do not see SLA internals.
    const byCreator = await s.gql(
      'query($id: ID!) { ticket(id: $id) { slaClocks { metric } } }',
      { id: ticket.id },
      creator,
    );
    expect(byCreator.data!.ticket.slaClocks.map((c: { metric: string }) => c.metric)).toEqual([
      'first_response',
      'resolution',
    ]);
    const byCustomer = await s.gql(
      'query($id: ID!) { ticket(id: $id) { title slaClocks { metric } } }',
      { id: ticket.id },
      customer,
    );
    expect(byCustomer.data!.ticket).toEqual({ title: 'Kettle leaks, customer waiting', slaClocks: null });
    expect(byCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
