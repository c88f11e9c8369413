import { createServer, type Server } from 'node:http';
import { type App, buildApp } from '@docket/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../server/src/config.ts';
import { readEventStream } from '../helpers/event-stream.ts';
import { validReturn } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { subscribe } from '../sla/sla-fixtures.ts';

/**
 * Two servers on one PostgreSQL with REDIS_URL: a subscription on the first hears what the second
 * publishes. Needs TEST_DATABASE_URL and Redis (REDIS_URL, default redis://127.0.0.1:6379).
 */
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.skipIf(!process.env.TEST_DATABASE_URL)('pub/sub across servers through Redis', () => {
  let s: TestServer;
  let second: App;
  let server: Server;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false, env: { REDIS_URL: redisUrl } });
    second = await buildApp(s.db, {
      ...readConfig({ ...process.env, REDIS_URL: redisUrl }),
      timeZone: 'Asia/Shanghai',
    });
    server = createServer(second.callback);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    server?.close();
    await second?.close();
    await s?.close();
  });

  it("a subscriber on server 1 hears a ticket's clocks change on server 2", async () => {
    const admin = await s.login('admin@docket.local');
    const created = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } } }',
      { i: { templateKey: 'returns', title: 'across', formData: validReturn } },
      admin,
    );
    const id = created.data!.createTicket.id as string;
    const feed = await subscribe(
      s,
      admin,
      'subscription($id: ID!) { ticketSlaChanged(ticketId: $id) { metric } }',
      {
        id,
      },
    );
    try {
      expect((await feed.next()).data.ticketSlaChanged).toEqual(expect.any(Array));
      // Server 2 publishes, as its SLA service does after a change commits.
      second.services.sla.pubsub.publish('ticketSlaChanged', id, { ticketId: id });
      const heard = await feed.next(5_000);
      expect(heard.data.ticketSlaChanged).toEqual(expect.any(Array));
    } finally {
      feed.close();
    }
  });
  it("an operation POSTed to server 2 for a browser's event stream on server 1 runs there, and DELETE on server 2 stops it", async () => {
    const admin = await s.login('admin@docket.local');
    const secondUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const auth = { authorization: `Bearer ${admin}` };
    const put = await fetch(`${s.url}/graphql/stream`, { method: 'PUT', headers: auth });
    const token = await put.text();
    const abort = new AbortController();
    const stream = await fetch(`${s.url}/graphql/stream`, {
      headers: { ...auth, accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    const heard: { event: string; id: string; payload?: any }[] = [];
    void readEventStream(stream.body, ({ event, data }) => {
      if (event) heard.push({ event, ...JSON.parse(data) });
    });
    const created = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } } }',
      { i: { templateKey: 'returns', title: 'across, one stream', formData: validReturn } },
      admin,
    );
    const id = created.data!.createTicket.id as string;
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(check()).toBe(true);
    };
    try {
      const started = await fetch(`${secondUrl}/graphql/stream`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
        body: JSON.stringify({
          query: 'subscription($id: ID!) { ticketSlaChanged(ticketId: $id) { metric } }',
          variables: { id },
          extensions: { operationId: 'clocks' },
        }),
      });
      expect(started.status).toBe(202);
      await until(() => heard.some((m) => m.id === 'clocks' && m.event === 'next'));
      const stopped = await fetch(`${secondUrl}/graphql/stream?operationId=clocks`, {
        method: 'DELETE',
        headers: { ...auth, 'x-graphql-event-stream-token': token },
      });
      expect(stopped.status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      const count = heard.length;
      second.services.sla.pubsub.publish('ticketSlaChanged', id, { ticketId: id });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(heard.length).toBe(count);
    } finally {
      abort.abort();
    }
  });
});
