import { Migration } from '@mikro-orm/migrations';

/**
 * Every step of a workflow rewrites its instance's row (state, seq, updated_at). PostgreSQL can
 * update a row in place, without a new entry in each of the table's indexes (a HOT update), only
 * when no indexed column changes, the columns of a partial index's condition included, and the
 * row's page has room for the new version. workflow_instance_failed_idx was keyed on updated_at,
 * which every step sets, so no step's update was ever HOT: each added entries to the primary key,
 * the ticket index and the waiting-instances index. The failed instances are now indexed by id
 * (nothing reads them in updated_at order; there are few of them), and the table's pages keep a
 * fifth free so the new version of a row fits beside the old one.
 */
export class Migration20261201010000_instance_hot_updates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
drop index if exists workflow_instance_failed_idx;
create index workflow_instance_failed_idx on workflow_instance (id) where status = 'failed';
alter table workflow_instance set (fillfactor = 80);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
drop index if exists workflow_instance_failed_idx;
create index workflow_instance_failed_idx on workflow_instance (updated_at) where status = 'failed';
alter table workflow_instance reset (fillfactor);
`);
  }
}
