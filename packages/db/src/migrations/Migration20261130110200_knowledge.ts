import { Migration } from '@mikro-orm/migrations';

/**
 * Knowledge base and faster entry: articles (a draft, published versions, a category path,
 * internal or public, links to the tickets that used them) searched like tickets (CJK bigrams of
 * docket_cjk_grams(), the title weighing more); description templates (public per ticket template,
 * personal per agent) and macros (a canned reply with field changes).
 */
export class Migration20261130110200_knowledge extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table kb_article (
  id serial primary key,
  category_path text not null default '',
  visibility text check (visibility in ('internal', 'public')) not null default 'internal',
  draft_title text not null,
  draft_body text not null default '',
  published_version int null,
  title text null,
  body text null,
  published_at timestamptz null,
  created_by_id int null references app_user(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search tsvector generated always as (
    setweight(to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || docket_cjk_grams(coalesce(title, ''))), 'A') ||
    to_tsvector('simple'::regconfig, coalesce(body, '') || ' ' || docket_cjk_grams(coalesce(body, '')))
  ) stored
);
create index kb_article_search_idx on kb_article using gin (search);
create index kb_article_category_idx on kb_article (category_path);
create table kb_article_version (
  article_id int not null references kb_article(id) on delete cascade,
  version int not null,
  title text not null,
  body text not null,
  category_path text not null,
  visibility text check (visibility in ('internal', 'public')) not null,
  published_by_id int null references app_user(id),
  published_at timestamptz not null default now(),
  constraint kb_article_version_pkey primary key (article_id, version)
);
create table kb_article_ticket (
  article_id int not null references kb_article(id) on delete cascade,
  ticket_id bigint not null references ticket(id),
  linked_by_id int null references app_user(id),
  linked_at timestamptz not null default now(),
  constraint kb_article_ticket_pkey primary key (article_id, ticket_id)
);
create index kb_article_ticket_ticket_idx on kb_article_ticket (ticket_id);
create table description_template (
  id serial primary key,
  template_id int null references ticket_template(id) on delete cascade,
  owner_user_id int null references app_user(id) on delete cascade,
  name text not null,
  body text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index description_template_template_idx on description_template (template_id);
create index description_template_owner_idx on description_template (owner_user_id);
create table macro (
  id serial primary key,
  owner_user_id int null references app_user(id) on delete cascade,
  name text not null,
  reply text not null default '',
  is_public_reply boolean not null default true,
  changes jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
`);
  }

  override async down(): Promise<void> {
    this.addSql(
      'drop table if exists macro, description_template, kb_article_ticket, kb_article_version, kb_article cascade;',
    );
  }
}
