import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrgUnit, User } from './access.ts';

/**
 * A wall token: what a TV showing the live wall (/wall?token=…) is let in with. It reads the
 * wall's figures for one org unit's subtree and nothing else; only its hash is kept, and an admin
 * revokes it.
 */
export const WallToken = defineEntity({
  name: 'WallToken',
  tableName: 'wall_token',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.text(),
    /** The token's first characters, kept in the clear so a person can tell tokens apart. */
    prefix: p.text(),
    tokenHash: p.text().unique().hidden(),
    /** The wall shows the tickets of this unit and everything below it. */
    orgUnit: () => p.manyToOne(OrgUnit).ref().deleteRule('no action').updateRule('no action'),
    createdBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('created_by')
        .deleteRule('no action')
        .updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type WallToken = InferEntity<typeof WallToken>;
