import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** NODE_ENV=production: no anonymous introspection or GraphiQL; bounded ticket writes answer busy. */

describe(`production mode and busy writes (${databaseKind()})`, () => {
  let s: TestServer;
  let agent: string;

  beforeAll(async () => {
    s = await startTestServer({
      workflows: false,
      env: {
        NODE_ENV: 'production',
        DOCKET_SECRET_KEY: 'ab'.repeat(32),
        DOCKET_WRITE_QUEUE: '2',
        DOCKET_WRITE_STATEMENTS: '1',
        DOCKET_WRITE_BATCH: '1',
        DOCKET_WRITE_TIMEOUT_MS: '300',
      },
    });
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  it('anonymous callers get no introspection and no GraphiQL; signed-in ones do', async () => {
    const query = '{ __schema { queryType { name } } }';
    const anonymous = await s.gql(query);
    expect(anonymous.errors![0]!.extensions).toMatchObject({ code: 'INTROSPECTION_DISABLED' });
    expect((await s.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    const staff = await s.gql(query, {}, agent);
    expect(staff.data!.__schema.queryType.name).toBe('Query');
    const page = await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('a full write queue answers a retryable SERVER_BUSY, and what it refused is not written', async () => {
    const before = Number((await s.sql<{ n: string }>('select count(*) as n from ticket'))[0]!.n);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.gql(
          'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
          { i: { templateKey: 'returns', title: `busy ${i}`, formData: validReturn } },
          agent,
        ),
      ),
    );
    const busy = answers.filter((a) => a.errors?.[0]?.extensions?.code === 'SERVER_BUSY');
    const created = answers.filter((a) => a.data?.createTicket?.__typename === 'Ticket');
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.errors![0]!.extensions).toMatchObject({ isRetryable: true });
    expect(busy.length + created.length).toBe(30);
    const after = Number((await s.sql<{ n: string }>('select count(*) as n from ticket'))[0]!.n);
    expect(after - before).toBe(created.length);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'a shared insert stuck behind a lock is cancelled within its timeout, retryable, nothing written',
    async () => {
      const pg = (await import('pg')).default;
      const locker = new pg.Client({ connectionString: s.db.url });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table ticket in exclusive mode');
        const t0 = performance.now();
        const r = await s.gql(
          'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
          { i: { templateKey: 'returns', title: 'stuck', formData: validReturn } },
          agent,
        );
        expect(performance.now() - t0).toBeLessThan(3_000);
        expect(r.errors![0]!.extensions).toMatchObject({ code: 'SERVER_BUSY', isRetryable: true });
      } finally {
        await locker.query('rollback');
        await locker.end();
      }
      expect(await s.sql("select 1 from ticket where title = 'stuck'")).toEqual([]);
    },
  );
});
