import type { EntityManager } from '@docket/db';
import { TtlCache } from '../auth/ttl-cache.ts';
import { orgPlaceOf } from './org-repository.ts';

/**
 * The org unit and path a new ticket lands under (its own, or its team's org unit's), for what is
 * decided before the ticket is written (the SLA policy a ticket's facts select). Paths change
 * only when a unit moves: a move in this process clears the cache, other processes see it
 * within two seconds, as with the SLA catalog. The ticket's own org_path column is always taken
 * from the database in the statement that writes it.
 */
export type OrgPlace = { orgUnitId: number | null; path: string };

export class OrgPaths {
  private readonly cache = new TtlCache<string, OrgPlace>(2_000);
  /** Bumped by invalidate: a read that ran across a change is not cached. */
  private generation = 0;

  async of(em: EntityManager, ref: { orgUnitId: number | null; teamId: number | null }): Promise<OrgPlace> {
    if (ref.orgUnitId === null && ref.teamId === null) return { orgUnitId: null, path: '/' };
    const key = ref.orgUnitId !== null ? `o${ref.orgUnitId}` : `t${ref.teamId}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const place = await orgPlaceOf(em, ref);
    if (generation === this.generation) this.cache.set(key, place);
    return place;
  }

  invalidate(): void {
    this.generation++;
    this.cache.clear();
  }
}
