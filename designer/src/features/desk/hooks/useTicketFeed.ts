import { useEffect, useRef } from 'react';
import { subscribe } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';

const TicketFeedSubscription = graphql(`
  subscription TicketFeed {
    ticketFeed {
      kind
      ticketId
    }
  }
`);

/**
 * Calls `onEvent` for every ticket the person may see that is created or changed, live. The
 * stream reconnects after an error (a restart of the server, a dropped connection).
 */
export function useTicketFeed(onEvent: (event: { kind: string; ticketId: string }) => void): void {
  const latest = useRef(onEvent);
  latest.current = onEvent;
  useEffect(() => {
    let stopped = false;
    let current: { unsubscribe: () => void } | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const start = () => {
      current = subscribe(
        TicketFeedSubscription,
        {},
        {
          onNext: (data) => {
            const e = data.ticketFeed;
            if (e?.ticketId) latest.current({ kind: e.kind ?? 'changed', ticketId: e.ticketId });
          },
          onError: () => {
            if (!stopped) retry = setTimeout(start, 3000);
          },
          onComplete: () => {
            if (!stopped) retry = setTimeout(start, 1000);
          },
        },
      );
    };
    start();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      current?.unsubscribe();
    };
  }, []);
}
