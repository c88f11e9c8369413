import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { __typename ... on Ticket { id number requester { id } } ... on Error { message } }
}`;
const UPDATE = `mutation($id: ID!, $status: StatusCategory) {
  updateTicket(id: $id, status: $status) { __typename ... on Ticket { status } ... on Error { message } }
}`;
const SET_POLICY = `mutation($input: CsatPolicyInput!) {
  setCsatPolicy(input: $input) {
    __typename
    ... on CsatPolicy { isEnabled scale onBad afterStep expiresInHours }
    ... on ValidationError { fields { path code message } }
    ... on NotFoundError { path message }
    ... on ForbiddenError { permission message }
  }
}`;
const TICKET = `query($id: ID!) {
  ticket(id: $id) { status ratings { reason scale score isBad comment ratedAt } timeline { kind body channel diff } }
}`;
const RATE = `mutation($token: String!, $score: Int!, $comment: String) {
  rateTicket(token: $token, score: $score, comment: $comment) {
    __typename ... on CsatRating { score isBad comment } ... on ValidationError { fields { path code message } }
  }
}`;

describe(`satisfaction ratings through signed links (${databaseKind()})`, () => {
  let s: TestServer;
  let agentA: string;
  let admin: string;
  let storeA: number;
  let agentAId: number;

  /** A ticket of agent A's with a requester, solved: returns its id and the token of the link it sent. */
  async function solvedTicket(title: string): Promise<{ id: string; token: string; customerId: number }> {
    const created = await s.gql(
      CREATE,
      {
        input: {
          templateKey: 'returns',
          title,
          channel: 'phone',
          orgUnitId: storeA,
          assigneeId: agentAId,
          formData: validReturn,
          requester: { name: 'Li Lei', email: `li.lei+${title.length}@example.com` },
        },
      },
      agentA,
    );
    const t = created.data!.createTicket;
    expect(t.__typename).toBe('Ticket');
    const solved = await s.gql(UPDATE, { id: t.id, status: 'solved' }, agentA);
    expect(solved.data!.updateTicket.status).toBe('solved');
    const notice = await s.sql<{ body: string; customer_id: number }>(
      "select body, customer_id from notification where ticket_id = ? and idempotency_key like 'csat:%'",
      [t.id],
    );
    expect(notice).toHaveLength(1);
    const token = /\/rate\/([^\s]+)/.exec(notice[0]!.body)![1]!;
    return { id: t.id, token, customerId: notice[0]!.customer_id };
  }

  const ratePage = (token: string, init?: RequestInit & { lang?: string }) =>
    fetch(`${s.url}/rate/${token}${init?.lang ? `?lang=${init.lang}` : ''}`, init);
  const postRating = (token: string, form: Record<string, string>) =>
    ratePage(token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const eventCount = async (id: string) =>
    Number(
      (await s.sql<{ n: string }>('select count(*) as n from ticket_event where ticket_id = ?', [id]))[0]!.n,
    );

  beforeAll(async () => {
    s = await startTestServer({ workflows: false, env: { DOCKET_PUBLIC_URL: 'https://help.example.com/' } });
    agentA = await s.login('agent.a@docket.local');
    admin = await s.login('admin@docket.local');
    storeA = (await s.sql<{ id: number }>("select id from org_unit where name like 'Store A%'"))[0]!.id;
    agentAId = (
      await s.sql<{ id: number }>("select id from app_user where email = 'agent.a@docket.local'")
    )[0]!.id;
  });
  afterAll(() => s?.close());

  it('asks nothing while the template has no satisfaction settings', async () => {
    const created = await s.gql(
      CREATE,
      {
        input: {
          templateKey: 'returns',
          title: 'Not rated',
          channel: 'phone',
          formData: validReturn,
          requester: { name: 'Han Mei', email: 'han.mei@example.com' },
        },
      },
      agentA,
    );
    await s.gql(UPDATE, { id: created.data!.createTicket.id, status: 'solved' }, agentA);
    const t = await s.gql(TICKET, { id: created.data!.createTicket.id }, agentA);
    expect(t.data!.ticket.ratings).toEqual([]);
  });

  it('refuses bad settings by field, and people without template.manage', async () => {
    const bad = await s.gql(
      SET_POLICY,
      { input: { templateKey: 'returns', expiresInHours: 0, afterStep: ' ' } },
      admin,
    );
    expect(bad.data!.setCsatPolicy.fields.map((f: any) => f.path).sort()).toEqual([
      '/afterStep',
      '/expiresInHours',
    ]);
    const unknown = await s.gql(SET_POLICY, { input: { templateKey: 'nope' } }, admin);
    expect(unknown.data!.setCsatPolicy).toMatchObject({ __typename: 'NotFoundError', path: '/templateKey' });
    const agent = await s.gql(SET_POLICY, { input: { templateKey: 'returns' } }, agentA);
    expect(agent.data!.setCsatPolicy).toMatchObject({
      __typename: 'ForbiddenError',
      permission: 'template.manage',
    });
  });

  it('solving sends a signed link; a bad score through the page reopens the ticket, once', async () => {
    const set = await s.gql(
      SET_POLICY,
      { input: { templateKey: 'returns', scale: 'five', onBad: 'reopen' } },
      admin,
    );
    expect(set.data!.setCsatPolicy).toMatchObject({
      isEnabled: true,
      scale: 'five',
      onBad: 'reopen',
      expiresInHours: 168,
    });
    const { id, token } = await solvedTicket('Kettle still leaks');
    const notice = await s.sql<{ body: string }>(
      "select body from notification where ticket_id = ? and idempotency_key like 'csat:%'",
      [id],
    );
    expect(notice[0]!.body).toContain(`https://help.example.com/rate/${token}`);

    const form = await ratePage(token, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('服务评价');
    expect(html).toContain('Kettle still leaks');
    expect(html).toContain('name="score" value="5"');
    expect(await (await ratePage(token, { lang: 'en' })).text()).toContain('How satisfied are you');

    // No score: nothing changes.
    expect((await postRating(token, { comment: 'no score' })).status).toBe(400);
    const answered = await postRating(token, { score: '1', comment: '还是漏水 <b>' });
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('Thank you');
    const t = (await s.gql(TICKET, { id }, agentA)).data!.ticket;
    expect(t.status).toBe('open');
    expect(t.ratings).toEqual([
      expect.objectContaining({
        reason: 'solved',
        scale: 'five',
        score: 1,
        isBad: true,
        comment: '还是漏水 <b>',
      }),
    ]);
    const kinds = t.timeline.map((e: any) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['csat.asked', 'csat.rated', 'reopened']));
    expect(t.timeline.find((e: any) => e.kind === 'csat.rated')).toMatchObject({
      channel: 'rating_link',
      body: '还是漏水 <b>',
    });

    // The same link again: a clear page, nothing changes.
    const events = await eventCount(id);
    const again = await postRating(token, { score: '5' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already been rated');
    expect((await ratePage(token)).status).toBe(410);
    expect(await eventCount(id)).toBe(events);
    expect((await s.gql(TICKET, { id }, agentA)).data!.ticket.ratings[0].score).toBe(1);
  });

  it('a forged or altered link gets a clear page and changes nothing', async () => {
    const { id, token } = await solvedTicket('Forged link');
    const [ratingId, signature] = token.split('.') as [string, string];
    const flipped = `${ratingId}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const otherId = `${Number(ratingId) + 1000}.${signature}`;
    for (const bad of [flipped, otherId, 'nonsense', `${ratingId}`]) {
      const r = await postRating(bad, { score: '5' });
      expect(r.status).toBe(404);
      expect(await r.text()).toContain('not valid');
    }
    const viaApi = await s.gql(RATE, { token: flipped, score: 5 });
    expect(viaApi.data!.rateTicket.fields).toEqual([
      expect.objectContaining({ path: '/token', code: 'forged' }),
    ]);
    const t = (await s.gql(TICKET, { id }, agentA)).data!.ticket;
    expect(t.status).toBe('solved');
    expect(t.ratings[0].ratedAt).toBeNull();
  });

  it('an expired link gets a clear page; the API names the score it refuses', async () => {
    const { id, token } = await solvedTicket('Expired link');
    const outOfRange = await s.gql(RATE, { token, score: 7 });
    expect(outOfRange.data!.rateTicket.fields).toEqual([expect.objectContaining({ path: '/score' })]);
    await s.sql("update csat_rating set expires_at = now() - interval '1 minute' where ticket_id = ?", [id]);
    const page = await ratePage(token);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('expired');
    const viaApi = await s.gql(RATE, { token, score: 5 });
    expect(viaApi.data!.rateTicket.fields).toEqual([
      expect.objectContaining({ path: '/token', code: 'expired' }),
    ]);
    expect((await s.gql(TICKET, { id }, agentA)).data!.ticket.ratings[0].ratedAt).toBeNull();
  });

  it('good/bad through the API without login; a bad one notifies the handler’s manager and leaves the ticket solved', async () => {
    await s.gql(
      SET_POLICY,
      { input: { templateKey: 'returns', scale: 'good_bad', onBad: 'notify_manager' } },
      admin,
    );
    const { id, token } = await solvedTicket('Refund was slow');
    expect((await ratePage(token)).status).toBe(200);
    const rated = await s.gql(RATE, { token, score: 0, comment: 'Too slow' });
    expect(rated.data!.rateTicket).toEqual({
      __typename: 'CsatRating',
      score: 0,
      isBad: true,
      comment: 'Too slow',
    });
    const manager = await s.sql<{ email: string; body: string }>(
      `select u.email, n.body from notification n join app_user u on u.id = n.user_id
        where n.ticket_id = ? and n.idempotency_key like 'csat-bad:%'`,
      [id],
    );
    expect(manager).toEqual([
      { email: 'manager.north@docket.local', body: expect.stringContaining('Too slow') },
    ]);
    expect((await s.gql(TICKET, { id }, agentA)).data!.ticket.status).toBe('solved');
    const second = await s.gql(RATE, { token, score: 1 });
    expect(second.data!.rateTicket.fields).toEqual([
      expect.objectContaining({ path: '/token', code: 'used' }),
    ]);
  });
});
