import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { databaseKind, freshDatabaseUrl } from '../helpers/test-database.ts';

/**
 * SIGTERM: the server stops taking requests (a new connection is refused), finishes the request
 * in flight, then exits 0; a request that never finishes does not hold it past
 * DOCKET_SHUTDOWN_TIMEOUT_MS, after which it exits 1 saying so.
 *
 * The request in flight is slow on the client's side: its body arrives in two parts, the second
 * after the signal, so the server is mid-request when the signal lands, whatever the database.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Started = { server: ServerProcess; cleanUp: () => Promise<void> };

async function start(env: Record<string, string>): Promise<Started> {
  const fresh = await freshDatabaseUrl();
  const dataDir = fresh.url ? undefined : mkdtempSync(join(tmpdir(), 'docket-shutdown-'));
  const server = await startServerProcess({
    ...(fresh.url ? { DATABASE_URL: fresh.url } : { DATA_DIR: dataDir! }),
    DOCKET_EXAMPLES: 'off',
    ...env,
  });
  return {
    server,
    cleanUp: async () => {
      await server.stop('SIGKILL');
      await fresh.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A GraphQL POST whose body is sent in two parts: `send` the rest to finish it. */
async function slowRequest(url: string) {
  const { hostname, port } = new URL(url);
  const body = Buffer.from(JSON.stringify({ query: `{ __typename ${' '.repeat(2000)}}` }));
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let answer = '';
  socket.on('data', (d) => {
    answer += d;
  });
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  socket.write(
    `POST /graphql HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\n` +
      `content-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n`,
  );
  socket.write(body.subarray(0, 1000));
  return {
    send: () => socket.write(body.subarray(1000)),
    /** The raw answer once the server has closed the connection. */
    answer: async () => {
      await ended;
      return answer;
    },
    destroy: () => socket.destroy(),
  };
}

const refusesConnections = (url: string) =>
  new Promise<string>((resolve) => {
    const { hostname, port } = new URL(url);
    const s = connect(Number(port), hostname);
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });

describe(`graceful shutdown on SIGTERM (${databaseKind()})`, () => {
  let started: Started | undefined;
  afterEach(async () => {
    await started?.cleanUp();
    started = undefined;
  }, 60_000);

  it('refuses new connections, finishes the request in flight, exits 0', async () => {
    started = await start({ DOCKET_SHUTDOWN_TIMEOUT_MS: '20000' });
    const { server } = started;
    const slow = await slowRequest(server.url);
    await sleep(300); // the server has the request's head and the first part of its body
    const signalledAt = Date.now();
    server.proc.kill('SIGTERM');
    for (let i = 0; i < 100 && !/SIGTERM: shutting down/.test(server.output()); i++) await sleep(50);
    expect(server.output()).toMatch(/SIGTERM: shutting down \(requests in flight: 1; at most 20000 ms\)/);
    expect(await refusesConnections(server.url)).toBe('ECONNREFUSED');
    // Still running: it waits for the request in flight.
    await sleep(500);
    expect(server.proc.exitCode).toBeNull();

    slow.send();
    const answer = await slow.answer();
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('"__typename":"Query"');
    await server.exited;
    expect(server.proc.exitCode).toBe(0);
    expect(server.output()).toMatch(/Stopped in \d+ ms\./);
    expect(Date.now() - signalledAt).toBeLessThan(20_000);
  }, 120_000);

  it('exits anyway once DOCKET_SHUTDOWN_TIMEOUT_MS has passed, saying what it waited for', async () => {
    started = await start({ DOCKET_SHUTDOWN_TIMEOUT_MS: '1500' });
    const { server } = started;
    const stuck = await slowRequest(server.url);
    await sleep(300);
    const signalledAt = Date.now();
    server.proc.kill('SIGTERM');
    await server.exited;
    const took = Date.now() - signalledAt;
    stuck.destroy();
    expect(server.proc.exitCode).toBe(1);
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(5_000);
    expect(server.output()).toMatch(
      /Shutdown did not finish within 1500 ms \(DOCKET_SHUTDOWN_TIMEOUT_MS\), still waiting for requests in flight \(1\): exiting anyway\./,
    );
  }, 120_000);
});
