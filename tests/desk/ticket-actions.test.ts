import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * What the desk found when it used the API as a call centre would: a transfer is one entry on the
 * timeline and reaches its new holder; the customer a ticket was opened for may urge it; an urge
 * of a ticket nobody holds reaches its queue; `updated` entries say what changed.
 */

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { __typename ... on Ticket { id number } ... on Error { message } }
}`;
const TASKS = `query($id: ID!) { ticket(id: $id) { tasks { id nodeId status assignee { email } } } }`;
const TIMELINE = `query($id: ID!) { ticket(id: $id) {
  timeline { id kind body summary zh: summary(locale: "zh-CN") bodyZh: body(locale: "zh-CN") diff actorUser { email } }
} }`;
const ACT = `mutation($taskId: ID!, $action: TaskAction!, $to: TransferTarget, $reason: String) {
  actOnTask(taskId: $taskId, action: $action, to: $to, reason: $reason) {
    __typename ... on Error { message } ... on ValidationError { fields { path message } }
  }
}`;
const URGE = `mutation($id: ID!) { urgeTicket(id: $id) {
  __typename ... on Urge { urgeNumber notified { name } } ... on ValidationError { fields { code message } }
} }`;
const NOTICES = '{ myNotifications { subject body ticketId } }';

describe(`desk fixes on the server (${databaseKind()})`, () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const as = (who: string) => tokens[who]!;

  beforeAll(async () => {
    s = await startTestServer();
    for (const who of ['agent.a', 'agent.b', 'service', 'tech', 'admin'])
      tokens[who] = await s.login(`${who}@docket.local`);
    tokens.customer = await s.customerLogin('customer@example.com');
  });
  afterAll(() => s?.close());

  it('reads one customer by id for a new ticket (staff who create tickets); customers are refused', async () => {
    const [chen] = await s.sql<{ id: string }>(
      "select id::text from customer where email = 'customer@example.com'",
    );
    const CUSTOMER = 'query($id: ID!) { customer(id: $id) { id name email } }';
    const found = await s.gql(CUSTOMER, { id: chen!.id }, as('service'));
    expect(found.data?.customer).toEqual({
      id: chen!.id,
      name: 'Chen Customer',
      email: 'customer@example.com',
    });
    expect((await s.gql(CUSTOMER, { id: '999999' }, as('service'))).data?.customer).toBeNull();
    // An id that is no number is refused before it runs.
    expect((await s.gql(CUSTOMER, { id: 'x' }, as('service'))).errors?.length).toBe(1);
    const refused = await s.gql(CUSTOMER, { id: chen!.id }, as('customer'));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await s.gql(CUSTOMER, { id: chen!.id });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  const create = async (who: string, input: Record<string, unknown>) => {
    const r = await s.gql(CREATE, { input }, as(who));
    expect(r.data?.createTicket.__typename, JSON.stringify(r)).toBe('Ticket');
    return r.data!.createTicket as { id: string; number: string };
  };
  const openTask = async (ticketId: string, nodeId: string) => {
    const r = await s.gql(TASKS, { id: ticketId }, as('admin'));
    return r.data!.ticket.tasks.find(
      (t: { nodeId: string; status: string }) => t.nodeId === nodeId && t.status === 'open',
    ) as {
      id: string;
      assignee: { email: string } | null;
    };
  };
  const timeline = async (ticketId: string) =>
    (await s.gql(TIMELINE, { id: ticketId }, as('admin'))).data!.ticket.timeline as {
      id: string;
      kind: string;
      body: string | null;
      summary: string | null;
      zh: string | null;
      bodyZh: string | null;
      diff: Record<string, any> | null;
    }[];
  const repairFor = (title: string) =>
    create('agent.a', {
      templateKey: 'call-centre',
      title,
      channel: 'phone',
      requester: { name: 'Li Lei', email: 'customer@example.com' },
      formData: { callerNumber: '+86 138 0000 0001', serviceCategory: 'repair', details: 'Drum stuck' },
    });

  it('a transfer to a team writes one entry saying from whom to whom and why, and tells the members', async () => {
    const t = await repairFor('Transfer me to the desk');
    const fix = await openTask(t.id, 'repair');
    expect(fix.assignee?.email).toBe('tech@docket.local');
    const before = await timeline(t.id);
    const desk = (await s.sql<{ id: number }>("select id from team where name = 'Service desk'"))[0]!.id;
    const moved = await s.gql(
      ACT,
      { taskId: fix.id, action: 'transfer', to: { teamId: desk }, reason: 'Billing, not repair' },
      as('tech'),
    );
    expect(moved.data!.actOnTask.__typename).toBe('Task');

    const added = (await timeline(t.id)).slice(before.length);
    expect(added.map((e) => e.kind)).toEqual(['task.transferred']);
    const entry = added[0]!;
    expect(entry.body).toBe('Billing, not repair');
    expect(entry.diff!.holder.from).toMatchObject({
      userName: expect.any(String),
      teamName: 'Store A repairs',
    });
    expect(entry.diff!.holder.to).toMatchObject({ teamName: 'Service desk' });
    expect(entry.diff!.assigneeId).toBeDefined();
    expect(entry.summary).toMatch(
      /^Transferred from .+ \(Store A repairs\) to .*Service desk.*: Billing, not repair\.$/,
    );
    expect(entry.zh).toContain('转办给');

    // Every member of the team hears of it (the member picked as well as the others).
    const members = await s.sql<{ email: string }>(
      'select u.email from team_member m join app_user u on u.id = m.user_id where m.team_id = ?',
      [desk],
    );
    expect(members.length).toBeGreaterThan(0);
    for (const { email } of members) {
      const token = await s.login(email);
      const notices = (await s.gql(NOTICES, {}, token)).data!.myNotifications as {
        subject: string;
        ticketId: string;
      }[];
      expect(
        notices.some((n) => n.ticketId === t.id && n.subject.startsWith('Transferred to you')),
        email,
      ).toBe(true);
    }
  });

  it('a transfer to a person tells that person', async () => {
    const t = await repairFor('Transfer me to a person');
    const fix = await openTask(t.id, 'repair');
    const before = (await timeline(t.id)).length;
    const annaId = (
      await s.sql<{ id: number }>("select id from app_user where email = 'agent.a@docket.local'")
    )[0]!.id;
    const r = await s.gql(
      ACT,
      { taskId: fix.id, action: 'transfer', to: { userId: annaId }, reason: 'Knows this customer' },
      as('tech'),
    );
    expect(r.data!.actOnTask.__typename, JSON.stringify(r)).toBe('Task');
    const notices = (await s.gql(NOTICES, {}, as('agent.a'))).data!.myNotifications as {
      ticketId: string;
      body: string;
    }[];
    expect(notices.find((n) => n.ticketId === t.id)?.body).toContain('Knows this customer');
    const added = (await timeline(t.id)).slice(before);
    expect(added.map((e) => e.kind)).toEqual(['task.transferred']);
    expect(added[0]!.summary).toBe(
      'Transferred from Tao Technician (Store A repairs) to Anna Agent (Store A): Knows this customer.',
    );
  });

  it('the customer the desk opened a ticket for may urge it, and the handler hears of it', async () => {
    const t = await repairFor('Still broken');
    const r = await s.gql(URGE, { id: t.id }, as('customer'));
    expect(r.data!.urgeTicket.__typename, JSON.stringify(r)).toBe('Urge');
    expect(r.data!.urgeTicket.notified.map((u: { name: string }) => u.name)).toContain('Tao Technician');
    // Another customer may not.
    const other = await s.gql(
      `mutation { c: createTicket(input: {templateKey: "call-centre", title: "x", requester: {email: "other@example.com", name: "Other"},
        formData: {callerNumber: "1", serviceCategory: "repair", details: "d"}}) { ... on Ticket { id } } }`,
      {},
      as('agent.a'),
    );
    const refused = await s.gql(URGE, { id: other.data!.c.id }, as('customer'));
    expect(refused.data?.urgeTicket?.__typename ?? 'none').not.toBe('Urge');
  });

  it('an urge of a ticket nobody holds yet reaches the queue it waits in', async () => {
    const t = await create('service', {
      templateKey: 'store-complaint',
      title: 'Waiting at store A',
      requester: { name: 'Li Lei', email: 'customer@example.com' },
      formData: { complaint: 'No receipt' },
    });
    const dispatch = await openTask(t.id, 'dispatch');
    await s.gql(
      `mutation($t: ID!) { actOnTask(taskId: $t, action: complete, output: {store: "storeA"}) { __typename } }`,
      { t: dispatch.id },
      as('service'),
    );
    const atA = await openTask(t.id, 'store_a');
    expect(atA.assignee).toBeNull();
    const r = await s.gql(URGE, { id: t.id }, as('customer'));
    expect(r.data!.urgeTicket.__typename, JSON.stringify(r)).toBe('Urge');
    expect(r.data!.urgeTicket.notified.map((u: { name: string }) => u.name)).toContain(
      'Anna Agent (Store A)',
    );
  });

  it('an updated entry says what changed in English and Chinese, with the diff beside it', async () => {
    const t = await repairFor('Make me urgent');
    const r = await s.gql(
      `mutation($id: ID!) { updateTicket(id: $id, priority: urgent) { __typename } }`,
      { id: t.id },
      as('tech'),
    );
    expect(r.data!.updateTicket.__typename, JSON.stringify(r)).toBe('Ticket');
    const updated = (await timeline(t.id)).filter((e) => e.kind === 'updated').at(-1)!;
    expect(updated.diff!.priority).toEqual({ from: 'normal', to: 'urgent' });
    expect(updated.body).toBe('Changed priority from normal to urgent.');
    expect(updated.bodyZh).toBe('将优先级由「普通」改为「紧急」。');
  });

  it('counts a list and the views up to a bound (beyond it: more than the bound), exactly below it', async () => {
    const COUNTS = `query($upTo: Int) { deskViewCounts(upTo: $upTo) { open unassigned mine } }`;
    const exact = (await s.gql(COUNTS, {}, as('admin'))).data!.deskViewCounts;
    expect(exact.open).toBeGreaterThan(2);
    const capped = (await s.gql(COUNTS, { upTo: 2 }, as('admin'))).data!.deskViewCounts;
    expect(capped.open).toBe(3);
    const roomy = (await s.gql(COUNTS, { upTo: 100_000 }, as('admin'))).data!.deskViewCounts;
    expect(roomy).toEqual(exact);
    const LIST = `query($upTo: Int!) { tickets(first: 1, filter: {status: [new, open, pending, on_hold]}) {
      totalCount countUpTo(upTo: $upTo) } }`;
    const list = (await s.gql(LIST, { upTo: 100_000 }, as('admin'))).data!.tickets;
    expect(list.countUpTo).toBe(list.totalCount);
    expect(list.totalCount).toBe(exact.open);
    expect((await s.gql(LIST, { upTo: 1 }, as('admin'))).data!.tickets.countUpTo).toBe(2);
    const bad = await s.gql(COUNTS, { upTo: -1 }, as('admin'));
    expect(JSON.stringify(bad)).toContain('upTo');
  });

  it('says what an SLA clock did in Chinese on the timeline', async () => {
    const t = await create('agent.a', {
      templateKey: 'product-a-fault',
      title: 'Clock words',
      channel: 'phone',
      requester: { email: 'customer@example.com' },
      formData: { serialNumber: 'PA-1', symptom: 'Smoke' },
    });
    const started = (await timeline(t.id)).find((e) => e.kind === 'sla.started')!;
    expect(started.body).toMatch(/clock started/);
    expect(started.zh).toMatch(/计时开始：目标 .+，截止于 .+ UTC。/);
  });
});
