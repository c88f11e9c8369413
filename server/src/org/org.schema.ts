import { requireStaff } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { OrgUnitKindEnum } from '../graphql/enums.ts';
import { OrgUnitRef, TeamRef } from './org-refs.ts';
import { listOrgUnits, listTeams } from './org-repository.ts';
import {
  createOrgUnit,
  createTeam,
  type OrgMoveImpact,
  orgUnitMoveImpact,
  setTeamMembers,
  updateOrgUnit,
} from './org-service.ts';

const TeamMemberInput = builder.inputType('TeamMemberInput', {
  fields: (t) => ({ userId: t.int({ required: true }), skills: t.stringList() }),
});

const OrgMoveImpactRef = builder.objectRef<OrgMoveImpact>('OrgUnitMoveImpact').implement({
  description:
    'What moving an org unit would take along: its subtree, the people in it and the tickets under it (whose org path, and so who sees them by org subtree, changes).',
  fields: (t) => ({
    unit: t.field({ type: OrgUnitRef, resolve: (r) => r.unit }),
    fromParent: t.field({ type: OrgUnitRef, nullable: true, resolve: (r) => r.fromParent }),
    toParent: t.field({ type: OrgUnitRef, nullable: true, resolve: (r) => r.toParent }),
    fromPath: t.exposeString('fromPath'),
    toPath: t.exposeString('toPath'),
    orgUnitCount: t.exposeInt('orgUnitCount'),
    userCount: t.exposeInt('userCount'),
    ticketCount: t.exposeInt('ticketCount'),
    openTicketCount: t.exposeInt('openTicketCount'),
  }),
});

builder.queryFields((t) => ({
  orgUnitMoveImpact: t.field({
    type: OrgMoveImpactRef,
    errors: mutationErrors,
    description:
      'Says first what updateOrgUnit(id, parentId) would move (nothing is changed). Needs org.manage.',
    args: { id: t.arg.int({ required: true }), parentId: t.arg.int() },
    resolve: (_r, a, ctx) => orgUnitMoveImpact(ctx.services, ctx.em, ctx.principal, a),
  }),
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
      managerId: t.arg.int({ description: "Who runs the unit: its people's work escalates to them." }),
    },
    resolve: (_r, a, ctx) => createOrgUnit(ctx.services, ctx.em, ctx.principal, a),
  }),
  updateOrgUnit: t.field({
    type: OrgUnitRef,
    errors: mutationErrors,
    description:
      'Rename, move under another parent (null makes it a root), or name its manager (managerId; null: none).',
    args: {
      id: t.arg.int({ required: true }),
      name: t.arg.string(),
      parentId: t.arg.int(),
      managerId: t.arg.int(),
    },
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
