import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Customers are scoped like tickets; staff tickets land within the creator's reach; the customer's
 * own view shows no org tree and no internal ids.
 */
const CREATE =
  'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id orgUnit { name } requester { id email phone } } ... on ValidationError { fields { path code message } } } }';

describe(`customer scope and ticket placement (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agentA: string;
  let agentB: string;
  let customer: string;
  let victimId: number;
  let storeA: number;
  let storeB: number;
  let agentBId: number;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    [admin, agentA, agentB, customer] = await Promise.all([
      s.login('admin@docket.local'),
      s.login('agent.a@docket.local'),
      s.login('agent.b@docket.local'),
      s.customerLogin('customer@example.com'),
    ]);
    const one = async (q: string) => (await s.sql<{ id: number }>(q))[0]!.id;
    storeA = await one("select id from org_unit where name like 'Store A%'");
    storeB = await one("select id from org_unit where name like 'Store B%'");
    agentBId = await one("select id from app_user where email = 'agent.b@docket.local'");
    // A customer of Store B only: their ticket there (taken by phone at headquarters) is in agent B's scope.
    await s.sql(
      "insert into customer (name, email, phone, created_at) values ('Victim', 'victim@example.com', '+86 138 0000 0000', now() - interval '1 day')",
    );
    victimId = await one("select id from customer where email = 'victim@example.com'");
    const served = await s.gql(
      CREATE,
      {
        i: {
          templateKey: 'returns',
          title: 'B',
          formData: validReturn,
          requesterId: victimId,
          orgUnitId: storeB,
        },
      },
      admin,
    );
    expect(served.data!.createTicket.__typename, JSON.stringify(served)).toBe('Ticket');
    const byB = await s.gql(
      'query($id: ID!) { ticket(id: $id) { requester { phone } } }',
      { id: served.data!.createTicket.id },
      agentB,
    );
    expect(byB.data!.ticket.requester.phone).toBe('+86 138 0000 0000');
  });
  afterAll(() => s?.close());

  it("an agent cannot name another store's customer by id", async () => {
    const r = await s.gql(
      CREATE,
      { i: { templateKey: 'returns', title: 'peek', formData: validReturn, requesterId: victimId } },
      agentA,
    );
    expect(r.data!.createTicket.__typename).toBe('ValidationError');
    expect(r.data!.createTicket.fields[0]).toMatchObject({ path: '/requesterId', code: 'not_found' });
    expect(JSON.stringify(r)).not.toContain('138');
  });

  it('looking a customer up by email does not reveal their phone to an agent who does not serve them', async () => {
    const r = await s.gql(
      CREATE,
      {
        i: {
          templateKey: 'returns',
          title: 'lookup',
          formData: validReturn,
          requester: { email: 'victim@example.com' },
        },
      },
      agentA,
    );
    expect(r.data!.createTicket.__typename, JSON.stringify(r)).toBe('Ticket');
    expect(r.data!.createTicket.requester.id).toBe(String(victimId));
    expect(r.data!.createTicket.requester.phone).toBeNull();
    // Agent B, who served them, and an admin (customer.manage) see the details.
    const seen = await s.gql(
      'query($id: ID!) { ticket(id: $id) { requester { phone } } }',
      { id: r.data!.createTicket.id },
      admin,
    );
    expect(seen.data!.ticket.requester.phone).toBe('+86 138 0000 0000');
  });

  it('a new customer typed in by an agent stays visible to that agent', async () => {
    const r = await s.gql(
      CREATE,
      {
        i: {
          templateKey: 'returns',
          title: 'new',
          formData: validReturn,
          requester: { email: 'fresh@example.com', phone: '+86 139 1111 1111' },
        },
      },
      agentA,
    );
    expect(r.data!.createTicket.requester).toMatchObject({
      email: 'fresh@example.com',
      phone: '+86 139 1111 1111',
    });
  });

  it("a staff member's ticket lands in their own org unit; another store's unit and people are refused", async () => {
    const mine = await s.gql(
      CREATE,
      { i: { templateKey: 'returns', title: 'mine', formData: validReturn } },
      agentA,
    );
    expect(mine.data!.createTicket.orgUnit?.name).toMatch(/^Store A/);
    // Agent B sees nothing of it; agent A's store colleagues' scope does.
    const byB = await s.gql(
      'query($id: ID!) { ticket(id: $id) { id } }',
      { id: mine.data!.createTicket.id },
      agentB,
    );
    expect(byB.data!.ticket).toBeNull();

    const elsewhere = await s.gql(
      CREATE,
      { i: { templateKey: 'returns', title: 'x', formData: validReturn, orgUnitId: storeB } },
      agentA,
    );
    expect(elsewhere.data!.createTicket.fields[0]).toMatchObject({ path: '/orgUnitId', code: 'not_allowed' });
    const toB = await s.gql(
      CREATE,
      { i: { templateKey: 'returns', title: 'x', formData: validReturn, assigneeId: agentBId } },
      agentA,
    );
    expect(toB.data!.createTicket.fields[0]).toMatchObject({ path: '/assigneeId', code: 'not_allowed' });
    const own = await s.gql(
      CREATE,
      { i: { templateKey: 'returns', title: 'x', formData: validReturn, orgUnitId: storeA } },
      agentA,
    );
    expect(own.data!.createTicket.__typename).toBe('Ticket');
    const byAdmin = await s.gql(
      CREATE,
      {
        i: {
          templateKey: 'returns',
          title: 'x',
          formData: validReturn,
          orgUnitId: storeB,
          assigneeId: agentBId,
        },
      },
      admin,
    );
    expect(byAdmin.data!.createTicket.__typename).toBe('Ticket');
  });

  it("the customer's view has no org tree to walk and no internal ids in the timeline", async () => {
    const created = await s.gql<{ createTicket: { id: string } }>(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } } }',
      { i: { templateKey: 'returns', title: 'portal', formData: validReturn } },
      customer,
    );
    const id = created.data!.createTicket.id;
    const moved = await s.gql(
      'mutation($id: ID!, $u: Int, $o: Int) { assignTicket(id: $id, assigneeId: $u, orgUnitId: $o) { __typename } }',
      { id, u: agentBId, o: storeB },
      admin,
    );
    expect(moved.data!.assignTicket.__typename).toBe('Ticket');
    await s.gql(
      'mutation($id: ID!) { replyToTicket(id: $id, body: "We are on it") { __typename } }',
      { id },
      admin,
    );
    const view = await s.gql(
      'query($id: ID!) { ticket(id: $id) { orgUnit { name path parent { name } children { name } } timeline { kind diff } } }',
      { id },
      customer,
    );
    expect(view.errors).toBeUndefined();
    const t = view.data!.ticket;
    expect(t.orgUnit).toMatchObject({ path: '', parent: null, children: [] });
    const text = JSON.stringify(t.timeline);
    expect(text).not.toMatch(/assigneeId|teamId|orgUnitId|"template"/);
    expect(text).toContain('status');
  });
});
