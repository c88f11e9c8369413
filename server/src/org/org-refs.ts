import { query } from '@docket/db';
import { maySeeInternals } from '../access/policy.ts';
import { builder } from '../graphql/builder.ts';
import { OrgUnitKindEnum } from '../graphql/enums.ts';
import type { OrgUnitRow, TeamRow, UserRow } from '../graphql/loaders.ts';
import { UserRef } from '../users/users.schema.ts';

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

type MemberRow = { team_id: number; user_id: number; skills: string[] };
const TeamMemberRef = builder.objectRef<MemberRow>('TeamMember').implement({
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (m, _a, ctx) => ctx.loaders.user.load(m.user_id),
    }),
    skills: t.exposeStringList('skills'),
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
    members: t.field({
      type: [TeamMemberRef],
      resolve: (r, _a, ctx) =>
        maySeeInternals(ctx.principal)
          ? query<MemberRow>(ctx.em, 'select * from team_member where team_id = ? order by user_id', [r.id])
          : [],
    }),
  }),
});

export type { UserRow };
