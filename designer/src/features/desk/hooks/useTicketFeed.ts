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
 * Calls `onEvent` for every ticket the person may see that is created or changed, live. The
 * stream reconnects after an error (a restart of the server, a dropped connection).
 */
export function useTicketFeed(onEvent: (event: { kind: string; ticketId: string }) => void): void {
  useLiveSubscription(
    TicketFeedSubscription,
    {},
    {
      onNext: (data) => {
        const e = data.ticketFeed;
        if (e?.ticketId) onEvent({ kind: e.kind ?? 'changed', ticketId: e.ticketId });
      },
      retryAfter: (_attempt, error) => (error ? 3000 : 1000),
    },
  );
}
