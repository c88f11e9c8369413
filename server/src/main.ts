import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@docket/db';
import { EXAMPLE_PASSWORD, templates as exampleTemplates } from '@docket/examples';
import { buildApp } from './app.ts';
import { type Config, readConfig } from './config.ts';
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
  config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: join(config.dataDir, 'pglite') },
);
const app = await buildApp(db, config);
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

const server = createServer(app.callback);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  console.log(
    [
      '',
      `Docket is running (${db.isEmbedded ? `embedded PostgreSQL in ${join(config.dataDir, 'pglite')}` : 'PostgreSQL from DATABASE_URL'}, ready in ${Date.now() - started} ms)`,
      `  Web app:                  ${base}/${existsSync(join(DEFAULT_WEB_APP_DIR, 'index.html')) ? '' : '  (not built: `npm start` builds it, or `npm run build -w @docket/designer`)'}`,
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

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  server.close();
  await app.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
