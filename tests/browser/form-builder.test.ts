import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createByKey, launchBrowser, newContext, screenshot, watchPage } from './browser.ts';

/**
 * The form builder in Chromium against the real server (fresh database, example data), with the
 * mouse and the keyboard only: an admin creates a template, builds a form of three fields and a
 * conditional one, checks it in the live preview, and publishes it; then an agent creates a ticket
 * through the generated form on the desk, and a wrong value is shown beside its field.
 */
describe('the form builder', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ workflows: false }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const open = async (email: string): Promise<Page> => {
    context = await newContext(browser);
    const page = await context.newPage();
    await page.setViewportSize({ width: 1600, height: 1000 });
    watched = watchPage(page, server.url);
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').click();
    await page.keyboard.type(email);
    await page.getByLabel('Password').click();
    await page.keyboard.type('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  };

  /** Clicks into a text box, selects what it holds and types over it. */
  const typeInto = async (page: Page, box: Locator, text: string) => {
    await box.click();
    await page.keyboard.press('ControlOrMeta+A');
    if (text === '') await page.keyboard.press('Backspace');
    else await page.keyboard.type(text);
  };

  const pick = async (page: Page, select: Locator, option: string) => {
    await select.click();
    await page
      .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
      .getByText(option, { exact: true })
      .click();
  };

  const chooseLanguage = async (page: Page, label: 'English' | '中文') => {
    await page.getByTestId('language-switch').getByText(label, { exact: true }).click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.lang))
      .toBe(label === '中文' ? 'zh-CN' : 'en');
  };

  const shoot = async (page: Page, name: string) => {
    await screenshot(page, `form-builder-${name}.en`);
    await chooseLanguage(page, '中文');
    await page.waitForTimeout(200);
    await screenshot(page, `form-builder-${name}.zh-CN`);
    await chooseLanguage(page, 'English');
  };

  const addField = async (page: Page, kind: string, label: string) => {
    await page.getByTestId('field-palette').getByText(kind, { exact: true }).click();
    await typeInto(page, page.locator('#fb-field-label'), label);
  };
  const preview = (page: Page) => page.getByTestId('form-preview');
  const saved = (page: Page) =>
    expect.poll(() => page.getByText('Draft saved').isVisible(), { timeout: 15_000 }).toBe(true);

  it('lets an admin build a form with a conditional field and publish it; an agent fills it in', async () => {
    const page = await open('admin@docket.local');
    await page.goto(`${server.url}/admin/templates`);
    await createByKey(page, 'New template', 'repairs', 'Repairs', '**/admin/templates/repairs');
    await expect.poll(() => page.getByTestId('form-builder').isVisible()).toBe(true);

    // Three fields: a required choice, a required text, an amount with a range.
    await addField(page, 'Select', 'Repair reason');
    await page.locator('#fb-field-required').click();
    await typeInto(page, page.locator('#fb-field-choices'), 'defective | Defective');
    await page.keyboard.press('Enter');
    await page.keyboard.type('other | Something else');
    await addField(page, 'Text', 'Serial number');
    await page.locator('#fb-field-required').click();
    await addField(page, 'Money', 'Estimate');
    await typeInto(page, page.locator('#fb-field-maximum'), '5000');
    // The conditional one: a tracking number with a pattern, only for defective items.
    await addField(page, 'Text', 'Tracking number');
    await typeInto(page, page.locator('#fb-field-key'), 'trackingNumber');
    await page.keyboard.press('Enter');
    await page.locator('#fb-field-required').click();
    await typeInto(page, page.locator('#fb-field-pattern'), '^SF\\d{9}$');
    await typeInto(page, page.locator('#fb-field-patternMessage'), 'SF and nine digits');
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await expect.poll(() => page.getByTestId('field-condition').isVisible()).toBe(true);
    await expect
      .poll(() => page.getByTestId('field-list').locator('li[data-field]').allInnerTexts())
      .toEqual([
        expect.stringContaining('Repair reason'),
        expect.stringContaining('Serial number'),
        expect.stringContaining('Estimate'),
        expect.stringMatching(/Tracking number[\s\S]*conditional/),
      ]);

    // The live preview shows the tracking number only once the reason is "Defective".
    const form = preview(page);
    await expect.poll(() => form.getByText('Serial number').isVisible()).toBe(true);
    expect(await form.getByText('Tracking number').count()).toBe(0);
    await pick(page, form.locator('#root_select'), 'Defective');
    await expect.poll(() => form.getByText('Tracking number').isVisible()).toBe(true);
    await form.locator('#root_trackingNumber').click();
    await page.keyboard.type('123');
    await form.getByRole('button', { name: 'Submit' }).click();
    await page.waitForTimeout(500);
    await screenshot(page, 'form-builder-preview-checked.en');
    const previewTracking = form
      .locator('.ant-form-item')
      .filter({ has: page.locator('#root_trackingNumber') })
      .last();
    await expect.poll(() => previewTracking.getByText('SF and nine digits').first().isVisible()).toBe(true);
    expect(await form.getByText('This value is not accepted.').count()).toBe(0);
    await saved(page);
    await shoot(page, 'form');

    // The JSON view holds the conditional field as if/then.
    await page.getByRole('tab', { name: 'JSON' }).click();
    const schemaText = await page.getByLabel('JSON Schema', { exact: true }).inputValue();
    expect(JSON.parse(schemaText).allOf[0].if).toEqual({
      allOf: [{ required: ['select'], properties: { select: { const: 'defective' } } }],
    });
    await shoot(page, 'json');
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect
      .poll(() => page.getByTestId('next-number').textContent())
      .toMatch(/^Next ticket number: T-\d{8}-000001$/);
    await shoot(page, 'settings');

    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByText('Published as v1.').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('v1', { exact: true }).first().isVisible()).toBe(true);
    await page.getByRole('tab', { name: 'Versions' }).click();
    await expect.poll(() => page.getByTestId('version-diff').textContent()).toContain('No differences.');
    await shoot(page, 'versions');
    const published = await server.sql<{ content: { formSchema: { allOf: unknown[] } } }>(
      "select v.content from ticket_template_version v join ticket_template t on t.id = v.template_id where t.key = 'repairs'",
    );
    expect(published).toHaveLength(1);
    expect(published[0]!.content.formSchema.allOf).toHaveLength(1);

    // An agent creates a ticket through the generated form; the wrong tracking number is shown beside its field.
    await context.close();
    expect(watched.problems).toEqual([]);
    const desk = await open('agent.a@docket.local');
    await desk.goto(`${server.url}/desk/new`);
    // Typed to search, as a phone agent does (the list is long and drawn only where it scrolls).
    await desk.locator('#new-ticket-template').click();
    await desk.keyboard.type('Repairs');
    await desk.keyboard.press('Enter');
    await expect.poll(() => desk.getByTestId('new-ticket-title').isVisible()).toBe(true);
    await desk.getByTestId('new-ticket-title').click();
    await desk.keyboard.type('Kettle does not heat');
    await pick(desk, desk.locator('#root_select'), 'Defective');
    await desk.locator('#root_text').click();
    await desk.keyboard.type('K-2231');
    await desk.locator('#root_trackingNumber').click();
    await desk.keyboard.type('SF12');
    await desk.keyboard.press('Enter');
    const trackingItem = desk
      .locator('.ant-form-item')
      .filter({ has: desk.locator('#root_trackingNumber') })
      .last();
    await expect.poll(() => trackingItem.getByText('SF and nine digits').first().isVisible()).toBe(true);
    await screenshot(desk, 'form-builder-desk-error.en');
    await typeInto(desk, desk.locator('#root_trackingNumber'), 'SF123456789');
    await desk.keyboard.press('Enter');
    await desk.waitForURL('**/desk/tickets/**');
    await screenshot(desk, 'form-builder-desk-created.en');
    const tickets = await server.sql<{ form_data: Record<string, unknown> }>(
      "select form_data from ticket t join ticket_template tt on tt.id = t.template_id where tt.key = 'repairs'",
    );
    expect(tickets.map((r) => r.form_data)).toEqual([
      { select: 'defective', text: 'K-2231', trackingNumber: 'SF123456789' },
    ]);
  }, 300_000);

  it('keeps what was typed into the preview, and shows its messages in the new language, when the language changes', async () => {
    const page = await open('admin@docket.local');
    await page.goto(`${server.url}/admin/templates`);
    await createByKey(
      page,
      'New template',
      'kettle-returns',
      'Kettle returns',
      '**/admin/templates/kettle-returns',
    );
    await expect.poll(() => page.getByTestId('form-builder').isVisible()).toBe(true);
    await addField(page, 'Select', 'Repair reason');
    await page.locator('#fb-field-required').click();
    await typeInto(page, page.locator('#fb-field-choices'), 'defective | Defective');
    await page.keyboard.press('Enter');
    await page.keyboard.type('other | Something else');
    await addField(page, 'Text', 'Serial number');
    await page.locator('#fb-field-required').click();
    await addField(page, 'Text', 'Tracking number');
    await typeInto(page, page.locator('#fb-field-key'), 'trackingNumber');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await expect.poll(() => page.getByTestId('field-condition').isVisible()).toBe(true);
    await saved(page);

    // Filled in partly and checked: the serial number is missing.
    const form = preview(page);
    await pick(page, form.locator('#root_select'), 'Defective');
    await expect.poll(() => form.getByText('Tracking number').isVisible()).toBe(true);
    await form.locator('#root_trackingNumber').click();
    await page.keyboard.type('SF123456789');
    await form.getByRole('button', { name: 'Submit' }).click();
    const serialItem = form
      .locator('.ant-form-item')
      .filter({ has: page.locator('#root_text') })
      .last();
    await expect.poll(() => serialItem.getByText('This field is required.').isVisible()).toBe(true);
    const reason = form
      .locator('.ant-form-item')
      .filter({ has: page.locator('#root_select') })
      .last();
    const shown = async () => ({
      reason: (await reason.locator('.ant-select').first().innerText()).trim(),
      tracking: (await form.locator('#root_trackingNumber').count())
        ? await form.locator('#root_trackingNumber').inputValue()
        : null,
      serialError: (await serialItem.locator('.ant-form-item-explain').allInnerTexts()).join(' '),
    });
    expect(await shown()).toEqual({
      reason: 'Defective',
      tracking: 'SF123456789',
      serialError: 'This field is required.',
    });
    await screenshot(page, 'form-builder-preview-language.en');

    await chooseLanguage(page, '中文');
    await expect
      .poll(shown)
      .toEqual({ reason: 'Defective', tracking: 'SF123456789', serialError: '此项必填。' });
    await screenshot(page, 'form-builder-preview-language.zh-CN');
    await chooseLanguage(page, 'English');
    await expect
      .poll(shown)
      .toEqual({ reason: 'Defective', tracking: 'SF123456789', serialError: 'This field is required.' });

    // A field added to the form keeps what the preview holds too.
    await addField(page, 'Number', 'Quantity');
    await expect.poll(() => form.getByText('Quantity').isVisible()).toBe(true);
    expect(await shown()).toMatchObject({ reason: 'Defective', tracking: 'SF123456789' });
  }, 180_000);
});
