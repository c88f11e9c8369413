import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type Koa from 'koa';

/**
 * designer/dist, where `vite build` writes the web app: three folders up from this file's source
 * (server/src/http), two from the production build it is bundled into (server/dist/main.js).
 */
export const DEFAULT_WEB_APP_DIR = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? '../../../designer/dist' : '../../designer/dist',
    import.meta.url,
  ),
);

/**
 * Paths the web app never answers: the API and the routes beside it (channel webhooks and files
 * come later). Everything else that is not a file of the build is an app address and gets
 * index.html, so deep links such as /admin/templates/returns load and reload.
 */
const SERVER_PREFIXES = ['/graphql', '/graphiql/', '/healthz', '/channels/', '/files/'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.webmanifest']);

type Loaded = { mtimeMs: number; size: number; body: Buffer; gzip: Buffer | undefined; etag: string };

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Docket</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The web app is not built</h1>
<p>Docket's API is running, but designer/dist is missing. <code>npm start</code> builds the app before it
starts the server; to build it by hand, run <code>npm run build -w @docket/designer</code> and reload this page.</p>
<p>The GraphQL API is at <a href="/graphql">/graphql</a>.</p>
</body></html>`;

/**
 * Serves the built web app (designer/dist) from the API's own port. Hashed files under /assets/
 * are cached for a year (their names change with their content); index.html and the other files
 * are revalidated on every load (ETag), so a new build shows at the next reload. Text files go
 * out gzipped when the browser accepts it.
 */
export function webAppMiddleware(options: { dir?: string } = {}): Koa.Middleware {
  const dir = options.dir ?? DEFAULT_WEB_APP_DIR;
  const cache = new Map<string, Loaded>();

  const load = async (relative: string): Promise<Loaded | undefined> => {
    const file = normalize(join(dir, relative));
    if (file !== dir && !file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const known = cache.get(file);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
    const body = await readFile(file);
    const loaded: Loaded = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      body,
      gzip: COMPRESSIBLE.has(extname(file)) && body.length > 1024 ? gzipSync(body) : undefined,
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
    };
    cache.set(file, loaded);
    return loaded;
  };

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const path = ctx.path;
    if (SERVER_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return next();

    let relative: string;
    try {
      relative = decodeURIComponent(path);
    } catch {
      ctx.status = 400;
      ctx.body = 'Bad path.';
      return;
    }
    const isAsset = relative.startsWith('/assets/');
    let file = relative !== '/' && !relative.endsWith('/') ? await load(relative) : undefined;
    let name = relative;
    if (!file) {
      if (isAsset) {
        // A hashed file from another build: index.html in its place would only confuse the browser.
        ctx.status = 404;
        ctx.set('cache-control', 'no-store');
        ctx.type = 'text/plain';
        ctx.body = `${relative} is not part of this build of the web app; reload the page.`;
        return;
      }
      file = await load('index.html');
      name = '/index.html';
      if (!file) {
        ctx.status = 503;
        ctx.type = 'text/html; charset=utf-8';
        ctx.set('cache-control', 'no-store');
        ctx.body = NOT_BUILT;
        return;
      }
    }

    ctx.type = TYPES[extname(name)] ?? 'application/octet-stream';
    ctx.set('cache-control', isAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.set('etag', file.etag);
    if (name === '/index.html') ctx.set('x-content-type-options', 'nosniff');
    if (file.gzip) ctx.vary('accept-encoding');
    if (ctx.get('if-none-match') === file.etag) {
      ctx.status = 304;
      return;
    }
    if (file.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('content-encoding', 'gzip');
      ctx.body = file.gzip;
    } else {
      ctx.body = file.body;
    }
  };
}
