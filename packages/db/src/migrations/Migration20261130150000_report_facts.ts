import { Migration } from '@mikro-orm/migrations';

/**
 * The reports' rollup: one row of facts per ticket (what a report needs of it, the columns data
 * scopes and groupings read, and the instants of what happened to it), so a report over a year
 * scans one narrow table instead of every ticket's audit trail and clocks. Kept incrementally: a
 * statement trigger on the audit trail and on the SLA clocks marks each ticket they change as
 * dirty in the change's own transaction; a report first recomputes the dirty tickets' facts (one
 * statement), so it is never behind. Every existing ticket starts dirty.
 */
export class Migration20261130150000_report_facts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table report_ticket_fact (
  ticket_id bigint primary key references ticket(id) on delete cascade,
  template_id int not null,
  template_version_id int not null,
  team_id int null,
  assignee_id int null,
  creator_user_id int null,
  participant_ids int[] not null default '{}',
  requester_id int null,
  org_path text not null,
  channel text not null,
  priority text not null,
  created_at timestamptz not null,
  last_event_at timestamptz not null,
  first_response_seconds double precision null,
  is_done boolean not null default false,
  status_changed_at timestamptz null,
  status_ats timestamptz[] null,
  status_dones boolean[] null,
  solved_ats timestamptz[] null,
  reopened_ats timestamptz[] null,
  resolution_ats timestamptz[] null,
  resolution_seconds double precision[] null,
  transfer_ats timestamptz[] null,
  return_ats timestamptz[] null,
  reject_ats timestamptz[] null,
  urge_ats timestamptz[] null,
  sla_ats timestamptz[] null,
  sla_marks text[] null
);
create index report_ticket_fact_created_idx on report_ticket_fact (created_at);

-- One row per marking, not per ticket: a marking that met an existing row and did nothing
-- could be swept by a refresh that could not yet see the change behind it, which then stayed
-- out of the facts. Each change's own row outlives any refresh that cannot see it.
create table report_dirty_ticket (
  id bigserial primary key,
  ticket_id bigint not null
);

create function report_ticket_changed() returns trigger language plpgsql as $$
begin
  insert into report_dirty_ticket (ticket_id)
    select distinct ticket_id from changed_rows where ticket_id is not null;
  return null;
end $$;
create trigger report_ticket_event_added after insert on ticket_event
  referencing new table as changed_rows for each statement execute function report_ticket_changed();
create trigger report_ticket_sla_changed after update on ticket_sla
  referencing new table as changed_rows for each statement execute function report_ticket_changed();

insert into report_dirty_ticket (ticket_id) select id from ticket;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists report_ticket_event_added on ticket_event;
drop trigger if exists report_ticket_sla_changed on ticket_sla;
drop function if exists report_ticket_changed();
drop table if exists report_dirty_ticket, report_ticket_fact;`);
  }
}
