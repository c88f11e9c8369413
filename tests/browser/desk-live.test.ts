import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CTI_SECRET } from '../../examples/plugins.ts';
import { postSigned, startChannelServer } from '../channels/channel-fixtures.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext, screenshot, watchPage } from './browser.ts';
import { freePort, seriousA11yViolations, signIn } from './desk-helpers.ts';

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

  const ring = (callId: string, agentEmail: string, caller = '+86 138 0000 0001') =>
    postSigned(`${server.url}/channels/cti/calls/started`, EXAMPLE_CTI_SECRET, {
      callId,
      caller,
      agentEmail,
    });

  for (const { locale, viewport, name, title, button, words } of [
    {
      locale: 'en-US',
      viewport: { width: 1280, height: 800 },
      name: 'caller-popup.en',
      title: 'Incoming call',
      button: 'New ticket for this caller',
      words: {
        unknown: 'Unknown caller',
        phone: 'Phone',
        create: 'Create ticket',
        newCustomer: 'New customer',
      },
    },
    {
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      name: 'caller-popup.zh-CN.phone',
      title: '来电',
      button: '为此来电新建工单',
      words: { unknown: '未知来电', phone: '电话', create: '创建工单', newCustomer: '新客户' },
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

        // A call from a number no customer has: "New ticket for this caller" opens the new-ticket
        // page with that number as the new customer's phone, and the ticket is theirs.
        const stranger = locale === 'en-US' ? '+86 139 5555 0101' : '+86 139 5555 0102';
        const dialled = stranger.replace(/[ -]/g, ''); // as the phone plugin passes it on
        await ring(`call-${locale}-stranger`, 'service@docket.local', stranger);
        await expect.poll(() => page.getByTestId('caller-name').innerText()).toBe(words.unknown);
        await popup.getByRole('button', { name: button }).click();
        await page.waitForURL((u) => u.pathname === '/desk/new' && u.searchParams.get('phone') === dialled);
        expect(await popup.isVisible()).toBe(false);
        const phoneField = page.getByLabel(words.phone, { exact: true });
        await expect.poll(() => phoneField.inputValue()).toBe(dialled);
        expect(await page.getByText(words.newCustomer, { exact: true }).isVisible()).toBe(true);
        expect(await page.getByTestId('requester-search').locator('input').inputValue()).toBe(dialled);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          viewport.width,
        );
        await screenshot(page, `${name}.new-ticket`);
        await page.getByTestId('template-picker').click();
        await page.keyboard.type('Store complaint');
        await page.keyboard.press('Enter');
        await page.locator('#root_complaint').fill('Called about a broken kettle');
        await page.getByRole('button', { name: words.create }).click();
        await page.waitForURL(/\/desk\/tickets\/SC-/);
        const made = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
        const requester = await gqlAs(
          'admin@docket.local',
          'query($n: String!) { ticket(number: $n) { requester { name phone email } } }',
          { n: made },
        );
        expect(requester.data!.ticket.requester.phone.replace(/\D/g, '')).toBe(stranger.replace(/\D/g, ''));
        expect(watched.problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
});

/**
 * The desk across a server restart: changes made while its event stream was down are not heard
 * on the feed, so once the feed runs again the list and the view counts read afresh, and merge
 * what they read the way live changes merge (rows stay where they are, new ones wait).
 */
describe('the live desk across a server restart', () => {
  let proc: ServerProcess | undefined;
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'docket-desk-'));

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await proc?.stop();
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const r = await fetch(`${proc!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await r.json()) as { data: Record<string, any> };
  };
  const login = async () =>
    (
      await gql(
        'mutation { login(email: "service@docket.local", password: "docket-demo") { ... on Session { token } } }',
      )
    ).data.login.token as string;
  const create = async (title: string, token: string) =>
    (
      await gql(
        `mutation($t: String!) { createTicket(input: {templateKey: "store-complaint", title: $t, channel: "phone",
          requester: {email: "customer@example.com"}, formData: {complaint: "Restart"}}) { ... on Ticket { id number } } }`,
        { t: title },
        token,
      )
    ).data.createTicket as { id: string; number: string };
  const numbersOn = (page: Page) =>
    page
      .locator('[data-testid="ticket-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-number')));
  /** A view's count as its badge says it (antd's badge names its count in a title while digits roll). */
  const countOn = async (page: Page, view: string) =>
    Number(await page.getByTestId(`count-${view}`).locator('[title]').first().getAttribute('title'));

  it('catches up on what changed while the server was down, without moving the rows', async () => {
    const port = String(await freePort());
    const env = { PORT: port, DATA_DIR: dataDir, DOCKET_EXAMPLE_WORKFLOWS: 'off' };
    proc = await startServerProcess(env);
    const before = await create('Changed while away', await login());

    // An agent at a desk (English, wide) and one on a phone (Chinese, 390 px).
    const wide = await newContext(browser, 'en-US');
    const narrow = await newContext(browser, 'zh-CN');
    try {
      const page = await wide.newPage();
      const phone = await narrow.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      const watched = [watchPage(page, proc.url), watchPage(phone, proc.url)];
      await signIn(page, proc.url, 'service@docket.local');
      await phone.goto(`${proc.url}/login`);
      await phone.getByLabel('邮箱').fill('service@docket.local');
      await phone.getByLabel('密码').fill('docket-demo');
      await phone.keyboard.press('Enter');
      await phone.waitForURL((u) => !u.pathname.startsWith('/login'));
      for (const p of [page, phone]) {
        await p.goto(`${proc.url}/desk?view=open`);
        await expect.poll(() => p.getByTestId('list-total').isVisible()).toBe(true);
      }
      await expect.poll(() => page.getByTestId('count-open').isVisible()).toBe(true);
      const total = await totalOn(page);
      const openCount = await countOn(page, 'open');
      const shown = await numbersOn(page);
      expect(shown).toContain(before.number);
      expect(await numbersOn(phone)).toEqual(shown);
      // The pointer rests on the first row; the rows must not move under it.
      await page.locator('[data-testid="ticket-row"]').first().hover();

      // The server goes away; the pages' streams stay down until the changes are made (held
      // here, so the feed cannot hear them however quickly the pages reconnect).
      const held = '**/graphql/stream**';
      for (const c of [wide, narrow]) await c.route(held, (route) => route.abort());
      await proc.stop();
      for (const p of [page, phone])
        await expect.poll(() => p.getByTestId('list-live').getAttribute('data-live')).toBe('no');
      await screenshot(page, 'desk-reconnecting.en');
      await screenshot(phone, 'desk-reconnecting.zh-CN.phone');
      proc = await startServerProcess(env);
      const token = await login();
      const made = await create('Made while the desk was away', token);
      const changed = await gql(
        'mutation($id: ID!) { updateTicket(id: $id, title: "Changed while away, now renamed") { __typename } }',
        { id: before.id },
        token,
      );
      expect(changed.data.updateTicket.__typename).toBe('Ticket');
      for (const c of [wide, narrow]) await c.unroute(held);

      // No reload: the lists and the counts catch up once the feed runs again.
      for (const p of [page, phone]) {
        await expect
          .poll(() => p.getByTestId('list-live').getAttribute('data-live'), { timeout: 30_000 })
          .toBe('yes');
        await expect.poll(() => totalOn(p), { timeout: 10_000 }).toBe(total + 1);
        await expect
          .poll(() => p.locator(`[data-number="${before.number}"]`).innerText())
          .toContain('Changed while away, now renamed');
        // The rows shown stay in their places; the new ticket waits behind the bar.
        expect(await numbersOn(p)).toEqual(shown);
        await expect.poll(() => p.getByTestId('show-waiting').isVisible()).toBe(true);
      }
      await expect.poll(() => countOn(page, 'open'), { timeout: 10_000 }).toBe(openCount + 1);
      expect(await page.getByTestId('show-waiting').innerText()).toContain('1 new or moved ticket');
      expect(await phone.getByTestId('show-waiting').innerText()).toContain('有 1 个新的或变动的工单');
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, 'desk-after-restart.en');
      await screenshot(phone, 'desk-after-restart.zh-CN.phone');
      await page.getByTestId('show-waiting').click();
      expect((await numbersOn(page))[0]).toBe(made.number);

      // And it is live again: the next ticket is heard at once.
      await create('Heard live after the restart', token);
      await expect.poll(() => totalOn(page), { timeout: 10_000 }).toBe(total + 2);
      expect(
        watched.flatMap((w) => w.problems).filter((p) => !/Failed to load resource|ERR_/.test(p)),
      ).toEqual([]);
    } finally {
      await wide.close();
      await narrow.close();
    }
  });

  async function totalOn(page: Page) {
    return Number((await page.getByTestId('list-total').textContent())!.replace(/\D/g, ''));
  }
});
