import { createPubSub } from 'graphql-yoga';
import type { TicketFeedEvent } from '../tickets/ticket-feed.ts';

/** Where published events go: in-process by default, Redis when several servers share the work. */
type EventTarget = NonNullable<Parameters<typeof createPubSub>[0]>['eventTarget'];

/**
 * "Something on the walls may have changed": every committed ticket creation and change this
 * server makes, passed on to the walls' subscriptions — through Redis when REDIS_URL is set, so a
 * wall connected to one server hears tickets written on another. Changes that come by the clock
 * alone (a ticket coming due, a breach) are timed by each wall's stream (wall-stream.ts).
 */
export class WallFeed {
  private readonly pubsub: ReturnType<typeof createPubSub<{ wallChanged: [{ ticketId: string }] }>>;
  private forwarding: AsyncIterator<TicketFeedEvent> | undefined;

  constructor(eventTarget?: EventTarget) {
    this.pubsub = createPubSub<{ wallChanged: [{ ticketId: string }] }>(
      eventTarget ? { eventTarget: eventTarget as never } : {},
    );
  }

  /** Passes on this server's ticket feed until close(). */
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
