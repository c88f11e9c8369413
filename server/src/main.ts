import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@docket/db';
import { EXAMPLE_PASSWORD, templates as exampleTemplates } from '@docket/examples';
import { buildApp } from './app.ts';
import { type Config, readConfig } from './config.ts';
import { shutdownGate } from './http/shutdown-gate.ts';
import { DEFAULT_WEB_APP_DIR } from './http/web-app.ts';
import { installExamplePlugins } from './seed/install-example-plugins.ts';
import { loadExampleData } from './seed/load-example-data.ts';

let config: Config;
try {
  config = readConfig();
} catch (e) {
  // A setting a person can fix: say which, without a stack trace.
  console.error(`Docket cannot start: ${(e as Error).message}`);
  process.exit(1);
}
const started = Date.now();
const db = await openDatabase(
  config.databaseUrl
    ? { databaseUrl: config.databaseUrl }
    : { dataDir: join(config.dataDir, 'pglite'), idleInTransactionMs: config.pgliteIdleInTransactionMs },
);
const webAppDir = config.webAppDir ?? DEFAULT_WEB_APP_DIR;
const app = await buildApp(db, config, { webAppDir });
const loaded = config.loadExamples
  ? await loadExampleData(app.services, { withWorkflows: config.exampleWorkflows })
  : false;
// The example pack's channel and notification plugins (built by `npm start`: plugins/build.ts).
const examplePlugins = config.loadExamples
  ? await installExamplePlugins(app.services, {
      pluginsDir: join(dirname(fileURLToPath(import.meta.url)), '../../plugins'),
    }).catch((e: Error) => {
      console.error(`The example plugins were not installed: ${e.message}`);
      return { installed: [], skipped: [] };
    })
  : { installed: [], skipped: [] };

const gate = shutdownGate(app.callback);
const server = createServer(gate.listener);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  console.log(
    [
      '',
      `Docket is running (${db.isEmbedded ? `embedded PostgreSQL in ${join(config.dataDir, 'pglite')}` : 'PostgreSQL from DATABASE_URL'}, ready in ${Date.now() - started} ms)`,
      `  Web app:                  ${base}/${existsSync(join(webAppDir, 'index.html')) ? '' : '  (not built: `npm start` builds it, or `npm run build -w @docket/designer`)'}`,
      `  GraphQL API and GraphiQL: ${base}/graphql`,
      `  Health check:             ${base}/healthz`,
      app.smtp ? `  Mail intake (SMTP):       ${config.smtp?.host}:${app.smtp.port}` : '',
      loaded
        ? `  Example data loaded (org tree, one user per role, ${exampleTemplates.length} templates (${exampleTemplates.map((t) => t.key).join(', ')}), ${config.exampleWorkflows ? `${exampleTemplates.filter((x) => x.content.workflowKey).length} of them with` : 'no'} workflows, named statuses, an SLA calendar and policies).`
        : '',
      examplePlugins.installed.length
        ? `  Example plugins installed: ${examplePlugins.installed.join(', ')}${app.smtp ? '' : ' (mail to support@docket.local needs DOCKET_SMTP_PORT, e.g. 2525)'}`
        : '',
      examplePlugins.skipped.length
        ? `  Example plugins not built (run node --import tsx plugins/build.ts): ${examplePlugins.skipped.join(', ')}`
        : '',
      config.loadExamples
        ? `  First login: admin@docket.local / ${EXAMPLE_PASSWORD}  (other example users: owner@, manager.north@, agent.a@, agent.b@, service@, tech@docket.local)`
        : '',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
});

/**
 * SIGTERM (or Ctrl-C): stop taking requests, finish those in flight, let the job workers finish
 * their current batches, close the database, exit 0. Past DOCKET_SHUTDOWN_TIMEOUT_MS it exits
 * anyway, with 1 and a line saying what was still running. A second Ctrl-C exits at once (a
 * terminal's Ctrl-C under `npm start` reaches the server twice at first: npm passes it on too).
 */
let since = 0;
async function stop(signal: string): Promise<void> {
  if (since) {
    if (signal === 'SIGINT' && Date.now() - since > 1_000) {
      console.error('SIGINT again: exiting without waiting.');
      process.exit(1);
    }
    return;
  }
  since = Date.now();
  let stage = 'requests in flight';
  console.log(
    `${signal}: shutting down (requests in flight: ${gate.inFlight}; at most ${config.shutdownTimeoutMs} ms)`,
  );
  setTimeout(() => {
    console.error(
      `Shutdown did not finish within ${config.shutdownTimeoutMs} ms (DOCKET_SHUTDOWN_TIMEOUT_MS), still waiting for ${stage}${stage === 'requests in flight' ? ` (${gate.inFlight})` : ''}: exiting anyway.`,
    );
    process.exit(1);
  }, config.shutdownTimeoutMs);
  try {
    await gate.close(server);
    stage = 'the job workers';
    await app.close();
    stage = 'the database';
    await db.close();
  } catch (e) {
    console.error(`Shutdown failed while closing ${stage}: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
  console.log(`Stopped in ${Date.now() - since} ms.`);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
