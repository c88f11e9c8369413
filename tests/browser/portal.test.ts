import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { launchBrowser, screenshot, watchPage } from './browser.ts';
import { seriousA11yViolations } from './desk-helpers.ts';

/**
 * The customer portal in Chromium on a phone-sized screen (390 x 844): a public form submitted
 * without signing in, the receipt, the private follow link with the public history and a reply;
 * what staff write internally never shows.
 */
describe('the customer portal on a phone', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const admin = await server.login('admin@docket.local');
    const r = await server.gql(
      `mutation { setPublicForm(templateKey: "product-b-issue", isEnabled: true) { __typename } }`,
      {},
      admin,
    );
    expect(r.data!.setPublicForm.__typename).toBe('PublicFormSetting');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const openPhone = async (): Promise<Page> => {
    context = await browser.newContext({
      locale: 'en-US',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    watched = watchPage(page, server.url);
    return page;
  };
  const fitsTheScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= 392);

  it('lets a customer submit the public form and follow the ticket through its private link', async () => {
    const page = await openPhone();
    await page.goto(`${server.url}/portal/forms`);
    await page.getByRole('link', { name: 'Product B ordinary problem' }).click();
    await page.waitForURL('**/portal/forms/product-b-issue');
    await expect
      .poll(() => page.getByRole('heading', { name: 'Product B ordinary problem' }).isVisible())
      .toBe(true);

    // Sending with no contact details is refused, saying what to add.
    await page.getByLabel('The problem').fill('The screen flickers when cold.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('submit-problem').isVisible()).toBe(true);
    // The field's own message shows a moment after the alert (antd settles a field's help before
    // showing it): wait for it rather than look once.
    await expect
      .poll(() => page.getByText('Give an email address or a phone number.').isVisible())
      .toBe(true);

    await page.getByLabel('Your name').fill('Wang Fang');
    // Once the customer changes the details, the refusal's words about them no longer stand.
    await expect.poll(() => page.getByText('Tell us your name.').count()).toBe(0);
    await page.getByLabel('Phone').fill('+86 139 1111 2222');
    await page.getByLabel('Subject').fill('Flickering screen');
    await page.getByLabel('Serial number').fill('PB-77-001');
    expect(await fitsTheScreen(page)).toBe(true);
    await screenshot(page, 'portal-public-form.phone');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send' }).click();

    await expect.poll(() => page.getByTestId('receipt-number').isVisible()).toBe(true);
    const number = (await page.getByTestId('receipt-number').textContent())!.match(/PB-\d{8}-\d{4}/)![0];
    await screenshot(page, 'portal-receipt.phone');
    expect(await fitsTheScreen(page)).toBe(true);

    // Staff answer publicly and note something internally.
    const agent = await server.login('admin@docket.local');
    const id = (
      await server.sql<{ id: string }>('select id::text as id from ticket where number = ?', [number])
    )[0]!.id;
    await server.gql(
      `mutation($id: ID!) { addNote(id: $id, body: "Internal: check the batch") { __typename } }`,
      { id },
      agent,
    );
    await server.gql(
      `mutation($id: ID!) { replyToTicket(id: $id, body: "Please try the firmware update.") { __typename } }`,
      { id },
      agent,
    );

    await page.getByTestId('follow-link').click();
    await page.waitForURL('**/portal/follow/**');
    const followUrl = page.url();
    await expect.poll(() => page.getByTestId('portal-ticket-number').textContent()).toBe(number);
    const shown = await page.getByTestId('portal-ticket').innerText();
    expect(shown).toContain('Please try the firmware update.');
    expect(shown).toContain('PB-77-001');
    expect(shown).not.toContain('Internal: check the batch');

    await page.getByTestId('portal-reply').fill('Updated, still flickers.');
    await page.getByTestId('portal-send').click();
    await expect
      .poll(async () =>
        (await page.getByTestId('portal-ticket').innerText()).includes('Updated, still flickers.'),
      )
      .toBe(true);
    expect(await fitsTheScreen(page)).toBe(true);
    await screenshot(page, 'portal-follow.phone');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The link works again later, in another browser, without signing in; a changed one does not.
    await page.goto(followUrl);
    await expect.poll(() => page.getByTestId('portal-ticket-number').textContent()).toBe(number);
    await page.goto(followUrl.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    await expect
      .poll(() => page.getByRole('heading', { name: 'There is no ticket at this link.' }).isVisible())
      .toBe(true);
    // The staff see the customer's reply on the ticket.
    const timeline = await server.gql(
      `query($n: String!) { ticket(number: $n) { timeline { kind body actorKind } } }`,
      { n: number },
      agent,
    );
    expect(timeline.data!.ticket.timeline).toContainEqual({
      kind: 'reply',
      body: 'Updated, still flickers.',
      actorKind: 'customer',
    });
  });

  it('shows a signed-in customer all their tickets, each on its own page, on a phone', async () => {
    // A call taken for them, with a yes/no answer on its form.
    const agent = await server.login('service@docket.local');
    const call = await server.gql<{ createTicket: { number?: string; message?: string } }>(
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { number } ... on Error { message } } }`,
      {
        i: {
          templateKey: 'call-centre',
          title: 'Fridge is noisy at night',
          channel: 'phone',
          requester: { email: 'customer@example.com' },
          formData: {
            callerNumber: '+86 139 1111 2222',
            serviceCategory: 'repair',
            details: 'Loud hum after midnight.',
            needsFollowUp: true,
          },
        },
      },
      agent,
    );
    const callNumber = call.data!.createTicket.number!;
    expect(callNumber, call.data!.createTicket.message).toMatch(/^CC-/);
    const page = await openPhone();
    await page.goto(`${server.url}/portal`);
    await page.waitForURL('**/login?as=customer&next=%2Fportal');
    await page.getByLabel('Email').fill('customer@example.com');
    await page.getByLabel('Password').fill('docket-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/portal');
    await expect.poll(() => page.getByRole('heading', { name: 'My tickets' }).isVisible()).toBe(true);
    expect(await fitsTheScreen(page)).toBe(true);
    await screenshot(page, 'portal-my-tickets.phone');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The call's page: the yes/no answer reads as a word in the page's language, never "true".
    await page.getByRole('link', { name: callNumber }).click();
    await page.waitForURL(`**/portal/tickets/${callNumber}`);
    const followUp = page
      .getByTestId('portal-ticket')
      .locator('.ant-descriptions-row', { hasText: 'Follow-up visit needed' });
    await expect.poll(() => followUp.innerText()).toMatch(/Follow-up visit needed\s+Yes$/);
    expect(await page.getByTestId('portal-ticket').innerText()).not.toMatch(/\b(true|false)\b/);
    expect(await fitsTheScreen(page)).toBe(true);
    await screenshot(page, 'portal-ticket-yes-no.phone');
    await page.getByTestId('language-switch').getByText('中文', { exact: true }).click();
    await expect.poll(() => followUp.innerText()).toMatch(/Follow-up visit needed\s+是$/);
    expect(await fitsTheScreen(page)).toBe(true);
    await screenshot(page, 'portal-ticket-yes-no.zh-CN.phone');
  });
});
