import { afterCommit, type EntityManager } from '@docket/db';
import { createTopics, type PubSubEventTarget } from '../graphql/pubsub.ts';
import type { TicketChanged } from './ticket-store.ts';

export type TicketFeedEvent = { ticketId: string; kind: 'created' | 'changed' };

/**
 * Committed ticket creations and changes, for the desk's live lists and the portal: subscribers
 * hear a ticket's id once its transaction commits and read what they may see of it. With an event
 * target shared by several servers (Redis), a subscriber on one hears what another commits.
 */
export class TicketFeed {
  readonly pubsub;

  constructor(eventTarget?: PubSubEventTarget) {
    this.pubsub = createTopics<{ ticketFeed: [TicketFeedEvent] }>(eventTarget);
  }

  /** A ticket store change listener: the change is published after its transaction commits. */
  readonly onChange = async (tx: EntityManager, change: TicketChanged): Promise<void> => {
    afterCommit(tx, () => this.pubsub.publish('ticketFeed', { ticketId: change.ticketId, kind: 'changed' }));
  };

  /**
   * A ticket's timeline grew with no change to its fields (a rating given through its link): its
   * watchers (the desk's ticket page, the walls) hear it once the transaction commits.
   */
  appended(tx: EntityManager, ticketId: string | number): void {
    afterCommit(tx, () => this.pubsub.publish('ticketFeed', { ticketId: String(ticketId), kind: 'changed' }));
  }

  /** A ticket was created (and committed). */
  created(ticketId: string | number): void {
    this.pubsub.publish('ticketFeed', { ticketId: String(ticketId), kind: 'created' });
  }

  subscribe(): AsyncIterable<TicketFeedEvent> {
    return this.pubsub.subscribe('ticketFeed');
  }
}
