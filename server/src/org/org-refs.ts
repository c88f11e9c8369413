import type { OrgUnit, Team } from '@docket/db';
import { maySeeInternals } from '../access/policy.ts';
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
    path: t.string({
      description: 'Ids from the root, e.g. /1/3/7/ (empty for customers).',
      resolve: (o, _a, ctx) => (maySeeInternals(ctx.principal) ? o.path : ''),
    }),
    parent: t.field({
      type: OrgUnitRef,
      nullable: true,
      description: 'Null for customers: the org tree is for staff.',
      resolve: (o, _a, ctx) =>
        o.parent && maySeeInternals(ctx.principal) ? ctx.loaders.orgUnit.load(o.parent.id) : null,
    }),
    children: t.field({
      type: [OrgUnitRef],
      description: 'Empty for customers: the org tree is for staff.',
      resolve: async (o, _a, ctx) =>
        maySeeInternals(ctx.principal) ? ((await ctx.loaders.orgUnitChildren.load(o.id)) ?? []) : [],
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
      resolve: (r, _a, ctx) =>
        r.orgUnit && maySeeInternals(ctx.principal) ? ctx.loaders.orgUnit.load(r.orgUnit.id) : null,
    }),
  }),
});
