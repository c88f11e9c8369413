import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app. `npm start` serves designer/dist from the API server (same origin, so the session
 * cookie and the server's CSRF rule just work); `npm run dev` runs this dev server with hot reload
 * and proxies the API routes to the server (DOCKET_API_URL, default http://127.0.0.1:4000).
 */
const api = process.env.DOCKET_API_URL ?? 'http://127.0.0.1:4000';
const proxied = ['/graphql', '/graphiql', '/healthz', '/channels', '/files'];

export default defineConfig({
  plugins: [react()],
  server: {
    port: Number(process.env.DOCKET_DEV_PORT ?? 5173),
    strictPort: false,
    // Same host header as the page, so the server's same-origin check sees the dev server's origin.
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
});
