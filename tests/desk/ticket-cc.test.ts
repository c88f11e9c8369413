import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * A ticket's own CC list, edited from the desk: who may change it, who may be put on it, what the
 * timeline says, and what being on it gives (seeing the ticket, urging it).
 */

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { __typename ... on Ticket { id number } ... on Error { message } }
}`;
const SET_CC = `mutation($id: ID!, $userIds: [Int!]!) { setTicketCc(id: $id, userIds: $userIds) {
  __typename
  ... on Ticket { cc { id name } }
  ... on ValidationError { message fields { path code message } }
  ... on Error { message }
} }`;
const CC = `query($id: ID!) { ticket(id: $id) { id cc { name } } }`;
const TIMELINE = `query($id: ID!) { ticket(id: $id) {
  timeline { kind isPublic body summary zh: summary(locale: "zh-CN") diff actorUser { email } }
} }`;
const URGE = `mutation($id: ID!) { urgeTicket(id: $id) {
  __typename ... on Urge { urgeNumber } ... on ValidationError { fields { code message } } ... on Error { message }
} }`;

describe(`the ticket's CC list (${databaseKind()})`, () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const as = (who: string) => tokens[who]!;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    s = await startTestServer();
    for (const who of ['agent.a', 'agent.b', 'tech', 'admin', 'manager.north'])
      tokens[who] = await s.login(`${who}@docket.local`);
    tokens.customer = await s.customerLogin('customer@example.com');
    for (const r of await s.sql<{ id: number; email: string }>('select id, email from app_user'))
      ids[r.email.replace('@docket.local', '')] = r.id;
  });
  afterAll(() => s?.close());

  const create = async (title: string) => {
    const r = await s.gql(
      CREATE,
      {
        input: {
          templateKey: 'product-a-fault',
          title,
          channel: 'phone',
          requester: { email: 'customer@example.com' },
          formData: { serialNumber: 'PA-7', symptom: 'Rattles' },
        },
      },
      as('agent.a'),
    );
    expect(r.data?.createTicket.__typename, JSON.stringify(r)).toBe('Ticket');
    return r.data!.createTicket as { id: string; number: string };
  };
  const ccEntries = async (ticketId: string) =>
    (
      (await s.gql(TIMELINE, { id: ticketId }, as('admin'))).data!.ticket.timeline as {
        kind: string;
        isPublic: boolean;
        body: string | null;
        summary: string | null;
        zh: string | null;
        diff: Record<string, { from: unknown; to: unknown }> | null;
        actorUser: { email: string } | null;
      }[]
    ).filter((e) => e.kind === 'cc.changed');

  it('an agent adds and removes people; the timeline says who, in both languages', async () => {
    const t = await create('CC me');
    // Not seen by a technician (own tickets only) before being put on the list.
    expect((await s.gql(CC, { id: t.id }, as('tech'))).data!.ticket).toBeNull();

    const added = await s.gql(SET_CC, { id: t.id, userIds: [ids.tech, ids['agent.a']] }, as('agent.a'));
    expect(added.data!.setTicketCc.__typename, JSON.stringify(added)).toBe('Ticket');
    expect(added.data!.setTicketCc.cc.map((u: { name: string }) => u.name)).toEqual([
      'Tao Technician',
      'Anna Agent (Store A)',
    ]);
    let entries = await ccEntries(t.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actorUser?.email).toBe('agent.a@docket.local');
    expect(entries[0]!.isPublic).toBe(false);
    expect(entries[0]!.diff!.ccUserIds).toEqual({ from: [], to: [ids.tech, ids['agent.a']] });
    expect(entries[0]!.body).toBe('Added Tao Technician and Anna Agent (Store A) to the CC list.');
    expect(entries[0]!.zh).toBe('将 Tao Technician、Anna Agent (Store A) 加入抄送。');

    // Being on the list: the technician sees the ticket and may urge it.
    expect((await s.gql(CC, { id: t.id }, as('tech'))).data!.ticket.cc).toHaveLength(2);
    await s.gql(
      'mutation($id: ID!, $to: Int) { assignTicket(id: $id, assigneeId: $to) { __typename } }',
      { id: t.id, to: ids['agent.a'] },
      as('agent.a'),
    );
    const urged = await s.gql(URGE, { id: t.id }, as('tech'));
    expect(urged.data!.urgeTicket.__typename, JSON.stringify(urged)).toBe('Urge');

    // The same list again writes nothing; removing one says so.
    await s.gql(SET_CC, { id: t.id, userIds: [ids.tech, ids['agent.a']] }, as('agent.a'));
    expect(await ccEntries(t.id)).toHaveLength(1);
    const removed = await s.gql(SET_CC, { id: t.id, userIds: [ids['agent.a']] }, as('agent.a'));
    expect(removed.data!.setTicketCc.cc.map((u: { name: string }) => u.name)).toEqual([
      'Anna Agent (Store A)',
    ]);
    entries = await ccEntries(t.id);
    expect(entries).toHaveLength(2);
    expect(entries[1]!.body).toBe('Removed Tao Technician from the CC list.');
    expect(entries[1]!.zh).toBe('将 Tao Technician 移出抄送。');
  });

  it('refuses people the caller may not hand work to, unknown people, and names the field', async () => {
    const t = await create('Not them');
    // The regional manager is above Store A's agent, and Store B's agent beside her.
    const r = await s.gql(
      SET_CC,
      // The tech twice: the places named are those of the list sent.
      { id: t.id, userIds: [ids.tech, ids.tech, ids['agent.b'], 987654, ids['manager.north']] },
      as('agent.a'),
    );
    expect(r.data!.setTicketCc.__typename).toBe('ValidationError');
    expect(r.data!.setTicketCc.fields).toEqual([
      expect.objectContaining({ path: '/userIds/2', code: 'forbidden' }),
      expect.objectContaining({ path: '/userIds/3', code: 'not_found' }),
      expect.objectContaining({ path: '/userIds/4', code: 'forbidden' }),
    ]);
    // Nothing changed.
    expect((await s.gql(CC, { id: t.id }, as('admin'))).data!.ticket.cc).toEqual([]);
    // An admin (every ticket, everyone) may put the Store B agent on it.
    const ok = await s.gql(SET_CC, { id: t.id, userIds: [ids['agent.b']] }, as('admin'));
    expect(ok.data!.setTicketCc.__typename, JSON.stringify(ok)).toBe('Ticket');
  });

  it('only those who may change the ticket change its list; customers never see it', async () => {
    const t = await create('Hands off');
    const other = await s.gql(SET_CC, { id: t.id, userIds: [ids['agent.b']] }, as('agent.b'));
    expect(other.data!.setTicketCc.__typename).not.toBe('Ticket');
    expect(JSON.stringify(other)).toMatch(/not found|may not/i);
    const customer = await s.gql(SET_CC, { id: t.id, userIds: [] }, as('customer'));
    expect(customer.data?.setTicketCc?.__typename ?? 'refused').not.toBe('Ticket');
    await s.gql(SET_CC, { id: t.id, userIds: [ids.tech] }, as('agent.a'));
    const seen = await s.gql(CC, { id: t.id }, as('customer'));
    expect(seen.data!.ticket.cc).toBeNull();
    expect((await ccEntries(t.id)).every((e) => !e.isPublic)).toBe(true);
  });
});
