import { createPubSub } from 'graphql-yoga';
import type { CallerFacts } from './plugin-repository.ts';

/** A caller ringing, as the desk hears it (a phone channel's `signal` answer). */
export type CallerEvent = CallerFacts & {
  channel: string;
  agentEmail: string | null;
  data: Record<string, unknown>;
  at: string;
};

/** Caller events by the email of the agent taking the call ("*" for every desk). */
export const createCallerEvents = () => createPubSub<{ caller: [agent: string, event: CallerEvent] }>();
export type CallerEvents = ReturnType<typeof createCallerEvents>;
