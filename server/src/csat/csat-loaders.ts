import type { EntityManager } from '@docket/db';
import { BatchLoader } from '../graphql/batch-loader.ts';
import { ratingsOfTickets } from './csat-repository.ts';

/** Per-request loaders of satisfaction data: a ticket's ratings, one query per request tick. */
export function createCsatLoaders(em: EntityManager) {
  return {
    ratingsOfTicket: new BatchLoader((ids: string[]) => ratingsOfTickets(em, ids)),
  };
}
