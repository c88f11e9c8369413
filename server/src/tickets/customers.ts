import { type EntityManager, queryOne } from '@docket/db';

/** The customer with this email (first) or phone, created when neither matches: a ticket's requester. */
export async function findOrCreateCustomer(
  tx: EntityManager,
  r: { name?: string | null; email?: string | null; phone?: string | null },
): Promise<number> {
  const found = await queryOne<{ id: number }>(
    tx,
    `select id from customer where (? and lower(email) = lower(?)) or (? and phone = ?) order by (lower(email) = lower(?)) desc limit 1`,
    [Boolean(r.email), r.email ?? '', Boolean(r.phone), r.phone ?? '', r.email ?? ''],
  );
  if (found) return found.id;
  const created = await queryOne<{ id: number }>(
    tx,
    'insert into customer (name, email, phone) values (?, ?, ?) returning id',
    [r.name?.trim() || r.email || r.phone || 'Customer', r.email ?? null, r.phone ?? null],
  );
  return created!.id;
}
