import { Migration } from '@mikro-orm/migrations';

/**
 * The live wall: tokens an admin hands to a TV (read-only, scoped to an org unit's subtree,
 * revocable; only their hash is kept), and an index on when tickets were solved, so that the
 * wall's "solved today" reads a range of it rather than every ticket.
 */
export class Migration20261130140000_wall extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table wall_token (
  id serial primary key,
  name text not null,
  prefix text not null,
  token_hash text not null unique,
  org_unit_id int not null references org_unit(id),
  created_by int null references app_user(id),
  created_at timestamptz not null default now(),
  last_used_at timestamptz null,
  revoked_at timestamptz null
);
create index ticket_solved_at_idx on ticket (solved_at) where solved_at is not null;
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists ticket_solved_at_idx;');
    this.addSql('drop table if exists wall_token;');
  }
}
