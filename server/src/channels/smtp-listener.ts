import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Log } from '../services.ts';
import type { MailEnvelope, MailIntake } from './mail-intake.ts';

/**
 * The server's one SMTP listener (DOCKET_SMTP_PORT): it takes mail for the email channel
 * plugins, says 250 only once the message is stored, and refuses a message over the size limit
 * (552) before acknowledging anything. It relays nothing and asks for no login: it is an inbox.
 */
export async function startSmtpListener(input: {
  intake: MailIntake;
  host: string;
  port: number;
  maxBytes: number;
  log: Log;
}): Promise<{ port: number; close: () => Promise<void> }> {
  const { intake, log } = input;
  const server = new SMTPServer({
    name: 'docket',
    banner: 'Docket mail intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: input.maxBytes,
    logger: false,
    socketTimeout: 60_000,
    // On shutdown a sender's idle connection is dropped after this (smtp-server waits 30 s).
    closeTimeout: 5_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes <= input.maxBytes) chunks.push(c);
      });
      stream.on('error', (e) => callback(e));
      stream.on('end', () => {
        const receivedAt = new Date();
        if (stream.sizeExceeded || bytes > input.maxBytes) {
          const e = new Error(`the message is larger than ${input.maxBytes} bytes`) as Error & {
            responseCode: number;
          };
          e.responseCode = 552;
          callback(e);
          return;
        }
        const envelope: MailEnvelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          remoteAddress: session.remoteAddress ?? null,
        };
        intake.accept(Buffer.concat(chunks), envelope, receivedAt).then(
          (id) => {
            callback(null, `queued as ${id}`);
            intake.kick(id);
          },
          (e) => {
            log('error', 'an inbound mail could not be stored', {
              error: String((e as Error)?.message ?? e),
            });
            const err = new Error('try again later') as Error & { responseCode: number };
            err.responseCode = 451;
            callback(err);
          },
        );
      });
    },
  });
  server.on('error', (e) => log('warn', 'SMTP listener error', { error: String(e.message) }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port, input.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = ((server.server as { address(): AddressInfo | string | null }).address() as AddressInfo).port;
  log('info', 'SMTP listener started', { host: input.host, port });
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
