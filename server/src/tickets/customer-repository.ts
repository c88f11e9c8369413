import type { StaffPrincipal } from '@docket/core';
import { type EntityManager, query } from '@docket/db';
import { customerScope } from '../access/policy.ts';

/** Of these customers, the ones the staff member reaches (access policy customerScope). */
export async function customersInReach(
  em: EntityManager,
  staff: StaffPrincipal,
  ids: readonly number[],
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const scope = customerScope(staff, 'c');
  const rows = await query<{ id: number }>(
    em,
    `select c.id from customer c where c.id = any(?::int[]) and ${scope.sql}`,
    [[...ids], ...scope.params],
  );
  return new Set(rows.map((r) => r.id));
}
