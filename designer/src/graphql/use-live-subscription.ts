import type { TadaDocumentNode } from 'gql.tada';
import { useEffect, useRef } from 'react';
import { type GraphQLRequestError, subscribe } from './client.ts';

export type LiveSubscriptionHandlers<TResult> = {
  onNext: (data: TResult) => void;
  /** The subscription ended (with the error that ended it, if any); it is started again after retryAfter. */
  onDown?: (error: GraphQLRequestError | undefined) => void;
  /** The page's event stream dropped: it reconnects and starts the subscription again by itself. */
  onReconnecting?: (error: GraphQLRequestError) => void;
  /**
   * It runs again after it was down (its stream dropped and came back, or it ended and was started
   * again): whatever changed meanwhile was not heard, so read afresh what it keeps up to date.
   */
  onResumed?: () => void;
  /**
   * How long to wait before starting it again, by the attempt (0 after the last answer heard) and
   * the error that ended it (undefined when the server completed it); null stays down.
   */
  retryAfter: (attempt: number, error: GraphQLRequestError | undefined) => number | null;
};

/**
 * A subscription kept running while the component is mounted: ended by the server or by an error,
 * it is started again after `retryAfter` (the event stream itself handles a dropped connection).
 * It starts again when its variables change; the handlers are read fresh at each event.
 */
export function useLiveSubscription<TResult, TVariables>(
  document: TadaDocumentNode<TResult, TVariables>,
  variables: TVariables,
  handlers: LiveSubscriptionHandlers<TResult>,
): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  const variablesText = JSON.stringify(variables);
  useEffect(() => {
    const vars = JSON.parse(variablesText) as TVariables;
    let isStopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: { unsubscribe: () => void } | undefined;
    /** It was down since it last started: the next start is a resumption. */
    let hasBeenDown = false;
    const down = (error?: GraphQLRequestError) => {
      current?.unsubscribe();
      if (isStopped) return;
      hasBeenDown = true;
      latest.current.onDown?.(error);
      const wait = latest.current.retryAfter(attempt++, error);
      if (wait !== null) timer = setTimeout(start, wait);
    };
    const start = () => {
      current = subscribe(document, vars, {
        onNext: (data) => {
          attempt = 0;
          latest.current.onNext(data);
        },
        onError: (error) => down(error),
        onComplete: () => down(),
        onReconnecting: (error) => {
          hasBeenDown = true;
          latest.current.onReconnecting?.(error);
        },
        onStarted: () => {
          if (!hasBeenDown) return;
          hasBeenDown = false;
          latest.current.onResumed?.();
        },
      });
    };
    start();
    return () => {
      isStopped = true;
      clearTimeout(timer);
      current?.unsubscribe();
    };
  }, [document, variablesText]);
}
