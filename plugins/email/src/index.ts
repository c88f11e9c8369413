import {
  defineChannel,
  defineNotificationTarget,
  definePlugin,
  type HostApi,
  type InboundResult,
  type JsonValue,
  type MailInbound,
} from '@docket/sdk';

/**
 * Email for Docket. The server's SMTP listener hands each mail to `receive`, which decides what
 * it is: a new ticket of the mailbox's template, a reply on its thread (found by In-Reply-To or
 * References, or by the ticket number in the subject), or something no one should answer (an
 * auto-reply, a bounce, a list mail, our own mail coming back). Agents' public replies go out
 * through `send`, threaded so mail clients group them; notices go out through the `mail` target.
 *
 * What the plugin remembers, in its key-value store:
 *   msg:<Message-ID>    -> the thread key (the first mail's Message-ID) the message belongs to
 *   refs:<thread key>   -> the thread's Message-IDs, oldest first (for References)
 */

type Mailbox = {
  address: string;
  templateKey: string;
  priority?: 'urgent' | 'high' | 'normal' | 'low';
  /** Form fields filled from the mail: field name -> subject | text | fromAddress | fromName. */
  fields?: Record<string, 'subject' | 'text' | 'fromAddress' | 'fromName'>;
  /** Constant form values every ticket of this mailbox starts with. */
  formData?: Record<string, JsonValue>;
  /** The language of what the mailbox writes to customers by itself (default en). */
  language?: Language;
};

type Language = 'en' | 'zh-CN';

type Settings = {
  mailboxes: Mailbox[];
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
  smtpUser: string;
  fromAddress: string;
  fromName: string;
};

const settingsOf = (ctx: HostApi): Settings => {
  const c = ctx.config as Record<string, unknown>;
  return {
    mailboxes: (Array.isArray(c.mailboxes) ? c.mailboxes : []) as Mailbox[],
    smtpHost: String(c.smtpHost ?? '127.0.0.1'),
    smtpPort: Number(c.smtpPort ?? 25),
    smtpSecure: c.smtpSecure === true,
    smtpUser: String(c.smtpUser ?? ''),
    fromAddress: String(c.fromAddress ?? ''),
    fromName: String(c.fromName ?? 'Docket'),
  };
};

const accountOf = (s: Settings, ctx: HostApi) => ({
  host: s.smtpHost,
  port: s.smtpPort,
  secure: s.smtpSecure,
  ...(s.smtpUser ? { user: s.smtpUser, password: ctx.secrets.smtpPassword ?? '' } : {}),
});

const lower = (s: string | undefined) => (s ?? '').trim().toLowerCase();

/** Why no one should answer this mail, or null when a person wrote it. */
export function automaticReason(mail: MailInbound, ownAddresses: string[]): string | null {
  const h = mail.headers;
  const from = lower(mail.from.address);
  if (!from) return 'the mail has no sender address';
  if (ownAddresses.includes(from)) return 'the mail comes from one of our own mailboxes (a loop)';
  if (h['x-docket-loop'] !== undefined) return 'the mail is one Docket sent (a loop)';
  const auto = lower(h['auto-submitted']);
  if (auto && auto !== 'no') return `the mail is automatic (Auto-Submitted: ${auto})`;
  if (/^(bulk|junk|list|auto_reply)$/.test(lower(h.precedence)))
    return `the mail is automatic (Precedence: ${lower(h.precedence)})`;
  if (h['x-autoreply'] !== undefined || h['x-autorespond'] !== undefined) return 'the mail is an auto-reply';
  if (/multipart\/report/.test(lower(h['content-type'])) || h['x-failed-recipients'] !== undefined)
    return 'the mail is a delivery report (a bounce)';
  if (/^(mailer-daemon|postmaster)@/.test(from)) return 'the mail is a delivery report (a bounce)';
  if (lower(h['return-path']) === '<>')
    return 'the mail has an empty return path (a bounce or an automatic mail)';
  if (h['list-id'] !== undefined) return 'the mail comes from a mailing list';
  return null;
}

/** The text a person wrote in a reply, without the quoted mail below it. */
export function replyText(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s*>/.test(line)) break;
    if (/^On .+wrote:\s*$/.test(line) || /^-{2,}\s*Original Message\s*-{2,}/i.test(line)) break;
    if (/^在.+写道[:：]\s*$/.test(line) || /^-{2,}\s*原始邮件\s*-{2,}/.test(line)) break;
    out.push(line);
  }
  const kept = out.join('\n').trim();
  return kept || text.trim();
}

const TICKET_NUMBER_RE = /\[#([A-Za-z0-9][A-Za-z0-9_-]{0,63})\]/;

/** A size as people read it: the file's rounded up, a limit's rounded down (so neither looks equal). */
function sizeText(bytes: number, round: 'up' | 'down'): string {
  const to = round === 'up' ? Math.ceil : Math.floor;
  const [unit, div] = bytes >= 1024 * 1024 ? ['MB', 1024 * 1024] : bytes >= 1024 ? ['KB', 1024] : ['B', 1];
  return `${to((bytes / (div as number)) * 10) / 10} ${unit}`;
}

/**
 * What the mailbox tells the sender when attachments of their mail were not kept: each one by
 * name, and why (too large, with the limit; a type not accepted; content not its type; empty), in
 * the mailbox's language. Null when every attachment was kept.
 */
export function refusedAttachmentsText(
  attachments: MailInbound['attachments'],
  language: Language,
): string | null {
  const refused = attachments.filter((a) => a.refused);
  if (refused.length === 0) return null;
  const type = (a: (typeof refused)[number]) => a.contentType.split(';')[0]!.trim();
  if (language === 'zh-CN') {
    const lines = refused.map((a) => {
      const r = a.refused!;
      const why =
        r.reason === 'size'
          ? `文件过大（${sizeText(a.size, 'up')}，上限为 ${sizeText(r.limit ?? 0, 'down')}）`
          : r.reason === 'type'
            ? `不接受此类文件（${type(a)}）`
            : r.reason === 'content'
              ? `文件内容与其类型（${type(a)}）不符`
              : '文件为空';
      return `- ${a.filename}：${why}`;
    });
    return [
      '您好，我们已收到您的邮件，但以下附件未能保存：',
      '',
      ...lines,
      '',
      '请以我们接受的文件类型、在大小上限之内重新发送，或回复此邮件附上文件的下载链接。',
    ].join('\n');
  }
  const lines = refused.map((a) => {
    const r = a.refused!;
    const why =
      r.reason === 'size'
        ? `too large (${sizeText(a.size, 'up')}; the limit is ${sizeText(r.limit ?? 0, 'down')})`
        : r.reason === 'type'
          ? `files of this type (${type(a)}) are not accepted`
          : r.reason === 'content'
            ? `its content is not what its type (${type(a)}) says`
            : 'the file is empty';
    return `- ${a.filename}: ${why}`;
  });
  return [
    'Hello, we received your mail, but could not keep these attachments:',
    '',
    ...lines,
    '',
    'Please send them again as a type we accept and within the size limit, or reply to this mail with a link to them.',
  ].join('\n');
}

const mail = defineChannel({
  name: 'mail',
  title: 'Email',
  titles: { 'zh-CN': '邮件' },
  description: 'Mail to the mailboxes becomes tickets and replies; agents answer on the same thread.',
  inbound: { mail: true },
  receive: async (payload, ctx): Promise<InboundResult> => {
    if (payload.kind !== 'mail') return { action: 'ignore', reason: 'the email channel takes mail only' };
    const s = settingsOf(ctx);
    const own = [...s.mailboxes.map((m) => lower(m.address)), lower(s.fromAddress)].filter(Boolean);
    const why = automaticReason(payload, own);
    if (why) {
      ctx.metric('mail.ignored', 1);
      return { action: 'ignore', reason: why };
    }
    const to = [
      ...payload.envelopeTo,
      ...payload.to.map((a) => a.address),
      ...payload.cc.map((a) => a.address),
    ].map(lower);
    const mailbox = s.mailboxes.find((m) => to.includes(lower(m.address))) ?? s.mailboxes[0];
    if (!mailbox) return { action: 'ignore', reason: 'no mailbox is set up in the email plugin' };
    const author = {
      email: lower(payload.from.address),
      ...(payload.from.name ? { name: payload.from.name } : {}),
    };
    const messageId = payload.messageId;
    // Attachments the server did not keep: the sender is told on the thread, in the mailbox's language.
    const refusedText = refusedAttachmentsText(
      payload.attachments,
      mailbox.language === 'zh-CN' ? 'zh-CN' : 'en',
    );
    const acknowledgement = refusedText ? { acknowledgement: { text: refusedText } } : {};

    const formData: Record<string, JsonValue> = { ...(mailbox.formData ?? {}) };
    for (const [field, from] of Object.entries(mailbox.fields ?? {}))
      formData[field] =
        from === 'subject'
          ? payload.subject
          : from === 'text'
            ? payload.text
            : from === 'fromAddress'
              ? author.email
              : (payload.from.name ?? author.email);
    const ticket = {
      templateKey: mailbox.templateKey,
      title: (payload.subject.replace(TICKET_NUMBER_RE, '').trim() || '(no subject)').slice(0, 200),
      description: payload.text,
      formData,
      ...(mailbox.priority ? { priority: mailbox.priority } : {}),
    };
    // A reply: a message it answers is one we know (someone other than the requester answering
    // gets a ticket of their own).
    for (const id of [payload.inReplyTo, ...[...payload.references].reverse()]) {
      if (!id) continue;
      const thread = await ctx.kv.get<string>(`msg:${id}`);
      if (thread) {
        await remember(ctx, thread, messageId);
        return {
          action: 'reply',
          threadKey: thread,
          reply: { text: replyText(payload.text) },
          author,
          orCreate: { threadKey: messageId, ticket },
          ...acknowledgement,
        };
      }
    }
    // A new thread: its references start with its own id (kept once a reply adds to them).
    await ctx.kv.set(`msg:${messageId}`, messageId);
    // The ticket's number in the subject: a reply from its requester (the host checks), else a new ticket.
    const numbered = TICKET_NUMBER_RE.exec(payload.subject);
    if (numbered)
      return {
        action: 'reply',
        threadKey: messageId,
        ticketNumber: numbered[1]!,
        reply: { text: replyText(payload.text) },
        author,
        orCreate: { ticket },
        ...acknowledgement,
      };
    ctx.metric('mail.ticket', 1);
    return { action: 'create', threadKey: messageId, ticket, requester: author, ...acknowledgement };
  },
  send: async ({ threadKey, ticket, reply, recipients }, ctx) => {
    const s = settingsOf(ctx);
    const to = recipients.filter((r) => r.includes('@'));
    if (to.length === 0) throw new Error('the ticket has no requester email to answer');
    const refs = (await ctx.kv.get<string[]>(`refs:${threadKey}`)) ?? [threadKey];
    const domain = (s.fromAddress.split('@')[1] ?? 'docket.local').trim();
    const messageId = `<docket.${ticket.id}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}@${domain}>`;
    const subjectBase = String(ticket.title ?? '')
      .replace(TICKET_NUMBER_RE, '')
      .trim();
    const sent = await ctx.mail.send({
      account: accountOf(s, ctx),
      from: `"${s.fromName.replace(/"/g, '')}" <${s.fromAddress}>`,
      to,
      subject: `Re: ${subjectBase} [#${ticket.number ?? ticket.id}]`,
      text: `${reply.text}\n\n-- \n${reply.author.name}`,
      messageId,
      inReplyTo: refs[refs.length - 1] ?? threadKey,
      references: refs.slice(-20),
      headers: { 'X-Docket-Ticket': String(ticket.number ?? ticket.id) },
    });
    await remember(ctx, threadKey, sent.messageId);
    return { externalId: sent.messageId };
  },
});

/** Notes that a message belongs to a thread (and adds it to the thread's references). */
async function remember(ctx: HostApi, threadKey: string, messageId: string): Promise<void> {
  await ctx.kv.set(`msg:${messageId}`, threadKey);
  const refs = (await ctx.kv.get<string[]>(`refs:${threadKey}`)) ?? [threadKey];
  if (!refs.includes(messageId)) await ctx.kv.set(`refs:${threadKey}`, [...refs, messageId].slice(-50));
}

const notice = defineNotificationTarget({
  name: 'mail',
  title: 'Email',
  titles: { 'zh-CN': '邮件' },
  description: 'Sends notices by email, one mail per recipient.',
  addressKind: 'email',
  configSchema: { type: 'object', properties: {} },
  deliver: async ({ message, recipients }, ctx) => {
    const s = settingsOf(ctx);
    const results = [];
    for (const r of recipients) {
      try {
        const sent = await ctx.mail.send({
          account: accountOf(s, ctx),
          from: `"${s.fromName.replace(/"/g, '')}" <${s.fromAddress}>`,
          to: [r.address],
          subject: message.ticket?.number
            ? `${message.subject} [#${message.ticket.number}]`
            : message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Docket-Loop': s.fromAddress },
        });
        results.push({ recipientId: r.id, status: 'sent' as const, externalId: sent.messageId });
      } catch (e) {
        results.push({
          recipientId: r.id,
          status: 'failed' as const,
          error: String((e as Error).message ?? e),
        });
      }
    }
    return { results };
  },
});

export default definePlugin({
  name: 'email',
  version: '1.0.0',
  displayName: 'Email',
  description: 'Mailboxes that turn mail into tickets and replies, threaded answers, and email notices.',
  permissions: { kv: true, mail: true },
  config: {
    type: 'object',
    required: ['fromAddress', 'smtpHost', 'smtpPort'],
    properties: {
      mailboxes: {
        type: 'array',
        title: 'Mailboxes',
        items: {
          type: 'object',
          required: ['address', 'templateKey'],
          properties: {
            address: { type: 'string', format: 'email', title: 'Address' },
            templateKey: { type: 'string', title: 'Template of new tickets' },
            priority: { type: 'string', enum: ['urgent', 'high', 'normal', 'low'] },
            fields: {
              type: 'object',
              additionalProperties: { type: 'string', enum: ['subject', 'text', 'fromAddress', 'fromName'] },
            },
            formData: { type: 'object' },
            language: {
              type: 'string',
              enum: ['en', 'zh-CN'],
              title: 'Language of mail the mailbox writes by itself',
            },
          },
        },
      },
      fromAddress: { type: 'string', format: 'email', title: 'Send as' },
      fromName: { type: 'string', title: 'Sender name' },
      smtpHost: { type: 'string', title: 'SMTP server' },
      smtpPort: { type: 'integer', minimum: 1, maximum: 65535, title: 'SMTP port' },
      smtpSecure: { type: 'boolean', title: 'TLS from the start (port 465)' },
      smtpUser: { type: 'string', title: 'SMTP user' },
      smtpPassword: { type: 'string', title: 'SMTP password', 'x-secret': true },
    },
  },
  contributes: { channels: [mail], notificationTargets: [notice] },
});
