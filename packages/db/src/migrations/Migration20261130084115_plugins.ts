import { Migration } from '@mikro-orm/migrations';

/**
 * Plugins: installed plugins (status, running version, grants, limits, settings with the secret
 * ones encrypted), every uploaded version (manifest, bundle, sha256), their key-value data, log and
 * call records, and the threads their channels keep. Purging a plugin deletes its rows (cascade);
 * tickets its channels created stay.
 */
export class Migration20261130084115_plugins extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "plugin" ("name" text not null, "display_name" text not null, "description" text null, "status" text check ("status" in ('enabled', 'disabled', 'uninstalled')) not null default 'disabled', "version" text not null, "grants" jsonb not null default '{}', "limits" jsonb not null default '{}', "config" jsonb not null default '{}', "secrets" text null, "installed_by" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "plugin_pkey" primary key ("name"));`,
    );

    this.addSql(
      `create table "plugin_version" ("plugin" text not null, "version" text not null, "manifest" jsonb not null, "bundle" text not null, "sha256" text not null, "source" text not null, "uploaded_by" int null, "created_at" timestamptz not null default now(), constraint "plugin_version_pkey" primary key ("plugin", "version"));`,
    );

    this.addSql(
      `create table "plugin_log" ("id" bigserial primary key, "plugin" text not null, "version" text not null, "kind" text check ("kind" in ('log', 'metric', 'event')) not null, "level" text check ("level" in ('debug', 'info', 'warn', 'error')) not null, "message" text not null, "data" jsonb null, "handler" text null, "call_id" text null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`CREATE INDEX plugin_log_plugin_idx ON public.plugin_log USING btree (plugin, id DESC);`);

    this.addSql(
      `create table "plugin_kv" ("plugin" text not null, "key" text not null, "value" jsonb not null, "expires_at" timestamptz null, "updated_at" timestamptz not null default now(), constraint "plugin_kv_pkey" primary key ("plugin", "key"));`,
    );

    this.addSql(
      `create table "plugin_call" ("id" bigserial primary key, "plugin" text not null, "version" text not null, "handler" text not null, "call_id" text null, "is_ok" boolean not null, "error_code" text null, "duration_ms" double precision not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `CREATE INDEX plugin_call_plugin_idx ON public.plugin_call USING btree (plugin, created_at DESC);`,
    );

    this.addSql(
      `create table "plugin_thread" ("channel" text not null, "thread_key" text not null, "plugin" text not null, "ticket_id" bigint not null, "created_at" timestamptz not null default now(), constraint "plugin_thread_pkey" primary key ("channel", "thread_key"));`,
    );
    this.addSql(`create index "plugin_thread_ticket_idx" on "plugin_thread" ("ticket_id");`);

    this.addSql(
      `alter table "plugin" add constraint "plugin_installed_by_fkey" foreign key ("installed_by") references "app_user" ("id") on update no action on delete set null;`,
    );

    this.addSql(
      `alter table "plugin_version" add constraint "plugin_version_plugin_fkey" foreign key ("plugin") references "plugin" ("name") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "plugin_version" add constraint "plugin_version_uploaded_by_fkey" foreign key ("uploaded_by") references "app_user" ("id") on update no action on delete set null;`,
    );

    this.addSql(
      `alter table "plugin_log" add constraint "plugin_log_plugin_fkey" foreign key ("plugin") references "plugin" ("name") on update no action on delete cascade;`,
    );

    this.addSql(
      `alter table "plugin_kv" add constraint "plugin_kv_plugin_fkey" foreign key ("plugin") references "plugin" ("name") on update no action on delete cascade;`,
    );

    this.addSql(
      `alter table "plugin_call" add constraint "plugin_call_plugin_fkey" foreign key ("plugin") references "plugin" ("name") on update no action on delete cascade;`,
    );

    this.addSql(
      `alter table "plugin_thread" add constraint "plugin_thread_plugin_fkey" foreign key ("plugin") references "plugin" ("name") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "plugin_thread" add constraint "plugin_thread_ticket_id_fkey" foreign key ("ticket_id") references "ticket" ("id") on update no action on delete no action;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "plugin_version" drop constraint "plugin_version_plugin_fkey";`);

    this.addSql(`alter table "plugin_log" drop constraint "plugin_log_plugin_fkey";`);

    this.addSql(`alter table "plugin_kv" drop constraint "plugin_kv_plugin_fkey";`);

    this.addSql(`alter table "plugin_call" drop constraint "plugin_call_plugin_fkey";`);

    this.addSql(`alter table "plugin_thread" drop constraint "plugin_thread_plugin_fkey";`);

    this.addSql(`drop table if exists "plugin" cascade;`);

    this.addSql(`drop table if exists "plugin_version" cascade;`);

    this.addSql(`drop table if exists "plugin_log" cascade;`);

    this.addSql(`drop table if exists "plugin_kv" cascade;`);

    this.addSql(`drop table if exists "plugin_call" cascade;`);

    this.addSql(`drop table if exists "plugin_thread" cascade;`);
  }
}
