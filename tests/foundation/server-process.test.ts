import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Starts the server exactly as `npm start` does and waits for its banner. */
async function start(env: Record<string, string>): Promise<{ proc: ChildProcess; out: string; url: string }> {
  const proc = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'server/src/main.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /GraphQL API and GraphiQL: (http:\/\/\S+)\/graphql/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return { proc, out, url };
}

const stop = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });

describe('npm start on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docket-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts, loads the examples once, prints the first login, and keeps data across a restart', async () => {
    const first = await start({ DATA_DIR: dataDir });
    expect(first.out).toMatch(/Example data loaded/);
    expect(first.out).toMatch(/First login: admin@docket.local \/ docket-demo/);
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
    expect(await stop(first.proc)).toBe(0);

    current = await start({ DATA_DIR: dataDir });
    expect(current.out).not.toMatch(/Example data loaded/);
    const again = await gql(`{ ticket(number: "${number}") { title } }`, token);
    expect(again.data.ticket).toEqual({ title: 'Survives restarts' });
    expect(await stop(current.proc)).toBe(0);
  });
});
