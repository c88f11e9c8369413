import { Migration } from '@mikro-orm/migrations';

/**
 * A ticket's own CC list: staff an agent added from the desk. They hear what the CC list of the
 * open step hears (urges, SLA notices) and may urge it; the list stays when the step moves on.
 */
export class Migration20261130211000_ticket_cc extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table ticket add column cc_user_ids int[] not null default '{}'::integer[];");
  }

  override async down(): Promise<void> {
    this.addSql('alter table ticket drop column if exists cc_user_ids;');
  }
}
