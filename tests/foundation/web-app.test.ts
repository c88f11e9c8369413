import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** A build as vite writes it: index.html, hashed assets, a public file. */
function fakeBuild(): { dir: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'docket-web-'));
  mkdirSync(join(dir, 'assets'));
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd.js"></script></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dir, 'assets', 'index-Ab12Cd.js'), script);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return { dir, script };
}

describe('the server serves the web app and GraphiQL from its own port', () => {
  let server: TestServer;
  const build = fakeBuild();
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    server = await startTestServer({ examples: false, webAppDir: build.dir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(build.dir, { recursive: true, force: true });
  });

  it('answers the app at / and at every app address (deep links reload), revalidated on each load', async () => {
    for (const path of ['/', '/login', '/admin/templates/returns', '/desk/tickets/RT-1?tab=timeline']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root"></div>');
    }
    const first = await get('/admin/workflows');
    const again = await get('/admin/workflows', { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('serves hashed assets gzipped with a year-long cache, and refuses a missing one', async () => {
    const res = await get('/assets/index-Ab12Cd.js', { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes gzip itself; the bytes on the wire were smaller than the file.
    expect(await res.text()).toBe(build.script);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get: httpGet }) =>
        httpGet(`${server.url}/assets/index-Ab12Cd.js`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c) => chunks.push(c));
          r.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    expect(raw.length).toBeLessThan(build.script.length / 10);
    expect(gunzipSync(raw).toString()).toBe(build.script);

    const missing = await get('/assets/index-Old999.js');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/not part of this build/);
    expect((await get('/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml');
  });

  it('never serves a file outside the build', async () => {
    for (const path of [
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const res = await get(path);
      const text = await res.text();
      expect(text, path).not.toContain('"name"');
    }
  });

  it('leaves the API routes to the server', async () => {
    expect(await (await get('/healthz')).json()).toMatchObject({ ok: true });
    const gql = await server.gql<{ me: null }>('{ me { kind } }');
    expect(gql.data).toEqual({ me: null });
    for (const path of ['/channels/email/inbound', '/files/1', '/graphiql/none']) {
      const res = await get(path);
      // /files answers 401 to a caller who is not signed in: the route is the server's, not the app's.
      expect([401, 404], path).toContain(res.status);
      expect(await res.text()).not.toContain('<div id="root">');
    }
  });

  it('serves GraphiQL with every script, style and worker from this server', async () => {
    const page = await get('/graphql', { accept: 'text/html' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"|'(\/graphiql\/[^']+)'/g)].map(
      (m) => m[1] ?? m[2]!,
    );
    expect(urls.length).toBe(6);
    for (const url of urls) {
      const res = await get(url, { 'accept-encoding': 'gzip' });
      expect(res.status, url).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await res.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
    const script = await get(urls.find((u) => u.endsWith('graphiql.js'))!, { 'accept-encoding': 'gzip' });
    expect(script.headers.get('content-encoding')).toBe('gzip');
  });

  it('clears a session cookie it no longer accepts, so the browser can log in again', async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'docket_session=not-a-session' },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toMatch(/^docket_session=; Max-Age=0; Path=\/; HttpOnly/);
    // A bad bearer token is the caller's to fix: no cookie to clear.
    const bearer = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('set-cookie')).toBeNull();
  });
});

describe('a server whose web app is not built', () => {
  let server: TestServer;
  const empty = mkdtempSync(join(tmpdir(), 'docket-web-empty-'));
  beforeAll(async () => {
    server = await startTestServer({ examples: false, webAppDir: empty });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('says how to build it instead of a blank page', async () => {
    const res = await fetch(`${server.url}/admin/workflows`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/The web app is not built.*npm start/s);
  });
});
