import { UnderscoreNamingStrategy } from '@mikro-orm/core';

/**
 * Column names in snake_case, and constraint names as PostgreSQL itself gives them when a
 * migration leaves them out (`team_name_key`, `team_org_unit_id_fkey`, `org_unit_kind_check`):
 * the tables the hand-written migrations made and the ones generated from the entities name their
 * constraints alike.
 */
export class DocketNamingStrategy extends UnderscoreNamingStrategy {
  override indexName(
    tableName: string,
    columns: string[],
    type: 'primary' | 'foreign' | 'unique' | 'index' | 'sequence' | 'check',
  ): string {
    const suffix = { foreign: 'fkey', unique: 'key', index: 'idx' } as const;
    if (type === 'foreign' || type === 'unique' || type === 'index') {
      const table = tableName.includes('.') ? tableName.slice(tableName.indexOf('.') + 1) : tableName;
      return [table, ...columns.map((c) => c.replace(/\./g, '_')), suffix[type]].join('_');
    }
    return super.indexName(tableName, columns, type);
  }
}
