import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createSlaPolicy, createTicket, orgUnitId } from '../sla/sla-fixtures.ts';
import { launchBrowser, newContext, screenshot, watchPage } from './browser.ts';
import { freePort } from './desk-helpers.ts';

/**
 * The live wall in Chromium: an admin makes a wall token under Admin > Wall tokens; a screen that
 * opens its link (no sign-in) changes by itself when a ticket is created and when one breaches (an
 * SLA policy with a three-second target), in English and Chinese; and it carries on after the
 * server restarts.
 */
describe('the live wall', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: string;
  let link = '';

  const numberOn = async (page: Page, testId: string) => Number(await page.getByTestId(testId).innerText());

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ workflows: false }), launchBrowser()]);
    admin = await server.login('admin@docket.local');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an admin makes a wall token and gets its link once', async () => {
    const context = await newContext(browser, 'en-US');
    const page = await context.newPage();
    const watched = watchPage(page, server.url);
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill('admin@docket.local');
    await page.getByLabel('Password').fill('docket-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${server.url}/admin/wall-tokens`);
    await page.getByRole('button', { name: 'New wall token' }).click();
    await page.getByLabel('Name (the screen that shows it)').fill('North office TV');
    await page.getByLabel('Org unit').click();
    await page.getByTitle('North Region').click();
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByTestId('once-secret');
    await expect.poll(() => secret.inputValue()).toMatch(/\/wall\?token=dkw_/);
    link = await secret.inputValue();
    await screenshot(page, 'wall-tokens.en');
    await page.getByRole('button', { name: 'Close' }).first().click();
    await expect.poll(() => page.getByRole('row', { name: /North office TV/ }).isVisible()).toBe(true);
    expect(watched.problems).toEqual([]);
    await context.close();
  });

  it('the wall changes by itself when a ticket is created and when one breaches', async () => {
    expect(link).toMatch(/token=dkw_/);
    const context = await newContext(browser, 'en-US');
    const page = await context.newPage();
    const watched = watchPage(page, server.url);
    await page.goto(link);
    await expect.poll(() => page.getByTestId('wall-connection').getAttribute('data-live')).toBe('yes');
    expect(await page.getByRole('heading', { name: 'Tickets now: North Region' }).isVisible()).toBe(true);
    const created = await numberOn(page, 'wall-created-today');
    const breached = await numberOn(page, 'wall-breached');

    const storeA = await orgUnitId(server, 'Store A');
    const startedAt = Date.now();
    await createTicket(server, admin, {
      templateKey: 'returns',
      title: 'Kettle leaks',
      channel: 'phone',
      orgUnitId: storeA,
      formData: validReturn,
    });
    await expect
      .poll(() => numberOn(page, 'wall-created-today'), { timeout: 3_000, interval: 50 })
      .toBe(created + 1);
    const heardAfterMs = Date.now() - startedAt;
    expect(heardAfterMs).toBeLessThan(2_000);

    // A ticket whose first response is due three seconds after it is created.
    await createSlaPolicy(server, admin, {
      name: 'Wall: tiny target',
      position: 0,
      condition: 'ticket.channel == "email"',
      targets: { first_response: { normal: { amount: 0.05, unit: 'minutes', time: 'calendar' } } },
    });
    const late = await createTicket(server, admin, {
      templateKey: 'returns',
      title: 'Mailed in, due in seconds',
      channel: 'email',
      orgUnitId: storeA,
      formData: validReturn,
    });
    await expect.poll(() => page.getByTestId('wall-at-risk-list').innerText()).toContain(late.number);
    await expect.poll(() => numberOn(page, 'wall-breached'), { timeout: 8_000 }).toBe(breached + 1);
    expect(await page.getByTestId('wall-breached-list').innerText()).toContain(late.number);
    await screenshot(page, 'wall.en');
    expect(watched.problems).toEqual([]);
    await context.close();
  });

  it('speaks Chinese, and a revoked token says so', async () => {
    const context = await newContext(browser, 'zh-CN');
    const page = await context.newPage();
    await page.goto(link);
    await expect
      .poll(() => page.getByRole('heading', { name: '工单实况：North Region' }).isVisible())
      .toBe(true);
    expect(await page.getByText('今日新建').isVisible()).toBe(true);
    await screenshot(page, 'wall.zh-CN');
    const id = (
      await server.sql<{ id: number }>("select id from wall_token where name = 'North office TV'")
    )[0]!.id;
    await server.gql('mutation($id: Int!) { revokeWallToken(id: $id) { __typename } }', { id }, admin);
    const other = await context.newPage();
    await other.goto(link);
    await expect.poll(() => other.getByText(/revoked/).isVisible()).toBe(true);
    await context.close();
  });
});

describe('the live wall across a server restart', () => {
  let proc: ServerProcess | undefined;
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'docket-wall-'));

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await proc?.stop();
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects by itself and shows what changed meanwhile', async () => {
    const port = String(await freePort());
    const env = { PORT: port, DATA_DIR: dataDir, DOCKET_EXAMPLE_WORKFLOWS: 'off' };
    proc = await startServerProcess(env);
    const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const r = await fetch(`${proc!.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await r.json()) as { data: Record<string, any> };
    };
    const login = await gql(
      'mutation { login(email: "admin@docket.local", password: "docket-demo") { ... on Session { token } } }',
      {},
    );
    const admin = login.data.login.token as string;
    const units = await gql('{ orgUnits { id name } }', {}, admin);
    const hq = units.data.orgUnits.find((u: { name: string }) => u.name === 'Headquarters');
    const made = await gql(
      'mutation($o: Int!) { createWallToken(name: "Lobby", orgUnitId: $o) { ... on CreatedWallToken { token } } }',
      { o: Number(hq.id) },
      admin,
    );
    const create = (title: string) =>
      gql(
        'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }',
        {
          i: {
            templateKey: 'returns',
            title,
            channel: 'phone',
            orgUnitId: Number(hq.id),
            formData: validReturn,
          },
        },
        admin,
      );

    const context = await newContext(browser, 'en-US');
    const page = await context.newPage();
    await page.goto(`${proc.url}/wall?token=${made.data.createWallToken.token}&theme=dark`);
    await expect.poll(() => page.getByTestId('wall-connection').getAttribute('data-live')).toBe('yes');
    const before = await numberOn(page, 'wall-created-today');

    await proc.stop();
    await expect.poll(() => page.getByTestId('wall-connection').getAttribute('data-live')).toBe('no');
    proc = await startServerProcess(env);
    // Created while the wall was away from this server: the reconnected wall shows it.
    expect((await create('Made after the restart')).data.createTicket.__typename).toBe('Ticket');
    await expect
      .poll(() => numberOn(page, 'wall-created-today'), { timeout: 30_000, interval: 200 })
      .toBe(before + 1);
    expect(await page.getByTestId('wall-connection').getAttribute('data-live')).toBe('yes');
    // And it is live again: the next ticket shows at once.
    await create('And one more');
    await expect.poll(() => numberOn(page, 'wall-created-today'), { timeout: 3_000 }).toBe(before + 2);
    await screenshot(page, 'wall-after-restart.en');
    await context.close();
  });

  async function numberOn(page: Page, testId: string) {
    return Number(await page.getByTestId(testId).innerText());
  }
});
