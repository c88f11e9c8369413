import { createPubSub } from 'graphql-yoga';
import type { TicketFeedEvent } from '../tickets/ticket-feed.ts';

/**
 * "Something on the walls may have changed": every committed ticket creation and change, passed
 * on from the ticket feed to the walls' subscriptions. The ticket feed crosses servers (Redis
 * when REDIS_URL is set), so a wall connected to one server hears tickets written on another;
 * this feed itself stays in the process. Changes that come by the clock alone (a ticket coming
 * due, a breach) are timed by each wall's stream (wall-stream.ts).
 */
export class WallFeed {
  private readonly pubsub = createPubSub<{ wallChanged: [{ ticketId: string }] }>();
  private forwarding: AsyncIterator<TicketFeedEvent> | undefined;

  /** Passes on the ticket feed until close(). */
  forward(feed: { subscribe(): AsyncIterable<TicketFeedEvent> }): void {
    const changes = feed.subscribe()[Symbol.asyncIterator]();
    this.forwarding = changes;
    void (async () => {
      for (;;) {
        const next = await changes.next();
        if (next.done) return;
        this.pubsub.publish('wallChanged', { ticketId: next.value.ticketId });
      }
    })();
  }

  subscribe(): AsyncIterable<{ ticketId: string }> {
    return this.pubsub.subscribe('wallChanged');
  }

  async close(): Promise<void> {
    await this.forwarding?.return?.();
  }
}
