import { Migration } from '@mikro-orm/migrations';

/**
 * SLA: business calendars and ordered policies (each kept as the JSON the core validates), the
 * clocks of each ticket (the SLA engine's state as one JSON document, locked per ticket while it
 * changes) and the urges (催单) people made. Timers live in pg-boss's own schema.
 */
export class Migration20261123000002_sla extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table business_calendar (
  id serial primary key,
  key text not null unique,
  name text not null,
  definition jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table sla_policy (
  id serial primary key,
  name text not null,
  position int not null,
  definition jsonb not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index sla_policy_position_idx on sla_policy (position, id) where is_active;

create table ticket_sla (
  ticket_id bigint primary key references ticket(id),
  policy_id int references sla_policy(id),
  state jsonb not null,
  updated_at timestamptz not null default now()
);

create table ticket_urge (
  id bigserial primary key,
  ticket_id bigint not null references ticket(id),
  urged_by text not null,
  step_id text not null,
  note text,
  urged_at timestamptz not null,
  notified int[] not null default '{}'
);
create index ticket_urge_ticket_idx on ticket_urge (ticket_id, id);
`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists ticket_urge, ticket_sla, sla_policy, business_calendar cascade;');
  }
}
