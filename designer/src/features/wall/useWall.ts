import { useEffect, useState } from 'react';
import { type GraphQLRequestError, subscribe } from '../../graphql/client.ts';
import { reconnectDelay as retryDelay } from '../../graphql/event-stream.ts';
import { type FragmentOf, graphql } from '../../graphql/graphql.ts';
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
  useEffect(() => {
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: { unsubscribe: () => void } | undefined;
    let isStopped = false;
    const reconnect = (error?: GraphQLRequestError) => {
      current?.unsubscribe();
      setState((s) => ({ ...s, isLive: false, error: error ?? s.error }));
      if (isStopped) return;
      timer = setTimeout(connect, retryDelay(attempt++));
    };
    const connect = () => {
      current = subscribe(
        WallChanged,
        { token },
        {
          onNext: (data) => {
            attempt = 0;
            setState({ figures: data.wallChanged ?? undefined, isLive: true, error: undefined });
          },
          onError: (error) => reconnect(error),
          onComplete: () => reconnect(),
          // The page's stream dropped: it reconnects and starts this subscription again by itself.
          onReconnecting: (error) => setState((s) => ({ ...s, isLive: false, error })),
        },
      );
    };
    connect();
    return () => {
      isStopped = true;
      clearTimeout(timer);
      current?.unsubscribe();
    };
  }, [token]);
  return state;
}
