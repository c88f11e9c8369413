import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export type ServerProcess = {
  proc: ChildProcess;
  pid: number;
  /** The server's base URL, from its start-up banner. */
  url: string;
  /** What it printed (the last 200-400 kB). */
  output: () => string;
  exited: Promise<unknown>;
  /** Sends the signal (SIGTERM unless given) and waits for the process to end. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
};

/**
 * The real server in its own process, as `npm start` runs it (production mode, a free port),
 * with `env` on top of this process's environment; resolves once it has printed its URL.
 * `command` runs something else from the repository's root instead of the sources under tsx
 * (e.g. `['npm', 'start']` on the production build). `cwd` runs it from another checkout of the
 * repository (a benchmark's baseline), this one's by default.
 */
export function startServerProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  command?: [string, ...string[]],
  cwd: string = root,
): Promise<ServerProcess> {
  const [file, ...args] = command ?? [
    process.execPath,
    '--no-node-snapshot',
    ...nodeArgs,
    '--import',
    'tsx',
    'server/src/main.ts',
  ];
  const proc = spawn(file, args, {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      // Production keeps stored secrets with a key from the environment.
      DOCKET_SECRET_KEY: 'test-key-of-the-server-process-suites',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d;
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise((r) => proc.once('exit', r));
  const isRunning = () => proc.exitCode === null && proc.signalCode === null;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!isRunning()) return;
    proc.kill(signal);
    await exited;
  };
  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${out.slice(-4000)}`)), 90_000);
    const check = () => {
      const m = /GraphQL API and GraphiQL: (http:\/\/\S+)\/graphql/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', check);
      resolve({ proc, pid: proc.pid!, url: m[1]!, output: () => out, exited, stop });
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it was ready:\n${out.slice(-4000)}`));
    });
  });
}
