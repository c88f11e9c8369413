import { type EntityManager, query, queryOne } from '@docket/db';

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

/**
 * The customers with these emails, created when new, in two statements whatever their number
 * (an intake's batch of mail); a map from lower-cased email to customer id. An email two callers
 * create at the same moment becomes one customer (the unique index on lower(email) decides).
 */
export async function findOrCreateCustomersByEmail(
  em: EntityManager,
  people: { email: string; name?: string | null }[],
): Promise<Map<string, number>> {
  const byEmail = new Map<string, { email: string; name: string }>();
  for (const p of people) {
    const key = p.email.trim().toLowerCase();
    if (key && !byEmail.has(key))
      byEmail.set(key, { email: p.email.trim(), name: p.name?.trim() || p.email.trim() });
  }
  const out = new Map<string, number>();
  if (byEmail.size === 0) return out;
  const rows = [...byEmail.values()];
  await query(
    em,
    `insert into customer (name, email)
     select n, e from (values ${rows.map(() => '(?::text, ?::text)').join(', ')}) as v(n, e)
      where not exists (select 1 from customer c where lower(c.email) = lower(v.e))
     on conflict ((lower(email))) where email is not null do nothing`,
    rows.flatMap((r) => [r.name, r.email]),
  );
  const found = await query<{ id: number; email: string }>(
    em,
    'select id, lower(email) as email from customer where lower(email) = any(?::text[])',
    [[...byEmail.keys()]],
  );
  for (const r of found) out.set(r.email, r.id);
  return out;
}
