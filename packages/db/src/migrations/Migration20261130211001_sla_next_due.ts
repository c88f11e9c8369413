import { Migration } from '@mikro-orm/migrations';

/**
 * The desk's "about to breach" and "breached" views as index range reads. Each ticket's clocks row
 * carries two instants the SLA code writes with the state, in the statements that write it:
 * - next_due_at: the earliest due time of a clock that runs (not ended, paused or breached);
 * - breach_at: the earliest instant a clock that has not ended breached, or will breach while it
 *   runs; the ticket is breached once it is past.
 * (Plain columns, not generated ones: computing them from the JSON in the database cost five
 * times a plain insert of the row; the server has the clocks in hand.) Existing rows are filled
 * once here.
 */
export class Migration20261130211001_sla_next_due extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table ticket_sla add column next_due_at timestamptz, add column breach_at timestamptz;
update ticket_sla s set
  next_due_at = (select min((c.value->>'dueAt')::timestamptz) from jsonb_each(coalesce(s.state->'clocks', '{}'::jsonb)) c
                  where c.value->>'endedAt' is null and c.value->>'pausedAt' is null
                    and c.value->>'breachedAt' is null and c.value->>'dueAt' is not null),
  breach_at = (select min(coalesce((c.value->>'breachedAt')::timestamptz,
                                   case when c.value->>'pausedAt' is null then (c.value->>'dueAt')::timestamptz end))
                 from jsonb_each(coalesce(s.state->'clocks', '{}'::jsonb)) c where c.value->>'endedAt' is null);
create index ticket_sla_next_due_idx on ticket_sla (next_due_at) where next_due_at is not null;
create index ticket_sla_breach_idx on ticket_sla (breach_at) where breach_at is not null;
`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table ticket_sla drop column if exists next_due_at, drop column if exists breach_at;');
  }
}
