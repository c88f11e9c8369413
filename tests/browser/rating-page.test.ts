import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext, screenshot, watchPage } from './browser.ts';

/** A customer opens the rating link from a solved ticket's message in Chromium, rates it, and cannot rate twice. */
describe('the rating page', () => {
  let server: TestServer;
  let browser: Browser;
  let link: string;
  let ticketId: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ workflows: false }), launchBrowser()]);
    const admin = await server.login('admin@docket.local');
    const agent = await server.login('agent.a@docket.local');
    await server.gql(
      'mutation { setCsatPolicy(input: { templateKey: "returns", scale: five }) { __typename } }',
      {},
      admin,
    );
    const created = await server.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id } } }',
      {
        i: {
          templateKey: 'returns',
          title: '空调不制冷',
          channel: 'phone',
          requester: { email: 'customer@example.com' },
          formData: validReturn,
        },
      },
      agent,
    );
    ticketId = created.data!.createTicket.id;
    await server.gql(
      'mutation($id: ID!) { updateTicket(id: $id, status: solved) { __typename } }',
      { id: ticketId },
      agent,
    );
    const body = (
      await server.sql<{ body: string }>("select body from notification where idempotency_key like 'csat:%'")
    )[0]!.body;
    // The link names the configured public address; the test server listens elsewhere.
    link = `${server.url}${new URL(/https?:\/\/\S+/.exec(body)![0]).pathname}`;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('rates in Chinese, thanks, and shows a used link clearly', async () => {
    const context = await newContext(browser, 'zh-CN');
    const page = await context.newPage();
    const watched = watchPage(page, server.url);
    await page.goto(link);
    await expect.poll(() => page.locator('h1').textContent()).toBe('服务评价');
    expect(await page.locator('main').textContent()).toContain('空调不制冷');
    await screenshot(page, 'rating-page-zh');
    await page.getByLabel('4 - 满意').check();
    await page.locator('textarea[name=comment]').fill('师傅很专业');
    await page.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => page.locator('main').getAttribute('data-state')).toBe('rated');
    await screenshot(page, 'rating-page-zh-thanks');
    expect(watched.problems).toEqual([]);
    // Chromium logs the used link's 410 itself.
    await page.goto(link);
    expect(await page.locator('main').getAttribute('data-state')).toBe('used');
    expect(await page.locator('main').textContent()).toContain('已通过该链接评价过');
    const rating = await server.sql<{ score: number; comment: string }>(
      'select score, comment from csat_rating where ticket_id = ?',
      [ticketId],
    );
    expect(rating).toEqual([{ score: 4, comment: '师傅很专业' }]);
    await context.close();
  });

  it('shows an altered link clearly in English', async () => {
    const context = await newContext(browser, 'en-US');
    const page = await context.newPage();
    const response = await page.goto(`${link.slice(0, -2)}xx`);
    expect(response?.status()).toBe(404);
    expect(await page.locator('main').textContent()).toContain('This rating link is not valid');
    await screenshot(page, 'rating-page-en-forged');
    await context.close();
  });
});
