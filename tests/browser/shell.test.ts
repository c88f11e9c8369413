import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext, screenshot, watchPage } from './browser.ts';
import { createPhoneReturn } from './desk-helpers.ts';

/**
 * The web app's shell in Chromium against the real server (fresh database, example data): login,
 * the admin lists, language, deep links, logout, what an agent is not offered, GraphiQL offline.
 */
describe('the web app shell', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };
  let ticketNumber: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    // A ticket for the customer, so the desk (service desk's review step) and the portal have rows.
    ticketNumber = (await createPhoneReturn(server, 'agent.a@docket.local')).number;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (locale = 'en-US'): Promise<Page> => {
    context = await newContext(browser, locale);
    const page = await context.newPage();
    watched = watchPage(page, server.url);
    return page;
  };

  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const signIn = async (page: Page, email: string) => {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('docket-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  };

  const chooseLanguage = async (page: Page, label: 'English' | '中文') => {
    await page.getByTestId('language-switch').getByText(label, { exact: true }).click();
    const code = label === '中文' ? 'zh-CN' : 'en';
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(code);
  };

  it('lets an admin sign in by keyboard, see the admin lists, switch to Chinese, reload a deep link and log out', async () => {
    const page = await open();
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login$/);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Docket' }).isVisible()).toBe(true);
    await screenshot(page, 'login.en');

    // Keyboard only: the email field has the focus, Tab reaches the password, Enter submits.
    await page.keyboard.type('admin@docket.local');
    await page.keyboard.press('Tab');
    await page.keyboard.type('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/desk');
    await expect.poll(() => page.getByTestId('signed-in-name').textContent()).toBe('Ada Admin');
    expect(await page.getByTestId('signed-in-roles').textContent()).toBe('Administrator');

    // Mouse: the admin area, its workflows list, then its templates list.
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Admin' })
      .click();
    await page.waitForURL('**/admin/workflows');
    await expect.poll(() => page.getByRole('heading', { name: 'Workflows' }).isVisible()).toBe(true);
    const workflowRows = page.locator('.ant-table-tbody tr.ant-table-row');
    await expect.poll(() => workflowRows.count()).toBe(3);
    expect(await workflowRows.allInnerTexts()).toEqual([
      expect.stringMatching(/call-centre\s+Call-centre request with follow-up visit\s+v1\s+None/),
      expect.stringMatching(/returns\s+Returns and refunds\s+v1\s+None/),
      expect.stringMatching(/store-dispatch\s+Store dispatch with rejection\s+v1\s+None/),
    ]);
    await screenshot(page, 'admin-workflows.en');

    await page
      .getByRole('navigation', { name: 'Admin sections' })
      .getByRole('link', { name: 'Templates' })
      .click();
    await page.waitForURL('**/admin/templates');
    const returnsRow = page.locator('.ant-table-tbody tr', { hasText: 'Return or refund' });
    await expect
      .poll(() => returnsRow.innerText())
      .toMatch(/returns\s+Return or refund\s+After-sales \/ Returns\s+v1/);
    await screenshot(page, 'admin-templates.en');

    // 中文: the app's strings and antd's own (its zh-CN locale: "条/页" in the pager).
    await chooseLanguage(page, '中文');
    await expect.poll(() => page.getByRole('heading', { name: '工单模板' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: '退出登录' }).isVisible()).toBe(true);
    expect(await page.locator('.ant-pagination').innerText()).toContain('条/页');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await screenshot(page, 'admin-templates.zh-CN');

    // A deep link, reloaded: same page, same language (remembered), same person.
    await page.goto(`${server.url}/admin/templates/returns`);
    await expect.poll(() => page.getByRole('heading', { name: 'Return or refund' }).isVisible()).toBe(true);
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'Return or refund' }).isVisible()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/admin/templates/returns');
    expect(await page.getByTestId('signed-in-name').textContent()).toBe('Ada Admin');
    await screenshot(page, 'admin-template-returns.zh-CN');

    // Log out: back to the login, and the admin pages ask for a login again.
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(`${server.url}/admin/workflows`);
    await page.waitForURL('**/login?next=%2Fadmin%2Fworkflows');
    await expect.poll(() => page.getByRole('heading', { name: '登录 Docket' }).isVisible()).toBe(true);
    await chooseLanguage(page, 'English');
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Docket' }).isVisible()).toBe(true);
  });

  it('sends a signed-out visit of a desk list to the login and back, with nothing failing on the page', async () => {
    // The page asks for the list's first page before it knows who is signed in: refused, quietly.
    const page = await open();
    await page.goto(`${server.url}/desk?view=open`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email').fill('agent.a@docket.local');
    await page.getByLabel('Password').fill('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/desk' && u.search === '?view=open');
    await page.getByTestId('ticket-row').first().waitFor();
  });

  it('does not offer an agent the admin area, and says why when they type its address', async () => {
    const page = await open();
    await signIn(page, 'agent.a@docket.local');
    expect(new URL(page.url()).pathname).toBe('/desk');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await expect.poll(() => nav.getByRole('link', { name: 'Desk' }).isVisible()).toBe(true);
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    await page.goto(`${server.url}/admin/workflows`);
    await expect
      .poll(() => page.getByRole('heading', { name: 'You cannot open this page' }).isVisible())
      .toBe(true);
    expect(await page.getByTestId('forbidden-reason').textContent()).toBe(
      'Your roles (Store agent) do not give access to Admin. Ask an administrator if you need it.',
    );
    expect(new URL(page.url()).pathname).toBe('/admin/workflows');
    await screenshot(page, 'forbidden-admin.en');
    await page.getByRole('button', { name: 'Go to my start page' }).click();
    await page.waitForURL('**/desk');
  });

  it('shows a wrong password beside the form, and keeps the person on the login', async () => {
    const page = await open();
    await page.goto(`${server.url}/login`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('Enter your email address.').isVisible()).toBe(true);
    expect(await page.getByText('Enter your password.').isVisible()).toBe(true);

    await page.getByLabel('Email').fill('admin@docket.local');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByTestId('login-error');
    await expect
      .poll(() => alert.textContent())
      .toBe('The email or the password is wrong. Check both and try again.');
    // Beside the form: inside the same card, right above the button.
    const form = await page.locator('form[id="login"]').boundingBox();
    const box = await alert.boundingBox();
    expect(box!.y).toBeGreaterThan(form!.y);
    expect(box!.y + box!.height).toBeLessThan(form!.y + form!.height);
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login-wrong-password.en');

    // Customers sign in on their own tab (customerLogin): a staff account is not a customer.
    await page.getByText('Customer', { exact: true }).click();
    await page.getByLabel('Password').fill('docket-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => alert.textContent())
      .toBe('The email or the password is wrong. Check both and try again.');
    await page.getByText('Staff', { exact: true }).click();
    await page.getByLabel('Password').fill('not-the-password');

    await chooseLanguage(page, '中文');
    // antd spaces out a two-character Chinese label: "登 录".
    await page.getByRole('button', { name: /^登\s?录$/ }).click();
    await expect.poll(() => alert.textContent()).toBe('邮箱或密码错误，请检查后重试。');
    await screenshot(page, 'login-wrong-password.zh-CN');
  });

  it("speaks the browser's language on a first visit", async () => {
    const page = await open('zh-CN');
    await page.goto(`${server.url}/login`);
    await expect.poll(() => page.getByRole('heading', { name: '登录 Docket' }).isVisible()).toBe(true);
    await screenshot(page, 'login.zh-CN');
  });

  it('shows every area to those who may open it, in both languages', async () => {
    const page = await open();
    const visit = async (path: string, heading: { en: string; zh: string }, name: string) => {
      for (const [language, text] of [
        ['English', heading.en],
        ['中文', heading.zh],
      ] as const) {
        await page.goto(`${server.url}${path}`);
        await chooseLanguage(page, language);
        await expect.poll(() => page.getByRole('heading', { level: 1, name: text }).isVisible()).toBe(true);
        await screenshot(page, `${name}.${language === 'English' ? 'en' : 'zh-CN'}`);
      }
    };

    await signIn(page, 'service@docket.local');
    await visit('/desk', { en: 'My tasks', zh: '我的待办' }, 'desk');
    // The returns ticket created above waits on the service desk's review.
    expect(await page.getByRole('row', { name: new RegExp(ticketNumber) }).innerText()).toMatch(
      /Kettle leaks/,
    );
    await visit('/wall', { en: 'Tickets now', zh: '工单实况' }, 'wall');
    await visit('/reports', { en: 'Reports', zh: '报表' }, 'reports');
    await visit(
      '/no/such/page',
      { en: 'There is no page at this address', zh: '此地址没有页面' },
      'not-found',
    );
    await chooseLanguage(page, 'English');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);

    await signIn(page, 'admin@docket.local');
    await visit(
      '/admin/workflows/returns',
      { en: 'Returns and refunds', zh: 'Returns and refunds' },
      'admin-workflow-returns',
    );
    // The designer, in Chinese: its palette of node types.
    expect(await page.getByTestId('palette-human_step').textContent()).toBe('人工步骤');
    await visit('/admin/workflows', { en: 'Workflows', zh: '工作流' }, 'admin-workflows');
    await visit(
      '/admin/templates/returns',
      { en: 'Return or refund', zh: 'Return or refund' },
      'admin-template-returns',
    );
    await visit(
      '/admin/workflows/nope',
      { en: 'There is no workflow "nope"', zh: '没有标识为“nope”的工作流' },
      'admin-workflow-missing',
    );
    await chooseLanguage(page, 'English');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);

    // The portal's address sends a visitor to the login's customer tab, and back after it.
    await page.goto(`${server.url}/portal`);
    await page.waitForURL('**/login?as=customer&next=%2Fportal');
    await page.getByLabel('Email').fill('customer@example.com');
    await page.getByLabel('Password').fill('docket-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/portal');
    await visit('/portal', { en: 'My tickets', zh: '我的工单' }, 'portal');
    expect(await page.getByRole('row', { name: new RegExp(ticketNumber) }).innerText()).toMatch(
      /Kettle leaks/,
    );
    expect(await page.getByTestId('signed-in-roles').textContent()).toBe('客户');
    await page.goto(`${server.url}/desk`);
    await expect
      .poll(() => page.getByTestId('forbidden-reason').textContent())
      .toBe('工作台仅供员工使用；您当前以客户身份登录。');
  });

  it('serves GraphiQL with no request to another host', async () => {
    const page = await open();
    await page.goto(`${server.url}/graphql`);
    await expect
      .poll(() => page.locator('.graphiql-container').first().isVisible(), { timeout: 30_000 })
      .toBe(true);
    await screenshot(page, 'graphiql');
  });
});
