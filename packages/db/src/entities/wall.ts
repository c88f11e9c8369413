import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrgUnit, tokenProperties } from './access.ts';

/**
 * A wall token: what a TV showing the live wall (/wall?token=…) is let in with. It reads the
 * wall's figures for one org unit's subtree and nothing else; only its hash is kept, and an admin
 * revokes it.
 */
export const WallToken = defineEntity({
  name: 'WallToken',
  tableName: 'wall_token',
  properties: {
    ...tokenProperties(),
    /** The wall shows the tickets of this unit and everything below it. */
    orgUnit: () => p.manyToOne(OrgUnit).ref().deleteRule('no action').updateRule('no action'),
  },
});
export type WallToken = InferEntity<typeof WallToken>;
