import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { chooseOption, launchBrowser, newContext, screenshot, watchPage } from './browser.ts';

/** A manager opens /reports, groups by org unit, follows a group's link and exports the table as CSV. */
describe('the reports page', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ workflows: false }), launchBrowser()]);
    const token = await server.login('agent.a@docket.local');
    const storeA = (
      await server.sql<{ id: number }>("select id from org_unit where name like 'Store A%'")
    )[0]!.id;
    for (const title of ['Kettle leaks', 'Fridge hums']) {
      const made = await server.gql<{ createTicket: { __typename: string } }>(
        `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }`,
        { i: { templateKey: 'returns', title, channel: 'phone', orgUnitId: storeA, formData: validReturn } },
        token,
      );
      expect(made.data!.createTicket.__typename).toBe('Ticket');
    }
    // The kettle's requester is a gold customer; the fridge has no requester.
    await server.sql("update customer set tier = 'gold' where email = 'customer@example.com'");
    await server.sql(
      "update ticket set requester_id = (select id from customer where email = 'customer@example.com') where title = 'Kettle leaks'",
    );
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('shows the figures by group, drills from a bar to its tickets, exports CSV and XLSX', async () => {
    context = await newContext(browser, 'en-US');
    const page: Page = await context.newPage();
    const watched = watchPage(page, server.url);
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill('manager.north@docket.local');
    await page.getByLabel('Password').fill('docket-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${server.url}/reports`);
    const total = page.getByRole('row', { name: /^Total/ });
    await expect.poll(() => total.isVisible()).toBe(true);
    // Two tickets created, both open: Created 2, Solved 0, Reopened 0, Backlog 2.
    expect((await total.locator('td').allInnerTexts()).slice(0, 5)).toEqual(['Total', '2', '0', '0', '2']);
    await chooseOption(page, page.getByRole('combobox', { name: 'Group by' }), 'Org unit');
    const north = page.getByRole('row', { name: /^North Region/ });
    await expect.poll(() => north.isVisible()).toBe(true);
    const href = await north.getByRole('link').getAttribute('href');
    expect(JSON.parse(new URL(href!, server.url).searchParams.get('filter')!)).toHaveProperty('orgUnitId');
    // The chart (its own chunk) draws a bar per org unit and figure: Created, Solved, Backlog for
    // Headquarters, North Region and Store A.
    const chart = page.getByTestId('report-chart');
    await expect.poll(() => chart.locator('svg').count()).toBe(1);
    await screenshot(page, 'reports-by-org-unit.en');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await readFile((await (await download).path())!, 'utf8');
    const lines = csv.replace('\uFEFF', '').split('\n');
    expect(lines[0]).toMatch(/^Org unit,Created,Solved,Reopened,Backlog/);
    expect(lines).toContain(lines.find((l) => l.startsWith('Total,2,0,0,2')));
    expect(lines.find((l) => l.startsWith('Store A'))).toMatch(/^Store A \(Beijing Chaoyang\),2,0,0,2/);

    const xlsxDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export XLSX' }).click();
    const xlsx = await readFile((await (await xlsxDownload).path())!);
    expect(xlsx.subarray(0, 4).toString('hex')).toBe('504b0304'); // a ZIP, as XLSX is
    expect(xlsx.toString('utf8')).toContain('<t xml:space="preserve">North Region</t>');

    // The first "Created" bar (Headquarters: 2) leads to the desk's list of those tickets.
    // The bars are the chart's tall, narrow shapes (legend swatches are short, the background wide):
    // Created and Backlog for Headquarters, North Region and Store A (2 each), Solved none.
    const shapes = chart.locator('svg path');
    await expect.poll(() => shapes.count()).toBeGreaterThan(6);
    const boxes = await Promise.all(
      (await shapes.all()).map(async (b) => ({ b, box: await b.boundingBox() })),
    );
    const tall = boxes
      .filter((x) => x.box && x.box.height > 20 && x.box.height < 250 && x.box.width < 100)
      .sort((x, y) => x.box!.x - y.box!.x);
    expect(tall.length).toBe(6);
    await tall[0]!.b.click(); // Headquarters, Created
    await page.waitForURL((u) => u.pathname === '/desk' && u.searchParams.has('filter'));
    const filter = JSON.parse(new URL(page.url()).searchParams.get('filter')!);
    expect(filter).toMatchObject({ orgUnitId: expect.any(String), createdAfter: expect.any(String) });
    for (const title of ['Kettle leaks', 'Fridge hums'])
      await expect.poll(() => page.getByText(title).first().isVisible(), { timeout: 15_000 }).toBe(true);
    await screenshot(page, 'reports-drill-down.en');
    expect(watched.problems).toEqual([]);
  });

  it('drills from a customer tier to its tickets, and shows the rating distribution', async () => {
    const page: Page = await context.newPage();
    const watched = watchPage(page, server.url);
    await page.goto(`${server.url}/reports`);
    await chooseOption(page, page.getByRole('combobox', { name: 'Group by' }), 'Customer tier');
    const gold = page.getByRole('row', { name: /^gold/ });
    await expect.poll(() => gold.isVisible()).toBe(true);
    expect(await page.getByRole('columnheader', { name: 'Rated 5' }).isVisible()).toBe(true);
    await screenshot(page, 'reports-by-customer-tier.en');
    await gold.getByRole('link').click();
    await page.waitForURL((u) => u.pathname === '/desk' && u.searchParams.has('filter'));
    expect(JSON.parse(new URL(page.url()).searchParams.get('filter')!)).toMatchObject({
      requesterTier: ['gold'],
    });
    await expect
      .poll(() => page.getByText('Kettle leaks').first().isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(await page.getByText('Fridge hums').count()).toBe(0);
    await screenshot(page, 'reports-tier-drill-down.en');
    expect(watched.problems).toEqual([]);
  });

  it('speaks Chinese', async () => {
    const zh = await newContext(browser, 'zh-CN');
    const page = await zh.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('邮箱').fill('manager.north@docket.local');
    await page.getByLabel('密码').fill('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${server.url}/reports`);
    await expect.poll(() => page.getByRole('button', { name: '导出 XLSX' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('row', { name: /^合计/ }).isVisible()).toBe(true);
    await screenshot(page, 'reports.zh-CN');
    await zh.close();
  });
});
