import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createSlaPolicy, createTicket, orgUnitId, waitFor } from '../sla/sla-fixtures.ts';

/**
 * The desk's "about to breach" and "breached" views (and their counts) list exactly the tickets
 * whose clocks say so, as clocks start, pause, resume, stop and breach: on real time, with a
 * policy whose urgent resolution target is 3 seconds and whose high one is 20 minutes (inside the
 * 30-minute window); normal tickets have 5 hours.
 */
describe(`the desk's SLA views (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let storeA: number;
  let customerId: number;
  let templateId: string;

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
    storeA = await orgUnitId(s, 'Store A');
    customerId = (
      await s.sql<{ id: number }>("select id from customer where email = 'customer@example.com'")
    )[0]!.id;
    const created = await s.gql(
      `mutation { createTemplate(key: "sla-views", content: { name: "SLA views", categoryPath: ["Test", "Views"],
         defaultPriority: normal, numberPattern: "SV-{seq:5}", formSchema: { type: "object" } }) {
         __typename ... on TicketTemplate { id } ... on Error { message } } }`,
      {},
      admin,
    );
    templateId = created.data!.createTemplate.id;
    await s.gql('mutation($id: ID!) { publishTemplate(id: $id) { __typename } }', { id: templateId }, admin);
    await createSlaPolicy(s, admin, {
      name: 'Views (seconds and minutes)',
      position: 0,
      condition: 'ticket.template == "sla-views"',
      targets: {
        resolution: {
          urgent: { amount: 0.05, unit: 'minutes', time: 'calendar' },
          high: { amount: 20, unit: 'minutes', time: 'calendar' },
          normal: { amount: 300, unit: 'minutes', time: 'calendar' },
        },
      },
    });
  });
  afterAll(() => s?.close());

  const ticket = async (priority: 'urgent' | 'high' | 'normal', title: string) =>
    createTicket(s, admin, {
      templateKey: 'sla-views',
      title,
      priority,
      orgUnitId: storeA,
      requesterId: customerId,
      formData: {},
    });
  const setStatus = async (id: string, status: string) => {
    const r = await s.gql(
      `mutation($id: ID!, $status: StatusCategory) { updateTicket(id: $id, status: $status) { __typename } }`,
      { id, status },
      admin,
    );
    expect(r.data!.updateTicket.__typename, JSON.stringify(r)).toBe('Ticket');
  };
  /** The titles each view lists among this suite's tickets, and whether the counts agree with the lists. */
  const views = async () => {
    const LIST = `query($sla: TicketSlaFilter!, $t: [ID!]) {
      mine: tickets(first: 100, filter: { sla: $sla, templateId: $t, status: [new, open, pending, on_hold] }) {
        edges { node { title } } }
      all: tickets(first: 1, filter: { sla: $sla, status: [new, open, pending, on_hold] }) { totalCount }
    }`;
    const [risk, breached, counts] = await Promise.all([
      s.gql(LIST, { sla: 'at_risk', t: [templateId] }, admin),
      s.gql(LIST, { sla: 'breached', t: [templateId] }, admin),
      s.gql('{ deskViewCounts { atRisk breached } }', {}, admin),
    ]);
    const titles = (r: typeof risk) =>
      (r.data!.mine.edges as { node: { title: string } }[]).map((e) => e.node.title).sort();
    expect(counts.data!.deskViewCounts).toEqual({
      atRisk: risk.data!.all.totalCount,
      breached: breached.data!.all.totalCount,
    });
    return { atRisk: titles(risk), breached: titles(breached) };
  };

  it('lists a ticket as about to breach while a running clock falls due within 30 minutes', async () => {
    await ticket('high', 'high soon');
    await ticket('normal', 'normal later');
    const v = await views();
    expect(v.atRisk).toContain('high soon');
    expect(v.atRisk).not.toContain('normal later');
    expect(v.breached).not.toContain('high soon');
    expect(v.breached).not.toContain('normal later');
  });

  it('a pause takes it off the view, a resume puts it back, a stop takes it off for good', async () => {
    const t = await ticket('high', 'high paused');
    expect((await views()).atRisk).toContain('high paused');
    await setStatus(t.id, 'pending');
    expect((await views()).atRisk).not.toContain('high paused');
    await setStatus(t.id, 'open');
    expect((await views()).atRisk).toContain('high paused');
    await setStatus(t.id, 'solved');
    const v = await views();
    expect(v.atRisk).not.toContain('high paused');
    expect(v.breached).not.toContain('high paused');
  });

  it('lists a ticket as breached once its clock runs past the due time, and never one paused before it', async () => {
    const late = await ticket('urgent', 'urgent late');
    const held = await ticket('urgent', 'urgent held');
    await setStatus(held.id, 'pending');
    // Due in 3 s: about to breach until then.
    expect((await views()).atRisk).toContain('urgent late');
    await waitFor('the breach', async () =>
      (await views()).breached.includes('urgent late') ? true : undefined,
    );
    // Marked by the timer too (the clock's state says breached), and still listed.
    await waitFor('the breach mark', async () => {
      const rows = await s.sql<{ n: number }>(
        "select count(*)::int as n from ticket_sla where ticket_id = ? and state->'clocks'->'resolution'->>'breachedAt' is not null",
        [late.id],
      );
      return rows[0]!.n === 1 ? true : undefined;
    });
    let v = await views();
    expect(v.breached).toContain('urgent late');
    expect(v.atRisk).not.toContain('urgent late');
    expect(v.breached).not.toContain('urgent held');
    expect(v.atRisk).not.toContain('urgent held');
    // A breached ticket that is solved leaves the view.
    await setStatus(late.id, 'solved');
    v = await views();
    expect(v.breached).not.toContain('urgent late');
    // The held one, resumed past its due time... its paused clock kept its remaining 3 s.
    await setStatus(held.id, 'open');
    expect((await views()).atRisk).toContain('urgent held');
  });

  it('reads both views from the clocks row, not from its JSON', async () => {
    const rows = await s.sql<{ next_due_at: Date | null; breach_at: Date | null; title: string }>(
      `select s.next_due_at, s.breach_at, t.title from ticket_sla s join ticket t on t.id = s.ticket_id
        where t.template_id = ? order by t.id`,
      [templateId],
    );
    const byTitle = new Map(rows.map((r) => [r.title, r]));
    expect(byTitle.get('normal later')!.next_due_at).not.toBeNull();
    expect(byTitle.get('high paused')!.next_due_at).toBeNull();
    expect(byTitle.get('high paused')!.breach_at).toBeNull();
  });
});
