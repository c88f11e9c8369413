import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_CTI_SECRET,
  EXAMPLE_PARTNER_SECRET,
  plugins as examplePlugins,
} from '../../examples/plugins.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { subscribe } from '../sla/sla-fixtures.ts';
import {
  configure,
  postSigned,
  sendMail,
  smtpSink,
  startChannelServer,
  waitFor,
} from './channel-fixtures.ts';

/**
 * Scenario 6, intake from many channels, end to end with the example pack's plugins: one
 * customer writes by email (and is answered on the same thread), a partner system posts their
 * return, they open a ticket on the portal, and they call: the agent taking the call sees them
 * and their open tickets at once, and the call becomes a ticket with its recording. Every ticket
 * is the same kind of ticket, of the same customer, with the full history in one place.
 */

type Row = Record<string, any>;

describe('scenario 6: one customer through email, a partner webhook, the portal and the phone', () => {
  let s: TestServer & { smtpPort: number };
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let admin: string;
  const ticketsOfCustomer = () =>
    s.sql<Row>(
      `select t.id::text, t.number, t.channel, t.title, t.description from ticket t
        join customer c on c.id = t.requester_id where c.email = 'customer@example.com' order by t.id`,
    );

  beforeAll(async () => {
    s = await startChannelServer(['email', 'webhook', 'cti']);
    sink = await smtpSink();
    const email = examplePlugins.find((p) => p.name === 'email')!.settings;
    await configure(s, 'email', { ...email, smtpPort: sink.port });
    admin = await s.login('admin@docket.local');
  }, 120_000);
  afterAll(async () => {
    await sink?.close();
    await s?.close();
  });

  it('the email enquiry is answered by email on the same thread', async () => {
    const sent = await sendMail(s.smtpPort, {
      from: 'Chen Customer <customer@example.com>',
      to: 'support@docket.local',
      subject: 'How do I return a kettle?',
      text: 'It leaks. What do I do?',
    });
    const [t] = await waitFor('the mail ticket', async () => {
      const r = await ticketsOfCustomer();
      return r.length ? r : undefined;
    });
    await s.gql(
      'mutation($id: ID!, $b: String!) { replyToTicket(id: $id, body: $b) { __typename } }',
      { id: t!.id, b: 'Our partner shop will file the return for you.' },
      admin,
    );
    const answer = await waitFor('the answer by mail', async () => sink.mails[0]);
    expect(answer.inReplyTo).toBe(sent.messageId);
    expect(answer.subject).toBe(`Re: How do I return a kettle? [#${t!.number}]`);
  });

  it("the partner's system files the return through its webhook", async () => {
    const r = await postSigned(`${s.url}/channels/webhook/in/acme`, EXAMPLE_PARTNER_SECRET, {
      orderId: 'A-77',
      subject: 'Return: kettle KT-200',
      customer: { email: 'customer@example.com', name: 'Chen Customer' },
      return: {
        reason: 'defective',
        model: 'KT-200',
        purchasedOn: '2026-11-01',
        logistics: { carrier: 'SF Express', trackingNumber: 'SF7654321' },
      },
    });
    expect(r.status).toBe(202);
  });

  it('the customer opens a ticket on the portal', async () => {
    const token = await s.customerLogin('customer@example.com');
    const r = await s.gql(
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id channel } } }`,
      {
        i: {
          templateKey: 'product-b-issue',
          title: 'Display question',
          formData: { question: 'How do I dim the display?' },
        },
      },
      token,
    );
    expect(r.data!.createTicket.__typename).toBe('Ticket');
  });

  it('a call: the agent sees the caller and their open tickets, and the call becomes a ticket with its recording', async () => {
    const ringing = await subscribe(
      s,
      admin,
      'subscription { callerRinging { phone customerName openTickets { number status } data } }',
      {},
    );
    expect(ringing.status).toBe(200);
    const cti = `${s.url}/channels/cti/calls`;
    const started = await postSigned(`${cti}/started`, EXAMPLE_CTI_SECRET, {
      callId: 'call-9001',
      caller: '+86 138 0000 0001',
      agentEmail: 'admin@docket.local',
    });
    expect(started).toEqual({ status: 200, body: { ok: true } });
    const event = (await ringing.next()).data!.callerRinging;
    ringing.close();
    const open = await ticketsOfCustomer();
    expect(event).toMatchObject({
      phone: '+8613800000001',
      customerName: 'Chen Customer',
      data: { callId: 'call-9001' },
    });
    expect(event.openTickets.map((t: Row) => t.number).sort()).toEqual(open.map((t) => t.number).sort());
    expect(open).toHaveLength(3);

    const forged = await postSigned(`${cti}/ended`, 'wrong', {
      callId: 'call-9001',
      caller: '+8613800000001',
    });
    expect(forged.status).toBe(401);
    const ended = await postSigned(`${cti}/ended`, EXAMPLE_CTI_SECRET, {
      callId: 'call-9001',
      caller: '+8613800000001',
      agentEmail: 'admin@docket.local',
      recordingUrl: 'https://pbx.example.com/rec/call-9001.mp3',
      durationSeconds: 184,
      summary: 'Kettle base leaks; wants a repair visit.',
      createTicket: { title: 'Repair visit for the kettle', formData: { serviceCategory: 'repair' } },
    });
    expect(ended).toEqual({ status: 201, body: { ok: true } });
    const all = await ticketsOfCustomer();
    const call = all.find((t) => t.channel === 'cti.calls')!;
    expect(call.title).toBe('Repair visit for the kettle');
    expect(call.description).toContain('Recording: https://pbx.example.com/rec/call-9001.mp3');
    const [form] = await s.sql<Row>('select form_data from ticket where id = ?', [call.id]);
    expect(form!.form_data).toEqual({
      callerNumber: '+8613800000001',
      serviceCategory: 'repair',
      details: 'Kettle base leaks; wants a repair visit.',
    });
  });

  it('all four are the same customer, seen with the full history across channels', async () => {
    const all = await ticketsOfCustomer();
    expect(all.map((t) => t.channel)).toEqual(['email.mail', 'webhook.in', expect.any(String), 'cti.calls']);
    const customers = await s.sql<Row>(
      "select id from customer where email = 'customer@example.com' or phone = '+8613800000001'",
    );
    expect(customers).toHaveLength(1);
    const r = await s.gql(
      `query($c: ID!) { tickets(first: 20, filter: { requesterId: $c }) { edges { node { number channel } } } }`,
      { c: customers[0]!.id },
      admin,
    );
    expect(r.data!.tickets.edges.map((e: Row) => e.node.number).sort()).toEqual(
      all.map((t) => t.number).sort(),
    );
    const mine = await s.gql(
      '{ tickets(first: 20) { edges { node { number } } } }',
      {},
      await s.customerLogin('customer@example.com'),
    );
    expect(mine.data!.tickets.edges).toHaveLength(4);
  });
});
