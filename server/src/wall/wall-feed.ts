import { createTopics } from '../graphql/pubsub.ts';
import type { TicketFeedEvent } from '../tickets/ticket-feed.ts';

/**
 * "Something on the walls may have changed": every committed ticket creation and change, passed
 * on from the ticket feed to the walls' subscriptions. The ticket feed crosses servers (Redis
 * when REDIS_URL is set), so a wall connected to one server hears tickets written on another;
 * this feed itself stays in the process. Changes that come by the clock alone (a ticket coming
 * due, a breach) are timed by each wall's stream (wall-stream.ts).
 */
export class WallFeed {
  private readonly pubsub = createTopics<{ wallChanged: [{ ticketId: string }] }>();
  private forwarding: AsyncIterator<TicketFeedEvent> | undefined;
  /** Snapshots being read now: the server closes its database only once they are done. */
  private readonly reading = new Set<Promise<unknown>>();
  private isClosed = false;

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

  /**
   * Reads a wall's snapshot, counted until it is done, so that close() can wait for it (read
   * after the database closed, it failed with the pool's "Unable to acquire a connection").
   * Once closed, a new read is refused: the wall reconnects to a server that is up.
   */
  read<T>(snapshot: () => Promise<T>): Promise<T> {
    if (this.isClosed) return Promise.reject(new Error('The server is shutting down; the wall reconnects.'));
    const reading = snapshot();
    this.reading.add(reading);
    void reading.catch(() => undefined).finally(() => this.reading.delete(reading));
    return reading;
  }

  /** Stops passing on the feed and waits for the snapshots being read. */
  async close(): Promise<void> {
    this.isClosed = true;
    await this.forwarding?.return?.();
    await Promise.allSettled([...this.reading]);
  }
}
