import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { forkEm } from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugins as examplePlugins } from '../../examples/plugins.ts';
import { moveInboundAttachments } from '../../server/src/channels/inbound-repository.ts';
import { FileStorage } from '../../server/src/files/file-storage.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { configure, sendMail, sendRaw, smtpSink, startChannelServer, waitFor } from './channel-fixtures.ts';

/**
 * Email both ways over real SMTP on loopback: mail to support@docket.local becomes a ticket of the
 * enquiry template (attachments kept, the sender found among the customers), an agent's reply goes
 * out threaded to the customer's mail server, the customer's answer to it (or a mail naming the
 * ticket's number) joins the ticket, and mail no one should answer is recognised. A mail the
 * listener acknowledged is never lost: with the plugin away it waits, and goes through later.
 */

type Row = Record<string, any>;

describe('the email channel over SMTP', () => {
  let s: TestServer & { smtpPort: number };
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let admin: string;
  const settings = examplePlugins.find((p) => p.name === 'email')!.settings;

  const ticketsByMail = () =>
    s.sql<Row>(
      "select id::text, number, title, requester_id, form_data from ticket where channel = 'email.mail' order by ticket.id",
    );
  const eventsOf = (id: string) =>
    s.sql<Row>('select kind, actor_kind, body from ticket_event where ticket_id = ? order by id', [id]);
  /** The file ids whose bytes are in the files directory. */
  const filesOnDisk = async () =>
    (await readdir(s.app.services.config.files.dir, { recursive: true }))
      .map((f) => basename(String(f)))
      .filter((f) => /^f_[0-9a-f]{32}$/.test(f));
  const inbound = () =>
    s.sql<Row>(
      'select id::text, status, attempts, last_error, ticket_id::text, outcome from inbound_message order by inbound_message.id',
    );

  beforeAll(async () => {
    // Files as the upload route takes them: plain text and PNG images up to 64 KB.
    s = await startChannelServer(['email'], {
      env: { DOCKET_FILE_TYPES: 'text/plain, image/png', DOCKET_MAX_FILE_BYTES: String(64 * 1024) },
    });
    sink = await smtpSink();
    await configure(s, 'email', { ...settings, smtpPort: sink.port });
    admin = await s.login('admin@docket.local');
  }, 120_000);
  afterAll(async () => {
    await sink?.close();
    await s?.close();
  });

  let ticket: Row;
  let firstId: string;

  it('a new mail becomes a ticket of the mailbox template, with its attachment, for the known customer', async () => {
    const sent = await sendMail(s.smtpPort, {
      from: 'Chen Customer <customer@example.com>',
      to: 'support@docket.local',
      subject: 'My kettle leaks',
      text: 'Hello, the kettle I bought leaks from the base.\nChen',
      messageId: '<first.1@example.com>',
      attachments: [{ filename: 'photo.txt', content: 'a photo, as text' }],
    });
    firstId = sent.messageId;
    expect(sent.response).toMatch(/^250 .*queued as \d+/);
    [ticket = {}] = await waitFor('the ticket', async () => {
      const rows = await ticketsByMail();
      return rows.length ? rows : undefined;
    });
    expect(ticket!.title).toBe('My kettle leaks');
    expect(ticket!.form_data).toEqual({ message: 'Hello, the kettle I bought leaks from the base.\nChen' });
    const [customer] = await s.sql<Row>("select id from customer where email = 'customer@example.com'");
    expect(ticket!.requester_id).toBe(customer!.id);
    // The attachment is a stored file on the ticket, like an uploaded one: listed on the desk's
    // ticket page and served by GET /files/<id> to those who see the ticket.
    const r = await s.gql<{ ticket: Row }>(
      'query($id: ID!) { ticket(id: $id) { channel attachments { id name contentType size url } inboundAttachments { filename contentType size } } }',
      { id: ticket!.id },
      admin,
    );
    const [file] = r.data!.ticket.attachments;
    expect(r.data!.ticket).toEqual({
      channel: 'email.mail',
      attachments: [
        { id: file.id, name: 'photo.txt', contentType: 'text/plain', size: 16, url: `/files/${file.id}` },
      ],
      inboundAttachments: [{ filename: 'photo.txt', contentType: 'text/plain', size: 16 }],
    });
    const [row] = await s.sql<Row>('select ticket_id::text, uploaded_by_customer from file where id = ?', [
      file.id,
    ]);
    expect(row).toEqual({ ticket_id: ticket!.id, uploaded_by_customer: customer!.id });
    const get = (token?: string) =>
      fetch(`${s.url}${file.url}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const asAdmin = await get(admin);
    expect(asAdmin.status).toBe(200);
    expect(await asAdmin.text()).toBe('a photo, as text');
    expect((await get()).status).toBe(401);
    const requester = await s.customerLogin('customer@example.com');
    expect(await (await get(requester)).text()).toBe('a photo, as text');
    expect(await s.sql('select id from inbound_attachment')).toEqual([]);
    const [kept] = await inbound();
    expect(kept).toMatchObject({ status: 'done', attempts: 1, ticket_id: ticket!.id, last_error: null });
  });

  let outgoing: { messageId?: string | undefined; subject?: string | undefined };

  it("an agent's public reply goes out by mail, threaded under the customer's mail", async () => {
    const r = await s.gql(
      'mutation($id: ID!, $b: String!) { replyToTicket(id: $id, body: $b) { __typename } }',
      { id: ticket.id, b: 'Sorry to hear that: please send us the order number.' },
      admin,
    );
    expect(r.data!.replyToTicket.__typename).toBe('Ticket');
    const mail = await waitFor('the outgoing mail', async () => sink.mails[0]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual([
      'customer@example.com',
    ]);
    expect(mail.from?.value[0]?.address).toBe('support@docket.local');
    expect(mail.subject).toBe(`Re: My kettle leaks [#${ticket.number}]`);
    expect(mail.inReplyTo).toBe(firstId);
    expect(mail.references).toContain(firstId);
    expect(mail.text).toContain('please send us the order number');
    outgoing = { messageId: mail.messageId, subject: mail.subject };
    await waitFor('the sent mark on the timeline', async () =>
      (await eventsOf(ticket.id)).find((e) => e.kind === 'channel.sent'),
    );
  });

  it("the customer's answer to that mail joins the ticket, without the quoted text", async () => {
    await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'support@docket.local',
      subject: `Re: ${outgoing.subject}`,
      text: `The order is 12345.\n\nOn Mon, Docket Support wrote:\n> please send us the order number`,
      inReplyTo: outgoing.messageId!,
      references: [firstId, outgoing.messageId!],
      attachments: [{ filename: 'order.txt', content: 'order 12345' }],
    });
    const reply = await waitFor('the customer reply', async () =>
      (await eventsOf(ticket.id)).find((e) => e.kind === 'reply' && e.actor_kind === 'customer'),
    );
    expect(reply.body).toBe('The order is 12345.');
    // The reply's attachment is a file on the ticket too.
    await waitFor('the reply attachment on the ticket', async () => {
      const files = await s.sql<Row>('select name from file where ticket_id = ? order by created_at, id', [
        ticket.id,
      ]);
      return files.length === 2 ? files : undefined;
    }).then((files) => expect(files.map((f) => f.name)).toEqual(['photo.txt', 'order.txt']));
    expect(await ticketsByMail()).toHaveLength(1);
  });

  it('a fresh mail naming the ticket number joins it; from a stranger it opens a ticket of its own', async () => {
    await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'support@docket.local',
      subject: `Still leaking [#${ticket.number}]`,
      text: 'Any news?',
    });
    await waitFor('the reply by number', async () =>
      (await eventsOf(ticket.id)).find((e) => e.kind === 'reply' && e.body === 'Any news?'),
    );
    await sendMail(s.smtpPort, {
      from: 'stranger@example.org',
      to: 'support@docket.local',
      subject: `About [#${ticket.number}]`,
      text: 'I have the same problem.',
    });
    const rows = await waitFor('the stranger ticket', async () => {
      const r = await ticketsByMail();
      return r.length === 2 ? r : undefined;
    });
    expect(rows[1]!.title).toBe('About');
    expect((await eventsOf(ticket.id)).some((e) => e.body === 'I have the same problem.')).toBe(false);
  });

  it('auto-replies, bounces and list mail are kept but not answered', async () => {
    const before = (await ticketsByMail()).length;
    await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'support@docket.local',
      subject: 'Out of office',
      text: 'I am away.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await sendRaw(
      s.smtpPort,
      { from: '', to: ['support@docket.local'] },
      [
        'From: Mail Delivery System <MAILER-DAEMON@example.com>',
        'To: support@docket.local',
        'Subject: Undelivered Mail Returned to Sender',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'The mail could not be delivered.',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    await sendMail(s.smtpPort, {
      from: 'news@example.com',
      to: 'support@docket.local',
      subject: 'Weekly news',
      text: 'News.',
      headers: { 'List-Id': '<news.example.com>', Precedence: 'bulk' },
    });
    const ignored = await waitFor('three ignored mails', async () => {
      const r = (await inbound()).filter((m) => m.status === 'ignored');
      return r.length === 3 ? r : undefined;
    });
    expect(ignored.map((m) => m.outcome.reason)).toEqual([
      'the mail is automatic (Auto-Submitted: auto-replied)',
      'the mail is a delivery report (a bounce)',
      'the mail is automatic (Precedence: bulk)',
    ]);
    expect(await ticketsByMail()).toHaveLength(before);
    expect(sink.mails).toHaveLength(1);
  });

  it('a malformed mail is acknowledged and kept, and the listener goes on', async () => {
    const response = await sendRaw(
      s.smtpPort,
      { from: 'odd@example.net', to: ['support@docket.local'] },
      'this line is no header\r\n\r\n\u0000\u0001 broken = =?utf-8?B?not-base64?= body',
    );
    expect(response).toMatch(/^250 /);
    const kept = await waitFor('the malformed mail handled', async () => {
      const m = (await inbound()).at(-1);
      return m && m.status !== 'pending' ? m : undefined;
    });
    // No From header: the envelope's sender stands in, and it becomes a ticket like any other.
    expect(kept.status).toBe('done');
    const [row] = await s.sql<Row>('select title, requester_id from ticket where id = ?', [kept.ticket_id]);
    expect(row!.title).toBe('(no subject)');
    const [who] = await s.sql<Row>('select email from customer where id = ?', [row!.requester_id]);
    expect(who!.email).toBe('odd@example.net');
  });

  it("attachments the upload route would refuse are not kept; the ticket's timeline says which and why", async () => {
    const diskBefore = (await filesOnDisk()).length;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'support@docket.local',
      subject: 'Four attachments',
      text: 'Some of these should not be kept.',
      messageId: '<refused.1@example.com>',
      attachments: [
        { filename: 'note.txt', content: 'kept' },
        { filename: 'shot.png', content: png, contentType: 'image/png' },
        { filename: 'setup.exe', content: 'MZ program', contentType: 'application/x-msdownload' },
        { filename: 'fake.png', content: 'not a picture', contentType: 'image/png' },
        { filename: 'big.txt', content: 'x'.repeat(64 * 1024 + 1), contentType: 'text/plain' },
      ],
    });
    const [t] = await waitFor('the ticket', async () => {
      const rows = (await ticketsByMail()).filter((r) => r.title === 'Four attachments');
      return rows.length ? rows : undefined;
    });
    // The ticket is there, with the files the server takes, and nothing else stored.
    const files = await s.sql<Row>('select name, content_type from file where ticket_id = ? order by name', [
      t!.id,
    ]);
    expect(files).toEqual([
      { name: 'note.txt', content_type: 'text/plain' },
      { name: 'shot.png', content_type: 'image/png' },
    ]);
    const [m] = await s.sql<Row>('select id::text, status from inbound_message where ticket_id = ?', [t!.id]);
    expect(m!.status).toBe('done');
    expect(
      await s.sql('select id from file where inbound_message_id = ? and ticket_id is null', [m!.id]),
    ).toEqual([]);
    expect((await filesOnDisk()).length).toBe(diskBefore + 2);
    // Its timeline names each refused attachment and why, in English and in Chinese.
    const timeline = async (id: string, locale: string) =>
      (
        await s.gql<{ ticket: { timeline: Row[] } }>(
          'query($id: ID!, $l: String!) { ticket(id: $id) { timeline { kind isPublic summary(locale: $l) } } }',
          { id, l: locale },
          admin,
        )
      ).data!.ticket.timeline.filter((e) => e.kind === 'files.refused');
    expect(await timeline(t!.id, 'en')).toEqual([
      {
        kind: 'files.refused',
        isPublic: false,
        summary: [
          'The attachment "setup.exe" was not kept: files of type application/x-msdownload are not accepted.',
          'The attachment "fake.png" was not kept: its content is not image/png.',
          `The attachment "big.txt" was not kept: it has ${64 * 1024 + 1} bytes; a file may have at most ${64 * 1024}.`,
        ].join('\n'),
      },
    ]);
    const [zh] = await timeline(t!.id, 'zh-CN');
    expect(zh!.summary.split('\n')).toEqual([
      '附件“setup.exe”未保存：不接受 application/x-msdownload 类型的文件。',
      '附件“fake.png”未保存：其内容不是 image/png。',
      `附件“big.txt”未保存：文件大小 ${64 * 1024 + 1} 字节，超过上限 ${64 * 1024} 字节。`,
    ]);

    // The customer is told on the same thread, over SMTP: each refused file and why.
    const told = await waitFor('the mail naming the refused attachments', async () =>
      sink.mails.find((m) => m.inReplyTo === '<refused.1@example.com>'),
    );
    expect(told.subject).toBe(`Re: Four attachments [#${t!.number}]`);
    expect(told.to).toMatchObject({ value: [{ address: 'customer@example.com' }] });
    expect(told.text!.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- setup.exe: files of this type (application/x-msdownload) are not accepted',
      '- fake.png: its content is not what its type (image/png) says',
      '- big.txt: too large (64.1 KB; the limit is 64 KB)',
    ]);
    expect(told.text).not.toContain('note.txt');
    // The agent sees on the timeline that the customer was told, and what.
    const sent = await waitFor('the acknowledgement on the timeline', async () =>
      (await eventsOf(t!.id)).find((e) => e.kind === 'channel.sent'),
    );
    expect(sent.body).toContain('The acknowledgement to the sender went out through email.mail:');
    expect(sent.body).toContain('- big.txt: too large (64.1 KB; the limit is 64 KB)');

    // A reply's refused attachment: the reply joins the ticket, the attachment is named on its
    // timeline, and the customer is told in answer to the reply.
    await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'support@docket.local',
      subject: 'Re: Four attachments',
      text: 'And a script.',
      messageId: '<refused.2@example.com>',
      inReplyTo: '<refused.1@example.com>',
      references: ['<refused.1@example.com>'],
      attachments: [{ filename: 'run.sh', content: 'rm -rf /', contentType: 'application/x-sh' }],
    });
    await waitFor('the reply', async () =>
      (await eventsOf(t!.id)).find((e) => e.kind === 'reply' && e.body === 'And a script.'),
    );
    const refused = await timeline(t!.id, 'en');
    expect(refused.map((e) => e.summary)).toEqual([
      expect.stringContaining('setup.exe'),
      'The attachment "run.sh" was not kept: files of type application/x-sh are not accepted.',
    ]);
    const toldAgain = await waitFor('the mail naming the script', async () =>
      sink.mails.find((m) => m.inReplyTo === '<refused.2@example.com>'),
    );
    expect(toldAgain.subject).toBe(`Re: Four attachments [#${t!.number}]`);
    // Threaded under the whole conversation: the first mail, our answer to it, the reply.
    expect(toldAgain.references).toEqual([
      '<refused.1@example.com>',
      told.messageId,
      '<refused.2@example.com>',
    ]);
    expect(toldAgain.text).toContain('- run.sh: files of this type (application/x-sh) are not accepted');
    // A mail whose attachments were all kept gets no such mail (the first test's ticket).
    expect(sink.mails.filter((m) => /could not keep/.test(m.text ?? ''))).toHaveLength(2);
    expect((await s.sql<Row>('select name from file where ticket_id = ?', [t!.id])).length).toBe(2);
    expect((await filesOnDisk()).length).toBe(diskBefore + 2);
  });

  it('a mailbox in Chinese tells the sender in Chinese which attachments it did not keep', async () => {
    await configure(s, 'email', {
      ...settings,
      smtpPort: sink.port,
      mailboxes: [
        ...(settings.mailboxes as Record<string, unknown>[]),
        {
          address: 'kefu@docket.local',
          templateKey: 'enquiry',
          fields: { message: 'text' },
          language: 'zh-CN',
        },
      ],
    });
    await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'kefu@docket.local',
      subject: '发票照片',
      text: '附件是发票。',
      messageId: '<refused.zh@example.com>',
      attachments: [
        { filename: '发票.txt', content: 'y'.repeat(64 * 1024 + 1), contentType: 'text/plain' },
        { filename: '说明.pdf', content: '%PDF-1.4', contentType: 'application/pdf' },
      ],
    });
    const told = await waitFor('the mail in Chinese', async () =>
      sink.mails.find((m) => m.inReplyTo === '<refused.zh@example.com>'),
    );
    const [t] = (await ticketsByMail()).filter((r) => r.title === '发票照片');
    expect(told.subject).toBe(`Re: 发票照片 [#${t!.number}]`);
    expect(told.text!.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- 发票.txt：文件过大（64.1 KB，上限为 64 KB）',
      '- 说明.pdf：不接受此类文件（application/pdf）',
    ]);
    expect(told.text).toContain('以下附件未能保存');
    await configure(s, 'email', { ...settings, smtpPort: sink.port });
  });

  it('a 30 MB attachment is refused before it is acknowledged, and nothing is kept', async () => {
    const before = (await inbound()).length;
    await expect(
      sendMail(s.smtpPort, {
        from: 'customer@example.com',
        to: 'support@docket.local',
        subject: 'Big video',
        text: 'See attached.',
        attachments: [{ filename: 'video.bin', content: Buffer.alloc(30 * 1024 * 1024, 7) }],
      }),
    ).rejects.toThrow(/552|size|too large|larger/i);
    expect(await inbound()).toHaveLength(before);
    const next = await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'support@docket.local',
      subject: 'Small one',
      text: 'After the big one.',
    });
    expect(next.response).toMatch(/^250 /);
    await waitFor('the small one as a ticket', async () =>
      (await ticketsByMail()).find((t) => t.title === 'Small one'),
    );
  });

  it('a mail that arrives while the plugin is away waits, and becomes a ticket once it is back', async () => {
    const toggle = (verb: 'enablePlugin' | 'disablePlugin') =>
      s.gql(`mutation { ${verb}(name: "email") { __typename } }`, {}, admin);
    expect((await toggle('disablePlugin')).data!.disablePlugin.__typename).toBe('Plugin');
    const sent = await sendMail(s.smtpPort, {
      from: 'customer@example.com',
      to: 'support@docket.local',
      subject: 'Sent while you were away',
      text: 'Hello again.',
    });
    expect(sent.response).toMatch(/^250 /);
    const waiting = await waitFor('the pending mail', async () => {
      const m = (await inbound()).at(-1);
      return m && m.attempts >= 1 && m.last_error ? m : undefined;
    }).catch(async (e) => {
      console.log(JSON.stringify(await inbound()));
      throw e;
    });
    expect(waiting.status).toBe('pending');
    expect(waiting.last_error).toMatch(/no enabled plugin channel takes mail|"email" \(Email\) is disabled/);
    const listed = await s.gql('{ inboundMessages(status: "pending") { id status lastError } }', {}, admin);
    expect(listed.data!.inboundMessages).toEqual([
      { id: waiting.id, status: 'pending', lastError: waiting.last_error },
    ]);
    expect((await toggle('enablePlugin')).data!.enablePlugin.__typename).toBe('Plugin');
    const done = await waitFor(
      'the retried mail',
      async () => {
        const [m] = await s.sql<Row>('select status, ticket_id::text from inbound_message where id = ?', [
          waiting.id,
        ]);
        return m?.status === 'done' ? m : undefined;
      },
      30_000,
    );
    const [t] = await s.sql<Row>('select title from ticket where id = ?', [done.ticket_id]);
    expect(t!.title).toBe('Sent while you were away');
  }, 60_000);

  it('mails arriving at once become one ticket each, one customer per new address, and answers join their tickets', async () => {
    const burst = (i: number) => `<burst-${i}@example.net>`;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        sendMail(s.smtpPort, {
          from: i < 2 ? 'burst.same@example.net' : `burst.${i}@example.net`,
          to: 'support@docket.local',
          subject: `Burst ${i}`,
          text: `Burst mail ${i}`,
          messageId: burst(i),
        }),
      ),
    );
    // Answers to two of them, sent together as soon as the first mails were acknowledged.
    await Promise.all(
      [3, 4].map((i) =>
        sendMail(s.smtpPort, {
          from: `burst.${i}@example.net`,
          to: 'support@docket.local',
          subject: `Re: Burst ${i}`,
          text: `More about ${i}`,
          inReplyTo: burst(i),
          references: [burst(i)],
        }),
      ),
    );
    const tickets = () =>
      s.sql<Row>(
        `select t.id::text, t.title, t.requester_id, c.email from ticket t join customer c on c.id = t.requester_id
          where t.title like '%Burst %' order by t.id`,
      );
    const rows = await waitFor('a ticket for each mail', async () => {
      const r = await tickets();
      return r.length >= 12 ? r : undefined;
    });
    expect(rows.map((r) => r.title).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `Burst ${i}`).sort(),
    );
    for (const i of [3, 4]) {
      const t = rows.find((r) => r.title === `Burst ${i}`)!;
      const reply = await waitFor(`the answer to burst ${i}`, async () =>
        (await eventsOf(t.id)).find((e) => e.kind === 'reply' && e.actor_kind === 'customer'),
      );
      expect(reply.body).toBe(`More about ${i}`);
    }
    // No answer became a ticket of its own, and nothing is left pending.
    expect((await tickets()).length).toBe(12);
    const same = rows.filter((r) => r.email === 'burst.same@example.net');
    expect(same).toHaveLength(2);
    expect(same[0]!.requester_id).toBe(same[1]!.requester_id);
    const customers = await s.sql<Row>(
      "select count(*)::int as n from customer where lower(email) like 'burst.%@example.net'",
    );
    expect(customers[0]!.n).toBe(11);
    const pending = await s.sql<Row>(
      "select count(*)::int as n from inbound_message where status = 'pending'",
    );
    expect(pending[0]!.n).toBe(0);
  }, 60_000);
  it('a ticket whose mail cannot be marked done is not written either: the retry makes one ticket, with one copy of its attachment', async () => {
    // The failure falls exactly between the ticket and its mail's marking: the database refuses
    // to mark any mail done until the trigger goes.
    await s.sql(`create or replace function test_refuse_done() returns trigger language plpgsql as $$
      begin if new.status = 'done' then raise exception 'injected: the mail cannot be marked done'; end if; return new; end $$`);
    await s.sql(
      'create trigger test_refuse_done before update on inbound_message for each row execute function test_refuse_done()',
    );
    let dropped = false;
    const drop = async () => {
      if (dropped) return;
      dropped = true;
      await s.sql('drop trigger test_refuse_done on inbound_message');
      await s.sql('drop function test_refuse_done()');
    };
    const diskBefore = (await filesOnDisk()).length;
    try {
      const sent = await sendMail(s.smtpPort, {
        from: 'customer@example.com',
        to: 'support@docket.local',
        subject: 'Crash between ticket and mail',
        text: 'Once only, please.',
        messageId: '<crash.1@example.com>',
        attachments: [{ filename: 'receipt.txt', content: 'the receipt' }],
      });
      expect(sent.response).toMatch(/^250 /);
      const failed = await waitFor('the failed try', async () => {
        const [m] = await s.sql<Row>(
          "select id::text, status, last_error from inbound_message where position(convert_to('<crash.1@example.com>', 'UTF8') in raw) > 0",
        );
        return m?.last_error ? m : undefined;
      });
      expect(failed.status).toBe('pending');
      expect(failed.last_error).toBeTruthy();
      const titled = () =>
        s.sql<Row>("select id::text from ticket where title = 'Crash between ticket and mail' order by id");
      expect(await titled()).toEqual([]);
      await drop();
      // The retry (the sweep's, brought forward).
      await s.sql('update inbound_message set next_attempt_at = now() where id = ?', [failed.id]);
      await s.app.mailIntake.process(failed.id);
      const tickets = await titled();
      expect(tickets).toHaveLength(1);
      const [m] = await s.sql<Row>('select status, ticket_id::text from inbound_message where id = ?', [
        failed.id,
      ]);
      expect(m).toEqual({ status: 'done', ticket_id: tickets[0]!.id });
      // One stored file, on the ticket; its bytes once on disk.
      const files = await s.sql<Row>(
        'select id, ticket_id::text, name from file where inbound_message_id = ?',
        [failed.id],
      );
      expect(files).toEqual([{ id: files[0]?.id, ticket_id: tickets[0]!.id, name: 'receipt.txt' }]);
      expect(await filesOnDisk()).toEqual(expect.arrayContaining([files[0]!.id]));
      expect((await filesOnDisk()).length).toBe(diskBefore + 1);
      // The same mail again (a mail server that never heard the 250): it joins nothing new.
      await sendMail(s.smtpPort, {
        from: 'customer@example.com',
        to: 'support@docket.local',
        subject: 'Crash between ticket and mail',
        text: 'Once only, please.',
        messageId: '<crash.1@example.com>',
      });
      await waitFor('the resent mail done', async () => {
        const rows = await s.sql<Row>(
          "select status from inbound_message where position(convert_to('<crash.1@example.com>', 'UTF8') in raw) > 0",
        );
        return rows.length === 2 && rows.every((r) => r.status === 'done') ? rows : undefined;
      });
      expect(await titled()).toHaveLength(1);
    } finally {
      await drop();
    }
  }, 60_000);

  it('a reply whose mail cannot be marked done is not posted either: the retry, or the same mail again, posts it once', async () => {
    await s.sql(`create or replace function test_refuse_done() returns trigger language plpgsql as $$
      begin if new.status = 'done' then raise exception 'injected: the mail cannot be marked done'; end if; return new; end $$`);
    await s.sql(
      'create trigger test_refuse_done before update on inbound_message for each row execute function test_refuse_done()',
    );
    let dropped = false;
    const drop = async () => {
      if (dropped) return;
      dropped = true;
      await s.sql('drop trigger test_refuse_done on inbound_message');
      await s.sql('drop function test_refuse_done()');
    };
    const body = 'This reply must appear once.';
    const posted = async () =>
      (await eventsOf(ticket.id)).filter((e) => e.kind === 'reply' && e.body === body);
    try {
      const sent = await sendMail(s.smtpPort, {
        from: 'customer@example.com',
        to: 'support@docket.local',
        subject: 'Re: My kettle leaks',
        text: body,
        messageId: '<crash.reply.1@example.com>',
        inReplyTo: firstId,
        references: [firstId],
      });
      expect(sent.response).toMatch(/^250 /);
      const failed = await waitFor('the failed try', async () => {
        const [m] = await s.sql<Row>(
          "select id::text, status, last_error from inbound_message where position(convert_to('<crash.reply.1@example.com>', 'UTF8') in raw) > 0",
        );
        return m?.last_error ? m : undefined;
      });
      expect(failed.status).toBe('pending');
      expect(failed.last_error).toMatch(/injected/);
      // Nothing of the try is left: the reply went with the marking.
      expect(await posted()).toEqual([]);
      await drop();
      // The retry (the sweep's, brought forward).
      await s.sql('update inbound_message set next_attempt_at = now() where id = ?', [failed.id]);
      await s.app.mailIntake.process(failed.id);
      expect(await posted()).toHaveLength(1);
      const [m] = await s.sql<Row>('select status, ticket_id::text from inbound_message where id = ?', [
        failed.id,
      ]);
      expect(m).toEqual({ status: 'done', ticket_id: ticket.id });
      // A further try finds it done and posts nothing.
      await s.sql('update inbound_message set next_attempt_at = now() where id = ?', [failed.id]);
      await s.app.mailIntake.process(failed.id);
      expect(await posted()).toHaveLength(1);
      // The same mail again (a mail server that never heard the 250): it is not posted twice.
      await sendMail(s.smtpPort, {
        from: 'customer@example.com',
        to: 'support@docket.local',
        subject: 'Re: My kettle leaks',
        text: body,
        messageId: '<crash.reply.1@example.com>',
        inReplyTo: firstId,
        references: [firstId],
      });
      const again = await waitFor('the resent reply handled', async () => {
        const rows = await s.sql<Row>(
          "select status, ticket_id::text, outcome from inbound_message where position(convert_to('<crash.reply.1@example.com>', 'UTF8') in raw) > 0 order by id",
        );
        return rows.length === 2 && rows[1]!.status !== 'pending' ? rows[1] : undefined;
      });
      expect(again).toEqual({
        status: 'ignored',
        ticket_id: ticket.id,
        outcome: {
          action: 'ignore',
          reason: 'the message <crash.reply.1@example.com> was posted on the ticket already',
        },
      });
      expect(await posted()).toHaveLength(1);
    } finally {
      await drop();
    }
  }, 60_000);

  it('attachments kept in the mail tables before become stored files on their tickets, once, even when a move was cut short', async () => {
    const [t] = await ticketsByMail();
    const [m] = await s.sql<Row>('select id::text from inbound_message where ticket_id = ? limit 1', [t!.id]);
    const diskBefore = (await filesOnDisk()).length;
    // One row as an earlier version kept it, one whose move stopped after it was given its file's id.
    const cut = 'f_0123456789abcdef0123456789abcdef';
    await s.sql(
      `insert into inbound_attachment (message_id, ticket_id, filename, content_type, size, content, file_id)
       values (?, ?, 'old.txt', 'text/plain', 9, convert_to('old bytes', 'UTF8'), null),
              (?, ?, 'cut.txt', 'text/plain', 9, convert_to('cut bytes', 'UTF8'), ?)`,
      [m!.id, t!.id, m!.id, t!.id, cut],
    );
    const storage = new FileStorage(s.app.services.config.files.dir);
    expect(await moveInboundAttachments(forkEm(s.app.services.db), storage)).toBe(2);
    expect(await moveInboundAttachments(forkEm(s.app.services.db), storage)).toBe(0);
    expect(await s.sql('select id from inbound_attachment')).toEqual([]);
    const files = await s.sql<Row>(
      "select id, name, ticket_id::text from file where name in ('old.txt', 'cut.txt') order by name",
    );
    expect(files).toEqual([
      { id: cut, name: 'cut.txt', ticket_id: t!.id },
      { id: files[1]?.id, name: 'old.txt', ticket_id: t!.id },
    ]);
    expect((await filesOnDisk()).length).toBe(diskBefore + 2);
    const res = await fetch(`${s.url}/files/${files[1]!.id}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(await res.text()).toBe('old bytes');
  });
});
