import { setMaxListeners } from 'node:events';
import { createPubSub } from 'graphql-yoga';

/** Where published events go: in-process by default, Redis when several servers share the work. */
export type PubSubEventTarget = NonNullable<Parameters<typeof createPubSub>[0]>['eventTarget'];

/**
 * graphql-yoga's publish/subscribe on the given event target (Redis), or on one in this process.
 * Every live subscription (an agent's desk list, a wall, a ringing phone) listens on its topic;
 * Node warns once an EventTarget has more than ten listeners of one kind, which eleven agents
 * online reach, so the in-process target has no such limit.
 */
/** The topics a pub/sub carries, as graphql-yoga types them: each key's arguments to publish. */
// biome-ignore lint/suspicious/noExplicitAny: graphql-yoga's own constraint
type Topics = { [key: string]: [] | [any] | [number | string, any] };

export function createTopics<T extends Topics>(eventTarget?: PubSubEventTarget) {
  if (eventTarget) return createPubSub<T>({ eventTarget: eventTarget as never });
  const local = new EventTarget();
  setMaxListeners(0, local);
  return createPubSub<T>({ eventTarget: local as never });
}
