import { Migration } from '@mikro-orm/migrations';

/**
 * Hardening: workflow secrets kept apart from the graphs (encrypted), and failed-login counts that
 * every server process shares,
 * sessions ended by logout.
 */
export class Migration20261130110001_hardening extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "workflow_secret" ("workflow_id" int not null, "name" text not null, "sealed" text not null, "updated_at" timestamptz not null default now(), constraint "workflow_secret_pkey" primary key ("workflow_id", "name"));`,
    );
    this.addSql(
      `alter table "workflow_secret" add constraint "workflow_secret_workflow_id_fkey" foreign key ("workflow_id") references "workflow" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `create table "login_throttle" ("key" text not null, "failures" int not null default 0, "window_started_at" timestamptz not null default now(), "locked_until" timestamptz null, constraint "login_throttle_pkey" primary key ("key"));`,
    );
    this.addSql(
      `create table "revoked_session" ("sid" text not null, "expires_at" timestamptz not null, constraint "revoked_session_pkey" primary key ("sid"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "workflow_secret", "login_throttle", "revoked_session";');
  }
}
