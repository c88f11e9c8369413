import { createTopics, type PubSubEventTarget } from '../graphql/pubsub.ts';
import type { CallerFacts } from './plugin-repository.ts';

/** A caller ringing, as the desk hears it (a phone channel's `signal` answer). */
export type CallerEvent = CallerFacts & {
  channel: string;
  agentEmail: string | null;
  data: Record<string, unknown>;
  at: string;
};

/**
 * Caller events by the email of the agent taking the call ("*" for every desk). With an event
 * target shared by the server processes (Redis), a desk on one server hears a call the phone
 * system announced to another.
 */
export const createCallerEvents = (eventTarget?: PubSubEventTarget) =>
  createTopics<{ caller: [agent: string, event: CallerEvent] }>(eventTarget);
export type CallerEvents = ReturnType<typeof createCallerEvents>;
