/** The kinds of org unit: the tree runs HQ > region > store or department. */
export const ORG_UNIT_KINDS = ['hq', 'region', 'store', 'department'] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];
export const isOrgUnitKind = (v: unknown): v is OrgUnitKind =>
  typeof v === 'string' && (ORG_UNIT_KINDS as readonly string[]).includes(v);
