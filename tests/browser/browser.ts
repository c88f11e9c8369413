import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium; the tests never download a browser of their own. */
export const CHROMIUM_PATH = process.env.DOCKET_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of every page the tests visit (gitignored), to be looked at. */
export const ARTIFACTS_DIR = join(import.meta.dirname, 'artifacts');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh browser profile (no cookies, no stored language) speaking the given language. */
export async function newContext(browser: Browser, locale = 'en-US'): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  return context;
}

/**
 * Fails the test on anything the page logs as an error or throws, and on any request the page
 * makes to another host (everything must come from the server itself).
 */
export function watchPage(page: Page, baseUrl: string): { problems: string[] } {
  const problems: string[] = [];
  const origin = new URL(baseUrl).origin;
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))
      problems.push(`request to another host: ${url}`);
  });
  return { problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * Waits until the form input labelled `label` shows `text` as its error, the way a person sees it:
 * the input marked invalid, the message in the help it is described by (antd's, under the input),
 * and that help's appear animation over, so a screenshot taken next shows the message whole.
 */
export async function waitForFieldError(page: Page, label: string, text: string): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  await page.waitForFunction(
    (el) => el?.getAttribute('aria-invalid') === 'true',
    await input.elementHandle(),
  );
  const helpId = ((await input.getAttribute('aria-describedby')) ?? '')
    .split(/\s+/)
    .find((id) => id.endsWith('_help'));
  if (!helpId) throw new Error(`The input "${label}" is invalid but described by no help.`);
  const help = page.locator(`[id="${helpId}"]`);
  await help.getByText(text, { exact: true }).waitFor();
  await page.waitForFunction(
    (el) => !!el && el.getAnimations({ subtree: true }).length === 0,
    await help.elementHandle(),
  );
}

/**
 * Creates a template or workflow from the keyboard, as an admin would: the button opens the
 * dialog, the key field has the focus, key, Tab, name, Enter; then waits until the new one's page
 * is open. If it never opens, the error says what the dialog showed (a refusal, or nothing typed).
 */
export async function createByKey(
  page: Page,
  button: string,
  key: string,
  name: string,
  opens: string,
): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  for (let i = 0; ; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === 'key') break;
    if (i === 100) throw new Error(`The "${button}" dialog opened without the focus in its key field.`);
    await page.waitForTimeout(50);
  }
  await page.keyboard.type(key);
  await page.keyboard.press('Tab');
  await page.keyboard.type(name);
  // Under load a keystroke can land while the dialog is still opening (CI lost one once: the dialog
  // stayed open, nothing refused). What did not arrive is typed again, said in the log.
  const boxes = [
    [dialog.locator('#key'), key],
    [dialog.locator('#name'), name],
  ] as const;
  for (const [box, text] of boxes)
    if ((await box.inputValue()) !== text) {
      console.warn(`createByKey: the "${button}" dialog lost keystrokes; typing "${text}" again`);
      await box.fill(text);
    }
  await boxes[1][0].press('Enter');
  try {
    await page.waitForURL(opens, { timeout: 10_000 }).catch(async () => {
      // An Enter that reached no form: the dialog still open, what was typed kept, nothing refused.
      if (!(await dialog.isVisible()) || (await dialog.locator('.ant-form-item-explain-error').count()) > 0)
        return page.waitForURL(opens, { timeout: 20_000 });
      console.warn(`createByKey: the "${button}" dialog did not send on Enter; pressing it again`);
      await boxes[1][0].press('Enter');
      return page.waitForURL(opens, { timeout: 20_000 });
    });
  } catch (e) {
    const shown = (await dialog.isVisible()) ? await dialog.innerText() : '(the dialog had closed)';
    throw new Error(`${(e as Error).message}\nThe "${button}" dialog showed: ${shown}`);
  }
}

/**
 * Chooses an option of an antd Select (or TreeSelect) with the mouse, as a person does, and waits
 * until the Select shows it. `select` is the Select or anything in it (its combobox); the option is
 * the one titled `option`, or with `{ exact: false }` the first whose text contains it; `search` is
 * typed into the opened list first (a searchable Select). In a multiple Select the option is added
 * (it must not be chosen already). On a loaded
 * machine a click can reach the list while it is still opening and be lost (the list stays open,
 * the value unchanged): the choice is then made again, up to three times, and fails the test only
 * if it never takes.
 */
export async function chooseOption(
  page: Page,
  select: Locator,
  option: string,
  { exact = true, search }: { exact?: boolean; search?: string } = {},
): Promise<void> {
  const root = select.locator(
    'xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]',
  );
  const shown = root.locator('.ant-select-content').first();
  const list = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  const item = exact
    ? list.getByTitle(option, { exact: true })
    : list.locator('.ant-select-item-option, .ant-select-tree-treenode', { hasText: option });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!(await list.isVisible())) {
      await root.click();
      if (search) await page.keyboard.type(search);
    }
    await item.first().click();
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      const text = (await shown.innerText()).trim();
      if (exact ? text === option : text.includes(option)) return;
      await page.waitForTimeout(50);
    }
  }
  throw new Error(`The select never showed "${option}" after choosing it three times`);
}
