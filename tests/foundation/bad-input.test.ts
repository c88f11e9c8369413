import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe(`bad input gets clear errors and writes nothing (${databaseKind()})`, () => {
  let s: TestServer;
  let agent: string;
  const counts = async () =>
    (
      await s.sql<{ n: string }>(
        "select (select count(*) from ticket) || '/' || (select count(*) from ticket_event) || '/' || (select count(*) from customer) as n",
      )
    )[0]!.n;

  beforeAll(async () => {
    s = await startTestServer();
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  const raw = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}`, ...headers },
      body,
    });

  it('malformed GraphQL: a syntax error with its location', async () => {
    const before = await counts();
    const res = await raw(JSON.stringify({ query: 'mutation { createTicket(input: { title: "x" ' }));
    const body = (await res.json()) as any;
    expect(body.errors[0].message).toMatch(/^Syntax Error/);
    expect(body.errors[0].locations[0]).toHaveProperty('column');
    const notJson = await raw('{"query": ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).errors[0].message).toMatch(/JSON/);
    expect(await counts()).toBe(before);
  });

  it('wrong types and unknown enum values name the input field', async () => {
    const before = await counts();
    const op = 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }';
    const title = await s.gql(
      op,
      { i: { templateKey: 'returns', title: 123, formData: validReturn } },
      agent,
    );
    expect(title.errors![0]!.message).toBe(
      'Variable "$i" got invalid value 123 at "i.title"; String cannot represent a non string value: 123',
    );
    const priority = await s.gql(
      op,
      { i: { templateKey: 'returns', title: 't', priority: 'asap', formData: validReturn } },
      agent,
    );
    expect(priority.errors![0]!.message).toMatch(/Value "asap" does not exist in "Priority" enum/);
    expect(await counts()).toBe(before);
  });

  it('form data of the wrong shape: every error with its pointer', async () => {
    const before = await counts();
    const r = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on ValidationError { message fields { path code message } } } }',
      {
        i: {
          templateKey: 'returns',
          title: '',
          formData: { ...validReturn, refundAmount: 'lots', logistics: 'by post' },
        },
      },
      agent,
    );
    const e = r.data!.createTicket;
    expect(e.__typename).toBe('ValidationError');
    expect(e.message).toMatch(/not created/);
    expect(e.fields).toEqual(
      expect.arrayContaining([
        { path: '/title', code: 'required', message: 'A ticket needs a title.' },
        { path: '/formData/refundAmount', code: 'type', message: '"Refund amount" must be a number.' },
        { path: '/formData/logistics', code: 'type', message: '"Logistics information" must be an object.' },
      ]),
    );
    expect(await counts()).toBe(before);
  });

  it('oversized bodies are refused with 413 before anything runs', async () => {
    const before = await counts();
    const huge = JSON.stringify({
      query: 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
      variables: {
        i: {
          templateKey: 'returns',
          title: 'big',
          description: 'x'.repeat(1_100_000),
          formData: validReturn,
        },
      },
    });
    const res = await raw(huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].message).toMatch(/larger than 1000000 bytes/);
    expect(await counts()).toBe(before);
  });

  it('queries that are too deep or use too many aliases are refused', async () => {
    const deep =
      '{ tickets { edges { node { template { published { publishedBy { manager { manager { manager { manager { orgUnit { parent { parent { parent { name } } } } } } } } } } } } } } }';
    const r = await s.gql(deep, {}, agent);
    expect(r.errors?.[0]?.message).toMatch(/depth/i);
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { kind }`).join(' ')} }`;
    const r2 = await s.gql(aliases, {}, agent);
    expect(r2.errors?.[0]?.message).toMatch(/alias/i);
  });

  it('tokens: a bad bearer token is a 401 with a reason; no token means log in first', async () => {
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).errors[0].message).toMatch(/not valid; log in again/);
    const revoked = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer dkt_doesnotexist' },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(revoked.status).toBe(401);
    const anon = await s.gql('mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }', {
      i: { templateKey: 'returns', title: 'x', formData: validReturn },
    });
    expect(anon.errors?.[0]).toMatchObject({
      message: 'Log in first: this needs a session or an API token.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('cookie sessions: cross-site style requests are refused (CSRF), same-origin JSON works', async () => {
    const login = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { login(email: "agent.a@docket.local", password: "docket-demo") { __typename } }',
      }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    const form = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: 'query=mutation%20%7B%20logout%20%7D',
    });
    expect(form.status).toBe(403);
    const foreign = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(foreign.status).toBe(403);
    const ok = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(((await ok.json()) as any).data.me.kind).toBe('user');
  });

  it('a cursor this list never returned is a clear error', async () => {
    const r = await s.gql('{ tickets(after: "garbage") { totalCount } }', {}, agent);
    expect(r.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/cursor/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('template content errors name each field', async () => {
    const admin = await s.login('admin@docket.local');
    const r = await s.gql(
      `mutation { createTemplate(key: "Bad Key", content: { name: "", categoryPath: ["a", "b", "c", "d", "e"], defaultPriority: low,
        numberPattern: "X-{date}-{seq:99}", formSchema: { type: "array" } }) { __typename ... on ValidationError { fields { path code } } } }`,
      {},
      admin,
    );
    expect(r.data!.createTemplate.fields.map((f: any) => f.path).sort()).toEqual(
      ['/categoryPath', '/formSchema/type', '/key', '/name', '/numberPattern'].sort(),
    );
    expect(await s.sql("select 1 from ticket_template where key = 'Bad Key'")).toHaveLength(0);
  });
});
