import { Migration } from '@mikro-orm/migrations';

/**
 * The desk lists tickets most recently changed first by default: an index in that order, so its
 * first page reads 50 rows of an index instead of sorting every open ticket.
 */
export class Migration20261130160000_desk_updated_index extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index ticket_updated_idx on ticket (updated_at desc, id desc);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists ticket_updated_idx;');
  }
}
