import { Migration } from '@mikro-orm/migrations';

/**
 * Named ticket statuses: "Waiting for parts", "Awaiting customer reply". Each belongs to one of the
 * six status categories, which drive everything else (lists, SLA clocks); an SLA policy may pause
 * its clocks in statuses it names. A ticket's status_name is one of them, or null (the category
 * alone). A name is its key: it cannot change (policies and clock states name it); a status
 * that is no longer wanted is deactivated.
 */
export class Migration20261124000001_statuses extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table ticket_status (
  id serial primary key,
  name text not null unique,
  category text not null check (category in ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
  position int not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (name, category)
);
alter table ticket add column status_name text;
-- A ticket's named status belongs to its category.
alter table ticket add constraint ticket_status_name_fkey
  foreign key (status_name, status) references ticket_status (name, category);
-- Moving a ticket to another category without naming a status leaves the old name behind.
create function ticket_status_name_follows() returns trigger language plpgsql as $$
begin
  if new.status is distinct from old.status and new.status_name is not distinct from old.status_name then
    new.status_name := null;
  end if;
  return new;
end $$;
create trigger ticket_status_name_follows before update of status on ticket
  for each row execute function ticket_status_name_follows();
`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists ticket_status_name_follows on ticket;
drop function if exists ticket_status_name_follows();
alter table ticket drop column if exists status_name;
drop table if exists ticket_status;`);
  }
}
