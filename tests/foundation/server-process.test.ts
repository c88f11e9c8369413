import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess as start } from '../helpers/server-process.ts';

/** Stops the server as a terminal's Ctrl-C or a supervisor would, and gives its exit code. */
const stop = async (server: Awaited<ReturnType<typeof start>>) => {
  await server.stop('SIGTERM');
  return server.proc.exitCode;
};

describe('npm start on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docket-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts, loads the examples once, prints the first login, and keeps data across a restart', async () => {
    const first = await start({ DATA_DIR: dataDir });
    expect(first.output()).toMatch(/Example data loaded/);
    expect(first.output()).toMatch(/First login: admin@docket.local \/ docket-demo/);
    // The web app's address comes first (with a note when designer/dist is not built).
    expect(first.output()).toMatch(
      /Docket is running[^\n]*\n {2}Web app: +http:\/\/127\.0\.0\.1:\d+\/.*\n {2}GraphQL API/,
    );
    expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ ok: true, database: 'embedded' });
    const gql = async (query: string, token?: string) =>
      (await (
        await fetch(`${first.url.replace(/:\d+$/, '')}:${new URL(current.url).port}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query }),
        })
      ).json()) as any;
    let current = first;
    const login = await gql(
      'mutation { login(email: "agent.a@docket.local", password: "docket-demo") { ... on Session { token } } }',
    );
    const token = login.data.login.token;
    const created = await gql(
      'mutation { createTicket(input: { templateKey: "call-centre", title: "Survives restarts", formData: { callerNumber: "13800000000", serviceCategory: "repair", details: "Fridge is noisy" } }) { ... on Ticket { number } } }',
      token,
    );
    const number = created.data.createTicket.number;
    expect(number).toMatch(/^CC-/);
    expect(await stop(first)).toBe(0);

    current = await start({ DATA_DIR: dataDir });
    expect(current.output()).not.toMatch(/Example data loaded/);
    const again = await gql(`{ ticket(number: "${number}") { title } }`, token);
    expect(again.data.ticket).toEqual({ title: 'Survives restarts' });
    expect(await stop(current)).toBe(0);
  }, 180_000); // two starts of a real server process, each loading the embedded database
});
