import { type EntityManager, query } from '@docket/db';
import { createWorkflowLoaders } from '../workflows/workflow-loaders.ts';
import { type StoredNames, storedNames } from '../workflows/workflow-service.ts';
import { BatchLoader } from './batch-loader.ts';

export type UserRow = {
  id: number;
  email: string;
  name: string;
  org_unit_id: number | null;
  manager_id: number | null;
  is_active: boolean;
  created_at: Date;
};
export type OrgUnitRow = { id: number; parent_id: number | null; name: string; kind: string; path: string };
export type TeamRow = { id: number; name: string; org_unit_id: number | null };
export type CustomerRow = {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  tier: string;
};
export type TemplateRow = {
  id: number;
  key: string;
  draft: Record<string, unknown>;
  latest_version: number;
  is_archived: boolean;
  created_at: Date;
  updated_at: Date;
};
export type TemplateVersionRow = {
  id: number;
  template_id: number;
  version: number;
  content: Record<string, unknown>;
  published_by: number | null;
  published_at: Date;
  workflow_version_id: number | null;
};

const byId =
  <T extends { id: number }>(em: EntityManager, sql: string) =>
  async (ids: number[]): Promise<Map<number, T>> => {
    const rows = await query<T>(em, sql.replace('$ids', ids.map(() => '?').join(', ')), ids);
    return new Map(rows.map((r) => [r.id, r]));
  };

export function createLoaders(em: EntityManager) {
  let stored: Promise<StoredNames> | undefined;
  return {
    ...createWorkflowLoaders(em),
    /** What workflows may name (calendars, statuses), read once per request. */
    storedNames: (): Promise<StoredNames> => (stored ??= storedNames(em)),
    user: new BatchLoader<number, UserRow>(
      byId(
        em,
        'select id, email, name, org_unit_id, manager_id, is_active, created_at from app_user where id in ($ids)',
      ),
    ),
    orgUnit: new BatchLoader<number, OrgUnitRow>(
      byId(em, 'select id, parent_id, name, kind, path from org_unit where id in ($ids)'),
    ),
    team: new BatchLoader<number, TeamRow>(
      byId(em, 'select id, name, org_unit_id from team where id in ($ids)'),
    ),
    customer: new BatchLoader<number, CustomerRow>(
      byId(em, 'select id, name, email, phone, tier from customer where id in ($ids)'),
    ),
    template: new BatchLoader<number, TemplateRow>(
      byId(
        em,
        'select id, key, draft, latest_version, is_archived, created_at, updated_at from ticket_template where id in ($ids)',
      ),
    ),
    templateVersion: new BatchLoader<number, TemplateVersionRow>(
      byId(
        em,
        'select id, template_id, version, content, published_by, published_at, workflow_version_id from ticket_template_version where id in ($ids)',
      ),
    ),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
