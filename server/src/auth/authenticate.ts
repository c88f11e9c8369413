import type { IncomingHttpHeaders } from 'node:http';
import type { Channel, Principal } from '@docket/core';
import type { Services } from '../services.ts';
import { SESSION_COOKIE } from './login.ts';
import { API_TOKEN_PREFIX } from './principals.ts';

export type Authentication =
  | {
      principal: Principal | null;
      channel: Channel;
      viaCookie: boolean;
      /** The login session the request came with (logout ends it); null for API tokens and anonymous callers. */
      session: { sid: string; expiresAt: Date } | null;
    }
  /** viaCookie: the refused token came in the session cookie (the answer should clear it). */
  | { error: string; status: 401; viaCookie: boolean };

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * Who is asking: an API token or session token in "Authorization: Bearer", else the session
 * cookie, else nobody. A token that was sent but is not valid is an error, not anonymity, so
 * integrations learn at once that their token is wrong.
 */
export async function authenticate(
  services: Services,
  headers: IncomingHttpHeaders,
): Promise<Authentication> {
  const auth = headers.authorization;
  let token: string | undefined;
  let viaCookie = false;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return { status: 401, error: 'Send the token as "Authorization: Bearer <token>".', viaCookie };
    token = m[1];
  } else {
    token = cookieValue(headers.cookie, SESSION_COOKIE);
    viaCookie = Boolean(token);
  }
  if (!token) return { principal: null, channel: 'web', viaCookie: false, session: null };

  if (token.startsWith(API_TOKEN_PREFIX)) {
    const principal = await services.principals.byApiToken(token);
    if (!principal) return { status: 401, error: 'The API token is unknown, revoked or expired.', viaCookie };
    return { principal, channel: 'api', viaCookie: false, session: null };
  }
  const claims = await services.sessions.verify(token);
  if ('error' in claims) return { status: 401, error: claims.error, viaCookie };
  if (claims.sid && services.principals.isSessionRevoked(claims.sid))
    return { status: 401, error: 'This session has ended (you logged out); log in again.', viaCookie };
  const session = claims.sid ? { sid: claims.sid, expiresAt: claims.expiresAt } : null;
  if (claims.kind === 'user') {
    const staff = await services.principals.staffById(claims.id);
    if (!staff || staff.tokenVersion !== claims.version)
      return {
        status: 401,
        error: 'This session has ended (the account changed or was deactivated); log in again.',
        viaCookie,
      };
    const { tokenVersion: _v, ...principal } = staff;
    return { principal, channel: 'agent', viaCookie, session };
  }
  const customer = await services.principals.customerById(claims.id);
  if (!customer || customer.tokenVersion !== claims.version)
    return { status: 401, error: 'This session has ended; log in again.', viaCookie };
  const { tokenVersion: _v, ...principal } = customer;
  return { principal, channel: 'web', viaCookie, session };
}
