import type { OrgUnit, Team } from '@docket/db';
import { builder } from '../graphql/builder.ts';
import { OrgUnitKindEnum } from '../graphql/enums.ts';

/**
 * The org domain's GraphQL objects. They name nothing above them: a team's members (people) are
 * added by users/user-refs.ts, which sits above this file.
 */

export const OrgUnitRef = builder.objectRef<OrgUnit>('OrgUnit');
export const TeamRef = builder.objectRef<Team>('Team');

OrgUnitRef.implement({
  description: 'A node of the org tree: HQ > region > store or department.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: OrgUnitKindEnum, resolve: (o) => o.kind }),
    path: t.exposeString('path', { description: 'Ids from the root, e.g. /1/3/7/.' }),
    parent: t.field({
      type: OrgUnitRef,
      nullable: true,
      resolve: (o, _a, ctx) => (o.parent ? ctx.loaders.orgUnit.load(o.parent.id) : null),
    }),
    children: t.field({
      type: [OrgUnitRef],
      resolve: (o, _a, ctx) => ctx.loaders.orgUnitChildren.load(o.id),
    }),
  }),
});

TeamRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    orgUnit: t.field({
      type: OrgUnitRef,
      nullable: true,
      resolve: (r, _a, ctx) => (r.orgUnit ? ctx.loaders.orgUnit.load(r.orgUnit.id) : null),
    }),
  }),
});
