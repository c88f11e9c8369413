import { useState } from 'react';
import type { GraphQLRequestError } from '../../graphql/client.ts';
import { reconnectDelay as retryDelay } from '../../graphql/event-stream.ts';
import { type FragmentOf, graphql } from '../../graphql/graphql.ts';
import { useLiveSubscription } from '../../graphql/use-live-subscription.ts';
import { WallFigures } from './WallBoard/index.tsx';

const WallChanged = graphql(
  `
  subscription WallChanged($token: String) {
    wallChanged(token: $token) { ...WallFigures }
  }
`,
  [WallFigures],
);

export type WallState = {
  figures: FragmentOf<typeof WallFigures> | undefined;
  /** Connected and hearing changes (false while reconnecting). */
  isLive: boolean;
  /** The last refusal or failure, kept while reconnecting (a revoked token says so here). */
  error: GraphQLRequestError | undefined;
};

/**
 * The wall's figures, live: the subscription sends them at once and again on every change. When
 * the stream ends or fails (the server restarted, the network dropped), it reconnects by itself
 * and the first answer of the new stream brings everything up to date: no clicks needed.
 */
export function useWall(token: string | null): WallState {
  const [state, setState] = useState<WallState>({ figures: undefined, isLive: false, error: undefined });
  useLiveSubscription(
    WallChanged,
    { token },
    {
      onNext: (data) => setState({ figures: data.wallChanged ?? undefined, isLive: true, error: undefined }),
      onDown: (error) => setState((s) => ({ ...s, isLive: false, error: error ?? s.error })),
      // The page's stream dropped: it reconnects and starts this subscription again by itself.
      onReconnecting: (error) => setState((s) => ({ ...s, isLive: false, error })),
      retryAfter: (attempt) => retryDelay(attempt),
    },
  );
  return state;
}
