import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext, screenshot, watchPage } from './browser.ts';

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
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('shows the figures by group, links each group to its tickets and exports CSV', async () => {
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
    await page.getByRole('combobox').click();
    await page.getByTitle('Org unit').click();
    const north = page.getByRole('row', { name: /^North Region/ });
    await expect.poll(() => north.isVisible()).toBe(true);
    const href = await north.getByRole('link').getAttribute('href');
    expect(JSON.parse(new URL(href!, server.url).searchParams.get('filter')!)).toHaveProperty('orgUnitId');
    await screenshot(page, 'reports-by-org-unit.en');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await readFile((await (await download).path())!, 'utf8');
    const lines = csv.replace('\uFEFF', '').split('\n');
    expect(lines[0]).toMatch(/^Org unit,Created,Solved,Reopened,Backlog/);
    expect(lines).toContain(lines.find((l) => l.startsWith('Total,2,0,0,2')));
    expect(watched.problems).toEqual([]);
  });
});
