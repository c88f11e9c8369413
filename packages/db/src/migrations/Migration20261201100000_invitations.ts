import { Migration } from '@mikro-orm/migrations';

/**
 * Invitations: an admin invites a staff member, who sets their own password through a link. The
 * link carries a random token signed with the server's secret; only its SHA-256 is kept. A link
 * is used once, expires, and is withdrawn when a newer one is sent (revoked_at).
 */
export class Migration20261201100000_invitations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table user_invitation (
  id bigserial primary key,
  user_id int not null references app_user(id) on delete cascade,
  token_hash text not null,
  created_by int null references app_user(id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz null,
  revoked_at timestamptz null,
  constraint user_invitation_token_hash_key unique (token_hash)
);
create index user_invitation_pending_idx on user_invitation (user_id) where used_at is null and revoked_at is null;
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists user_invitation cascade;');
  }
}
