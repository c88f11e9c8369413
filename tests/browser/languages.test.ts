import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deskMessages } from '../../designer/src/features/desk/messages.ts';
import { workflowsMessages } from '../../designer/src/features/workflows/messages.ts';
import type { Messages } from '../../designer/src/i18n/define-messages.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext, screenshot, watchPage } from './browser.ts';
import { createPhoneReturn, signIn } from './desk-helpers.ts';

/** The longest plain English text of a feature's strings: something only its messages chunk holds. */
function longestText(messages: Messages): string {
  const texts: string[] = [];
  const walk = (m: Messages) => {
    for (const v of Object.values(m)) typeof v === 'string' ? texts.push(v) : walk(v);
  };
  walk(messages);
  return texts.filter((s) => !s.includes('{{') && !/["'\\]/.test(s)).sort((a, b) => b.length - a.length)[0]!;
}

/**
 * The web app's languages in Chromium against the real server: each area's strings arrive with
 * its code (not in the entry chunk), an area opened after a switch comes in the language chosen,
 * a switch translates every area loaded so far; roles and channels (data) show their name in the
 * page's language.
 */
describe("the web app's languages", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };
  let ticketNumber: string;
  /** A visit whose form names its choice by enumNames and answers a yes/no question (no). */
  let callNumber: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    ticketNumber = (await createPhoneReturn(server, 'service@docket.local')).number;
    // A form that names its choices the older way (enumNames) and asks a yes/no question.
    const admin = await server.login('admin@docket.local');
    const template = await server.gql<{ createTemplate: { id?: string; message?: string } }>(
      `mutation($c: TemplateContentInput!) { createTemplate(key: "visit", content: $c) { ... on TicketTemplate { id } ... on Error { message } } }`,
      {
        c: {
          name: 'Engineer visit',
          categoryPath: ['After-sales', 'Visit'],
          defaultPriority: 'normal',
          numberPattern: 'EV-{seq:5}',
          formSchema: {
            type: 'object',
            required: ['slot'],
            properties: {
              slot: {
                type: 'string',
                title: 'Visit slot',
                enum: ['am', 'pm'],
                enumNames: ['Morning', 'Afternoon'],
              },
              needsLadder: { type: 'boolean', title: 'Ladder needed' },
            },
          },
        },
      },
      admin,
    );
    const templateId = template.data!.createTemplate.id;
    expect(templateId, template.data!.createTemplate.message).toBeTruthy();
    await server.gql(
      `mutation($id: ID!) { publishTemplate(id: $id) { __typename } }`,
      { id: templateId },
      admin,
    );
    const call = await server.gql<{ createTicket: { number?: string; message?: string } }>(
      `mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { number } ... on Error { message } } }`,
      {
        i: {
          templateKey: 'visit',
          title: 'Boiler check',
          channel: 'phone',
          requester: { email: 'customer@example.com' },
          formData: { slot: 'pm', needsLadder: false },
        },
      },
      await server.login('service@docket.local'),
    );
    callNumber = call.data!.createTicket.number!;
    expect(callNumber, call.data!.createTicket.message).toMatch(/^EV-/);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page, and the text of every script it has downloaded so far. */
  const open = async (): Promise<{ page: Page; scripts: () => Promise<string> }> => {
    context = await newContext(browser);
    const page = await context.newPage();
    watched = watchPage(page, server.url);
    const bodies: Promise<string>[] = [];
    page.on('response', (r) => {
      if ((r.headers()['content-type'] ?? '').includes('javascript')) bodies.push(r.text().catch(() => ''));
    });
    return { page, scripts: async () => (await Promise.all(bodies)).join('\n') };
  };

  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const chooseLanguage = async (page: Page, label: 'English' | '中文') => {
    await page.getByTestId('language-switch').getByText(label, { exact: true }).click();
    const code = label === '中文' ? 'zh-CN' : 'en';
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(code);
  };
  const heading = (page: Page, name: string) =>
    expect.poll(() => page.getByRole('heading', { level: 1, name, exact: true }).isVisible()).toBe(true);
  const nav = (page: Page) => page.getByRole('navigation', { name: /Main navigation|主导航/ });

  it("loads an area's strings with it, in the language chosen, and switches every area loaded so far", async () => {
    const deskOnly = longestText(deskMessages.en);
    const designerOnly = longestText(workflowsMessages.en);
    const { page, scripts } = await open();

    await page.goto(`${server.url}/login`);
    await heading(page, 'Sign in to Docket');
    const login = await scripts();
    expect(login.includes(deskOnly), 'the desk strings on the login page').toBe(false);
    expect(login.includes(designerOnly), 'the designer strings on the login page').toBe(false);

    await signIn(page, server.url, 'admin@docket.local');
    await heading(page, deskMessages.en.views.tasks);
    const desk = await scripts();
    expect(desk.includes(deskOnly), 'the desk strings with the desk').toBe(true);
    expect(desk.includes(designerOnly), 'the designer strings on the desk').toBe(false);

    // Chinese: the desk (loaded) switches at once, header and role badge included.
    await chooseLanguage(page, '中文');
    await heading(page, deskMessages['zh-CN'].views.tasks);
    await expect.poll(() => page.getByTestId('signed-in-roles').textContent()).toBe('系统管理员');
    await screenshot(page, 'languages-desk.zh-CN');

    // The admin area and its workflows section, first opened now: their strings come in Chinese.
    await nav(page).getByRole('link', { name: '管理', exact: true }).click();
    await page.waitForURL(/\/admin\/workflows$/);
    await heading(page, workflowsMessages['zh-CN'].list.title);
    const menu = page.getByRole('navigation', { name: '管理功能' });
    await expect.poll(() => menu.getByRole('link', { name: '工单模板' }).isVisible()).toBe(true);
    expect((await scripts()).includes(designerOnly), 'the workflows strings with the workflows page').toBe(
      true,
    );
    await screenshot(page, 'languages-admin-workflows.zh-CN');

    // Back to English: the open section, the admin menu, and the desk loaded before all switch.
    await chooseLanguage(page, 'English');
    await heading(page, workflowsMessages.en.list.title);
    await expect.poll(() => page.getByRole('navigation', { name: 'Admin sections' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('signed-in-roles').textContent()).toBe('Administrator');
    await nav(page).getByRole('link', { name: 'Desk', exact: true }).click();
    await heading(page, deskMessages.en.views.tasks);
    // And into Chinese again without a reload: every area loaded so far follows.
    await chooseLanguage(page, '中文');
    await heading(page, deskMessages['zh-CN'].views.tasks);
    await nav(page).getByRole('link', { name: '管理', exact: true }).click();
    await heading(page, workflowsMessages['zh-CN'].list.title);
  });

  it("shows the person's role and the ticket's channel in Chinese (data with names in both languages)", async () => {
    const { page } = await open();
    await signIn(page, server.url, 'service@docket.local');
    await chooseLanguage(page, '中文');
    await expect.poll(() => page.getByTestId('signed-in-roles').textContent()).toBe('服务台坐席');

    // The list with its channel column.
    await page.goto(
      `${server.url}/desk?view=open&cols=${encodeURIComponent(JSON.stringify(['number', 'title', 'channel', 'status']))}`,
    );
    const row = page.getByTestId('ticket-table').getByRole('row').filter({ hasText: ticketNumber });
    await expect.poll(() => row.textContent()).toContain('电话');
    await screenshot(page, 'languages-desk-list.zh-CN');

    await page.goto(`${server.url}/desk/tickets/${ticketNumber}`);
    await expect.poll(() => page.getByTestId('ticket-channel').textContent()).toBe('电话');
    await screenshot(page, 'languages-ticket.zh-CN');
    await chooseLanguage(page, 'English');
    await expect.poll(() => page.getByTestId('ticket-channel').textContent()).toBe('Phone');
    await expect.poll(() => page.getByTestId('signed-in-roles').textContent()).toBe('Service desk agent');

    await chooseLanguage(page, '中文');
    await page.goto(`${server.url}/desk/new`);
    await expect
      .poll(() =>
        page
          .locator('#new-ticket-channel')
          .locator('xpath=ancestor::*[contains(@class,"ant-select")][1]')
          .textContent(),
      )
      .toBe('电话');
    await screenshot(page, 'languages-new-ticket.zh-CN');
  });

  // Screenshots of every page in Chinese, to be looked at for English that is not user data.
  it('keeps every area of the header in reach on a phone, in both languages', async () => {
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    watched = watchPage(page, server.url);
    await signIn(page, server.url, 'admin@docket.local');
    await page.goto(`${server.url}/desk`);
    type Box = { x: number; y: number; width: number; height: number };
    const box = async (l: Locator): Promise<Box> => (await l.boundingBox())!;
    const overlaps = (a: Box, b: Box) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    for (const label of ['English', '中文'] as const) {
      await chooseLanguage(page, label);
      const links = nav(page).getByRole('link');
      await expect.poll(() => links.count()).toBeGreaterThan(3);
      const controls = [
        await box(page.getByTestId('language-switch')),
        await box(page.getByRole('button', { name: /^(Log out|退出登录)$/ })),
      ];
      for (const link of await links.all()) {
        const b = await box(link);
        // Whole, on screen, and under nothing: the admin reaches every area without scrolling sideways.
        expect(b.x, await link.innerText()).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width, await link.innerText()).toBeLessThanOrEqual(390);
        expect(
          controls.some((c) => overlaps(b, c)),
          await link.innerText(),
        ).toBe(false);
      }
      await screenshot(page, `phone-header.${label === '中文' ? 'zh-CN' : 'en'}.390x844`);
    }
  });

  it('walks the desk, the portal and the admin console in Chinese', { timeout: 240_000 }, async () => {
    const { page } = await open();
    await signIn(page, server.url, 'admin@docket.local');
    await chooseLanguage(page, '中文');
    for (const path of [
      '/desk',
      '/desk?view=open',
      `/desk/tickets/${ticketNumber}`,
      `/desk/tickets/${callNumber}`,
      '/desk/new',
      '/admin/workflows',
      '/admin/workflows/returns',
      '/admin/templates',
      '/admin/templates/returns',
      '/admin/statuses',
      '/admin/users',
      '/admin/roles',
      '/admin/roles?role=service_agent',
      '/admin/org',
      '/admin/teams',
      '/admin/tokens',
      '/admin/wall-tokens',
      '/admin/calendars',
      '/admin/sla',
      '/admin/audit',
      '/reports',
      '/account',
    ]) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForTimeout(700);
      await screenshot(page, `zh-CN-walk${path.replace(/[/?=&]+/g, '-')}`);
    }
    // The desk's form view names the visit's choice (enumNames in the schema), not its key.
    await page.goto(`${server.url}/desk/tickets/${callNumber}`);
    const slot = page.locator('#root_slot').locator('xpath=ancestor::*[contains(@class,"ant-select")][1]');
    await expect.poll(() => slot.textContent()).toBe('Afternoon');
    await context.close();

    // The portal, as the customer, on a phone.
    context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const phone = await context.newPage();
    watched = watchPage(phone, server.url);
    await phone.goto(`${server.url}/login?as=customer`);
    await phone.getByLabel('邮箱').fill('customer@example.com');
    await phone.getByLabel('密码').fill('docket-demo');
    await phone.getByLabel('密码').press('Enter');
    await phone.waitForURL((u) => u.pathname.startsWith('/portal'));
    for (const path of ['/portal', `/portal/tickets/${ticketNumber}`, `/portal/tickets/${callNumber}`]) {
      await phone.goto(`${server.url}${path}`);
      await phone.getByRole('heading', { level: 1 }).first().waitFor();
      await phone.waitForTimeout(500);
      await screenshot(phone, `zh-CN-walk${path.replace(/[/?=&]+/g, '-')}.390x844`);
    }
    // What the customer submitted reads as words: the choice's title, the group's fields by name,
    // a yes/no answer in Chinese.
    await phone.goto(`${server.url}/portal/tickets/${ticketNumber}`);
    await phone.getByTestId('portal-ticket').waitFor();
    const details = (await phone.locator('.ant-descriptions').allTextContents()).join(' ');
    expect(details).toContain('Defective on arrival');
    expect(details).toContain('Carrier: SF Express');
    expect(details).not.toContain('{');
    await phone.goto(`${server.url}/portal/tickets/${callNumber}`);
    const row = (label: string) =>
      phone.getByTestId('portal-ticket').locator('.ant-descriptions-row', { hasText: label });
    await expect.poll(() => row('Ladder needed').innerText()).toMatch(/Ladder needed\s+否$/);
    expect(await row('Visit slot').innerText()).toMatch(/Visit slot\s+Afternoon$/);
    expect(await phone.getByTestId('portal-ticket').innerText()).not.toMatch(/\b(true|false|pm)\b/);
  });
});
