import { type EntityManager, query, textSearch } from '@docket/db';

export type KbArticleRow = {
  id: number;
  category_path: string;
  visibility: 'internal' | 'public';
  draft_title: string;
  draft_body: string;
  published_version: number | null;
  title: string | null;
  body: string | null;
  published_at: Date | null;
  updated_at: Date;
};

export type KbHit = KbArticleRow & { rank: number };

const ARTICLE_COLUMNS = `a.id, a.category_path, a.visibility, a.draft_title, a.draft_body, a.published_version,
  a.title, a.body, a.published_at, a.updated_at`;

/** Most matches a suggestion ranks: the newest this many articles that share a word with the text. */
const SUGGEST_CANDIDATES = 500;

/**
 * Published articles matching `text` (every word, Chinese phrases in order), best first: the
 * title counts more. Only the given visibilities; under a category path when given.
 */
export async function searchArticles(
  em: EntityManager,
  options: { text: string; visibilities: string[]; categoryPath?: string | null; first: number },
): Promise<KbHit[]> {
  const search = textSearch({ vectorSql: 'a.search', text: options.text });
  if (!search) return [];
  const category = options.categoryPath
    ? {
        sql: ' and (a.category_path = ? or a.category_path like ?)',
        params: [options.categoryPath, `${options.categoryPath}/%`],
      }
    : { sql: '', params: [] };
  return query<KbHit>(
    em,
    `select ${ARTICLE_COLUMNS}, ${search.rank.sql} as rank from kb_article a
      where a.published_version is not null and a.visibility = any(?::text[]) and ${search.where.sql}${category.sql}
      order by rank desc, a.id desc limit ?`,
    [...search.rank.params, options.visibilities, ...search.where.params, ...category.params, options.first],
  );
}

/**
 * Suggestions while someone types a ticket's title or a reply: articles sharing any word (any
 * Chinese bigram) with the text, the ones sharing most (and in the title) first. At most
 * SUGGEST_CANDIDATES matches are ranked, so a text full of common words still answers at once.
 */
export async function suggestArticles(
  em: EntityManager,
  options: { text: string; visibilities: string[]; first: number },
): Promise<KbHit[]> {
  const terms = suggestionTerms(options.text);
  if (!terms) return [];
  return query<KbHit>(
    em,
    `select ${ARTICLE_COLUMNS}, ts_rank(a.search, q.q) as rank
       from (select to_tsquery('simple', ?) as q) q,
            lateral (select * from kb_article a
                      where a.search @@ q.q and a.published_version is not null and a.visibility = any(?::text[])
                      limit ${SUGGEST_CANDIDATES}) a
      order by rank desc, a.id desc limit ?`,
    [terms, options.visibilities, options.first],
  );
}

/** The OR of a text's words and Chinese bigrams as tsquery text, or null when it has none. */
export function suggestionTerms(text: string): string | null {
  const terms = new Set<string>();
  for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const runs = token.match(/[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]+/g) ?? [];
    for (const run of runs) {
      const chars = Array.from(run);
      if (chars.length === 1) terms.add(`${chars[0]}:*`);
      for (let i = 0; i + 1 < chars.length; i++) terms.add(chars[i]! + chars[i + 1]!);
    }
    const rest = token.replace(/[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]+/g, ' ').trim();
    for (const word of rest.split(/\s+/)) if (word.length > 1) terms.add(`${word}:*`);
  }
  return terms.size ? [...terms].slice(0, 32).join(' | ') : null;
}

/** An article used on a ticket; false when it already was. */
export async function linkArticle(
  tx: EntityManager,
  link: { articleId: number; ticketId: string; userId: number | null },
): Promise<boolean> {
  const rows = await query(
    tx,
    `insert into kb_article_ticket (article_id, ticket_id, linked_by_id) values (?, ?, ?)
     on conflict do nothing returning article_id`,
    [link.articleId, link.ticketId, link.userId],
  );
  return rows.length > 0;
}

/** The articles linked to tickets, by ticket id (every id gets a list). */
export async function articlesOfTickets(
  em: EntityManager,
  ticketIds: string[],
): Promise<Map<string, KbArticleRow[]>> {
  const rows = await query<KbArticleRow & { ticket_id: string }>(
    em,
    `select l.ticket_id::text as ticket_id, ${ARTICLE_COLUMNS} from kb_article_ticket l join kb_article a on a.id = l.article_id
      where l.ticket_id = any(?::bigint[]) order by l.linked_at`,
    [ticketIds],
  );
  const map = new Map<string, KbArticleRow[]>(ticketIds.map((id) => [id, []]));
  for (const { ticket_id, ...a } of rows) map.get(ticket_id)?.push(a);
  return map;
}

/** How many tickets used each article. */
export async function linkCounts(em: EntityManager, articleIds: number[]): Promise<Map<number, number>> {
  const rows = await query<{ article_id: number; n: string }>(
    em,
    'select article_id, count(*) as n from kb_article_ticket where article_id = any(?::int[]) group by article_id',
    [articleIds],
  );
  const map = new Map<number, number>(articleIds.map((id) => [id, 0]));
  for (const r of rows) map.set(r.article_id, Number(r.n));
  return map;
}

/** What placeholders read from a ticket: its number, title, form and requester. */
export async function placeholderFacts(
  em: EntityManager,
  ticketId: string | number,
): Promise<
  | {
      number: string;
      title: string;
      form_data: Record<string, unknown>;
      requester_name: string | null;
      requester_email: string | null;
    }
  | undefined
> {
  return (
    await query<{
      number: string;
      title: string;
      form_data: Record<string, unknown>;
      requester_name: string | null;
      requester_email: string | null;
    }>(
      em,
      `select t.number, t.title, t.form_data, c.name as requester_name, c.email as requester_email
         from ticket t left join customer c on c.id = t.requester_id where t.id = ?`,
      [ticketId],
    )
  )[0];
}
