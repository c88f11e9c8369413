import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_PARTNER_SECRET, plugins as examplePlugins } from '../../examples/plugins.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { configure, postSigned, receiver, sign, startChannelServer, waitFor } from './channel-fixtures.ts';

/**
 * A partner system's webhook: signed JSON with a timestamp becomes a returns ticket through the
 * admin's mapping; a forged, stale or replayed request is refused; a payload the mapping cannot
 * fill is refused naming the field and kept, and goes through on retry once the mapping is fixed;
 * an agent's reply reaches the partner's callback signed, with one idempotency key however many
 * tries it takes.
 */

type Row = Record<string, any>;

describe('the partner webhook channel', () => {
  let s: TestServer & { smtpPort: number };
  let partner: Awaited<ReturnType<typeof receiver>>;
  let url: string;
  let admin: string;
  const base = examplePlugins.find((p) => p.name === 'webhook')!.settings as { partners: Row[] };
  const settingsWith = (changes: Row) => ({
    ...base,
    partners: [{ ...base.partners[0], callbackUrl: `${partner.origin}/docket/replies`, ...changes }],
  });
  const order = (id: string, extra: Row = {}) => ({
    orderId: id,
    subject: `Return for order ${id}`,
    customer: { email: 'customer@example.com', name: 'Chen Customer' },
    return: {
      reason: 'defective',
      model: 'KT-200',
      purchasedOn: '2026-11-01',
      logistics: { carrier: 'SF Express', trackingNumber: 'SF1234567' },
    },
    ...extra,
  });
  const ticketOf = async (thread: string) =>
    (
      await s.sql<Row>(
        `select t.id::text, t.number, t.title, t.form_data, c.email from plugin_thread p join ticket t on t.id = p.ticket_id
          join customer c on c.id = t.requester_id where p.channel = 'webhook.in' and p.thread_key = ?`,
        [thread],
      )
    )[0];

  beforeAll(async () => {
    s = await startChannelServer(['webhook']);
    partner = await receiver();
    await configure(s, 'webhook', settingsWith({}));
    url = `${s.url}/channels/webhook/in/acme`;
    admin = await s.login('admin@docket.local');
  }, 120_000);
  afterAll(async () => {
    await partner?.close();
    await s?.close();
  });

  it('a signed order becomes a returns ticket for the customer, mapped field by field', async () => {
    const r = await postSigned(url, EXAMPLE_PARTNER_SECRET, order('A-1001'));
    expect(r).toEqual({ status: 202, body: { accepted: true } });
    const t = await ticketOf('acme:A-1001');
    expect(t).toMatchObject({ title: 'Return for order A-1001', email: 'customer@example.com' });
    expect(t!.form_data).toEqual({
      returnReason: 'defective',
      productModel: 'KT-200',
      purchaseDate: '2026-11-01',
      logistics: { carrier: 'SF Express', trackingNumber: 'SF1234567' },
    });
  });

  it('forged, stale, replayed and unsigned requests are refused', async () => {
    const forged = await postSigned(url, 'not-the-secret', order('A-2001'));
    expect(forged).toEqual({ status: 401, body: { error: 'the signature does not match' } });
    const stale = await postSigned(url, EXAMPLE_PARTNER_SECRET, order('A-2002'), {
      ts: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatch(/too old/);
    const body = JSON.stringify(order('A-2003'));
    const ts = String(Math.floor(Date.now() / 1000));
    const send = () =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-docket-timestamp': ts,
          'x-docket-signature': sign(EXAMPLE_PARTNER_SECRET, ts, body),
        },
        body,
      });
    expect((await send()).status).toBe(202);
    const replay = await send();
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: 'this request was received already (a replay)' });
    const unsigned = await fetch(url, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    const stranger = await postSigned(`${s.url}/channels/webhook/in/nobody`, 'x', order('A-2004'));
    expect(stranger.status).toBe(404);
    for (const id of ['A-2001', 'A-2002', 'A-2004']) expect(await ticketOf(`acme:${id}`)).toBeUndefined();
    expect(await ticketOf('acme:A-2003')).toBeDefined();
  });

  it('a payload the mapping cannot fill is refused naming the field, kept, and retried once the mapping is fixed', async () => {
    const payload = order('A-3001');
    const { model: _gone, ...rest } = payload.return;
    const odd = { ...payload, return: { ...rest, sku: 'KT-300' } };
    const r = await postSigned(url, EXAMPLE_PARTNER_SECRET, odd);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      error: 'the payload has nothing at /return/model for the form field "productModel"',
      field: 'productModel',
    });
    expect(await ticketOf('acme:A-3001')).toBeUndefined();
    const kept = await s.sql<Row>(
      "select key, value from plugin_kv where plugin = 'webhook' and key like 'failed:%'",
    );
    expect(kept.map((k) => k.key)).toEqual([`failed:acme:${r.body.retryId}`]);
    expect(kept[0]!.value).toEqual(odd);

    await configure(
      s,
      'webhook',
      settingsWith({ mapping: { ...base.partners[0]!.mapping, productModel: '/return/sku' } }),
    );
    const retried = await postSigned(`${url}/retry/${r.body.retryId}`, EXAMPLE_PARTNER_SECRET, {});
    expect(retried.status).toBe(202);
    expect((await ticketOf('acme:A-3001'))!.form_data.productModel).toBe('KT-300');
    expect(await s.sql("select key from plugin_kv where plugin = 'webhook' and key like 'failed:%'")).toEqual(
      [],
    );
  });

  it("an agent's reply reaches the partner's callback, signed, retried with the same idempotency key", async () => {
    let calls = 0;
    partner.answer(() =>
      ++calls < 3 ? { status: 500, json: { error: 'busy' } } : { status: 200, json: {} },
    );
    const t = await ticketOf('acme:A-1001');
    const r = await s.gql(
      'mutation($id: ID!, $b: String!) { replyToTicket(id: $id, body: $b) { __typename } }',
      { id: t!.id, b: 'We will pick the kettle up tomorrow.' },
      admin,
    );
    expect(r.data!.replyToTicket.__typename).toBe('Ticket');
    await waitFor(
      'the reply sent mark',
      async () =>
        (
          await s.sql<Row>("select 1 from ticket_event where ticket_id = ? and kind = 'channel.sent'", [
            t!.id,
          ])
        )[0],
      30_000,
    );
    const got = partner.requests.filter((q) => q.url === '/docket/replies');
    expect(got).toHaveLength(3);
    const keys = new Set(got.map((q) => q.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    for (const q of got) {
      const ts = String(q.headers['x-docket-timestamp']);
      expect(q.headers['x-docket-signature']).toBe(sign(EXAMPLE_PARTNER_SECRET, ts, q.body));
    }
    expect(JSON.parse(got[2]!.body)).toEqual({
      event: 'ticket.reply',
      id: 'A-1001',
      ticket: { number: t!.number, status: 'open' },
      reply: { text: 'We will pick the kettle up tomorrow.', author: 'Ada Admin' },
    });
    // The tries were spaced out (backoff), not fired at once.
    expect(got[2]!.at - got[0]!.at).toBeGreaterThan(2_000);
  }, 60_000);

  it("the partner's follow-up on the same order is the customer's reply on the ticket", async () => {
    const r = await postSigned(
      url,
      EXAMPLE_PARTNER_SECRET,
      order('A-1001', { message: 'Tomorrow after 2pm is fine.' }),
    );
    expect(r.status).toBe(202);
    const t = await ticketOf('acme:A-1001');
    const [reply] = await s.sql<Row>(
      "select actor_kind, body from ticket_event where ticket_id = ? and kind = 'reply' and actor_kind = 'customer'",
      [t!.id],
    );
    expect(reply).toEqual({ actor_kind: 'customer', body: 'Tomorrow after 2pm is fine.' });
  });
});
