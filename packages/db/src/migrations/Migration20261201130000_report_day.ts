import { Migration } from '@mikro-orm/migrations';

/**
 * The reports' day rollup: per day (in the zone report_day_zone names, the server's
 * DOCKET_TIME_ZONE) and per template, version (its category), team, agent, org unit path, channel
 * and priority, the counts that add up over days: created, solved, reopened, transfers, returns,
 * rejects, urges and the SLA targets met and breached per metric. A ticket solved (or reopened)
 * again adds a `_repeat` row on the later day keyed by the earlier one's day (prev_day), so a
 * period counts each ticket once: its solves in the period less the repeats whose earlier solve
 * is in it too. Kept by the refresh of the ticket facts (server/src/reports): each refreshed
 * ticket's old facts taken off and its new ones added in the same statement. Built from the facts
 * at the first refresh after this migration, and again whenever the zone changes (the zone is not
 * known here).
 */
export class Migration20261201130000_report_day extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table report_day (
  day date not null,
  prev_day date not null,
  template_id int not null,
  template_version_id int not null,
  team_id int not null,
  assignee_id int not null,
  org_path text not null,
  channel text not null,
  priority text not null,
  created int not null default 0,
  solved int not null default 0,
  solved_repeat int not null default 0,
  reopened int not null default 0,
  reopened_repeat int not null default 0,
  transfers int not null default 0,
  returns int not null default 0,
  rejects int not null default 0,
  urges int not null default 0,
  first_response_met int not null default 0,
  first_response_breached int not null default 0,
  next_response_met int not null default 0,
  next_response_breached int not null default 0,
  periodic_update_met int not null default 0,
  periodic_update_breached int not null default 0,
  resolution_met int not null default 0,
  resolution_breached int not null default 0,
  constraint report_day_pkey primary key (day, prev_day, template_id, template_version_id, team_id,
    assignee_id, org_path, channel, priority)
);
create table report_day_zone (zone text primary key);
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists report_day, report_day_zone;');
  }
}
