import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { chooseOption, launchBrowser, newContext, screenshot, watchPage } from './browser.ts';
import { seriousA11yViolations, signIn } from './desk-helpers.ts';

/**
 * The agent desk in Chromium against the real server: scenario 1 end to end (created from the
 * keyboard, transferred with a reason, completed, the visit recorded, the result in the portal),
 * scenario 5 (a store rejects a misrouted ticket, the dispatcher reroutes it), store A seeing
 * nothing of store B, an SLA countdown turning red, and axe-core on the desk's pages.
 */
describe('the agent desk', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const open = async (viewport = { width: 1280, height: 900 }): Promise<Page> => {
    context = await newContext(browser);
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    watched = watchPage(page, server.url);
    return page;
  };
  const gqlAs = async (email: string, query: string, variables: Record<string, unknown> = {}) =>
    server.gql(query, variables, await server.login(email));
  const openTaskId = async (number: string, nodeId: string) => {
    const r = await gqlAs(
      'admin@docket.local',
      `query($n: String!) { ticket(number: $n) { tasks { id nodeId status } } }`,
      { n: number },
    );
    return r.data!.ticket.tasks.find(
      (x: { nodeId: string; status: string }) => x.nodeId === nodeId && x.status === 'open',
    )?.id as string | undefined;
  };
  const logOut = async (page: Page) => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
  };

  it('scenario 1: created from the keyboard, transferred, completed, visited, and seen in the portal', async () => {
    const page = await open();
    await signIn(page, server.url, 'service@docket.local');
    // The list of templates is held back until the agent has typed the template's name and Enter
    // (a slow line or a busy server): what was typed ahead is not lost.
    let releaseChoices = () => {};
    const choicesHeld = new Promise<void>((resolve) => {
      releaseChoices = resolve;
    });
    await page.route(`${server.url}/graphql`, async (route) => {
      if (route.request().postData()?.includes('DeskNewTicketChoices')) await choicesHeld;
      await route.fallback();
    });
    await page.goto(`${server.url}/desk/new`);
    await expect.poll(() => page.getByRole('heading', { name: 'New ticket' }).isVisible()).toBe(true);

    // Keyboard only: the template picker has the focus.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-ticket-template');
    await page.keyboard.type('Service request');
    await page.keyboard.press('Enter');
    releaseChoices();
    await page.unroute(`${server.url}/graphql`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('13800000001');
    await expect
      .poll(() => page.locator('.ant-select-item-option', { hasText: 'Chen Customer' }).isVisible())
      .toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('picked-requester').textContent()).toContain('Chen Customer');
    // Tab on to each field (the channel stays "Phone"), typing where one is reached.
    const tabTo = async (id: string) => {
      for (let i = 0; i < 12; i++) {
        if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached #${id}`);
    };
    await tabTo('new-ticket-title');
    await page.keyboard.type('Washing machine does not spin');
    // The generated form, in the order its template was written: caller number, service
    // category, details, follow-up.
    await tabTo('root_callerNumber');
    await page.keyboard.type('+86 138 0000 0001');
    await tabTo('root_serviceCategory');
    await page.keyboard.type('repair');
    await page.keyboard.press('Enter');
    await tabTo('root_details');
    await page.keyboard.type('The drum is stuck after the spin cycle.');
    await tabTo('root_needsFollowUp');
    await page.keyboard.press('Space');
    await screenshot(page, 'desk-new-ticket.en');
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(/\/desk\/tickets\/CC-/);
    const number = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    await expect.poll(() => page.getByTestId('ticket-number').textContent()).toBe(number);
    const created = await gqlAs(
      'admin@docket.local',
      `query($n: String!) { ticket(number: $n) { channel requester { email } formData } }`,
      { n: number },
    );
    expect(created.data!.ticket).toMatchObject({
      channel: 'phone',
      requester: { email: 'customer@example.com' },
      formData: { serviceCategory: 'repair', needsFollowUp: true },
    });
    await logOut(page);

    // The repair team's technician transfers it to the service desk, with a reason.
    await signIn(page, server.url, 'tech@docket.local');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    await page.getByTestId('task-transfer').click();
    await page.getByRole('radio', { name: 'A team' }).check();
    await chooseOption(page, page.getByTestId('transfer-target'), 'Service desk', { exact: false });
    await page.getByTestId('action-reason').fill('A billing question, not a repair');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => page.locator('[data-kind="task.transferred"]').innerText())
      .toMatch(
        /Transferred from Tao Technician \(Store A repairs\) to .*Service desk.*: A billing question, not a repair/,
      );
    await screenshot(page, 'desk-ticket-transferred.en');
    await logOut(page);

    // The service desk completes the step, the follow-up visit is recorded, and a reply goes out.
    await signIn(page, server.url, 'service@docket.local');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    await page.getByTestId('composer').fill('We fixed the drum; a follow-up call comes next.');
    await page.getByTestId('composer-send').click();
    await expect.poll(() => page.locator('[data-kind="reply"]').count()).toBe(1);
    const panel = page.getByTestId('task-panel');
    await panel.getByRole('textbox').first().fill('Explained the bill and booked a fix');
    await panel.getByRole('button', { name: 'Complete step' }).click();
    await expect
      .poll(async () => (await page.getByTestId('task-panel').innerText()).includes('Call the customer back'))
      .toBe(true);
    await page.getByTestId('task-panel').getByRole('checkbox').first().check();
    await page.getByTestId('task-panel').getByRole('button', { name: 'Complete step' }).click();
    await expect.poll(() => page.getByTestId('ticket-status').textContent()).toBe('Solved');
    await screenshot(page, 'desk-ticket-solved.en');
    await logOut(page);

    // The requester sees the result in the portal.
    await signIn(page, server.url, 'customer@example.com', { isCustomer: true });
    await page.goto(`${server.url}/portal/tickets/${number}`);
    await expect.poll(() => page.getByTestId('portal-status').textContent()).toBe('Solved');
    expect(await page.getByTestId('portal-ticket').innerText()).toContain('We fixed the drum');
    await screenshot(page, 'portal-ticket-solved.en');
  });

  it('scenario 5: a store rejects a misrouted ticket; the dispatcher reroutes it', async () => {
    const created = await gqlAs(
      'service@docket.local',
      `mutation { createTicket(input: {templateKey: "store-complaint", title: "Rude staff at the counter", channel: "phone",
        requester: {email: "customer@example.com"}, formData: {complaint: "The staff refused a receipt."}}) { ... on Ticket { number } } }`,
    );
    const number = created.data!.createTicket.number as string;
    const page = await open();
    await signIn(page, server.url, 'service@docket.local');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    const panel = page.getByTestId('task-panel');
    await chooseOption(page, panel.getByRole('combobox').first(), 'storeA', { exact: false });
    await panel.getByRole('button', { name: 'Complete step' }).click();
    await expect.poll(async () => Boolean(await openTaskId(number, 'store_a'))).toBe(true);
    await logOut(page);

    await signIn(page, server.url, 'agent.a@docket.local');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    await page.getByTestId('task-reject').click();
    await page.getByTestId('action-reason').fill('The receipt number belongs to Store B');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(async () => Boolean(await openTaskId(number, 'dispatch'))).toBe(true);
    await logOut(page);

    await signIn(page, server.url, 'service@docket.local');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    await expect
      .poll(() => page.getByTestId('task-panel').innerText())
      .toContain('The receipt number belongs to Store B');
    expect(await page.locator('[data-kind="task.rejected"]').innerText()).toContain(
      'The receipt number belongs to Store B',
    );
    await screenshot(page, 'desk-ticket-rejected.en');
    const again = page.getByTestId('task-panel');
    await chooseOption(page, again.getByRole('combobox').first(), 'storeB', { exact: false });
    await again.getByRole('button', { name: 'Complete step' }).click();
    await expect.poll(async () => Boolean(await openTaskId(number, 'store_b'))).toBe(true);
  });

  it('shows a store-A agent no store-B ticket: not in lists, search, typed links or notifications', async () => {
    const created = await gqlAs(
      'service@docket.local',
      `mutation { createTicket(input: {templateKey: "store-complaint", title: "Broken glass at store B", channel: "phone",
        requester: {email: "customer@example.com"}, formData: {complaint: "Glass door cracked"}}) { ... on Ticket { number } } }`,
    );
    const number = created.data!.createTicket.number as string;
    const dispatch = await openTaskId(number, 'dispatch');
    await gqlAs(
      'service@docket.local',
      `mutation($t: ID!) { actOnTask(taskId: $t, action: complete, output: {store: "storeB"}) { __typename } }`,
      {
        t: dispatch,
      },
    );
    const page = await open();
    await signIn(page, server.url, 'agent.a@docket.local');
    for (const view of ['open', 'unassigned', 'mine', 'team', 'breached', 'atRisk']) {
      await page.goto(`${server.url}/desk?view=${view}`);
      await expect.poll(() => page.getByTestId('list-total').isVisible()).toBe(true);
      expect(await page.locator('[data-testid="ticket-row"]').allInnerTexts()).not.toContainEqual(
        expect.stringContaining(number),
      );
    }
    // The views' counts come too, once the list is shown.
    await expect.poll(() => page.getByTestId('view-open').innerText()).toMatch(/\d/);
    await page.getByTestId('ticket-search').locator('input').fill('Broken glass');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('list-total').textContent()).toBe('0 tickets');
    await screenshot(page, 'desk-store-a-search.en');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toContain(`There is no ticket ${number}`);
    await page.goto(`${server.url}/desk?view=open`);
    await page.getByTestId('notification-bell').click();
    const notices = await page.locator('.ant-popover').innerText();
    expect(notices).not.toContain(number);
    expect(notices).not.toContain('Broken glass');
  });

  it('ticks an SLA countdown each second and turns it red once the ticket breaches', async () => {
    const created = await gqlAs(
      'agent.a@docket.local',
      `mutation { createTicket(input: {templateKey: "product-a-fault", title: "Unit smoking", channel: "phone",
        requester: {email: "customer@example.com"}, formData: {serialNumber: "PA-9921", symptom: "Smoke from the fan"}}) {
        ... on Ticket { number slaClocks { metric dueAt status } } } }`,
    );
    const { number, slaClocks } = created.data!.createTicket as {
      number: string;
      slaClocks: { metric: string; dueAt: string | null }[];
    };
    const first = slaClocks.find((c) => c.metric === 'first_response')!;
    expect(first.dueAt).not.toBeNull();
    const page = await open();
    await page.clock.install({ time: Date.now() });
    await signIn(page, server.url, 'agent.a@docket.local');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    const countdown = page.getByTestId('sla-countdown').first();
    await expect.poll(() => countdown.isVisible()).toBe(true);
    const before = await countdown.textContent();
    await page.clock.runFor(3000);
    await expect.poll(() => countdown.textContent()).not.toBe(before);
    await screenshot(page, 'desk-sla-running.en');
    // Past the due time: red, counting the time over.
    await page.clock.fastForward(Date.parse(first.dueAt!) - Date.now() + 65_000);
    await expect.poll(() => countdown.getAttribute('data-tone')).toBe('breached');
    expect(await countdown.textContent()).toMatch(/-00:0\d:\d\d/);
    // Red: the breached tone's text colour.
    await expect.poll(() => countdown.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(168, 7, 26)');
    await screenshot(page, 'desk-sla-breached.en');
  });

  it("edits the ticket's CC list by searching people, and shows the channel's own fields", async () => {
    const created = await gqlAs(
      'agent.a@docket.local',
      `mutation { createTicket(input: {templateKey: "product-a-fault", title: "Caller wants updates", channel: "phone",
        requester: {email: "customer@example.com"}, formData: {serialNumber: "PA-5120", symptom: "Clicks"}}) {
        ... on Ticket { id number } } }`,
    );
    const { id, number } = created.data!.createTicket as { id: string; number: string };
    // What a call-centre system put on the ticket beyond its form.
    await server.sql('update ticket set custom_fields = ?::jsonb where id = ?', [
      JSON.stringify({
        recordingUrl: 'https://cti.example.com/rec/5120.wav',
        partnerRef: 'P-5120',
        isCallbackWanted: true,
      }),
      id,
    ]);
    const page = await open({ width: 1280, height: 1400 });
    await signIn(page, server.url, 'agent.a@docket.local');
    await page.goto(`${server.url}/desk/tickets/${number}`);
    const fields = page.getByTestId('custom-fields');
    await expect.poll(() => fields.isVisible()).toBe(true);
    expect(await fields.getByRole('link').getAttribute('href')).toBe('https://cti.example.com/rec/5120.wav');
    expect(await fields.textContent()).toContain('P-5120');
    // A yes/no field reads as a word, not "true".
    expect(
      await fields.locator('.ant-descriptions-row', { hasText: 'isCallbackWanted' }).innerText(),
    ).toMatch(/isCallbackWanted\s+Yes$/);

    const select = page.getByTestId('cc-select');
    await select.click();
    await page.keyboard.type('Tao');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    const entries = page.locator('[data-testid="timeline-entry"][data-kind="cc.changed"]');
    await expect.poll(() => entries.count()).toBe(1);
    expect(await entries.first().textContent()).toContain('Added Tao Technician to the CC list.');
    expect(await entries.first().textContent()).toContain('Anna Agent (Store A)');
    await expect.poll(() => select.textContent()).toContain('Tao Technician');
    await screenshot(page, 'desk-ticket-cc.en');
    // Removed from the tag's cross.
    await select.getByLabel('close').click();
    await expect.poll(() => entries.count()).toBe(2);
    expect(await entries.nth(1).textContent()).toContain('Removed Tao Technician from the CC list.');
    const cc = await gqlAs(
      'admin@docket.local',
      'query($n: String!) { ticket(number: $n) { cc { name } } }',
      {
        n: number,
      },
    );
    expect(cc.data!.ticket.cc).toEqual([]);

    // The description templates kept on the server, filled from this ticket, go into the reply.
    await gqlAs(
      'admin@docket.local',
      `mutation { saveDescriptionTemplate(input: {templateKey: "product-a-fault", name: "Fault received",
        body: "Dear {{requester.name}}, we are on {{ticket.number}}."}) { __typename } }`,
    );
    await page.reload();
    await page.getByRole('button', { name: 'Insert a description template' }).click();
    await page.getByRole('menuitem', { name: 'Fault received' }).click();
    await expect
      .poll(() => page.getByTestId('composer').inputValue())
      .toBe(`Dear Chen Customer, we are on ${number}.`);

    // The list's created-range filter loads when the filters are first opened.
    await page.goto(`${server.url}/desk?view=open`);
    await page.getByRole('button', { name: 'Filters' }).click();
    await expect.poll(() => page.locator('.ant-picker-range').isVisible()).toBe(true);
  });

  it('shows the ticket page in Chinese: the channel by its title, the SLA entries in words', async () => {
    const created = await gqlAs(
      'agent.a@docket.local',
      `mutation { createTicket(input: {templateKey: "product-a-fault", title: "风扇冒烟", channel: "phone",
        requester: {email: "customer@example.com"}, formData: {serialNumber: "PA-7710", symptom: "Smoke"}}) {
        ... on Ticket { number } } }`,
    );
    const number = created.data!.createTicket.number as string;
    const techId = (
      await server.sql<{ id: number }>("select id from app_user where email = 'tech@docket.local'")
    )[0]!.id;
    const ticketId = (
      await server.sql<{ id: string }>('select id::text as id from ticket where number = ?', [number])
    )[0]!.id;
    await server.sql('update ticket set custom_fields = ?::jsonb where id = ?', [
      JSON.stringify({ recordingUrl: 'https://cti.example.com/rec/7710.wav', isCallbackWanted: false }),
      ticketId,
    ]);
    await gqlAs(
      'agent.a@docket.local',
      'mutation($id: ID!, $u: [Int!]!) { setTicketCc(id: $id, userIds: $u) { __typename } }',
      {
        id: ticketId,
        u: [techId],
      },
    );
    context = await newContext(browser, 'zh-CN');
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 1400 });
    watched = watchPage(page, server.url);
    await page.goto(`${server.url}/login`);
    await page.getByLabel('邮箱').fill('agent.a@docket.local');
    await page.getByLabel('密码').fill('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${server.url}/desk/tickets/${number}`);
    await expect.poll(() => page.getByTestId('ticket-channel').textContent()).toBe('电话');
    const started = page.locator('[data-testid="timeline-entry"][data-kind="sla.started"]').first();
    await expect
      .poll(() => started.textContent())
      .toMatch(/首次响应计时开始：目标 .+，截止于 \d{4}-\d\d-\d\d \d\d:\d\d UTC。/);
    expect(await started.textContent()).not.toContain('clock started');
    const cc = page.locator('[data-testid="timeline-entry"][data-kind="cc.changed"]');
    await expect.poll(() => cc.textContent()).toContain('将 Tao Technician 加入抄送。');
    expect(await page.getByTestId('custom-fields').textContent()).toContain('渠道字段');
    expect(
      await page
        .getByTestId('custom-fields')
        .locator('.ant-descriptions-row', { hasText: 'isCallbackWanted' })
        .innerText(),
    ).toMatch(/isCallbackWanted\s+否$/);
    await screenshot(page, 'desk-ticket.zh-CN');
  });

  it('works on a phone-sized screen, keeps the list live, and has no serious accessibility violations', async () => {
    const page = await open({ width: 390, height: 844 });
    await signIn(page, server.url, 'service@docket.local');
    await page.goto(`${server.url}/desk?view=open`);
    await expect.poll(() => page.getByTestId('list-total').isVisible()).toBe(true);
    const total = Number((await page.getByTestId('list-total').textContent())!.replace(/\D/g, ''));
    // A ticket made elsewhere appears without a reload, behind the "new tickets" bar.
    await gqlAs(
      'service@docket.local',
      `mutation { createTicket(input: {templateKey: "store-complaint", title: "Live one", channel: "phone",
        requester: {email: "customer@example.com"}, formData: {complaint: "Live update check"}}) { __typename } }`,
    );
    await expect.poll(() => page.getByTestId('show-waiting').isVisible(), { timeout: 15_000 }).toBe(true);
    await expect
      .poll(async () => Number((await page.getByTestId('list-total').textContent())!.replace(/\D/g, '')))
      .toBe(total + 1);
    await page.getByTestId('show-waiting').click();
    expect(await page.locator('[data-testid="ticket-row"]').first().innerText()).toContain('Live one');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(400);
    await screenshot(page, 'desk-list.phone');
    expect(await seriousA11yViolations(page)).toEqual([]);
    const number = (await page.locator('[data-testid="ticket-row"]').first().getAttribute('data-number'))!;
    await page.goto(`${server.url}/desk/tickets/${number}`);
    await expect.poll(() => page.getByTestId('ticket-number').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await screenshot(page, 'desk-ticket.phone');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
