import { canSeeTicket } from '@docket/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Every query and mutation, for each role and data scope of the example data, plus anonymous
 * requests and two customers. Tickets: TA in Store A, TB in Store B (both North region), TC in
 * Store C (South), TS on the Service desk team, TT in Store C assigned to the technician.
 */
const STAFF = {
  admin: 'admin@docket.local', // all
  owner: 'owner@docket.local', // all, read + templates only
  manager: 'manager.north@docket.local', // org_subtree: North region
  agentA: 'agent.a@docket.local', // org_subtree: Store A
  agentB: 'agent.b@docket.local', // org_subtree: Store B
  service: 'service@docket.local', // team: Service desk
  tech: 'tech@docket.local', // own
} as const;
type Who = keyof typeof STAFF | 'customer1' | 'customer2' | 'anonymous';
const WHO: Who[] = [...(Object.keys(STAFF) as (keyof typeof STAFF)[]), 'customer1', 'customer2', 'anonymous'];
type T = 'TA' | 'TB' | 'TC' | 'TS' | 'TT';
const TICKETS: T[] = ['TA', 'TB', 'TC', 'TS', 'TT'];

const VISIBLE: Record<Who, T[]> = {
  admin: TICKETS,
  owner: TICKETS,
  manager: ['TA', 'TB'],
  agentA: ['TA'],
  agentB: ['TB'],
  service: ['TS'],
  tech: ['TT'],
  customer1: ['TA'],
  customer2: ['TB', 'TC', 'TS', 'TT'],
  anonymous: [],
};
const TICKET_PERMS: Record<string, Who[]> = {
  updateTicket: ['admin', 'manager', 'agentA', 'agentB', 'service', 'tech'],
  assignTicket: ['admin', 'manager', 'agentA', 'agentB', 'service'],
  replyToTicket: ['admin', 'manager', 'agentA', 'agentB', 'service', 'tech', 'customer1', 'customer2'],
  addNote: ['admin', 'manager', 'agentA', 'agentB', 'service', 'tech'],
};

describe(`access matrix (${databaseKind()})`, () => {
  let s: TestServer;
  const token: Partial<Record<Who, string>> = {};
  const ids = {} as Record<T, string>;
  const numbers = {} as Record<T, string>;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    for (const [who, email] of Object.entries(STAFF)) token[who as Who] = await s.login(email);
    await s.sql(
      "insert into customer (name, email, password_hash) select 'Second Customer', 'second@example.com', password_hash from customer where email = 'customer@example.com'",
    );
    token.customer1 = await s.customerLogin('customer@example.com');
    token.customer2 = await s.customerLogin('second@example.com');
    const one = async <R>(q: string) => (await s.sql<Record<string, R>>(q))[0]!;
    const org = async (prefix: string) =>
      (await one<number>(`select id from org_unit where name like '${prefix}%'`)).id;
    const [storeA, storeB, storeC] = [await org('Store A'), await org('Store B'), await org('Store C')];
    const serviceTeam = (await one<number>("select id from team where name = 'Service desk'")).id;
    const techId = (await one<number>("select id from app_user where email = 'tech@docket.local'")).id;
    const c1 = (await one<number>("select id from customer where email = 'customer@example.com'")).id;
    const c2 = (await one<number>("select id from customer where email = 'second@example.com'")).id;
    const specs: Record<T, Record<string, unknown>> = {
      TA: { orgUnitId: storeA, requesterId: c1 },
      TB: { orgUnitId: storeB, requesterId: c2 },
      TC: { orgUnitId: storeC, requesterId: c2 },
      TS: { teamId: serviceTeam, requesterId: c2 },
      TT: { orgUnitId: storeC, assigneeId: techId, requesterId: c2 },
    };
    for (const t of TICKETS) {
      const r = await s.gql(
        'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id number } ... on Error { message } } }',
        { i: { templateKey: 'returns', title: t, formData: validReturn, ...specs[t] } },
        token.admin,
      );
      ids[t] = r.data!.createTicket.id;
      numbers[t] = r.data!.createTicket.number;
      expect(ids[t], JSON.stringify(r)).toBeTruthy();
    }
  });
  afterAll(() => s?.close());

  it.each(WHO)(
    '%s sees exactly its tickets through ticket(id), ticket(number) and the tickets connection',
    async (who) => {
      const tk = token[who];
      const list = await s.gql('{ tickets(first: 100) { totalCount edges { node { title } } } }', {}, tk);
      if (who === 'anonymous') {
        expect(list.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        return;
      }
      expect(list.data!.tickets.edges.map((e: any) => e.node.title).sort()).toEqual([...VISIBLE[who]].sort());
      expect(list.data!.tickets.totalCount).toBe(VISIBLE[who].length);
      for (const t of TICKETS) {
        const byId = await s.gql('query($id: ID!) { ticket(id: $id) { title } }', { id: ids[t] }, tk);
        const byNumber = await s.gql(
          'query($n: String!) { ticket(number: $n) { title } }',
          { n: numbers[t] },
          tk,
        );
        const expected = VISIBLE[who].includes(t) ? { title: t } : null;
        expect(byId.data!.ticket, `${who} ticket(id) ${t}`).toEqual(expected);
        expect(byNumber.data!.ticket, `${who} ticket(number) ${t}`).toEqual(expected);
      }
    },
  );

  it('the SQL scope and the rule in packages/core agree for every staff member and ticket', async () => {
    const rows = await s.sql<any>(
      'select id, creator_user_id, assignee_id, team_id, org_path, requester_id, participant_ids from ticket',
    );
    for (const who of Object.keys(STAFF) as (keyof typeof STAFF)[]) {
      const uid = (await s.sql<{ id: number }>('select id from app_user where email = ?', [STAFF[who]]))[0]!
        .id;
      const p = (await s.app.services.principals.staffById(uid))!;
      const seenByRule = rows
        .filter((r) =>
          canSeeTicket(p, {
            creatorUserId: r.creator_user_id,
            assigneeId: r.assignee_id,
            teamId: r.team_id,
            orgPath: r.org_path,
            requesterId: r.requester_id,
            participantIds: r.participant_ids,
          }),
        )
        .map((r) => String(r.id))
        .sort();
      expect(seenByRule, who).toEqual(VISIBLE[who].map((t) => String(ids[t])).sort());
    }
  });

  it.each(Object.keys(TICKET_PERMS))(
    '%s: permission, then scope, for every principal and ticket',
    async (mutation) => {
      const args =
        mutation === 'updateTicket'
          ? 'description: "checked"'
          : mutation === 'assignTicket'
            ? ''
            : 'body: "checked"';
      for (const who of WHO) {
        for (const t of TICKETS) {
          const r = await s.gql(
            `mutation($id: ID!) { m: ${mutation}(id: $id${args ? `, ${args}` : ''}) { __typename } }`,
            { id: ids[t] },
            token[who],
          );
          const label = `${who} ${mutation} ${t}`;
          if (who === 'anonymous') {
            expect(r.errors?.[0]?.extensions?.code, label).toBe('UNAUTHENTICATED');
            continue;
          }
          const expected = !TICKET_PERMS[mutation]!.includes(who)
            ? 'ForbiddenError'
            : VISIBLE[who].includes(t)
              ? 'Ticket'
              : 'NotFoundError';
          expect(r.data?.m.__typename, `${label}: ${JSON.stringify(r)}`).toBe(expected);
        }
      }
    },
  );

  const VAR_TYPES: Record<string, string> = { k: 'String!', e: 'String!', f: 'JSON' };
  const declare = (op: string) => {
    const used = Object.keys(VAR_TYPES).filter((v) => op.includes(`$${v}`));
    return used.length ? `(${used.map((v) => `$${v}: ${VAR_TYPES[v]}`).join(', ')})` : '';
  };
  const ADMIN_OPS: { name: string; op: string; allowed: Who[] }[] = [
    {
      name: 'createTicket',
      op: 'createTicket(input: { templateKey: "returns", title: "m", formData: $f }) { __typename }',
      allowed: ['admin', 'manager', 'agentA', 'agentB', 'service', 'customer1', 'customer2'],
    },
    {
      name: 'createTemplate',
      op: 'createTemplate(key: $k, content: { name: "T", categoryPath: ["A"], defaultPriority: low, numberPattern: "M-{seq}", formSchema: { type: "object" } }) { __typename }',
      allowed: ['admin', 'owner'],
    },
    { name: 'publishTemplate', op: 'publishTemplate(id: 1) { __typename }', allowed: ['admin', 'owner'] },
    {
      name: 'createTicketStatus',
      op: 'createTicketStatus(name: $k, category: on_hold) { __typename }',
      allowed: ['admin', 'owner'],
    },
    {
      name: 'updateTicketStatus',
      op: 'updateTicketStatus(id: 1, position: 1) { __typename }',
      allowed: ['admin', 'owner'],
    },
    { name: 'createUser', op: 'createUser(email: $e, name: "N") { __typename }', allowed: ['admin'] },
    { name: 'updateUser', op: 'updateUser(id: 1, name: "Ada Admin") { __typename }', allowed: ['admin'] },
    {
      name: 'createRole',
      op: 'createRole(key: $k, name: "R", permissions: [TICKET_READ], dataScope: own) { __typename }',
      allowed: ['admin'],
    },
    { name: 'updateRole', op: 'updateRole(id: 1, name: "Administrator") { __typename }', allowed: ['admin'] },
    {
      name: 'createOrgUnit',
      op: 'createOrgUnit(name: "New store", kind: store, parentId: 1) { __typename }',
      allowed: ['admin'],
    },
    {
      name: 'updateOrgUnit',
      op: 'updateOrgUnit(id: 1, name: "Headquarters") { __typename }',
      allowed: ['admin'],
    },
    { name: 'createTeam', op: 'createTeam(name: $k) { __typename }', allowed: ['admin', 'manager'] },
    {
      name: 'setTeamMembers',
      op: 'setTeamMembers(teamId: 2, members: [{ userId: 7, skills: ["repair"] }]) { __typename }',
      allowed: ['admin', 'manager'],
    },
    {
      name: 'reorderSlaPolicies',
      op: 'reorderSlaPolicies(ids: ["2", "1"]) { __typename }',
      allowed: ['admin'],
    },
    {
      name: 'createApiToken (other user)',
      op: 'createApiToken(name: "x", userId: 1) { __typename }',
      allowed: ['admin'],
    },
    {
      name: 'createApiToken (self)',
      op: 'createApiToken(name: "x") { __typename }',
      allowed: ['admin', 'owner', 'manager', 'agentA', 'agentB', 'service', 'tech'],
    },
  ];
  it.each(ADMIN_OPS)('$name', async ({ name, op, allowed }) => {
    let n = 0;
    for (const who of WHO) {
      n++;
      const r = await s.gql(
        `mutation${declare(op)} { m: ${op} }`,
        {
          k: `k${n}${name.length}-x`.toLowerCase().replace(/[^a-z0-9-]/g, ''),
          e: `u${n}-${name.length}@x.example`,
          f: validReturn,
        },
        token[who],
      );
      const label = `${who} ${name}: ${JSON.stringify(r)}`;
      if (who === 'anonymous') expect(r.errors?.[0]?.extensions?.code, label).toBe('UNAUTHENTICATED');
      else if (allowed.includes(who))
        expect(r.data?.m.__typename, label).not.toMatch(/Forbidden|NotFound|ValidationError/);
      else expect(r.data?.m.__typename, label).toBe('ForbiddenError');
    }
  });

  const QUERIES: { q: string; staffOnly: boolean }[] = [
    { q: '{ users { id } }', staffOnly: true },
    { q: '{ roles { id } }', staffOnly: true },
    { q: '{ orgUnits { id } }', staffOnly: true },
    { q: '{ teams { id } }', staffOnly: true },
    { q: '{ apiTokens { id } }', staffOnly: true },
    { q: '{ ticketStatuses { name } }', staffOnly: true },
    { q: '{ templates { key } }', staffOnly: false },
    { q: '{ template(key: "returns") { key } }', staffOnly: false },
  ];
  it.each(QUERIES)('$q', async ({ q, staffOnly }) => {
    for (const who of WHO) {
      const r = await s.gql(q, {}, token[who]);
      const code = r.errors?.[0]?.extensions?.code;
      if (who === 'anonymous') expect(code, who).toBe('UNAUTHENTICATED');
      else if (staffOnly && who.startsWith('customer')) expect(code, who).toBe('FORBIDDEN');
      else expect(r.errors, `${who}: ${JSON.stringify(r.errors)}`).toBeUndefined();
    }
  });

  it('me answers for everyone, null when anonymous', async () => {
    for (const who of WHO) {
      const r = await s.gql('{ me { kind dataScope } }', {}, token[who]);
      if (who === 'anonymous') expect(r.data!.me).toBeNull();
      else expect(r.data!.me.kind).toBe(who.startsWith('customer') ? 'customer' : 'user');
    }
  });

  it('customers see staff names but not their emails, and no internal notes', async () => {
    const r = await s.gql(
      'query($id: ID!) { ticket(id: $id) { creator { name email } } }',
      { id: ids.TA },
      token.customer1,
    );
    expect(r.data!.ticket.creator).toEqual({ name: 'Ada Admin', email: null });
  });
});
