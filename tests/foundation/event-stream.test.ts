import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventStream } from '../helpers/event-stream.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createTicket, orgUnitId, userId } from '../sla/sla-fixtures.ts';

type Message = { event: string; id: string; payload?: { data?: any; errors?: any[] } };

/**
 * One event stream carrying several subscriptions (graphql-sse's single connection mode at
 * /graphql/stream): PUT reserves it, GET opens it, each POSTed operation's results come back
 * tagged with its id, DELETE stops one operation and leaves the others running.
 */
describe('one event stream for many subscriptions', () => {
  let s: TestServer;
  let agent: string;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  const streamUrl = () => `${s.url}/graphql/stream`;
  const auth = (token: string | undefined): Record<string, string> =>
    token ? { authorization: `Bearer ${token}` } : {};

  /** Reserves and opens a stream as `token`; collects what it hears. */
  async function openStream(token: string | undefined) {
    const put = await fetch(streamUrl(), { method: 'PUT', headers: auth(token) });
    expect(put.status).toBe(201);
    const streamToken = await put.text();
    const abort = new AbortController();
    const res = await fetch(streamUrl(), {
      headers: { ...auth(token), accept: 'text/event-stream', 'x-graphql-event-stream-token': streamToken },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const heard: Message[] = [];
    let isClosed = false;
    void readEventStream(res.body, ({ event, data }) => {
      if (event) heard.push({ event, ...JSON.parse(data) });
    }).finally(() => {
      isClosed = true;
    });
    const headers = { ...auth(token), 'x-graphql-event-stream-token': streamToken };
    return {
      streamToken,
      heard,
      isClosed: () => isClosed,
      of: (id: string) => heard.filter((m) => m.id === id),
      start: async (id: string, query: string, variables: Record<string, unknown> = {}, as = token) => {
        const r = await fetch(streamUrl(), {
          method: 'POST',
          headers: {
            ...auth(as),
            'x-graphql-event-stream-token': streamToken,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ query, variables, extensions: { operationId: id } }),
        });
        return r.status;
      },
      stop: async (id: string) =>
        (await fetch(`${streamUrl()}?operationId=${id}`, { method: 'DELETE', headers })).status,
      close: () => abort.abort(),
    };
  }

  const until = async (what: string, check: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`waited in vain for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const newTicket = async (title: string) =>
    createTicket(s, agent, {
      templateKey: 'product-b-issue',
      title,
      orgUnitId: await orgUnitId(s, 'Store A'),
      assigneeId: await userId(s, 'agent.a@docket.local'),
      formData: { question: title },
    });
  const reply = (id: string) =>
    s.gql('mutation($id: ID!) { replyToTicket(id: $id, body: "On it.") { __typename } }', { id }, agent);
  const clocksOf = (m: Message) =>
    (m.payload?.data?.ticketSlaChanged ?? []) as { metric: string; status: string }[];
  const firstResponse = (m: Message | undefined) =>
    m && clocksOf(m).find((c) => c.metric === 'first_response')?.status;

  it('routes each result to its operation, and stopping one leaves the others running', async () => {
    const a = await newTicket('Ticket A of the stream test');
    const b = await newTicket('Ticket B of the stream test');
    const stream = await openStream(agent);
    try {
      const clocks = 'subscription($id: ID!) { ticketSlaChanged(ticketId: $id) { metric status } }';
      expect(await stream.start('clocks-a', clocks, { id: a.id })).toBe(202);
      expect(await stream.start('clocks-b', clocks, { id: b.id })).toBe(202);
      expect(await stream.start('feed', 'subscription { ticketFeed { kind ticketId } }')).toBe(202);
      // An id already running is refused; the running one carries on.
      expect(await stream.start('feed', 'subscription { ticketFeed { kind ticketId } }')).toBe(409);
      await until('the clocks of both tickets', () =>
        ['clocks-a', 'clocks-b'].every((id) => stream.of(id).length >= 1),
      );
      expect(firstResponse(stream.of('clocks-a')[0])).toBe('running');
      expect(firstResponse(stream.of('clocks-b')[0])).toBe('running');

      expect((await reply(a.id)).data?.replyToTicket.__typename).toBe('Ticket');
      await until('ticket A met on its own operation', () =>
        stream.of('clocks-a').some((m) => firstResponse(m) === 'met'),
      );
      await until('ticket A on the feed', () =>
        stream.of('feed').some((m) => m.payload?.data?.ticketFeed.ticketId === a.id),
      );
      // Nothing of A reached B's operation.
      expect(stream.of('clocks-b').every((m) => firstResponse(m) === 'running')).toBe(true);

      expect(await stream.stop('clocks-b')).toBe(200);
      const heardOfB = stream.of('clocks-b').length;
      expect((await reply(b.id)).data?.replyToTicket.__typename).toBe('Ticket');
      await until('ticket B on the feed', () =>
        stream.of('feed').some((m) => m.payload?.data?.ticketFeed.ticketId === b.id),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(stream.of('clocks-b').length).toBe(heardOfB);
      expect(stream.isClosed()).toBe(false);
      // Every event names an operation of this stream.
      expect(new Set(stream.heard.map((m) => m.id))).toEqual(new Set(['clocks-a', 'clocks-b', 'feed']));
    } finally {
      stream.close();
    }
  });

  it('refuses an operation the caller may not run, and streams of others or without credentials', async () => {
    const customer = await s.customerLogin('customer@example.com');
    const stream = await openStream(customer);
    try {
      expect(await stream.start('feed', 'subscription { ticketFeed { ticketId } }')).toBe(202);
      // Calls ringing are for staff: the operation ends with the refusal, the stream stays open.
      expect(await stream.start('calls', 'subscription { callerRinging { phone } }')).toBe(202);
      await until('the refusal', () => stream.of('calls').some((m) => m.event === 'complete'));
      const [refusal] = stream.of('calls');
      expect(refusal?.event).toBe('next');
      expect(refusal?.payload?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(stream.isClosed()).toBe(false);
      expect(stream.of('feed')).toEqual([]);

      // Someone else, or nobody, cannot post to (or open) this stream; a wrong token is refused.
      expect(await stream.start('spy', 'subscription { ticketFeed { ticketId } }', {}, agent)).toBe(404);
      const anonymous = await fetch(`${s.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'x-graphql-event-stream-token': stream.streamToken, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'subscription { ticketFeed { ticketId } }',
          extensions: { operationId: 'x' },
        }),
      });
      expect(anonymous.status).toBe(404);
      const forged = await fetch(`${s.url}/graphql/stream`, { method: 'PUT', headers: auth('not-a-token') });
      expect(forged.status).toBe(401);
      expect(
        ((await forged.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ).toBe('UNAUTHENTICATED');
    } finally {
      stream.close();
    }
  });

  it('ends the operations of a session that logs out while its stream is open', async () => {
    const token = await s.login('agent.a@docket.local');
    const stream = await openStream(token);
    try {
      expect(await stream.start('feed', 'subscription { ticketFeed { ticketId } }')).toBe(202);
      expect((await s.gql('mutation { logout }', {}, token)).data?.logout).toBe(true);
      await until('the end of the feed', () => stream.of('feed').some((m) => m.event === 'complete'), 15_000);
      expect(stream.of('feed')[0]?.payload?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await until('the stream to close', () => stream.isClosed());
    } finally {
      stream.close();
    }
  });

  it('keeps the one-stream-per-request path of /graphql', async () => {
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { ...auth(agent), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ticketFeed { ticketId } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    await res.body?.cancel();
  });
});
