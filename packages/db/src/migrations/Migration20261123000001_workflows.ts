import { Migration } from '@mikro-orm/migrations';

/**
 * Workflows: drafts and immutable published versions, the version a template version pins, running
 * instances (the interpreter's state as JSON), human-step tasks, in-app notifications and the
 * outbox of calls to the outside world. Timers live in pg-boss's own schema.
 */
export class Migration20261123000001_workflows extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table workflow (
  id serial primary key,
  key text not null unique,
  name text not null,
  draft jsonb not null,
  latest_version int not null default 0,
  created_by int references app_user(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table workflow_version (
  id serial primary key,
  workflow_id int not null references workflow(id),
  version int not null,
  graph jsonb not null,
  published_by int references app_user(id),
  published_at timestamptz not null default now(),
  unique (workflow_id, version)
);

alter table ticket_template_version add column workflow_version_id int references workflow_version(id);
alter table ticket add column custom_fields jsonb not null default '{}';
-- Staff who held one of the ticket's workflow tasks keep seeing it (see canSeeTicket).
alter table ticket add column participant_ids int[] not null default '{}';
create index ticket_participants_idx on ticket using gin (participant_ids);

create table workflow_instance (
  id uuid primary key,
  ticket_id bigint references ticket(id),
  parent_instance_id uuid references workflow_instance(id),
  parent_reply jsonb,
  workflow_version_id int not null references workflow_version(id),
  status text not null check (status in ('waiting', 'failed', 'completed', 'cancelled')),
  state jsonb not null,
  seq int not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index workflow_instance_ticket_idx on workflow_instance (ticket_id);
create index workflow_instance_version_idx on workflow_instance (workflow_version_id) where status in ('waiting', 'failed');
create index workflow_instance_failed_idx on workflow_instance (updated_at) where status = 'failed';

create table workflow_task (
  id text primary key,
  instance_id uuid not null references workflow_instance(id),
  ticket_id bigint references ticket(id),
  node_id text not null,
  title text not null,
  status text not null check (status in ('open', 'completed', 'returned', 'rejected', 'cancelled')),
  assignee_user_id int references app_user(id),
  team_id int references team(id),
  role_id int references role(id),
  org_unit_id int references org_unit(id),
  cc jsonb not null default '[]',
  form_schema jsonb not null,
  ui_schema jsonb,
  actions text[] not null,
  origin jsonb,
  due_at timestamptz,
  is_overdue boolean not null default false,
  output jsonb,
  closed_by int references app_user(id),
  close_reason text,
  created_at timestamptz not null default now(),
  closed_at timestamptz
);
create index workflow_task_assignee_idx on workflow_task (assignee_user_id, created_at) where status = 'open';
create index workflow_task_team_idx on workflow_task (team_id, created_at) where status = 'open';
create index workflow_task_role_idx on workflow_task (role_id, created_at) where status = 'open';
create index workflow_task_org_idx on workflow_task (org_unit_id, created_at) where status = 'open';
create index workflow_task_ticket_idx on workflow_task (ticket_id);
create index workflow_task_team_recent_idx on workflow_task (team_id, assignee_user_id, created_at desc);

create table notification (
  id bigserial primary key,
  idempotency_key text not null,
  recipient text not null,
  user_id int references app_user(id),
  customer_id int references customer(id),
  ticket_id bigint references ticket(id),
  channel text not null,
  subject text,
  body text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  unique (idempotency_key, recipient)
);
create index notification_user_idx on notification (user_id, id desc) where user_id is not null;

create table outbound_call (
  id text primary key,
  idempotency_key text not null,
  instance_id uuid not null references workflow_instance(id),
  request jsonb not null,
  reply jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'done')),
  response jsonb,
  created_at timestamptz not null default now(),
  done_at timestamptz
);
`);
  }

  override async down(): Promise<void> {
    this.addSql(
      'drop table if exists outbound_call, notification, workflow_task, workflow_instance, workflow_version, workflow cascade;',
    );
    this.addSql(
      'alter table ticket drop column if exists custom_fields, drop column if exists participant_ids;',
    );
    this.addSql('alter table ticket_template_version drop column if exists workflow_version_id;');
  }
}
