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
  /** The client's address (for rate limits on requests without a login). */
  clientAddress: string;
};
