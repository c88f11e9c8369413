import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type Router from '@koa/router';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL from this server alone: yoga's own page loads its script, styles and editor workers
 * from a public CDN (a blank page without internet). @graphql-yoga/render-graphiql ships them as
 * strings; they are served here as separate files under a versioned path, cached for a year,
 * and the page yoga renders for GET /graphql (Accept: text/html) points at them.
 */
const version = (
  createRequire(import.meta.url)('@graphql-yoga/render-graphiql/package.json') as { version: string }
).version;
export const GRAPHIQL_ASSETS_PATH = `/graphiql/${version}`;

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');
// About 9 MB of strings: loaded on the first GraphiQL request, not at start.
let bundle: Promise<Bundle> | undefined;
const loadBundle = () => {
  bundle ??= import('@graphql-yoga/render-graphiql/graphiql');
  return bundle;
};

const assets: Record<string, { type: string; body: (b: Bundle) => string | Buffer }> = {
  'graphiql.js': { type: 'text/javascript; charset=utf-8', body: (b) => b.js },
  'graphiql.css': { type: 'text/css; charset=utf-8', body: (b) => b.css },
  'editor.worker.js': { type: 'text/javascript; charset=utf-8', body: (b) => b.editorWorkerService },
  'json.worker.js': { type: 'text/javascript; charset=utf-8', body: (b) => b.jsonWorker },
  'graphql.worker.js': { type: 'text/javascript; charset=utf-8', body: (b) => b.graphqlWorker },
  'favicon.ico': {
    type: 'image/x-icon',
    body: (b) => Buffer.from(b.favicon.slice(b.favicon.indexOf(',') + 1), 'base64'),
  },
};

/** Each file as bytes, and gzipped when it is text (the script is about 5 MB, 1.3 MB gzipped). */
const prepared = new Map<string, { plain: Buffer; gzip: Buffer | undefined }>();

/** GET /graphiql/<version>/<file>: GraphiQL's script, styles, editor workers and icon. */
export function mountGraphiqlAssets(router: Router): void {
  router.get(`${GRAPHIQL_ASSETS_PATH}/:file`, async (ctx) => {
    const name = ctx.params.file ?? '';
    const asset = assets[name];
    if (!asset) {
      ctx.status = 404;
      return;
    }
    let file = prepared.get(name);
    if (!file) {
      const body = asset.body(await loadBundle());
      const plain = typeof body === 'string' ? Buffer.from(body) : body;
      file = { plain, gzip: asset.type.startsWith('text/') ? gzipSync(plain) : undefined };
      prepared.set(name, file);
    }
    ctx.type = asset.type;
    ctx.set('cache-control', 'public, max-age=31536000, immutable');
    if (file.gzip) ctx.vary('accept-encoding');
    if (file.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('content-encoding', 'gzip');
      ctx.body = file.gzip;
    } else ctx.body = file.plain;
  });
}

const escapeJsonForScript = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The GraphiQL page yoga answers GET /graphql with: everything it loads comes from this server. */
export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  const base = GRAPHIQL_ASSETS_PATH;
  const title = (options.title ?? 'Docket GraphiQL').replace(/[<&"]/g, '');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${base}/favicon.ico" />
    <link rel="stylesheet" href="${base}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      self.MonacoEnvironment = {
        globalAPI: false,
        getWorkerUrl: function (_moduleId, label) {
          var workers = {
            editorWorkerService: '${base}/editor.worker.js',
            json: '${base}/json.worker.js',
            graphql: '${base}/graphql.worker.js',
          };
          return workers[label] || workers.editorWorkerService;
        },
      };
    </script>
    <script src="${base}/graphiql.js"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${escapeJsonForScript(options)});
    </script>
  </body>
</html>`;
}
