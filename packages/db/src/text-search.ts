/** Chinese, Japanese and Korean characters: the same ranges docket_cjk_grams() splits (search migration). */
const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]+/g;

export const hasCjk = (text: string): boolean => new RegExp(CJK_RUN.source).test(text);

/**
 * A CJK run as a tsquery over docket_cjk_grams() lexemes: one character is a prefix (it starts a
 * bigram or ends a run); two or more are their bigrams one after another (a phrase), which only
 * adjacent characters of one run produce, so 制冷 finds 空调不制冷 and never 制 and 冷 apart.
 */
function runQuery(run: string): string {
  const chars = Array.from(run);
  if (chars.length === 1) return `${chars[0]}:*`;
  const grams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) grams.push(chars[i]! + chars[i + 1]!);
  return grams.length === 1 ? grams[0]! : `(${grams.join(' <-> ')})`;
}

export type TextSearch = {
  /** A boolean SQL condition with `?` bindings. */
  where: { sql: string; params: unknown[] };
  /** A ts_rank expression (higher is better) with `?` bindings. */
  rank: { sql: string; params: unknown[] };
};

/**
 * The condition that finds `text` in a search vector generated with docket_cjk_grams() (see the
 * search migration): ordinary words through websearch_to_tsquery('simple'), each CJK run through
 * its bigrams. Everything is one tsquery the GIN index answers and the planner can estimate (a
 * LIKE beside it would be guessed at 0.5 % of rows whatever it matches). Null for a blank query.
 */
export function textSearch(options: { vectorSql: string; text: string }): TextSearch | null {
  const text = options.text.trim();
  if (!text) return null;
  const runs = [...new Set(text.match(CJK_RUN) ?? [])];
  const words = text.replace(CJK_RUN, ' ').trim();
  const queries: { sql: string; params: unknown[] }[] = [];
  if (runs.length) queries.push({ sql: "to_tsquery('simple', ?)", params: [runs.map(runQuery).join(' & ')] });
  // Punctuation alone (a query like "，") leaves nothing to look for in the words.
  if (words && /[\p{L}\p{N}]/u.test(words))
    queries.push({ sql: "websearch_to_tsquery('simple', ?)", params: [words] });
  if (!queries.length) return null;
  const tsquery = {
    sql: queries.map((q) => q.sql).join(' && '),
    params: queries.flatMap((q) => q.params),
  };
  return {
    where: { sql: `${options.vectorSql} @@ (${tsquery.sql})`, params: tsquery.params },
    rank: { sql: `ts_rank(${options.vectorSql}, ${tsquery.sql})`, params: tsquery.params },
  };
}
