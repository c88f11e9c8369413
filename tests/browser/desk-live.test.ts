import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CTI_SECRET } from '../../examples/plugins.ts';
import { postSigned, startChannelServer } from '../channels/channel-fixtures.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext, screenshot, watchPage } from './browser.ts';
import { seriousA11yViolations, signIn } from './desk-helpers.ts';

/**
 * The desk's live parts in Chromium: each tab keeps one event stream for all of its subscriptions,
 * so two desk tabs of one browser (six connections to a host) both stay live and still answer
 * queries; and a call ringing for the signed-in agent (the CTI plugin's phone event) pops up with
 * the caller and their open tickets, in English and Chinese, on a wide and a phone-sized screen.
 */
describe('the live desk', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startChannelServer(['cti']), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const gqlAs = async (email: string, query: string, variables: Record<string, unknown> = {}) =>
    server.gql(query, variables, await server.login(email));
  const totalOn = async (page: Page) =>
    Number((await page.getByTestId('list-total').textContent())!.replace(/\D/g, ''));
  /** Counts the event streams (GET /graphql/stream) a page opens. */
  const countStreams = (page: Page) => {
    const opened = { count: 0 };
    page.on('request', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === '/graphql/stream') opened.count++;
    });
    return opened;
  };

  it('two desk tabs of one browser both get live updates and still answer queries', async () => {
    const context: BrowserContext = await newContext(browser);
    try {
      const first = await context.newPage();
      const watchedFirst = watchPage(first, server.url);
      const streamsOfFirst = countStreams(first);
      await signIn(first, server.url, 'service@docket.local');
      await first.goto(`${server.url}/desk?view=open`);
      const second = await context.newPage();
      const watchedSecond = watchPage(second, server.url);
      const streamsOfSecond = countStreams(second);
      await second.goto(`${server.url}/desk?view=open`);
      for (const page of [first, second])
        await expect.poll(() => page.getByTestId('list-total').isVisible()).toBe(true);
      const totals = [await totalOn(first), await totalOn(second)];

      const created = await gqlAs(
        'service@docket.local',
        `mutation { createTicket(input: {templateKey: "store-complaint", title: "Seen in both tabs", channel: "phone",
          requester: {email: "customer@example.com"}, formData: {complaint: "Two tabs"}}) { ... on Ticket { number } } }`,
      );
      const number = created.data!.createTicket.number as string;
      for (const [i, page] of [first, second].entries()) {
        await expect.poll(() => page.getByTestId('show-waiting').isVisible(), { timeout: 15_000 }).toBe(true);
        await expect.poll(() => totalOn(page)).toBe(totals[i]! + 1);
        await page.getByTestId('show-waiting').click();
        expect(await page.locator('[data-testid="ticket-row"]').first().innerText()).toContain(
          'Seen in both tabs',
        );
      }
      // Queries still go through beside the streams: the ticket page opens in the second tab
      // (its clocks subscription joins the tab's stream), and the first tab's list still moves.
      await second.getByRole('link', { name: number, exact: true }).first().click();
      await second.waitForURL(`**/desk/tickets/${number}`);
      await expect.poll(() => second.getByTestId('ticket-number').isVisible()).toBe(true);
      await expect.poll(() => second.getByTestId('sla-countdown').first().isVisible()).toBe(true);
      await gqlAs(
        'service@docket.local',
        `mutation { createTicket(input: {templateKey: "store-complaint", title: "Still live", channel: "phone",
          requester: {email: "customer@example.com"}, formData: {complaint: "Still live"}}) { __typename } }`,
      );
      await expect.poll(() => first.getByTestId('show-waiting').isVisible(), { timeout: 15_000 }).toBe(true);
      await first.getByTestId('show-waiting').click();
      expect(await first.locator('[data-testid="ticket-row"]').first().innerText()).toContain('Still live');
      await screenshot(second, 'desk-two-tabs.en');
      // One event stream per tab, whatever its pages subscribe to.
      expect(streamsOfFirst.count).toBe(1);
      expect(streamsOfSecond.count).toBe(1);
      expect([...watchedFirst.problems, ...watchedSecond.problems]).toEqual([]);
    } finally {
      await context.close();
    }
  });

  const ring = (callId: string, agentEmail: string) =>
    postSigned(`${server.url}/channels/cti/calls/started`, EXAMPLE_CTI_SECRET, {
      callId,
      caller: '+86 138 0000 0001',
      agentEmail,
    });

  for (const { locale, viewport, name, title, button } of [
    {
      locale: 'en-US',
      viewport: { width: 1280, height: 800 },
      name: 'caller-popup.en',
      title: 'Incoming call',
      button: 'New ticket for this caller',
    },
    {
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      name: 'caller-popup.zh-CN.phone',
      title: '来电',
      button: '为此来电新建工单',
    },
  ])
    it(`a call for me pops up with the caller and their open tickets (${locale}, ${viewport.width} px)`, async () => {
      const made = await gqlAs(
        'service@docket.local',
        `mutation { createTicket(input: {templateKey: "store-complaint", title: "Kettle still leaks (${locale})", channel: "phone",
          requester: {email: "customer@example.com"}, formData: {complaint: "Leaks"}}) { ... on Ticket { number } } }`,
      );
      const number = made.data!.createTicket.number as string;
      const context = await newContext(browser, locale);
      try {
        const page = await context.newPage();
        await page.setViewportSize(viewport);
        const watched = watchPage(page, server.url);
        if (locale === 'en-US') await signIn(page, server.url, 'service@docket.local');
        else {
          await page.goto(`${server.url}/login`);
          await page.getByLabel('邮箱').fill('service@docket.local');
          await page.getByLabel('密码').fill('docket-demo');
          await page.keyboard.press('Enter');
          await page.waitForURL((u) => !u.pathname.startsWith('/login'));
        }
        await page.goto(`${server.url}/desk?view=open`);
        await expect.poll(() => page.getByTestId('list-total').isVisible()).toBe(true);
        const popup = page.getByTestId('caller-popup');
        // A call for another agent does not pop up here; the one for me does. The subscription
        // may still be starting when the page shows: ring until it is heard.
        await ring(`call-other-${locale}`, 'admin@docket.local');
        await expect
          .poll(
            async () => {
              if (await popup.isVisible()) return true;
              await ring(`call-${locale}`, 'service@docket.local');
              return popup.isVisible();
            },
            { timeout: 15_000, interval: 1_000 },
          )
          .toBe(true);
        expect(await popup.getByText(title, { exact: true }).isVisible()).toBe(true);
        expect(await page.getByTestId('caller-name').innerText()).toBe('Chen Customer');
        const tickets = await page.getByTestId('caller-tickets').innerText();
        expect(tickets).toContain(number);
        expect(tickets).toContain(`Kettle still leaks (${locale})`);
        // It blocks nothing: the list behind it still takes clicks.
        expect(await page.getByTestId('list-total').isVisible()).toBe(true);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          viewport.width,
        );
        await screenshot(page, name);
        expect(await seriousA11yViolations(page)).toEqual([]);

        // A ticket link opens that ticket; the pop-up stays until dismissed.
        await popup.getByRole('link', { name: number }).click();
        await page.waitForURL(`**/desk/tickets/${number}`);
        expect(await popup.isVisible()).toBe(true);
        // "New ticket for this caller": the new-ticket page with them as the requester.
        await popup.getByRole('button', { name: button }).click();
        await page.waitForURL((u) => u.pathname === '/desk/new' && u.searchParams.has('requester'));
        await expect
          .poll(() => page.getByTestId('picked-requester').textContent())
          .toContain('Chen Customer');
        expect(await popup.isVisible()).toBe(false);

        // Another call, dismissed with its close button.
        await ring(`call-${locale}-again`, 'service@docket.local');
        await expect.poll(() => popup.isVisible()).toBe(true);
        await popup.getByRole('button', { name: locale === 'en-US' ? 'Dismiss' : '关闭' }).click();
        await expect.poll(() => popup.isVisible()).toBe(false);
        expect(watched.problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
});
