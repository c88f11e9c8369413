import type { Context } from 'koa';

/**
 * Cross-origin callers: only the server's own origin and those the admin lists
 * (DOCKET_ALLOWED_ORIGINS) get CORS headers, credentials included; any other origin gets none,
 * so a browser keeps the answer from its page.
 */
export function isAllowedOrigin(ctx: Context, allowed: readonly string[]): boolean {
  const origin = ctx.get('origin');
  return !origin || origin === `${ctx.protocol}://${ctx.host}` || allowed.includes(origin);
}

export function applyCors(ctx: Context, allowed: readonly string[]): void {
  const origin = ctx.get('origin');
  if (!origin) return;
  ctx.vary('Origin');
  if (!isAllowedOrigin(ctx, allowed)) return;
  ctx.set('access-control-allow-origin', origin);
  ctx.set('access-control-allow-credentials', 'true');
  if (ctx.method === 'OPTIONS') {
    ctx.set('access-control-allow-methods', 'GET, POST, OPTIONS');
    ctx.set(
      'access-control-allow-headers',
      ctx.get('access-control-request-headers') || 'content-type, authorization, x-docket-csrf',
    );
    ctx.set('access-control-max-age', '600');
  }
}
