import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Large bodies take turns (issue 11): one is read and parsed at a time, one more may wait, the
 * next is told the server is busy; small queries and /healthz pass meanwhile.
 */
describe(`large request bodies take turns (${databaseKind()})`, () => {
  let s: TestServer;
  let token: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    s = await startTestServer({
      workflows: false,
      env: {
        DOCKET_LARGE_BODY_BYTES: '1000',
        DOCKET_LARGE_BODY_CONCURRENCY: '1',
        DOCKET_LARGE_BODY_QUEUE: '1',
        // Long enough for the tests below to finish a held body by hand; the last one waits it out.
        DOCKET_LARGE_BODY_READ_SECONDS: '12',
      },
    });
    token = await s.login('agent.a@docket.local');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await s?.close();
  });

  const large = JSON.stringify({ query: `{ __typename ${' '.repeat(5_000)} }` });
  const post = (body: string) =>
    fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
  /** A large POST whose body stops half way until `finish` sends the rest; resolves with the raw answer. */
  const slowPost = () => {
    const { port } = new URL(s.url);
    const socket = connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    const bytes = Buffer.from(large);
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${token}\r\ncontent-length: ${bytes.length}\r\nconnection: close\r\n\r\n`,
    );
    socket.write(bytes.subarray(0, 2_000));
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
    return { finish: () => socket.write(bytes.subarray(2_000)), answer };
  };

  /** Waits until the server's gauges show this many large bodies being read and waiting. */
  const gauges = async (reading: number, waiting: number) => {
    const wanted = `docket_large_bodies_reading ${reading}\n`;
    for (let i = 0; i < 600; i++) {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      if (text.includes(wanted) && text.includes(`docket_large_bodies_waiting ${waiting}\n`)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the gauges never showed ${reading} reading and ${waiting} waiting`);
  };

  it('reads one large body at a time, queues one more, and tells the next to retry', async () => {
    const first = slowPost();
    await gauges(1, 0);
    let isSecondAnswered = false;
    const second = post(large).then(async (r) => {
      isSecondAnswered = true;
      return { status: r.status, body: (await r.json()) as any };
    });
    await gauges(1, 1);

    const third = await post(large);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(((await third.json()) as any).errors[0]).toMatchObject({
      message: 'The server is busy reading other large requests; nothing was done: try again in a moment.',
      extensions: { code: 'SERVER_BUSY' },
    });
    // Small requests do not queue behind the large ones.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await s.gql('{ __typename }', {}, token)).data).toEqual({ __typename: 'Query' });
    expect(isSecondAnswered).toBe(false);

    first.finish();
    expect(await first.answer).toMatch(/^HTTP\/1\.1 200[\s\S]*"__typename":"Query"/);
    expect(await second).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
    // The queue has emptied: large bodies are welcome again.
    expect((await post(large)).status).toBe(200);
  });

  it('answers a body declared larger than the cap at once, without waiting its turn', async () => {
    const first = slowPost();
    await gauges(1, 0);
    const huge = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ __typename ${' '.repeat(1_100_000)} }` }),
    });
    expect(huge.status).toBe(413);
    first.finish();
    await first.answer;
  });

  it('closes a large body that does not arrive in time, and frees its turn for the next', async () => {
    const slow = slowPost();
    await gauges(1, 0);
    const t0 = performance.now();
    // Nothing is answered on a connection closed half way through its body.
    expect(await slow.answer).toBe('');
    expect(performance.now() - t0).toBeGreaterThan(5_000);
    await gauges(0, 0);
    expect((await post(large)).status).toBe(200);
  });
});
