import { Migration } from '@mikro-orm/migrations';

/**
 * Search that finds Chinese (and Japanese, Korean) text on PGlite and PostgreSQL alike.
 * PostgreSQL's 'simple' parser keeps a run of CJK characters as one word, so 制冷 never matched
 * 空调不制冷 through the index. docket_cjk_grams() spells every CJK run as its overlapping bigrams
 * plus the run's last character alone (空调不制冷 -> 空调 调不 不制 制冷 冷); the ticket's search
 * vector holds them beside the ordinary words. A query of two or more CJK characters is its bigrams
 * as a phrase (one after another), one character a prefix match (packages/db/src/text-search.ts).
 * The title's words weigh more (A) when matches are ranked.
 * (pg_trgm's index cannot serve the one- and two-character words Chinese mostly uses.)
 */
export class Migration20261130110000_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function docket_cjk_grams(t text) returns text
language sql immutable strict parallel safe as $$
  select coalesce(string_agg(substr(r[1], i, 2), ' '), '')
    from regexp_matches(t, '[\\u3400-\\u4dbf\\u4e00-\\u9fff\\u3040-\\u30ff\\uac00-\\ud7af]+', 'g') r,
         generate_series(1, length(r[1])) i
$$;
alter table ticket drop column search;
alter table ticket add column search tsvector generated always as (
  setweight(to_tsvector('simple'::regconfig, title || ' ' || docket_cjk_grams(title)), 'A') ||
  to_tsvector('simple'::regconfig, description || ' ' || form_text || ' ' || docket_cjk_grams(description || ' ' || form_text))
) stored;
create index ticket_search_idx on ticket using gin (search);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table ticket drop column search;
alter table ticket add column search tsvector generated always as (
  to_tsvector('simple'::regconfig, title || ' ' || description || ' ' || form_text)
) stored;
create index ticket_search_idx on ticket using gin (search);
drop function docket_cjk_grams(text);
`);
  }
}
