import { Migration } from '@mikro-orm/migrations';

/**
 * Files attached to ticket forms: what each is, who uploaded it, and the ticket whose form names
 * it (null until one does). The bytes are on disk, not in the database.
 */
export class Migration20261130110000_files extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "file" ("id" text not null, "name" text not null, "content_type" text not null, "size" bigint not null, "sha256" text not null, "uploaded_by_user" int null, "uploaded_by_customer" int null, "ticket_id" bigint null, "created_at" timestamptz not null default now(), constraint "file_pkey" primary key ("id"));`,
    );
    this.addSql(
      `CREATE INDEX file_ticket_idx ON public.file USING btree (ticket_id) WHERE (ticket_id IS NOT NULL);`,
    );
    this.addSql(
      `alter table "file" add constraint "file_uploaded_by_user_fkey" foreign key ("uploaded_by_user") references "app_user" ("id") on update no action on delete set null;`,
    );
    this.addSql(
      `alter table "file" add constraint "file_uploaded_by_customer_fkey" foreign key ("uploaded_by_customer") references "customer" ("id") on update no action on delete set null;`,
    );
    this.addSql(
      `alter table "file" add constraint "file_ticket_id_fkey" foreign key ("ticket_id") references "ticket" ("id") on update no action on delete no action;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "file" cascade;`);
  }
}
