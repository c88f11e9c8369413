import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run dev`: the API server restarting on every server change (node --watch, port
 * DOCKET_API_PORT or 4000) and Vite's dev server with hot reload for the web app, which proxies
 * /graphql and the other server routes to the API. Open the address Vite prints.
 */
const designerDir = fileURLToPath(new URL('..', import.meta.url));
const rootDir = join(designerDir, '..');
const apiPort = process.env.DOCKET_API_PORT ?? '4000';

const api = spawn(
  process.execPath,
  ['--no-node-snapshot', '--import', 'tsx', '--watch', 'server/src/main.ts'],
  { cwd: rootDir, stdio: 'inherit', env: { ...process.env, PORT: apiPort } },
);

process.env.DOCKET_API_URL ??= `http://127.0.0.1:${apiPort}`;
const { createServer } = await import('vite');
const vite = await createServer({ root: designerDir, configFile: join(designerDir, 'vite.config.ts') });
await vite.listen();
console.log('\nDocket web app with hot reload (the API restarts on server changes):');
vite.printUrls();

let isStopping = false;
const stop = async () => {
  if (isStopping) return;
  isStopping = true;
  api.kill('SIGTERM');
  await vite.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
api.on('exit', (code) => {
  if (!isStopping && code !== null && code !== 0) console.error(`The API server stopped (exit ${code}).`);
});
