import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';

/**
 * Pub/sub across server processes (REDIS_URL): subscriptions on one server hear what another
 * publishes. One connection publishes, one subscribes (Redis gives a subscribing connection to
 * nothing else).
 */
export function redisEventTarget(url: string) {
  const publishClient = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  return {
    eventTarget: createRedisEventTarget({ publishClient, subscribeClient }),
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
