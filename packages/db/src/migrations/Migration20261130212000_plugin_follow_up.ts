import { Migration } from '@mikro-orm/migrations';

/**
 * Follow-up tickets plugins opened, by the ticket they follow and an idempotency key: the key's
 * uniqueness is what makes a retried or repeated call answer the follow-up already opened.
 */
export class Migration20261130212000_plugin_follow_up extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "plugin_follow_up" ("plugin" text not null, "ticket_id" bigint not null, "key" text not null, "follow_up_id" bigint not null, "created_at" timestamptz not null default now(), constraint "plugin_follow_up_pkey" primary key ("plugin", "ticket_id", "key"));`,
    );
    this.addSql(`create index "plugin_follow_up_follow_up_idx" on "plugin_follow_up" ("follow_up_id");`);
    this.addSql(
      `alter table "plugin_follow_up" add constraint "plugin_follow_up_plugin_fkey" foreign key ("plugin") references "plugin" ("name") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "plugin_follow_up" add constraint "plugin_follow_up_ticket_id_fkey" foreign key ("ticket_id") references "ticket" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "plugin_follow_up" add constraint "plugin_follow_up_follow_up_id_fkey" foreign key ("follow_up_id") references "ticket" ("id") on update no action on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "plugin_follow_up" cascade;`);
  }
}
