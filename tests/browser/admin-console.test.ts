import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { chooseOption, launchBrowser, newContext, screenshot, watchPage } from './browser.ts';

/**
 * The admin console in Chromium against the real server: an admin invites a user and gives them a
 * role, moves an org unit after seeing what the move does to tickets, adds a holiday to a calendar
 * and sees the "due if created now" preview move, reorders SLA policies and tests one; the audit
 * page shows who changed what. Screenshots in artifacts/.
 */
describe('the admin console', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };
  let admin: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ workflows: false }), launchBrowser()]);
    admin = await server.login('admin@docket.local');
    // A ticket under Store A: moving the store takes it along.
    const storeA = (
      await server.sql<{ id: number }>("select id from org_unit where name like 'Store A%'")
    )[0]!.id;
    const created = await server.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
      { i: { templateKey: 'returns', title: 'Kettle leaks', formData: validReturn, orgUnitId: storeA } },
      admin,
    );
    expect(created.data!.createTicket.__typename).toBe('Ticket');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const signedIn = async (locale = 'en-US'): Promise<Page> => {
    context = await newContext(browser, locale);
    const page = await context.newPage();
    watched = watchPage(page, server.url);
    await page.goto(`${server.url}/login`);
    await page.getByLabel(locale === 'zh-CN' ? '邮箱' : 'Email').fill('admin@docket.local');
    await page.getByLabel(locale === 'zh-CN' ? '密码' : 'Password').fill('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  };

  /** Picks an option of an antd Select by typing part of its label, and waits until it shows. */
  const pick = (page: Page, label: string, option: string) =>
    chooseOption(page, page.getByLabel(label, { exact: true }), option, { exact: false, search: option });

  it('invites a user with a link to set their password and gives them a role', async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/admin/users`);
    await expect.poll(() => page.getByRole('heading', { name: 'Users' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Invite a user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Iris Invited');
    await dialog.getByLabel('Email').fill('iris@docket.local');
    await screenshot(page, 'admin-users-invite.en');
    await dialog.getByRole('button', { name: 'Invite a user' }).click();
    const secret = page.getByTestId('once-secret');
    await expect.poll(() => secret.inputValue()).toMatch(/\/invite\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const link = await secret.inputValue();
    await screenshot(page, 'admin-users-invitation-link.en');
    await page.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
    // The link sets a password that works (tests/browser/invitation.test.ts opens it in the browser).
    const accepted = await server.gql(
      'mutation($t: String!) { acceptInvitation(token: $t, password: "iris-password") { __typename } }',
      { t: link.split('/invite/')[1] },
    );
    expect(accepted.data!.acceptInvitation.__typename).toBe('Session');
    expect(await server.login('iris@docket.local', 'iris-password')).toBeTruthy();

    // Give a role: edit the new row.
    const row = page.locator('.ant-table-row', { hasText: 'iris@docket.local' });
    await row.getByRole('button', { name: 'Edit' }).click();
    await pick(page, 'Roles', 'Store agent');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.innerText()).toContain('Store agent');
    const roles = await server.sql<{ key: string }>(
      "select r.key from user_role ur join role r on r.id = ur.role_id join app_user u on u.id = ur.user_id where u.email = 'iris@docket.local'",
    );
    expect(roles).toEqual([{ key: 'agent' }]);

    // Reloaded with its search: the same list, filtered.
    await page.goto(`${server.url}/admin/users?q=iris`);
    await expect.poll(() => page.locator('.ant-table-row').count()).toBe(1);
    await screenshot(page, 'admin-users.en');
  });

  it('moves an org unit by drag after saying how many tickets change scope', async () => {
    const page = await signedIn();
    const [storeA] = await server.sql<{ id: number; path: string }>(
      "select id, path from org_unit where name like 'Store A%'",
    );
    const [south] = await server.sql<{ id: number; path: string }>(
      "select id, path from org_unit where name = 'South Region'",
    );
    await page.goto(`${server.url}/admin/org`);
    await expect.poll(() => page.getByTestId(`org-${storeA!.id}`).isVisible()).toBe(true);
    await page.getByTestId(`org-${storeA!.id}`).dragTo(page.getByTestId(`org-${south!.id}`));
    const impact = page.getByTestId('move-impact');
    await expect.poll(() => impact.isVisible()).toBe(true);
    const { n } = (
      await server.sql<{ n: number }>('select count(*)::int as n from ticket where org_path like ?', [
        `${storeA!.path}%`,
      ])
    )[0]!;
    expect(await impact.innerText()).toContain(`Tickets whose scope changes: ${n} (${n} open)`);
    await screenshot(page, 'admin-org-impact.en');
    // Nothing moved yet.
    expect((await server.sql('select path from org_unit where id = ?', [storeA!.id]))[0]!.path).toBe(
      storeA!.path,
    );
    await page.getByRole('button', { name: 'Move it' }).click();
    await expect
      .poll(async () => (await server.sql('select path from org_unit where id = ?', [storeA!.id]))[0]!.path)
      .toBe(`${south!.path}${storeA!.id}/`);
    await expect
      .poll(
        async () =>
          (
            await server.sql<{ n: number }>('select count(*)::int as n from ticket where org_path like ?', [
              `${south!.path}%`,
            ])
          )[0]!.n,
      )
      .toBe(n);
    await screenshot(page, 'admin-org.en');
  });

  it("names a unit's manager with the searchable user picker, in English and Chinese; the server checks who asks", async () => {
    const [storeC] = await server.sql<{ id: number }>("select id from org_unit where name like 'Store C%'");
    const [bo] = await server.sql<{ id: number }>(
      "select id from app_user where email = 'agent.b@docket.local'",
    );
    const managerOf = async () =>
      (
        await server.sql<{ m: number | null }>('select manager_id as m from org_unit where id = ?', [
          storeC!.id,
        ])
      )[0]!.m;
    const page = await signedIn();
    await page.goto(`${server.url}/admin/org?unit=${storeC!.id}`);
    await expect.poll(() => page.getByLabel('Manager', { exact: true }).isVisible()).toBe(true);
    // Found by part of the email address.
    await pick(page, 'Manager', 'agent.b@');
    await page
      .locator('form', { has: page.getByLabel('Manager', { exact: true }) })
      .getByRole('button', { name: 'Save' })
      .click();
    await expect.poll(managerOf).toBe(bo!.id);
    await screenshot(page, 'admin-org-manager.en');
    expect(watched.problems).toEqual([]);
    await page.context().close();

    const zh = await signedIn('zh-CN');
    await zh.goto(`${server.url}/admin/org?unit=${storeC!.id}`);
    await expect.poll(() => zh.getByLabel('负责人', { exact: true }).isVisible()).toBe(true);
    const shown = zh
      .locator('form', { has: zh.getByLabel('负责人', { exact: true }) })
      .locator('.ant-select')
      .first();
    await expect.poll(() => shown.innerText()).toContain('Bo Agent (Store B) <agent.b@docket.local>');
    await screenshot(zh, 'admin-org-manager.zh-CN');

    // The mutation behind it: an agent may not name managers, and a user who does not exist is
    // refused with the field named; neither changes anything.
    const set = (managerId: number | null, token: string) =>
      server.gql(
        'mutation($id: Int!, $m: Int) { updateOrgUnit(id: $id, managerId: $m) { __typename ... on ValidationError { fields { path } } } }',
        { id: storeC!.id, m: managerId },
        token,
      );
    const agent = await server.login('agent.a@docket.local');
    expect((await set(null, agent)).data!.updateOrgUnit.__typename).toBe('ForbiddenError');
    const missing = await set(987654, admin);
    expect(missing.data!.updateOrgUnit).toEqual({
      __typename: 'ValidationError',
      fields: [{ path: '/managerId' }],
    });
    expect(await managerOf()).toBe(bo!.id);
  });

  it('adds a holiday in the year view and the "due if created now" preview moves past it', async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/admin/calendars/shanghai-office`);
    const due = page.getByTestId('due-at');
    await expect.poll(() => due.isVisible()).toBe(true);
    const before = (await due.getAttribute('data-due-date'))!;
    const beforeAt = (await due.getAttribute('data-due-at'))!;
    // The day it falls due becomes a holiday: the target now ends on a later working day.
    await page.locator(`button[data-date="${before}"]`).click();
    expect(await page.locator(`button[data-date="${before}"]`).getAttribute('data-kind')).toBe('holiday');
    await expect.poll(async () => (await due.getAttribute('data-due-date'))! > before).toBe(true);
    expect(Date.parse((await due.getAttribute('data-due-at'))!)).toBeGreaterThan(Date.parse(beforeAt));
    await page.getByLabel(`Name ${before}`).fill('Company day');
    await screenshot(page, 'admin-calendar.en');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await expect
      .poll(
        async () =>
          (await server.sql("select definition from business_calendar where key = 'shanghai-office'"))[0]!
            .definition.holidays,
      )
      .toEqual([{ date: before, name: 'Company day' }]);
  });

  it('reorders SLA policies by drag and tests which one a ticket gets', async () => {
    const page = await signedIn();
    const policies = await server.sql<{ id: number; name: string }>(
      'select id, name from sla_policy order by position, id',
    );
    expect(policies.map((p) => p.name)).toEqual(['Product A major faults', 'Product B ordinary problems']);
    await page.goto(`${server.url}/admin/sla/${policies[1]!.id}`);
    await expect
      .poll(() => page.getByLabel('Name', { exact: true }).inputValue())
      .toBe('Product B ordinary problems');
    await page.getByTestId(`policy-${policies[1]!.id}`).dragTo(page.getByTestId(`policy-${policies[0]!.id}`));
    await expect
      .poll(async () =>
        (await server.sql<{ name: string }>('select name from sla_policy order by position, id')).map(
          (p) => p.name,
        ),
      )
      .toEqual(['Product B ordinary problems', 'Product A major faults']);

    const panel = page.getByTestId('sla-test');
    await panel.getByLabel('Category (levels separated by /)').fill('Product B/Noise');
    await panel.getByRole('button', { name: 'Test' }).click();
    const result = page.getByTestId('sla-test-result');
    await expect.poll(() => result.isVisible()).toBe(true);
    expect(await result.innerText()).toContain('Applies: Product B ordinary problems');
    expect(await result.innerText()).toMatch(/First response\s+30 min \(business\)/);
    expect(await result.innerText()).toMatch(
      /Periodic update\s+1 h \(business\)\s+Starts with the first reply/,
    );
    await screenshot(page, 'admin-sla.en');
  });

  it('creates a policy whose condition the rule builder reads, with a target from the table', async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/admin/sla/new`);
    await page.getByLabel('Name', { exact: true }).fill('Urgent phone calls');
    await page
      .getByLabel('Condition as CEL text')
      .fill('ticket.priority == "urgent" && ticket.channel == "phone"');
    // The builder shows the text as two rules joined by "and".
    const builder = page.getByRole('group', { name: 'Rule builder' });
    await expect.poll(() => builder.locator('.rule').count()).toBe(2);
    await page.getByLabel('First response Urgent').fill('10');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/sla\/\d+$/);
    const [saved] = await server.sql<{ name: string; position: number; definition: any }>(
      "select name, position, definition from sla_policy where name = 'Urgent phone calls'",
    );
    expect(saved!.position).toBe(30);
    expect(saved!.definition.condition).toBe('ticket.priority == "urgent" && ticket.channel == "phone"');
    expect(saved!.definition.targets.first_response.urgent).toEqual({
      amount: 10,
      unit: 'hours',
      time: 'business',
    });
    await screenshot(page, 'admin-sla-new.en');
  });

  it('lays its sections in a row above the page on a phone, over none of its controls', async () => {
    for (const locale of ['en-US', 'zh-CN'] as const) {
      const page = await signedIn(locale);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${server.url}/admin/users`);
      const menu = page.getByTestId('admin-menu');
      const search = page.getByRole('searchbox');
      await search.waitFor();
      const [m, f] = [(await menu.boundingBox())!, (await search.boundingBox())!];
      // Above the page's first control, within the screen, and nothing of the console's over it.
      expect(m.y + m.height).toBeLessThanOrEqual(f.y);
      expect(m.x).toBeGreaterThanOrEqual(0);
      expect(m.x + m.width).toBeLessThanOrEqual(390);
      const atSearch = await page.evaluate(
        ([x, y]) => document.elementFromPoint(x!, y!)?.closest('input') !== null,
        [f.x + 12, f.y + f.height / 2],
      );
      expect(atSearch, 'the search field is not covered').toBe(true);
      // A section in the row's overflow is reached from it.
      // (the row's "…": the sections that do not fit, in a menu it opens)
      await menu.locator('.ant-menu-overflow-item-rest').click();
      const audit = page
        .locator('.ant-menu-submenu-popup')
        .getByRole('menuitem', { name: locale === 'zh-CN' ? '审计' : 'Audit' });
      await audit.getByRole('link').click();
      await page.waitForURL((u) => u.pathname === '/admin/audit');
      await screenshot(page, `admin-phone.${locale}.390x844`);
      await context.close();
    }
  });

  it('shows who changed what on the audit page, and the SLA page in Chinese', async () => {
    const page = await signedIn('zh-CN');
    await page.goto(`${server.url}/admin/audit?type=org_unit`);
    const rows = page.locator('.ant-table-row');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    // The move of Store A (the manager named for Store C came after it).
    expect(
      (await rows.allInnerTexts()).some((t) => /Ada Admin[\s\S]*修改了[\s\S]*组织[\s\S]*Store A/.test(t)),
    ).toBe(true);
    await screenshot(page, 'admin-audit.zh-CN');
    await page.goto(`${server.url}/admin/sla`);
    await expect.poll(() => page.getByRole('heading', { name: 'SLA 策略' }).isVisible()).toBe(true);
    await screenshot(page, 'admin-sla.zh-CN');
  });
});
