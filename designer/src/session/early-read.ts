import { GraphQLRequestError, request } from '../graphql/client.ts';
import type { ResultOf } from '../graphql/graphql.ts';
import { type Me, MeQuery } from './me.ts';

type EarlyRead = {
  data: Promise<ResultOf<typeof MeQuery>>;
  /** The answer once it is in: the person, or null when nobody is signed in. */
  answer?: Me | null;
};

let early: EarlyRead | undefined;

/**
 * Asks who is signed in as the page starts, before the app's code has even loaded (main.tsx runs
 * this from the small first chunk): SessionProvider takes the answer over (once) instead of asking
 * after its first render. React-free on purpose, so the first chunk stays small.
 */
export function startSessionRead(): void {
  const read: EarlyRead = { data: request(MeQuery, {}) };
  read.data.then(
    (d) => {
      read.answer = d.me ?? null;
    },
    (e: unknown) => {
      // Signed out is an answer too; any other failure the provider reports.
      if (e instanceof GraphQLRequestError && e.status === 401) read.answer = null;
    },
  );
  early = read;
}

/**
 * The answer of the read startSessionRead began, when it is already in (the app then starts on it,
 * without a loading screen first); once.
 */
export function takeSessionAnswer(): Me | null | undefined {
  const read = early;
  if (read?.answer === undefined) return undefined;
  early = undefined;
  return read.answer;
}

/** The read startSessionRead began, once (later reads ask afresh). */
export function takeSessionRead(): Promise<ResultOf<typeof MeQuery>> | undefined {
  const started = early?.data;
  early = undefined;
  return started;
}
