import { Migration } from '@mikro-orm/migrations';

/** Org tree, access (users, roles, teams, API tokens), customers, versioned templates, tickets and their audit trail. */
export class Migration20261122000001_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table app_setting (
  key text primary key,
  value jsonb not null
);

create table org_unit (
  id serial primary key,
  parent_id int references org_unit(id),
  name text not null,
  kind text not null check (kind in ('hq', 'region', 'store', 'department')),
  path text not null unique,
  created_at timestamptz not null default now()
);
create index org_unit_parent_idx on org_unit (parent_id);

create table role (
  id serial primary key,
  key text not null unique,
  name text not null,
  permissions text[] not null default '{}',
  data_scope text not null check (data_scope in ('own', 'team', 'org_subtree', 'all')),
  created_at timestamptz not null default now()
);

create table app_user (
  id serial primary key,
  email text not null,
  name text not null,
  password_hash text,
  org_unit_id int references org_unit(id),
  manager_id int references app_user(id),
  is_active boolean not null default true,
  token_version int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index app_user_email_idx on app_user (lower(email));

create table user_role (
  user_id int not null references app_user(id) on delete cascade,
  role_id int not null references role(id) on delete cascade,
  primary key (user_id, role_id)
);

create table team (
  id serial primary key,
  name text not null unique,
  org_unit_id int references org_unit(id),
  created_at timestamptz not null default now()
);

create table team_member (
  team_id int not null references team(id) on delete cascade,
  user_id int not null references app_user(id) on delete cascade,
  skills text[] not null default '{}',
  primary key (team_id, user_id)
);
create index team_member_user_idx on team_member (user_id);

create table api_token (
  id serial primary key,
  name text not null,
  prefix text not null,
  token_hash text not null unique,
  user_id int not null references app_user(id) on delete cascade,
  created_by int references app_user(id),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table customer (
  id serial primary key,
  name text not null,
  email text,
  phone text,
  password_hash text,
  tier text not null default 'standard',
  token_version int not null default 0,
  created_at timestamptz not null default now()
);
create unique index customer_email_idx on customer (lower(email)) where email is not null;
create index customer_phone_idx on customer (phone) where phone is not null;

create table ticket_template (
  id serial primary key,
  key text not null unique,
  draft jsonb not null,
  latest_version int not null default 0,
  is_archived boolean not null default false,
  created_by int references app_user(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table ticket_template_version (
  id serial primary key,
  template_id int not null references ticket_template(id),
  version int not null,
  content jsonb not null,
  published_by int references app_user(id),
  published_at timestamptz not null default now(),
  unique (template_id, version)
);

create table ticket (
  id bigserial primary key,
  number text not null unique,
  template_id int not null references ticket_template(id),
  template_version_id int not null references ticket_template_version(id),
  title text not null,
  description text not null default '',
  status text not null default 'new' check (status in ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
  priority text not null check (priority in ('urgent', 'high', 'normal', 'low')),
  form_data jsonb not null default '{}',
  form_text text not null default '',
  requester_id int references customer(id),
  creator_user_id int references app_user(id),
  assignee_id int references app_user(id),
  team_id int references team(id),
  org_unit_id int references org_unit(id),
  org_path text not null default '/',
  channel text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  solved_at timestamptz,
  closed_at timestamptz,
  search tsvector generated always as (
    to_tsvector('simple'::regconfig, title || ' ' || description || ' ' || form_text)
  ) stored
);
create index ticket_created_idx on ticket (created_at desc, id desc);
create index ticket_status_created_idx on ticket (status, created_at desc, id desc);
create index ticket_org_path_created_idx on ticket (org_path text_pattern_ops, created_at desc, id desc);
create index ticket_assignee_idx on ticket (assignee_id, created_at desc) where assignee_id is not null;
create index ticket_team_idx on ticket (team_id, created_at desc) where team_id is not null;
create index ticket_requester_idx on ticket (requester_id, created_at desc) where requester_id is not null;
create index ticket_creator_idx on ticket (creator_user_id, created_at desc) where creator_user_id is not null;
create index ticket_template_idx on ticket (template_id, created_at desc);
create index ticket_search_idx on ticket using gin (search);

create table ticket_event (
  id bigserial primary key,
  ticket_id bigint not null references ticket(id),
  kind text not null,
  actor_kind text not null check (actor_kind in ('user', 'customer', 'system')),
  actor_id int,
  via_token_id int,
  channel text not null,
  is_public boolean not null default true,
  body text,
  diff jsonb,
  created_at timestamptz not null default now()
);
create index ticket_event_ticket_idx on ticket_event (ticket_id, id);
`);
  }

  override async down(): Promise<void> {
    this.addSql(
      'drop table if exists ticket_event, ticket, ticket_template_version, ticket_template, customer, api_token, team_member, team, user_role, app_user, role, org_unit, app_setting cascade;',
    );
  }
}
