import { startTestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext } from './browser.ts';
import { signIn } from './desk-helpers.ts';

const [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
try {
  const context = await newContext(browser);
  const page = await context.newPage();
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  await signIn(page, server.url, 'service@docket.local');
  await page.goto(`${server.url}/desk/new`);
  await page.waitForTimeout(3000);
  console.log('active', await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 300)));
  await page.keyboard.type('Service request');
  await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  await page.keyboard.press('Tab');
  console.log('active2', await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 300)));
  await page.keyboard.type('13800000001');
  await page.waitForTimeout(1500);
  console.log('options', await page.getByRole('option').allInnerTexts());
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  await page.screenshot({ path: '/tmp/deskdbg/new1.png', fullPage: true });
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    console.log(
      'tab',
      i,
      await page.evaluate(() => {
        const a = document.activeElement as HTMLElement;
        return `${a.tagName} id=${a.id} name=${a.getAttribute('name')} aria=${a.getAttribute('aria-label')} text=${a.textContent?.slice(0, 30)}`;
      }),
    );
  }
} finally {
  await browser.close();
  await server.close();
}
