import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugins as examplePlugins } from '../../examples/plugins.ts';
import { configure, smtpSink, startChannelServer, waitFor } from '../channels/channel-fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import type { TestServer } from '../helpers/test-server.ts';

/**
 * With the email plugin installed, an invitation goes out by real SMTP (a loopback mail server
 * stands for the outside one): the admin is not shown the link, the mail carries it, it works
 * once, and no in-app notice keeps it.
 */
describe(`invitations by email (${databaseKind()})`, () => {
  let s: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let admin: string;

  beforeAll(async () => {
    s = await startChannelServer(['email']);
    sink = await smtpSink();
    const settings = examplePlugins.find((p) => p.name === 'email')!.settings;
    await configure(s, 'email', { ...settings, smtpPort: sink.port });
    admin = await s.login('admin@docket.local');
  }, 180_000);
  afterAll(async () => {
    await sink?.close();
    await s?.close();
  });

  it('mails the link instead of showing it; the mailed link sets the password once', async () => {
    const created = await s.gql(
      'mutation { createUser(email: "mailed.invitee@docket.local", name: "Mailed Invitee") { ... on User { id } } }',
      {},
      admin,
    );
    const id = Number(created.data!.createUser.id);
    const sent = await s.gql(
      'mutation($u: Int!) { sendInvitation(userId: $u) { __typename ... on SentInvitation { isMailed link } } }',
      { u: id },
      admin,
    );
    expect(sent.data!.sendInvitation).toEqual({ __typename: 'SentInvitation', isMailed: true, link: null });
    const mail = await waitFor('the invitation mail', async () =>
      sink.mails.find((m) => m.subject?.includes('invited to Docket')),
    );
    expect((mail.to as { text: string }).text).toContain('mailed.invitee@docket.local');
    const link = /https?:\/\/\S+\/invite\/([A-Za-z0-9_.-]+)/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    const token = link![1]!;
    expect(await s.sql('select 1 from notification where user_id = ?', [id])).toEqual([]);
    const ACCEPT =
      'mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { __typename ... on ValidationError { fields { code } } } }';
    expect((await s.gql(ACCEPT, { t: token, p: 'mailed-password' })).data!.acceptInvitation.__typename).toBe(
      'Session',
    );
    expect((await s.gql(ACCEPT, { t: token, p: 'mailed-password' })).data!.acceptInvitation.fields).toEqual([
      { code: 'used' },
    ]);
    await s.login('mailed.invitee@docket.local', 'mailed-password');
  });
});
