import type { Channel, Principal } from '@docket/core';
import type { EntityManager } from '@docket/db';
import type { Services } from '../services.ts';
import type { Loaders } from './loaders.ts';

export type Ctx = {
  requestId: string;
  principal: Principal | null;
  /** The channel a request acts through: agent UI, API token, customer portal. */
  channel: Channel;
  services: Services;
  em: EntityManager;
  loaders: Loaders;
  /** Set-Cookie values the HTTP layer adds to the response (login, logout). */
  cookies: string[];
  /** The caller's address (from X-Forwarded-For only when DOCKET_TRUST_PROXY is set). */
  address: string;
  /** Served over HTTPS (directly, or behind a trusted proxy saying so): cookies are Secure. */
  isSecure: boolean;
  /** The login session the request came with (logout ends it). */
  session: { sid: string; expiresAt: Date } | null;
};
