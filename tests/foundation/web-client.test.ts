import { parse } from '@0no-co/graphql.web';
import type { TadaDocumentNode } from 'gql.tada';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureClient,
  GraphQLRequestError,
  onUnauthenticated,
  request,
  subscribe,
} from '../../designer/src/graphql/client.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createTicket, orgUnitId, userId } from '../sla/sla-fixtures.ts';

// The web app's own GraphQL client (designer/src/graphql/client.ts) against the real server.
const doc = (text: string) => parse(text) as unknown as TadaDocumentNode<any, any>;

describe("the web app's GraphQL client", () => {
  let s: TestServer;
  let agent: string;

  beforeAll(async () => {
    s = await startTestServer();
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  const as = (token: string) =>
    configureClient({ endpoint: `${s.url}/graphql`, headers: { authorization: `Bearer ${token}` } });

  it('gives the data of a query, and the server’s refusals as errors with their code', async () => {
    as(agent);
    expect(await request(doc('{ me { kind user { email } } }'), {})).toEqual({
      me: { kind: 'user', user: { email: 'agent.a@docket.local' } },
    });
    const refused = await request(doc('{ workflows { key } }'), {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GraphQLRequestError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', status: 200 });
    expect((refused as GraphQLRequestError).errors[0]?.extensions?.permission).toBe('workflow.manage');
  });

  it('tells the app when the session is no longer accepted, and when the server cannot be reached', async () => {
    let told = 0;
    const stop = onUnauthenticated(() => told++);
    as('not-a-token');
    await expect(request(doc('{ me { kind } }'), {})).rejects.toMatchObject({ status: 401 });
    expect(told).toBe(1);
    stop();

    configureClient({ endpoint: 'http://127.0.0.1:9/graphql' });
    await expect(request(doc('{ me { kind } }'), {})).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('subscribes over server-sent events: the clocks now, then again when a reply meets one', async () => {
    as(agent);
    const ticket = await createTicket(s, agent, {
      templateKey: 'product-b-issue',
      title: 'How do I reset B?',
      orgUnitId: await orgUnitId(s, 'Store A'),
      assigneeId: await userId(s, 'agent.a@docket.local'),
      formData: { question: 'The reset button does nothing' },
    });
    type Clock = { metric: string; status: string };
    const received: Clock[][] = [];
    let failure: GraphQLRequestError | undefined;
    const subscription = subscribe(
      doc('subscription($id: ID!) { ticketSlaChanged(ticketId: $id) { metric status } }'),
      { id: ticket.id },
      {
        onNext: (data: { ticketSlaChanged: Clock[] }) => received.push(data.ticketSlaChanged),
        onError: (e) => {
          failure = e;
        },
      },
    );
    const firstResponse = (clocks: Clock[] | undefined) => clocks?.find((c) => c.metric === 'first_response');
    const waitUntil = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check() && !failure; i++) await new Promise((r) => setTimeout(r, 50));
      expect(failure).toBeUndefined();
      expect(check()).toBe(true);
    };
    try {
      await waitUntil(() => received.length >= 1);
      expect(firstResponse(received[0])?.status).toBe('running');

      const reply = await s.gql(
        'mutation($id: ID!) { replyToTicket(id: $id, body: "Hold it for five seconds.") { __typename } }',
        { id: ticket.id },
        agent,
      );
      expect(reply.data?.replyToTicket.__typename).toBe('Ticket');
      await waitUntil(() => received.some((clocks) => firstResponse(clocks)?.status === 'met'));
    } finally {
      subscription.unsubscribe();
    }
  });
  it('carries several subscriptions on one stream: one stops alone, and all come back after the stream drops', async () => {
    as(agent);
    const ticket = await createTicket(s, agent, {
      templateKey: 'product-b-issue',
      title: 'Two subscriptions, one stream',
      orgUnitId: await orgUnitId(s, 'Store A'),
      assigneeId: await userId(s, 'agent.a@docket.local'),
      formData: { question: 'Does the stream come back?' },
    });
    const clocks: unknown[] = [];
    const feed: string[] = [];
    const other: unknown[] = [];
    let reconnecting = 0;
    const failures: GraphQLRequestError[] = [];
    const onError = (e: GraphQLRequestError) => failures.push(e);
    const subscriptions = [
      subscribe(
        doc('subscription($id: ID!) { ticketSlaChanged(ticketId: $id) { metric status } }'),
        { id: ticket.id },
        { onNext: (d) => clocks.push(d), onError, onReconnecting: () => reconnecting++ },
      ),
      subscribe(
        doc('subscription { ticketFeed { ticketId } }'),
        {},
        { onNext: (d: { ticketFeed: { ticketId: string } }) => feed.push(d.ticketFeed.ticketId), onError },
      ),
    ];
    const stopped = subscribe(
      doc('subscription { ticketFeed { ticketId } }'),
      {},
      {
        onNext: (d) => other.push(d),
        onError,
      },
    );
    const waitUntil = async (what: string, check: () => boolean) => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(failures).toEqual([]);
      expect(check(), what).toBe(true);
    };
    try {
      await waitUntil('the clocks', () => clocks.length >= 1);
      stopped.unsubscribe();
      await s.gql(
        'mutation($id: ID!) { replyToTicket(id: $id, body: "One") { __typename } }',
        { id: ticket.id },
        agent,
      );
      await waitUntil('the reply on the feed', () => feed.includes(ticket.id));
      expect(other).toEqual([]);

      // The server goes away and comes back: the stream is reserved again and both start anew.
      const heard = clocks.length;
      await s.restartApp();
      await waitUntil('the reconnection', () => reconnecting >= 1 && clocks.length > heard);
      feed.length = 0;
      await s.gql(
        'mutation($id: ID!) { replyToTicket(id: $id, body: "Two") { __typename } }',
        { id: ticket.id },
        agent,
      );
      await waitUntil('the feed after the restart', () => feed.includes(ticket.id));
    } finally {
      for (const subscription of subscriptions) subscription.unsubscribe();
    }
  });
});
