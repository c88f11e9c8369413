import { randomUUID } from 'node:crypto';
import { type EntityManager, escapeLike, query, queryOne } from '@docket/db';

/** The desk's own data: each person's saved views (app settings), and the customer lookup. */

export type SavedView = {
  id: string;
  name: string;
  filter: Record<string, unknown>;
  orderBy: Record<string, unknown> | null;
  columns: string[];
};

const viewsKey = (userId: number) => `desk.views.user.${userId}`;

export async function savedViewsOf(em: EntityManager, userId: number): Promise<SavedView[]> {
  const row = await queryOne<{ value: { views?: SavedView[] } }>(
    em,
    'select value from app_setting where key = ?',
    [viewsKey(userId)],
  );
  return row?.value.views ?? [];
}

export async function writeSavedViews(em: EntityManager, userId: number, views: SavedView[]): Promise<void> {
  await query(
    em,
    `insert into app_setting (key, value) values (?, ?::jsonb)
     on conflict (key) do update set value = excluded.value`,
    [viewsKey(userId), JSON.stringify({ views })],
  );
}

export const newViewId = (): string => randomUUID();

export type CustomerRow = {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  tier: string | null;
};

/** One customer by id, or undefined. */
export async function customerById(em: EntityManager, id: number): Promise<CustomerRow | undefined> {
  const [row] = await query<CustomerRow>(
    em,
    'select id, name, email, phone, tier from customer where id = ?',
    [id],
  );
  return row;
}

/** Customers whose name, email or phone matches (a phone by its digits), best matches first. */
export function searchCustomers(em: EntityManager, text: string, first: number): Promise<CustomerRow[]> {
  const like = `%${escapeLike(text)}%`;
  const digits = text.replace(/\D/g, '');
  return query<CustomerRow>(
    em,
    `select id, name, email, phone, tier from customer
      where name ilike ? or email ilike ? or (? <> '' and regexp_replace(coalesce(phone, ''), '\\D', '', 'g') like ?)
      order by (lower(email) = lower(?) or regexp_replace(coalesce(phone, ''), '\\D', '', 'g') = ?) desc, name, id
      limit ?`,
    [like, like, digits, `%${digits}%`, text, digits, first],
  );
}
