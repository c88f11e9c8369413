import { Migration } from '@mikro-orm/migrations';

/**
 * Attachments of inbound mail become stored files like uploaded ones: a file row says which
 * inbound message it came with (its bytes wait on disk, on no ticket, until the statement that
 * writes the message's ticket or reply takes them). The bytes kept so far in inbound_attachment
 * are moved to the files directory by the server at start (moveInboundAttachments), each row
 * first given the id its file will have, so a move cut short resumes without a second copy.
 */
export class Migration20261201060000_mail_files extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "file" add column "inbound_message_id" bigint null;`);
    this.addSql(`create index "file_inbound_message_idx" on "file" ("inbound_message_id");`);
    this.addSql(
      `alter table "file" add constraint "file_inbound_message_id_fkey" foreign key ("inbound_message_id") references "inbound_message" ("id") on update no action on delete set null;`,
    );
    this.addSql(`alter table "inbound_attachment" add column "file_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "inbound_attachment" drop column if exists "file_id";`);
    this.addSql(`alter table "file" drop column if exists "inbound_message_id";`);
  }
}
