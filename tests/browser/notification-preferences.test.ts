import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChannelServer } from '../channels/channel-fixtures.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { chooseOption, launchBrowser, newContext, screenshot, watchPage } from './browser.ts';

/**
 * The notification preferences page in Chromium against a real server with the SMS and chat-robot
 * plugins installed: a person chooses where each kind of notice reaches them, in English and in
 * Chinese, and the server keeps exactly what they ticked.
 */
describe('notification preferences page', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startChannelServer(['chat_robots', 'sms']), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const signIn = async (locale: string, email = 'agent.a@docket.local'): Promise<Page> => {
    context = await newContext(browser, locale);
    const page = await context.newPage();
    watched = watchPage(page, server.url);
    await page.goto(`${server.url}/login`);
    await page.locator('#login_email').fill(email);
    await page.locator('#login_password').fill('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  };

  const preferences = async () => {
    const r = await server.gql<{ myNotificationPreferences: { kind: string; targets: string[] }[] }>(
      '{ myNotificationPreferences { kind targets } }',
      {},
      await server.login('agent.a@docket.local'),
    );
    return r.data!.myNotificationPreferences;
  };

  it('sends SLA notices by SMS too and leaves the rest in-app, from the page', async () => {
    const page = await signIn('en-US');
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'My account' })
      .click();
    await page.waitForURL('**/account/notifications');
    await expect
      .poll(() => page.getByRole('heading', { name: 'Where my notices reach me' }).isVisible())
      .toBe(true);
    // In-app is always on and cannot be turned off.
    const inApp = page.getByRole('checkbox', { name: 'SLA warnings and breaches: In the app (Always)' });
    expect(await inApp.isChecked()).toBe(true);
    expect(await inApp.isDisabled()).toBe(true);

    const sms = page.getByRole('checkbox', { name: 'SLA warnings and breaches: SMS' });
    expect(await sms.isChecked()).toBe(false);
    // The box shows what the server keeps: it turns on once the choice is saved.
    await sms.click();
    await expect.poll(() => preferences()).toEqual([{ kind: 'sla', targets: ['sms.sms'] }]);
    await expect.poll(() => sms.isChecked()).toBe(true);
    // Urges follow "everything else" until set; a robot for everything else reaches them too.
    const urgeRow = page.locator('.ant-table-row', { hasText: 'Urged tickets' });
    expect(await urgeRow.innerText()).toContain('as everything else');
    await page.getByRole('checkbox', { name: 'Everything else: WeCom group robot' }).click();
    await expect
      .poll(() => preferences())
      .toEqual([
        { kind: '*', targets: ['chat_robots.wecom'] },
        { kind: 'sla', targets: ['sms.sms'] },
      ]);
    await expect
      .poll(() => page.getByRole('checkbox', { name: 'Urged tickets: WeCom group robot' }).isChecked())
      .toBe(true);
    // SLA notices have their own choice: the default does not change them.
    expect(
      await page.getByRole('checkbox', { name: 'SLA warnings and breaches: WeCom group robot' }).isChecked(),
    ).toBe(false);
    await screenshot(page, 'account-notifications.en');
  });

  it('speaks Chinese', async () => {
    const page = await signIn('zh-CN');
    await page.goto(`${server.url}/account/notifications`);
    await expect.poll(() => page.getByRole('heading', { name: '通知接收方式' }).isVisible()).toBe(true);
    // The targets (data from the plugins) go by their Chinese titles.
    const heads = page.locator('.ant-table-thead th');
    await expect
      .poll(() => heads.allInnerTexts())
      .toEqual(expect.arrayContaining(['短信', '企业微信群机器人']));
    expect((await heads.allInnerTexts()).join(' ')).not.toMatch(/SMS|WeCom|DingTalk|Feishu|Signed webhook/);
    const sms = page.getByRole('checkbox', { name: 'SLA 预警与超时: 短信' });
    await expect.poll(() => sms.isChecked()).toBe(true);
    await sms.click();
    // Unticking the last target of a kind keeps it in-app only (not back to the default).
    await expect
      .poll(() => preferences())
      .toEqual([
        { kind: '*', targets: ['chat_robots.wecom'] },
        { kind: 'sla', targets: [] },
      ]);
    await screenshot(page, 'account-notifications.zh-CN');
    // On a phone, the table scrolls sideways rather than squeezing the titles.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.getByRole('checkbox', { name: '其他全部: 企业微信群机器人' }).isChecked())
      .toBe(true);
    await screenshot(page, 'account-notifications.zh-CN.390x844');

    // Back in English, the same page shows the targets' English titles.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('language-switch').getByText('English', { exact: true }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Where my notices reach me' }).isVisible())
      .toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Everything else: WeCom group robot' }).isChecked()).toBe(
      true,
    );
    expect(await page.getByRole('checkbox', { name: 'SLA warnings and breaches: SMS' }).isChecked()).toBe(
      false,
    );
  });
  it("offers the installed targets in a workflow's notify step, by their names", async () => {
    const admin = await server.login('admin@docket.local');
    const graph = {
      nodes: [
        {
          id: 'start',
          type: 'start',
          typeVersion: 1,
          config: { trigger: 'ticket_created' },
          position: { x: 0, y: 0 },
        },
        {
          id: 'tell',
          type: 'notify',
          typeVersion: 1,
          config: { channel: 'in_app', recipients: [{ kind: 'assignee' }], body: 'Updated.' },
          position: { x: 0, y: 160 },
        },
        { id: 'end', type: 'end', typeVersion: 1, config: { status: 'solved' }, position: { x: 0, y: 320 } },
      ],
      edges: [
        { id: 'a', source: 'start', sourcePort: 'out', target: 'tell' },
        { id: 'b', source: 'tell', sourcePort: 'out', target: 'end' },
      ],
    };
    const created = await server.gql(
      'mutation($g: JSON) { createWorkflow(key: "tell-by-sms", name: "Tell by SMS", graph: $g) { __typename } }',
      { g: graph },
      admin,
    );
    expect(created.data?.createWorkflow?.__typename).toBe('Workflow');
    const draftChannel = async () =>
      (
        (await server.gql('{ workflow(key: "tell-by-sms") { draft { json } } }', {}, admin)).data!.workflow
          .draft.json as { nodes: { id: string; config: { channel?: string } }[] }
      ).nodes.find((n) => n.id === 'tell')?.config.channel;

    const page = await signIn('zh-CN', 'admin@docket.local');
    await page.goto(`${server.url}/admin/workflows/tell-by-sms`);
    await page.locator('.react-flow__node[data-id="tell"] .wf-node-head').click();
    const channel = page.locator('#root_channel');
    await channel.click();
    // In-app first, then each installed target by the name its plugin gives it in this language.
    const options = page.locator(
      '.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option',
    );
    await expect.poll(() => options.allInnerTexts()).toEqual(expect.arrayContaining(['短信 (sms.sms)']));
    const texts = await options.allInnerTexts();
    expect(texts[0]).toBe('站内通知');
    expect(texts).toContain('企业微信群机器人 (chat_robots.wecom)');
    // The step on the canvas says it in words: in-app before, the target's name after.
    const summary = page.locator('.react-flow__node[data-id="tell"] .wf-node-line').first();
    expect(await summary.innerText()).toBe('通过 站内通知 通知 1 个接收方');
    await chooseOption(page, channel, '短信 (sms.sms)');
    await expect.poll(() => draftChannel(), { timeout: 15_000 }).toBe('sms.sms');
    await expect.poll(() => summary.innerText()).toBe('通过 短信 通知 1 个接收方');
    await screenshot(page, 'workflow-notify-targets.zh-CN');
  });
});
