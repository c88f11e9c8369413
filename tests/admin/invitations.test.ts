import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Invitations and password changes over the API: an admin invites a user, who sets their password
 * through a signed single-use link and is signed in; used, expired, withdrawn and forged links
 * change nothing; the signed-in person changes their password and their other sessions end.
 */

const CREATE = `mutation($e: String!, $n: String!) { createUser(email: $e, name: $n) {
  __typename ... on User { id } ... on Error { message } } }`;
const SEND = `mutation($u: Int!) { sendInvitation(userId: $u) { __typename
  ... on SentInvitation { isMailed link expiresAt user { email } }
  ... on ValidationError { fields { path code message } } ... on ForbiddenError { permission } ... on Error { message } } }`;
const READ = `query($t: String!) { invitation(token: $t) { state name email expiresAt } }`;
const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { __typename
  ... on Session { token me { kind user { email } } } ... on ValidationError { fields { path code message } } } }`;
const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { __typename
  ... on Session { token me { kind user { email } customer { email } } } ... on ValidationError { fields { path code message } } ... on Error { message } } }`;
const ME = '{ me { kind user { email } customer { email } } }';
const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { __typename
  ... on Session { token } ... on ValidationError { fields { code } } } }`;

describe(`invitations and password changes (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let n = 0;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
  });
  afterAll(() => s?.close());

  /** A new user with no password, and the first invitation's link (no mail is configured here). */
  const invite = async (): Promise<{ id: number; email: string; link: string; token: string }> => {
    n += 1;
    const email = `invitee${n}@docket.local`;
    const created = await s.gql(CREATE, { e: email, n: `Invitee ${n}` }, admin);
    const id = Number(created.data!.createUser.id);
    const sent = await s.gql(SEND, { u: id }, admin);
    expect(sent.data!.sendInvitation).toMatchObject({ __typename: 'SentInvitation', isMailed: false });
    const link = sent.data!.sendInvitation.link as string;
    return { id, email, link, token: link.split('/invite/')[1]! };
  };
  const canLogin = async (email: string, password: string) =>
    (await s.gql(LOGIN, { e: email, p: password })).data!.login.__typename === 'Session';
  const me = async (token: string) => {
    const r = await s.gql(ME, {}, token);
    return r.status === 200 ? r.data!.me : r.status;
  };

  it('sets the password through the link once, signs the invitee in, and keeps only a hash', async () => {
    const { id, email, link, token } = await invite();
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is stored, nothing holds the token itself.
    const stored = await s.sql<{ token_hash: string }>(
      'select token_hash from user_invitation where user_id = ?',
      [id],
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(token.split('.')[0]);
    expect(await s.sql('select 1 from notification where body like ?', [`%${token.slice(0, 20)}%`])).toEqual(
      [],
    );

    const read = await s.gql(READ, { t: token });
    expect(read.data!.invitation).toMatchObject({ state: 'open', name: `Invitee ${n}`, email });

    // The password rules, with the field named; the link stays good.
    const short = await s.gql(ACCEPT, { t: token, p: 'short' });
    expect(short.data!.acceptInvitation.fields).toEqual([
      { path: '/password', code: 'too_short', message: 'A password needs at least 8 characters.' },
    ]);
    expect((await s.gql(READ, { t: token })).data!.invitation.state).toBe('open');

    const accepted = await s.gql(ACCEPT, { t: token, p: 'a-good-password' });
    expect(accepted.data!.acceptInvitation).toMatchObject({ __typename: 'Session', me: { kind: 'user' } });
    expect(await me(accepted.data!.acceptInvitation.token)).toEqual({
      kind: 'user',
      user: { email },
      customer: null,
    });
    expect(await canLogin(email, 'a-good-password')).toBe(true);

    // Used: refused, and the password stays what it was set to.
    const again = await s.gql(ACCEPT, { t: token, p: 'another-password' });
    expect(again.data!.acceptInvitation.fields).toEqual([
      expect.objectContaining({ path: '/token', code: 'used' }),
    ]);
    expect((await s.gql(READ, { t: token })).data!.invitation).toEqual({
      state: 'used',
      name: null,
      email: null,
      expiresAt: null,
    });
    expect(await canLogin(email, 'another-password')).toBe(false);
    expect(await canLogin(email, 'a-good-password')).toBe(true);
  });

  it('of two uses of one link at once, exactly one sets the password', async () => {
    const { email, token } = await invite();
    const passwords = ['first-of-two', 'second-of-two'];
    const answers = await Promise.all(passwords.map((p) => s.gql(ACCEPT, { t: token, p })));
    const kinds = answers.map((a) => a.data!.acceptInvitation.__typename as string);
    expect([...kinds].sort()).toEqual(['Session', 'ValidationError']);
    expect(answers[kinds.indexOf('ValidationError')]!.data!.acceptInvitation.fields).toEqual([
      expect.objectContaining({ path: '/token', code: 'used' }),
    ]);
    const won = kinds.indexOf('Session');
    expect(await canLogin(email, passwords[won]!)).toBe(true);
    expect(await canLogin(email, passwords[1 - won]!)).toBe(false);
    const [row] = await s.sql<{ claims: number }>(
      'select count(*)::int as claims from user_invitation i join app_user u on u.id = i.user_id where u.email = ? and i.used_at is not null',
      [email],
    );
    expect(row!.claims).toBe(1);
  });

  it('refuses someone signed in with another account, and lets the invited person use it signed in', async () => {
    const { id, email, token } = await invite();
    for (const session of [admin, await s.customerLogin('customer@example.com')]) {
      const r = await s.gql(ACCEPT, { t: token, p: 'a-good-password' }, session);
      expect(r.data!.acceptInvitation.fields).toEqual([
        expect.objectContaining({ path: '/token', code: 'signed_in_as_other' }),
      ]);
    }
    expect((await s.gql(READ, { t: token })).data!.invitation.state).toBe('open');
    expect(await canLogin(email, 'a-good-password')).toBe(false);
    expect(await me(admin)).toMatchObject({ user: { email: 'admin@docket.local' } });
    // Signed in as themself (a password set before, then a new invitation): allowed.
    const first = await s.gql(ACCEPT, { t: token, p: 'a-good-password' });
    const own = first.data!.acceptInvitation.token as string;
    const resent = await s.gql(SEND, { u: id }, admin);
    const second = (resent.data!.sendInvitation.link as string).split('/invite/')[1]!;
    const r = await s.gql(ACCEPT, { t: second, p: 'a-newer-password' }, own);
    expect(r.data!.acceptInvitation).toMatchObject({ __typename: 'Session', me: { user: { email } } });
    expect(await canLogin(email, 'a-newer-password')).toBe(true);
  });

  it('refuses forged links and changes nothing', async () => {
    const { email, token } = await invite();
    const [nonce, signature] = token.split('.') as [string, string];
    const forgeries = [
      `${nonce}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, // signature tampered
      `${`${nonce.slice(0, -1)}${nonce.endsWith('A') ? 'B' : 'A'}`}.${signature}`, // another nonce, old signature
      'not-a-token',
      '',
    ];
    for (const t of forgeries) {
      expect((await s.gql(READ, { t })).data!.invitation.state).toBe('forged');
      const r = await s.gql(ACCEPT, { t, p: 'a-good-password' });
      expect(r.data!.acceptInvitation.fields).toEqual([
        expect.objectContaining({
          path: '/token',
          code: 'forged',
          message: expect.stringContaining('not a valid'),
        }),
      ]);
    }
    expect(await canLogin(email, 'a-good-password')).toBe(false);
    // The real link still works afterwards.
    expect((await s.gql(ACCEPT, { t: token, p: 'a-good-password' })).data!.acceptInvitation.__typename).toBe(
      'Session',
    );
  });

  it('refuses an expired link and changes nothing', async () => {
    const { id, email, token } = await invite();
    await s.sql("update user_invitation set expires_at = now() - interval '1 minute' where user_id = ?", [
      id,
    ]);
    expect((await s.gql(READ, { t: token })).data!.invitation.state).toBe('expired');
    const r = await s.gql(ACCEPT, { t: token, p: 'a-good-password' });
    expect(r.data!.acceptInvitation.fields).toEqual([
      expect.objectContaining({
        path: '/token',
        code: 'expired',
        message: expect.stringContaining('expired'),
      }),
    ]);
    expect(await canLogin(email, 'a-good-password')).toBe(false);
    const [row] = await s.sql<{ used_at: unknown }>('select used_at from user_invitation where user_id = ?', [
      id,
    ]);
    expect(row!.used_at).toBeNull();
  });

  it('re-inviting withdraws the earlier link; the admin sees it pending and can resend', async () => {
    const { id, email, token: first } = await invite();
    const pending = await s.gql('{ pendingInvitations { user { id } expiresAt } }', {}, admin);
    expect(pending.data!.pendingInvitations).toContainEqual(
      expect.objectContaining({ user: { id: String(id) } }),
    );
    const resent = await s.gql(SEND, { u: id }, admin);
    const second = (resent.data!.sendInvitation.link as string).split('/invite/')[1]!;
    expect(second).not.toBe(first);
    expect((await s.gql(READ, { t: first })).data!.invitation.state).toBe('revoked');
    const r = await s.gql(ACCEPT, { t: first, p: 'a-good-password' });
    expect(r.data!.acceptInvitation.fields).toEqual([
      expect.objectContaining({ path: '/token', code: 'revoked' }),
    ]);
    expect(await canLogin(email, 'a-good-password')).toBe(false);
    expect((await s.gql(ACCEPT, { t: second, p: 'a-good-password' })).data!.acceptInvitation.__typename).toBe(
      'Session',
    );
    const after = await s.gql('{ pendingInvitations { user { id } } }', {}, admin);
    expect(after.data!.pendingInvitations).not.toContainEqual(
      expect.objectContaining({ user: { id: String(id) } }),
    );
    // Deactivating someone withdraws their open link too.
    const other = await invite();
    await s.gql(
      'mutation($id: Int!) { updateUser(id: $id, isActive: false) { __typename } }',
      { id: other.id },
      admin,
    );
    expect((await s.gql(READ, { t: other.token })).data!.invitation.state).toBe('revoked');
    const deactivated = await s.gql(SEND, { u: other.id }, admin);
    expect(deactivated.data!.sendInvitation.fields).toEqual([
      expect.objectContaining({ path: '/userId', code: 'inactive' }),
    ]);
  });

  it('only user managers invite or list invitations', async () => {
    const { id } = await invite();
    const agent = await s.login('agent.a@docket.local');
    const r = await s.gql(SEND, { u: id }, agent);
    expect(r.data!.sendInvitation).toMatchObject({ __typename: 'ForbiddenError', permission: 'user.manage' });
    expect((await s.gql(SEND, { u: id })).data?.sendInvitation?.__typename ?? 'refused').not.toBe(
      'SentInvitation',
    );
    const list = await s.gql('{ pendingInvitations { expiresAt } }', {}, agent);
    expect(list.data?.pendingInvitations ?? null).toBeNull();
    const missing = await s.gql(SEND, { u: 999_999 }, admin);
    expect(missing.data!.sendInvitation.__typename).toBe('NotFoundError');
  });

  it('changes the signed-in person’s password and ends their other sessions', async () => {
    const email = 'tech@docket.local';
    const here = await s.login(email);
    const elsewhere = await s.login(email);

    const wrong = await s.gql(CHANGE, { c: 'not-my-password', n: 'a-new-password' }, here);
    expect(wrong.data!.changePassword.fields).toEqual([
      { path: '/currentPassword', code: 'wrong_password', message: 'The current password is wrong.' },
    ]);
    const short = await s.gql(CHANGE, { c: 'docket-demo', n: 'short' }, here);
    expect(short.data!.changePassword.fields).toEqual([
      expect.objectContaining({ path: '/newPassword', code: 'too_short' }),
    ]);
    const same = await s.gql(CHANGE, { c: 'docket-demo', n: 'docket-demo' }, here);
    expect(same.data!.changePassword.fields).toEqual([
      expect.objectContaining({ path: '/newPassword', code: 'unchanged' }),
    ]);
    // Nothing changed by the refusals.
    expect(await me(elsewhere)).toMatchObject({ user: { email } });
    expect(await canLogin(email, 'docket-demo')).toBe(true);

    const anonymous = await s.gql(CHANGE, { c: 'docket-demo', n: 'a-new-password' });
    expect(anonymous.data?.changePassword?.__typename ?? 'refused').not.toBe('Session');

    const changed = await s.gql(CHANGE, { c: 'docket-demo', n: 'a-new-password' }, here);
    expect(changed.data!.changePassword).toMatchObject({ __typename: 'Session', me: { user: { email } } });
    expect(await me(changed.data!.changePassword.token)).toMatchObject({ user: { email } });
    expect(await me(elsewhere)).toBe(401);
    expect(await me(here)).toBe(401);
    expect(await canLogin(email, 'docket-demo')).toBe(false);
    expect(await canLogin(email, 'a-new-password')).toBe(true);

    // Customers change theirs the same way.
    const customer = await s.customerLogin('customer@example.com');
    const c = await s.gql(CHANGE, { c: 'docket-demo', n: 'customer-new-pw' }, customer);
    expect(c.data!.changePassword).toMatchObject({
      me: { kind: 'customer', customer: { email: 'customer@example.com' } },
    });
    expect(await me(customer)).toBe(401);
  });
});
