import { type EntityManager, query, queryOne } from '@docket/db';

/** The portal's reads and its one setting: which templates have a public form. */

const PUBLIC_FORMS_KEY = 'portal.public_forms';

export async function publicFormKeys(em: EntityManager): Promise<string[]> {
  const row = await queryOne<{ value: { templateKeys?: string[] } }>(
    em,
    'select value from app_setting where key = ?',
    [PUBLIC_FORMS_KEY],
  );
  return row?.value.templateKeys ?? [];
}

export async function savePublicFormKeys(em: EntityManager, keys: string[]): Promise<void> {
  await query(
    em,
    `insert into app_setting (key, value) values (?, ?::jsonb)
     on conflict (key) do update set value = excluded.value`,
    [PUBLIC_FORMS_KEY, JSON.stringify({ templateKeys: keys })],
  );
}

/** A public timeline entry as the portal shows it: what was said and by whom, never the diff. */
export type PortalEntryRow = {
  id: string;
  kind: string;
  body: string | null;
  created_at: Date;
  actor_kind: string;
  author: string | null;
};

/** The public entries of a ticket, oldest first, with the author's name (staff by name only). */
export const publicEntries = (em: EntityManager, ticketId: string | number): Promise<PortalEntryRow[]> =>
  query(
    em,
    `select e.id::text as id, e.kind, e.body, e.created_at, e.actor_kind,
            case e.actor_kind when 'user' then (select name from app_user where id = e.actor_id)
                              when 'customer' then (select name from customer where id = e.actor_id) end as author
       from ticket_event e where e.ticket_id = ? and e.is_public order by e.id`,
    [ticketId],
  );

/** The requester's tickets, newest first. */
export const ticketIdsOfCustomer = async (em: EntityManager, customerId: number, first: number) =>
  (
    await query<{ id: string }>(
      em,
      'select id::text as id from ticket where requester_id = ? order by created_at desc, id desc limit ?',
      [customerId, first],
    )
  ).map((r) => r.id);

/** The template's name and the published form (for what the portal may show of form data). */
export const templateOfTicket = (em: EntityManager, templateVersionId: number) =>
  queryOne<{
    content: { name: string; formSchema?: Record<string, unknown>; uiSchema?: Record<string, unknown> };
  }>(em, 'select v.content from ticket_template_version v where v.id = ?', [templateVersionId]);

/** A customer's name (for what their actions say to staff). */
export const customerName = async (em: EntityManager, id: number): Promise<string> =>
  (await queryOne<{ name: string }>(em, 'select name from customer where id = ?', [id]))?.name ?? '';
