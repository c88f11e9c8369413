import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { launchBrowser, newContext, screenshot, waitForFieldError, watchPage } from './browser.ts';

/**
 * Invitations and password changes in Chromium against the real server: the admin invites a user
 * and copies the link (no mail is set up), the invitee opens it in a fresh browser, sets a
 * password and lands signed in; the link then shows it is used; later the person changes their
 * password in /account and signs in with it. Screenshots in artifacts/, en, zh-CN and phone size.
 */
describe('invitations in the web app', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[][] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ workflows: false }), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
    expect(problems.flat()).toEqual([]);
  });

  const open = async (locale = 'en-US', viewport?: { width: number; height: number }): Promise<Page> => {
    const context = await newContext(browser, locale);
    contexts.push(context);
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    problems.push(watchPage(page, server.url).problems);
    return page;
  };
  const signIn = async (page: Page, email: string, password: string) => {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  };
  /** The path of an invitation link, on this test server (links name DOCKET_PUBLIC_URL). */
  const pathOf = (link: string) => new URL(link).pathname;

  it('admin invites, the invitee sets a password through the link and later changes it', async () => {
    const admin = await open();
    await signIn(admin, 'admin@docket.local', 'docket-demo');
    await admin.goto(`${server.url}/admin/users`);
    await admin.getByRole('button', { name: 'Invite a user' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Nina New');
    await dialog.getByLabel('Email').fill('nina@docket.local');
    await dialog.getByRole('button', { name: 'Invite a user' }).click();
    const secret = admin.getByTestId('once-secret');
    await expect.poll(() => secret.inputValue()).toMatch(/\/invite\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const link = await secret.inputValue();
    await screenshot(admin, 'invite-link.en');
    await admin.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
    const row = admin.locator('.ant-table-row', { hasText: 'nina@docket.local' });
    await expect.poll(() => row.innerText()).toContain('Invited, link valid until');
    await screenshot(admin, 'invite-users-pending.en');

    // The invitee, in a browser of their own (no session), first mistypes the second password.
    const invitee = await open();
    await invitee.goto(`${server.url}${pathOf(link)}`);
    await expect
      .poll(() => invitee.getByRole('heading', { name: 'Welcome to Docket' }).isVisible())
      .toBe(true);
    await expect
      .poll(() => invitee.locator('main').innerText())
      .toContain('Nina New, set a password for nina@docket.local');
    await invitee.getByLabel('New password', { exact: true }).fill('short');
    await invitee.getByLabel('New password again').fill('shorter');
    await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
    await waitForFieldError(invitee, 'New password', 'A password needs at least 8 characters.');
    await waitForFieldError(invitee, 'New password again', 'The two passwords differ.');
    await screenshot(invitee, 'invite-page-errors.en');
    await invitee.getByLabel('New password', { exact: true }).fill('nina-first-pass');
    await invitee.getByLabel('New password again').fill('nina-first-pass');
    await screenshot(invitee, 'invite-page.en');
    await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
    // Signed in: the app's shell with her name, not the login page.
    await invitee.waitForURL((u) => !u.pathname.startsWith('/invite'));
    expect(new URL(invitee.url()).pathname).not.toBe('/login');
    await expect.poll(() => invitee.getByText('Nina New').first().isVisible()).toBe(true);
    await screenshot(invitee, 'invite-signed-in.en');

    // The link again: used, and it says so.
    const again = await open();
    await again.goto(`${server.url}${pathOf(link)}`);
    await expect
      .poll(() => again.getByTestId('invite-refused').innerText())
      .toBe('This invitation has been used');
    await screenshot(again, 'invite-used.en');
    const forged = await open();
    await forged.goto(`${server.url}/invite/not-a-real-token`);
    await expect
      .poll(() => forged.getByTestId('invite-refused').innerText())
      .toBe('This is not a valid invitation link');

    // Later: she changes her password in /account; other sessions end.
    const otherSession = await server.login('nina@docket.local', 'nina-first-pass');
    await invitee.goto(`${server.url}/account/password`);
    await invitee.getByLabel('Current password').fill('wrong-password');
    await invitee.getByLabel('New password', { exact: true }).fill('nina-second-pass');
    await invitee.getByLabel('New password again').fill('nina-second-pass');
    const change = invitee.getByRole('button', { name: 'Change password' });
    await change.click();
    // The server's answer shown under its input, and the form no longer busy, before the picture.
    await waitForFieldError(invitee, 'Current password', 'The current password is wrong.');
    await expect.poll(() => change.getAttribute('aria-busy')).toBe('false');
    await screenshot(invitee, 'account-password-error.en');
    await invitee.getByLabel('Current password').fill('nina-first-pass');
    await invitee.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => invitee.getByText('Password changed. Other sessions have ended.').isVisible())
      .toBe(true);
    await screenshot(invitee, 'account-password.en');
    // This browser stays signed in; the other session has ended.
    await invitee.goto(`${server.url}/account/notifications`);
    await expect
      .poll(() => invitee.getByRole('heading', { name: 'Where my notices reach me' }).isVisible())
      .toBe(true);
    const me = await server.gql('{ me { kind } }', {}, otherSession);
    expect(me.status).toBe(401);

    const fresh = await open();
    await signIn(fresh, 'nina@docket.local', 'nina-second-pass');
    expect(new URL(fresh.url()).pathname).not.toBe('/login');
  }, 240_000);

  it('tells a person signed in with another account so, and signs them out only when asked', async () => {
    const adminSession = await server.login('admin@docket.local');
    const r = await server.gql(
      'mutation { createUser(email: "omar@docket.local", name: "Omar Other") { ... on User { id } } }',
      {},
      adminSession,
    );
    const sent = await server.gql(
      'mutation($u: Int!) { sendInvitation(userId: $u) { ... on SentInvitation { link } } }',
      { u: Number(r.data!.createUser.id) },
      adminSession,
    );
    const path = pathOf(sent.data!.sendInvitation.link);
    const stateOf = async () =>
      (
        await server.gql('query($t: String!) { invitation(token: $t) { state } }', {
          t: path.replace('/invite/', ''),
        })
      ).data!.invitation.state;

    // The admin, signed in, opens Omar's link: told whose it is, no password form.
    const admin = await open();
    await signIn(admin, 'admin@docket.local', 'docket-demo');
    await admin.goto(`${server.url}${path}`);
    await expect
      .poll(() => admin.getByTestId('invite-other-account').innerText())
      .toBe('You are signed in with another account');
    const text = await admin.locator('main').innerText();
    expect(text).toMatch(/You are signed in as .*admin@docket\.local/);
    expect(text).toContain('This invitation is for Omar Other (omar@docket.local).');
    expect(await admin.getByLabel('New password', { exact: true }).count()).toBe(0);
    await screenshot(admin, 'invite-other-account.en');

    // Staying signed in leaves both the session and the link as they were.
    await admin.getByRole('button', { name: 'Stay signed in' }).click();
    await admin.waitForURL((u) => !u.pathname.startsWith('/invite'));
    expect(new URL(admin.url()).pathname).not.toBe('/login');
    expect(await stateOf()).toBe('open');

    // Signed in in another tab after the page opened: the server refuses, the page says so.
    const late = await open();
    await late.goto(`${server.url}${path}`);
    await late.getByLabel('New password', { exact: true }).fill('omar-pass-123');
    await late.getByLabel('New password again').fill('omar-pass-123');
    await signIn(await late.context().newPage(), 'admin@docket.local', 'docket-demo');
    await late.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect
      .poll(() => late.getByTestId('invite-other-account').innerText())
      .toBe('You are signed in with another account');
    expect(await stateOf()).toBe('open');

    // Signing out first: then the form, and the browser ends up signed in as Omar.
    await admin.goto(`${server.url}${path}`);
    await admin.getByRole('button', { name: 'Sign out and continue' }).click();
    await admin.getByLabel('New password', { exact: true }).fill('omar-pass-123');
    await admin.getByLabel('New password again').fill('omar-pass-123');
    await admin.getByRole('button', { name: 'Set password and sign in' }).click();
    await admin.waitForURL((u) => !u.pathname.startsWith('/invite'));
    await expect.poll(() => admin.getByText('Omar Other').first().isVisible()).toBe(true);
    expect(await stateOf()).toBe('used');

    // The invited person themself, signed in, may use a newer link: the form, no warning.
    const again = await server.gql(
      'mutation($u: Int!) { sendInvitation(userId: $u) { ... on SentInvitation { link } } }',
      { u: Number(r.data!.createUser.id) },
      adminSession,
    );
    await admin.goto(`${server.url}${pathOf(again.data!.sendInvitation.link)}`);
    await admin.getByLabel('New password', { exact: true }).waitFor();
    expect(await admin.getByTestId('invite-other-account').count()).toBe(0);
  }, 240_000);

  it('shows the invite page in Chinese and on a phone, and the password page in Chinese', async () => {
    const r = await server.gql(
      'mutation { createUser(email: "lin@docket.local", name: "林新") { ... on User { id } } }',
      {},
      await server.login('admin@docket.local'),
    );
    const id = Number(r.data!.createUser.id);
    const sent = await server.gql(
      'mutation($u: Int!) { sendInvitation(userId: $u) { ... on SentInvitation { link } } }',
      { u: id },
      await server.login('admin@docket.local'),
    );
    const path = pathOf(sent.data!.sendInvitation.link);

    const zh = await open('zh-CN');
    await zh.goto(`${server.url}${path}`);
    await expect.poll(() => zh.getByRole('heading', { name: '欢迎使用 Docket' }).isVisible()).toBe(true);
    await expect.poll(() => zh.locator('main').innerText()).toContain('林新，请为 lin@docket.local 设置密码');
    await screenshot(zh, 'invite-page.zh-CN');

    const phone = await open('en-US', { width: 390, height: 844 });
    await phone.goto(`${server.url}${path}`);
    await expect
      .poll(() => phone.getByRole('button', { name: 'Set password and sign in' }).isVisible())
      .toBe(true);
    // Nothing wider than the screen.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'invite-page.phone');
    await phone.getByLabel('New password', { exact: true }).fill('lin-pass-123');
    await phone.getByLabel('New password again').fill('lin-pass-123');
    await phone.getByRole('button', { name: 'Set password and sign in' }).click();
    await phone.waitForURL((u) => !u.pathname.startsWith('/invite'));

    const expired = await open('zh-CN', { width: 390, height: 844 });
    await expired.goto(`${server.url}${path}`);
    await expect.poll(() => expired.getByTestId('invite-refused').innerText()).toBe('此邀请已被使用');
    await screenshot(expired, 'invite-used.zh-CN.phone');

    const zhAccount = await open('zh-CN');
    await zhAccount.goto(`${server.url}/login`);
    await zhAccount.getByLabel('邮箱').fill('lin@docket.local');
    await zhAccount.getByLabel('密码').fill('lin-pass-123');
    await zhAccount.keyboard.press('Enter');
    await zhAccount.waitForURL((u) => !u.pathname.startsWith('/login'));
    await zhAccount.goto(`${server.url}/account/password`);
    await expect.poll(() => zhAccount.getByRole('heading', { name: '修改密码' }).isVisible()).toBe(true);
    await zhAccount.getByLabel('当前密码').fill('lin-pass-123');
    await zhAccount.getByLabel('新密码', { exact: true }).fill('lin-pass-123');
    await zhAccount.getByLabel('再次输入新密码').fill('lin-pass-123');
    const zhChange = zhAccount.getByRole('button', { name: '修改密码' });
    await zhChange.click();
    await waitForFieldError(zhAccount, '新密码', '新密码不能与当前密码相同。');
    await expect.poll(() => zhChange.getAttribute('aria-busy')).toBe('false');
    await screenshot(zhAccount, 'account-password.zh-CN');
  }, 240_000);
});
