import { Migration } from '@mikro-orm/migrations';

/**
 * Satisfaction (CSAT): each template's settings (scale, what a bad rating does, a follow-up step
 * that asks again, how long a link lives) and the ratings asked for and given. A rating link
 * names its row, signed with the server's secret; a given rating cannot be given again.
 */
export class Migration20261130110100_csat extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table csat_policy (
  template_id int not null references ticket_template(id) on delete cascade,
  is_enabled boolean not null default true,
  scale text check (scale in ('five', 'good_bad')) not null default 'five',
  on_bad text check (on_bad in ('nothing', 'reopen', 'notify_manager')) not null default 'nothing',
  after_step text null,
  expires_in_hours int not null default 168,
  updated_at timestamptz not null default now(),
  constraint csat_policy_pkey primary key (template_id)
);
create table csat_rating (
  id bigserial primary key,
  ticket_id bigint not null references ticket(id),
  customer_id int null references customer(id),
  reason text not null,
  scale text check (scale in ('five', 'good_bad')) not null,
  score int null,
  is_bad boolean null,
  comment text null,
  asked_at timestamptz not null default now(),
  expires_at timestamptz not null,
  rated_at timestamptz null
);
create index csat_rating_ticket_idx on csat_rating (ticket_id, id);
create index csat_rating_rated_idx on csat_rating (rated_at);
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists csat_rating, csat_policy cascade;');
  }
}
