import { Migration } from '@mikro-orm/migrations';

/**
 * Channels: what the server's transports took in, kept raw before a plugin sees it (retried until
 * it becomes a ticket or a reply), inbound mail attachments beside their ticket, and users'
 * choices of the outside targets their notices go to.
 */
export class Migration20261130110000_channels extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" add column "phone" text null;`);
    this.addSql(
      `create table "inbound_message" ("id" bigserial primary key, "transport" text not null, "envelope" jsonb not null default '{}', "raw" bytea not null, "status" text check ("status" in ('pending', 'done', 'ignored')) not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "last_error" text null, "channel" text null, "ticket_id" bigint null, "outcome" jsonb null, "received_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "inbound_message_pending_idx" on "inbound_message" ("next_attempt_at") where status = 'pending';`,
    );
    this.addSql(
      `create table "inbound_attachment" ("id" bigserial primary key, "message_id" bigint not null, "ticket_id" bigint null, "filename" text not null, "content_type" text not null, "size" int not null, "content" bytea not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "inbound_attachment_message_idx" on "inbound_attachment" ("message_id");`);
    this.addSql(`create index "inbound_attachment_ticket_idx" on "inbound_attachment" ("ticket_id");`);
    this.addSql(
      `create table "notification_preference" ("user_id" int not null, "kind" text not null, "targets" jsonb not null default '[]', "updated_at" timestamptz not null default now(), constraint "notification_preference_pkey" primary key ("user_id", "kind"));`,
    );
    this.addSql(
      `alter table "inbound_message" add constraint "inbound_message_ticket_id_fkey" foreign key ("ticket_id") references "ticket" ("id") on update no action on delete set null;`,
    );
    this.addSql(
      `alter table "inbound_attachment" add constraint "inbound_attachment_message_id_fkey" foreign key ("message_id") references "inbound_message" ("id") on update no action on delete cascade;`,
    );
    this.addSql(
      `alter table "inbound_attachment" add constraint "inbound_attachment_ticket_id_fkey" foreign key ("ticket_id") references "ticket" ("id") on update no action on delete set null;`,
    );
    this.addSql(
      `alter table "notification_preference" add constraint "notification_preference_user_id_fkey" foreign key ("user_id") references "app_user" ("id") on update no action on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "inbound_attachment" cascade;`);
    this.addSql(`drop table if exists "inbound_message" cascade;`);
    this.addSql(`drop table if exists "notification_preference" cascade;`);
    this.addSql(`alter table "app_user" drop column "phone";`);
  }
}
