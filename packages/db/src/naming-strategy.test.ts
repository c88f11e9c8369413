import { describe, expect, it } from 'vitest';
import { DocketNamingStrategy } from './naming-strategy.ts';

describe('constraint names as PostgreSQL gives them', () => {
  const naming = new DocketNamingStrategy();

  it.each([
    ['foreign', ['org_unit_id'], 'team_org_unit_id_fkey'],
    ['foreign', ['status_name', 'status'], 'team_status_name_status_fkey'],
    ['unique', ['name'], 'team_name_key'],
    ['unique', ['template_id', 'version'], 'team_template_id_version_key'],
    ['index', ['org_unit_id'], 'team_org_unit_id_idx'],
    ['primary', [], 'team_pkey'],
    ['sequence', ['id'], 'team_id_seq'],
  ] as const)('%s on %j', (type, columns, name) => {
    expect(naming.indexName('team', [...columns], type)).toBe(name);
  });

  it('leaves the schema out of the name', () => {
    expect(naming.indexName('public.team', ['name'], 'unique')).toBe('team_name_key');
  });

  it('names columns in snake_case', () => {
    expect(naming.propertyToColumnName('orgUnitId')).toBe('org_unit_id');
  });
});
