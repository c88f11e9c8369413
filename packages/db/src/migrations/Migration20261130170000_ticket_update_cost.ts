import { Migration } from '@mikro-orm/migrations';

/**
 * What a ticket update costs the database.
 *
 * PostgreSQL recomputes every stored generated column on every UPDATE of a table that has a
 * BEFORE ROW UPDATE trigger, whatever columns the update sets (it cannot know which ones the
 * trigger changes). ticket_status_name_follows was such a trigger, so a step that only moved a
 * ticket's assignee rebuilt its search vector, title, description and form text included. The
 * named status now follows the category in the one statement that changes a ticket's status
 * (ticketUpdatePart), and the trigger is gone: an update that leaves the text alone leaves the
 * search vector alone.
 *
 * docket_cjk_grams was a SQL function whose body PostgreSQL cannot inline (it has a FROM), so it
 * was parsed and planned again in every statement that computed a search vector. As PL/pgSQL its
 * plan is made once per connection. Same result for every input.
 */
export class Migration20261130170000_ticket_update_cost extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
drop trigger if exists ticket_status_name_follows on ticket;
drop function if exists ticket_status_name_follows();
create or replace function docket_cjk_grams(t text) returns text
language plpgsql immutable strict parallel safe as $$
begin
  return (select coalesce(string_agg(substr(r[1], i, 2), ' '), '')
            from regexp_matches(t, '[\\u3400-\\u4dbf\\u4e00-\\u9fff\\u3040-\\u30ff\\uac00-\\ud7af]+', 'g') r,
                 generate_series(1, length(r[1])) i);
end $$;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
create or replace function docket_cjk_grams(t text) returns text
language sql immutable strict parallel safe as $$
  select coalesce(string_agg(substr(r[1], i, 2), ' '), '')
    from regexp_matches(t, '[\\u3400-\\u4dbf\\u4e00-\\u9fff\\u3040-\\u30ff\\uac00-\\ud7af]+', 'g') r,
         generate_series(1, length(r[1])) i
$$;
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
}
