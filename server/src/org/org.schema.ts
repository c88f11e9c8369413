import { requireStaff } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { OrgUnitKindEnum } from '../graphql/enums.ts';
import { OrgUnitRef, TeamRef } from './org-refs.ts';
import { listOrgUnits, listTeams } from './org-repository.ts';
import { createOrgUnit, createTeam, setTeamMembers, updateOrgUnit } from './org-service.ts';

const TeamMemberInput = builder.inputType('TeamMemberInput', {
  fields: (t) => ({ userId: t.int({ required: true }), skills: t.stringList() }),
});

builder.queryFields((t) => ({
  orgUnits: t.field({
    type: [OrgUnitRef],
    description: 'The whole org tree, in path order (staff only).',
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal);
      return listOrgUnits(ctx.em);
    },
  }),
  teams: t.field({
    type: [TeamRef],
    resolve: (_r, _a, ctx) => {
      requireStaff(ctx.principal);
      return listTeams(ctx.em);
    },
  }),
}));

builder.mutationFields((t) => ({
  createOrgUnit: t.field({
    type: OrgUnitRef,
    errors: mutationErrors,
    args: {
      name: t.arg.string({ required: true }),
      kind: t.arg({ type: OrgUnitKindEnum, required: true }),
      parentId: t.arg.int(),
    },
    resolve: (_r, a, ctx) => createOrgUnit(ctx.services, ctx.em, ctx.principal, a),
  }),
  updateOrgUnit: t.field({
    type: OrgUnitRef,
    errors: mutationErrors,
    description: 'Rename, or move under another parent (null makes it a root).',
    args: { id: t.arg.int({ required: true }), name: t.arg.string(), parentId: t.arg.int() },
    resolve: (_r, a, ctx) => updateOrgUnit(ctx.services, ctx.em, ctx.principal, a),
  }),
  createTeam: t.field({
    type: TeamRef,
    errors: mutationErrors,
    args: { name: t.arg.string({ required: true }), orgUnitId: t.arg.int() },
    resolve: (_r, a, ctx) => createTeam(ctx.services, ctx.em, ctx.principal, a),
  }),
  setTeamMembers: t.field({
    type: TeamRef,
    errors: mutationErrors,
    args: {
      teamId: t.arg.int({ required: true }),
      members: t.arg({ type: [TeamMemberInput], required: true }),
    },
    resolve: (_r, a, ctx) => setTeamMembers(ctx.services, ctx.em, ctx.principal, a),
  }),
}));
