import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@docket/engine';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { plugins as examplePlugins } from '../../examples/plugins.ts';
import { buildFirstPartyPlugins, PLUGINS_DIR } from '../../plugins/build.ts';
import { installExamplePlugins } from '../../server/src/seed/install-example-plugins.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

export { waitFor } from '../helpers/wait.ts';

/**
 * A server with the example data, its SMTP listener on a free port, and the named first-party
 * plugins built from plugins/ and installed as the example pack installs them.
 */
export async function startChannelServer(
  names: string[],
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestServer & { smtpPort: number }> {
  const folderOf = (name: string) => examplePlugins.find((p) => p.name === name)?.folder ?? name;
  await buildFirstPartyPlugins({ names: names.map(folderOf) });
  const s = await startTestServer({
    // A files directory of its own: tests count what is stored there.
    env: {
      DOCKET_SMTP_PORT: '0',
      DOCKET_FILES_DIR: await mkdtemp(join(tmpdir(), 'docket-channel-files-')),
      ...options.env,
    },
    workflows: false,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const r = await installExamplePlugins(s.app.services, { pluginsDir: join(PLUGINS_DIR), only: names });
  if (r.installed.length !== names.length) throw new Error(`plugins not installed: ${JSON.stringify(r)}`);
  return Object.assign(s, { smtpPort: s.app.smtp!.port });
}

/** Changes some of a plugin's settings (a mutation as the admin). */
export async function configure(
  s: TestServer,
  plugin: string,
  settings: Record<string, unknown>,
): Promise<void> {
  const admin = await s.login('admin@docket.local');
  const r = await s.gql(
    `mutation($n: String!, $c: JSON!) { configurePlugin(name: $n, config: $c) { __typename
      ... on ValidationError { fields { path message } } ... on Error { message } } }`,
    { n: plugin, c: settings },
    admin,
  );
  if (r.data?.configurePlugin.__typename !== 'Plugin') throw new Error(JSON.stringify(r));
}

/** A loopback SMTP server standing for the outside mail system: keeps every mail it is given. */
export async function smtpSink(): Promise<{ port: number; mails: ParsedMail[]; close: () => Promise<void> }> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // The server's pooled sender may still hold a connection: close it at once, not after 30 s.
    closeTimeout: 100,
    onData(stream, _session, cb) {
      simpleParser(stream).then(
        (m) => {
          mails.push(m);
          cb();
        },
        (e) => cb(e),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = ((server.server as { address(): AddressInfo }).address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Sends one mail to Docket's SMTP listener over loopback, as a mail server would. */
export async function sendMail(
  port: number,
  mail: SendMailOptions,
): Promise<{ response: string; messageId: string }> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await t.sendMail(mail);
    return { response: info.response, messageId: info.messageId };
  } finally {
    t.close();
  }
}

/** A raw message sent as it is (for mails a client library would not make). */
export async function sendRaw(
  port: number,
  envelope: { from: string; to: string[] },
  raw: string | Buffer,
): Promise<string> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return (await t.sendMail({ envelope, raw })).response;
  } finally {
    t.close();
  }
}

export type Received = {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
};

/**
 * A loopback HTTP receiver standing for an outside service (a chat platform, an SMS gateway, a
 * partner's callback): records each request and answers with `answer` (which may hang).
 */
export async function receiver(): Promise<{
  origin: string;
  requests: Received[];
  answer: (fn: (r: Received) => { status: number; json?: unknown } | 'hang') => void;
  close: () => Promise<void>;
}> {
  const requests: Received[] = [];
  let handler: (r: Received) => { status: number; json?: unknown } | 'hang' = () => ({
    status: 200,
    json: {},
  });
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() };
      requests.push(r);
      const a = handler(r);
      if (a === 'hang') return;
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.json === undefined ? '' : JSON.stringify(a.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: (fn) => {
      handler = fn;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Docket's webhook signature, computed with Node's crypto (what a partner system does). */
export const sign = (secret: string, ts: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;

/** POSTs a signed JSON body to one of the server's channel routes. */
export async function postSigned(
  url: string,
  secret: string,
  payload: unknown,
  options: { ts?: number; signature?: string } = {},
): Promise<{ status: number; body: any }> {
  const body = JSON.stringify(payload);
  const ts = String(options.ts ?? Math.floor(Date.now() / 1000));
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-docket-timestamp': ts,
      'x-docket-signature': options.signature ?? sign(secret, ts, body),
    },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}
