import { createServer, type Server } from 'node:http';
import { type App, buildApp } from '@docket/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../server/src/config.ts';
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
});
