import { Migration } from '@mikro-orm/migrations';

/**
 * The desk's "about to breach" and "breached" views as index range reads. Each ticket's clocks row
 * carries two instants computed from its clocks in the statement that writes them (stored
 * generated columns: no trigger, no second write, never out of step):
 * - next_due_at: the earliest due time of a clock that runs (not ended, paused or breached);
 * - breach_at: the earliest instant a clock that has not ended breached, or will breach while it
 *   runs; the ticket is breached once it is past.
 * The functions read ISO instants with their offset, which no setting changes: immutable.
 */
export class Migration20261130211001_sla_next_due extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function docket_sla_next_due(state jsonb) returns timestamptz
  language sql immutable parallel safe
  as $$ select min((c.value->>'dueAt')::timestamptz) from jsonb_each(coalesce(state->'clocks', '{}'::jsonb)) c
        where c.value->>'endedAt' is null and c.value->>'pausedAt' is null
          and c.value->>'breachedAt' is null and c.value->>'dueAt' is not null $$;
create function docket_sla_breach_at(state jsonb) returns timestamptz
  language sql immutable parallel safe
  as $$ select min(coalesce((c.value->>'breachedAt')::timestamptz,
                            case when c.value->>'pausedAt' is null then (c.value->>'dueAt')::timestamptz end))
          from jsonb_each(coalesce(state->'clocks', '{}'::jsonb)) c where c.value->>'endedAt' is null $$;
alter table ticket_sla
  add column next_due_at timestamptz generated always as (docket_sla_next_due(state)) stored,
  add column breach_at timestamptz generated always as (docket_sla_breach_at(state)) stored;
create index ticket_sla_next_due_idx on ticket_sla (next_due_at) where next_due_at is not null;
create index ticket_sla_breach_idx on ticket_sla (breach_at) where breach_at is not null;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
alter table ticket_sla drop column if exists next_due_at, drop column if exists breach_at;
drop function if exists docket_sla_next_due(jsonb);
drop function if exists docket_sla_breach_at(jsonb);
`);
  }
}
