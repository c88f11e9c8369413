import { query } from '@docket/db';
import { builder } from '../graphql/builder.ts';
import { OrgUnitKindEnum } from '../graphql/enums.ts';
import type { OrgUnitRow, TeamRow } from '../graphql/loaders.ts';

export const OrgUnitRef = builder.objectRef<OrgUnitRow>('OrgUnit');
export const TeamRef = builder.objectRef<TeamRow>('Team');

OrgUnitRef.implement({
  description: 'A node of the org tree: HQ > region > store or department.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({
      type: OrgUnitKindEnum,
      resolve: (o) => o.kind as 'hq' | 'region' | 'store' | 'department',
    }),
    path: t.exposeString('path', { description: 'Ids from the root, e.g. /1/3/7/.' }),
    parent: t.field({
      type: OrgUnitRef,
      nullable: true,
      resolve: (o, _a, ctx) => (o.parent_id ? ctx.loaders.orgUnit.load(o.parent_id) : null),
    }),
    children: t.field({
      type: [OrgUnitRef],
      resolve: (o, _a, ctx) =>
        query<OrgUnitRow>(ctx.em, 'select * from org_unit where parent_id = ? order by name', [o.id]),
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
      resolve: (r, _a, ctx) => (r.org_unit_id ? ctx.loaders.orgUnit.load(r.org_unit_id) : null),
    }),
  }),
});
