import { useState } from 'react';
import { graphql } from '../../../graphql/graphql.ts';
import { useLiveSubscription } from '../../../graphql/use-live-subscription.ts';

const TicketFeedSubscription = graphql(`
  subscription TicketFeed {
    ticketFeed {
      kind
      ticketId
    }
  }
`);

/**
 * A ticket created or changed; or, with no ticketId, the feed is back after it was down (the
 * server restarted, the connection dropped) and what changed meanwhile was not heard: read afresh.
 */
export type TicketFeedEvent = { kind: string; ticketId: string } | { kind: 'resumed'; ticketId: null };

/**
 * Calls `onEvent` for every ticket the person may see that is created or changed, live. The
 * stream reconnects after an error (a restart of the server, a dropped connection), and once it
 * runs again `onEvent` gets a `resumed` event so the caller catches up. Answers whether the feed
 * is live (false while it is reconnecting).
 */
export function useTicketFeed(onEvent: (event: TicketFeedEvent) => void): boolean {
  const [isLive, setIsLive] = useState(true);
  useLiveSubscription(
    TicketFeedSubscription,
    {},
    {
      onNext: (data) => {
        const e = data.ticketFeed;
        if (e?.ticketId) onEvent({ kind: e.kind ?? 'changed', ticketId: e.ticketId });
      },
      onDown: () => setIsLive(false),
      onReconnecting: () => setIsLive(false),
      onResumed: () => {
        setIsLive(true);
        onEvent({ kind: 'resumed', ticketId: null });
      },
      retryAfter: (_attempt, error) => (error ? 3000 : 1000),
    },
  );
  return isLive;
}
