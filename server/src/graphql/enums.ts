import { DATA_SCOPES, ORG_UNIT_KINDS, PERMISSIONS, PRIORITIES, STATUS_CATEGORIES } from '@docket/core';
import { builder } from './builder.ts';

export const PriorityEnum = builder.enumType('Priority', { values: PRIORITIES });
export const StatusCategoryEnum = builder.enumType('StatusCategory', {
  description:
    'new, open, pending (waiting on the customer; pauses SLA), on_hold (waiting on a third party), solved, closed.',
  values: STATUS_CATEGORIES,
});
export const DataScopeEnum = builder.enumType('DataScope', {
  description: 'Which tickets a role reaches: own, team, org_subtree (own org unit and below) or all.',
  values: DATA_SCOPES,
});
export const PermissionEnum = builder.enumType('Permission', {
  values: Object.fromEntries(
    PERMISSIONS.map((p) => [p.replace('.', '_').toUpperCase(), { value: p }]),
  ) as Record<string, { value: (typeof PERMISSIONS)[number] }>,
});
export const OrgUnitKindEnum = builder.enumType('OrgUnitKind', { values: ORG_UNIT_KINDS });
