import type { OutgoingMail } from '@docket/sandbox';
import nodemailer from 'nodemailer';

type Transport = ReturnType<typeof nodemailer.createTransport>;

/**
 * Outgoing mail for plugins granted `mail`: one pooled nodemailer transport per SMTP account a
 * plugin's settings name, reused across calls and closed with the server.
 */
export class PluginMail {
  private readonly transports = new Map<string, Transport>();

  async send(mail: OutgoingMail): Promise<{ messageId: string; accepted: string[]; rejected: string[] }> {
    const a = mail.account;
    const key = JSON.stringify([a.host, a.port, Boolean(a.secure), a.user ?? '', a.password ?? '']);
    let transport = this.transports.get(key);
    if (!transport) {
      transport = nodemailer.createTransport({
        host: a.host,
        port: a.port,
        secure: Boolean(a.secure),
        pool: true,
        maxConnections: 2,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
        // Plain loopback and intranet relays offer no TLS; a relay that does is still used with it.
        ignoreTLS: !a.secure && (a.host === '127.0.0.1' || a.host === 'localhost'),
        ...(a.user ? { auth: { user: a.user, pass: a.password ?? '' } } : {}),
      });
      this.transports.set(key, transport);
    }
    const info = await transport.sendMail({
      from: mail.from,
      to: mail.to,
      ...(mail.cc?.length ? { cc: mail.cc } : {}),
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      ...(mail.messageId ? { messageId: mail.messageId } : {}),
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      ...(mail.references?.length ? { references: mail.references } : {}),
      ...(mail.headers ? { headers: mail.headers } : {}),
    });
    const list = (v: unknown): string[] =>
      Array.isArray(v)
        ? v.map((x) => (typeof x === 'string' ? x : String((x as { address?: string }).address)))
        : [];
    return {
      messageId: String(info.messageId),
      accepted: list(info.accepted),
      rejected: list(info.rejected),
    };
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
