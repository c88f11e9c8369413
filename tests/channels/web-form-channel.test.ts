import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * The public form as the `web` channel over plain HTTP: a form posted to /forms/<template> becomes
 * a ticket of the web channel for the contact's customer; bad input is refused naming the field;
 * an address that sends too many is told 429 with how long to wait (Retry-After), and nothing is
 * written for the refused form.
 */
describe(`the web channel: public forms over HTTP (${databaseKind()})`, () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    const admin = await s.login('admin@docket.local');
    const r = await s.gql(
      'mutation { setPublicForm(templateKey: "product-b-issue", isEnabled: true) { __typename } }',
      {},
      admin,
    );
    expect(r.data!.setPublicForm.__typename).toBe('PublicFormSetting');
  });
  afterAll(() => s?.close());

  const post = (templateKey: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/forms/${templateKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const form = (n: number) => ({
    title: `B will not start (${n})`,
    formData: { question: 'Nothing happens when I press the power button.' },
    contact: { name: 'Wang Web', email: 'wang.web@example.com' },
  });

  it('refuses what is not a form, naming the field, and a form that is not public', async () => {
    let r = await post('product-b-issue', '{"title": ');
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'The body is not JSON.' });

    r = await post('product-b-issue', { title: 'x', contact: { name: 'Wang', email: 'not-an-address' } });
    expect(r.status).toBe(400);
    const bad = await r.json();
    expect(bad.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: '/contact/email',
          message: '"not-an-address" is not an email address.',
        }),
      ]),
    );

    r = await post('product-b-issue', { ...form(0), contact: { name: 42 } });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ fields: [{ path: '/contact/name', code: 'invalid' }] });

    r = await post('product-a-fault', form(0));
    expect(r.status).toBe(404);
    expect((await r.json()).error).toMatch(/public form "product-a-fault" was not found/);
  });

  it('a form becomes a ticket of the web channel; past the rate limit the address hears 429 and when to retry', async () => {
    const numbers: string[] = [];
    // Refused forms above did not count: five a minute go through.
    for (let n = 1; n <= 5; n++) {
      const r = await post('product-b-issue', form(n));
      expect(r.status, await r.clone().text()).toBe(201);
      const receipt = await r.json();
      expect(receipt.followToken).toMatch(/^\d+\.[A-Za-z0-9_-]{32}$/);
      numbers.push(receipt.number);
    }
    const rows = await s.sql<{ channel: string; email: string }>(
      `select t.channel, c.email from ticket t join customer c on c.id = t.requester_id
        where t.number in (select jsonb_array_elements_text(?::jsonb)) order by t.id`,
      [JSON.stringify(numbers)],
    );
    expect(rows).toEqual(numbers.map(() => ({ channel: 'web', email: 'wang.web@example.com' })));

    const refused = await post('product-b-issue', form(6));
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      error: `Too many forms from your address: try again in ${wait} seconds.`,
      retryAfterSeconds: wait,
    });
    // Nothing was written for the refused form.
    expect(
      (
        await s.sql<{ n: number }>(
          "select count(*)::int as n from ticket where title = 'B will not start (6)'",
        )
      )[0]!.n,
    ).toBe(0);
  });
});
