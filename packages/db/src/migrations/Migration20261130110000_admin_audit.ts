import { Migration } from '@mikro-orm/migrations';

/**
 * The admin audit trail: one row per change an admin makes to users, roles, the org tree, teams,
 * API tokens, calendars, SLA policies, statuses and templates (who, when, what changed).
 */
export class Migration20261130110000_admin_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "admin_change" ("id" bigserial primary key, "actor_user_id" int null, "action" text check ("action" in ('create', 'update', 'delete')) not null, "entity_type" text not null, "entity_id" text not null, "entity_name" text not null, "diff" jsonb null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      'CREATE INDEX admin_change_created_idx ON public.admin_change USING btree (created_at DESC, id DESC);',
    );
    this.addSql(
      'CREATE INDEX admin_change_entity_idx ON public.admin_change USING btree (entity_type, entity_id);',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "admin_change";');
  }
}
