import { MikroORM, ormOptions } from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * The entities in packages/db describe the tables the migrations create, exactly: MikroORM's own
 * schema comparison of a freshly migrated database (with the server started on it: pg-boss's
 * schema, the ticket-number sequences of the example templates) against the entities finds
 * nothing to change in the public schema. New migrations are generated from that same comparison
 * (`npm run migration:create -w @docket/db`), so a mismatch here would also end up in the next one.
 */

/**
 * What a migration created that MikroORM neither models nor compares, each with its reason. The
 * test fails when the database has such an object that is not listed here, or lacks one that is.
 */
const NOT_MODELLED = {
  functions: {
    // MikroORM has no notion of triggers or functions.
    // The CJK bigrams the ticket's search vector is generated from (search migration).
    docket_cjk_grams: 'used by the generated column ticket.search',
    // Marks the tickets whose report facts are out of date (report facts migration).
    report_ticket_changed: 'trigger function of report_ticket_event_added and report_ticket_sla_changed',
  },
  triggers: {
    report_ticket_event_added: 'on ticket_event, after insert (statement)',
    report_ticket_sla_changed: 'on ticket_sla, after update (statement)',
  },
} as const;

type IndexRow = { indexname: string; indexdef: string };

/** Indexes the entities state as PostgreSQL prints them, which MikroORM compares by name only. */
async function indexDefinitionMismatches(orm: MikroORM): Promise<string[]> {
  const conn = orm.em.getConnection();
  const rows = (await conn.execute(
    "select indexname, indexdef from pg_indexes where schemaname = 'public'",
  )) as IndexRow[];
  const actual = new Map(rows.map((r) => [r.indexname, r.indexdef]));
  const mismatches: string[] = [];
  for (const meta of Object.values(orm.getMetadata().getAll()))
    for (const index of [...meta.indexes, ...meta.uniques]) {
      if (typeof index.expression !== 'string') continue;
      const found = actual.get(index.name ?? '');
      if (found !== index.expression)
        mismatches.push(
          `${meta.className}: entity says ${index.expression}; database has ${found ?? 'no such index'}`,
        );
    }
  return mismatches;
}

async function unlistedObjects(orm: MikroORM): Promise<{ functions: string[]; triggers: string[] }> {
  const conn = orm.em.getConnection();
  const functions = (
    (await conn.execute(
      "select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by 1",
    )) as { name: string }[]
  ).map((r) => r.name);
  const triggers = (
    (await conn.execute(
      `select t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid
         join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not t.tgisinternal order by 1`,
    )) as { name: string }[]
  ).map((r) => r.name);
  return { functions, triggers };
}

const schemaDiff = async (orm: MikroORM): Promise<string> =>
  (await orm.getSchemaGenerator().getUpdateSchemaSQL({ schema: 'public' })).trim();

describe(`entities match the migrated tables (${databaseKind()})`, () => {
  let s: TestServer;
  /** The entities as migration:create sees them (constraint-only relations included). */
  let schemaOrm: MikroORM;

  beforeAll(async () => {
    s = await startTestServer();
    schemaOrm = await MikroORM.init(ormOptions({ clientUrl: s.db.url, poolSize: 2, isForSchema: true }));
  });
  afterAll(async () => {
    await schemaOrm?.close(true);
    await s?.close();
  });

  it("MikroORM's schema comparison finds nothing to change in the public schema", async () => {
    expect(await schemaDiff(schemaOrm)).toBe('');
  });

  it("the server's ORM differs from it only by the relations that just declare a constraint", async () => {
    expect(await schemaDiff(s.db.orm)).toBe(
      'set names \'utf8\';\n\nalter table "ticket" drop constraint "ticket_status_name_fkey";',
    );
  });

  it('every table has its entity', async () => {
    const tables = (
      await s.sql<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations' order by 1",
      )
    ).map((r) => r.name);
    const entityTables = Object.values(schemaOrm.getMetadata().getAll())
      .map((m) => m.tableName)
      .sort();
    expect(entityTables).toEqual(tables);
    expect(tables).toHaveLength(50);
  });

  it('indexes written out in full match the database word for word', async () => {
    expect(await indexDefinitionMismatches(schemaOrm)).toEqual([]);
  });

  it('what MikroORM does not model is exactly the list above', async () => {
    expect(await unlistedObjects(s.db.orm)).toEqual({
      functions: Object.keys(NOT_MODELLED.functions).sort(),
      triggers: Object.keys(NOT_MODELLED.triggers).sort(),
    });
  });

  it("the server's ORM reads every entity's rows (a ticket with its workflow, tasks, clocks and events included)", async () => {
    const token = await s.login('agent.a@docket.local');
    const created = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id } } }',
      {
        i: {
          templateKey: 'returns',
          title: 'Kettle leaks',
          formData: validReturn,
          requester: { name: 'Lee', email: 'lee@example.com' },
        },
      },
      token,
    );
    expect(created.data!.createTicket.__typename).toBe('Ticket');
    const ticketId = created.data!.createTicket.id;
    const urged = await s.gql(
      'mutation($id: ID!) { urgeTicket(id: $id) { __typename } }',
      { id: ticketId },
      token,
    );
    expect(urged.data!.urgeTicket.__typename).toBe('Urge');
    const apiToken = await s.gql('mutation { createApiToken(name: "Probe") { __typename } }', {}, token);
    expect(apiToken.data!.createApiToken.__typename).toBe('CreatedApiToken');
    // No example workflow calls out (http_request): one outbox row by hand.
    await s.sql(
      `insert into outbound_call (id, idempotency_key, instance_id, request, reply)
       select 'probe', 'probe', id, '{}', '{}' from workflow_instance limit 1`,
    );
    // A plugin with a row in each of its tables, by hand (the plugin suites install real ones).
    await s.sql(
      `insert into plugin (name, display_name, version) values ('probe', 'Probe', '1.0.0');
       insert into plugin_version (plugin, version, manifest, bundle, sha256, source)
         values ('probe', '1.0.0', '{}', 'globalThis.x = 1;', repeat('0', 64), 'upload');
       insert into plugin_kv (plugin, key, value) values ('probe', 'k', '{"v": 1}');
       insert into plugin_log (plugin, version, kind, level, message) values ('probe', '1.0.0', 'log', 'info', 'hello');
       insert into plugin_call (plugin, version, handler, is_ok, duration_ms) values ('probe', '1.0.0', 'node:probe.x', true, 1.5);`,
    );
    await s.sql(
      "insert into plugin_thread (channel, thread_key, plugin, ticket_id) values ('probe.chat', 't1', 'probe', ?)",
      [ticketId],
    );
    await s.sql(
      "insert into plugin_follow_up (plugin, ticket_id, key, follow_up_id) values ('probe', ?, 'k1', ?)",
      [ticketId, ticketId],
    );
    await s.sql(
      "insert into file (id, name, content_type, size, sha256, ticket_id) values ('f_probe', 'probe.txt', 'text/plain', 5, repeat('0', 64), ?)",
      [ticketId],
    );
    // Channels: a kept inbound mail with its attachment, and a user's choice of targets.
    await s.sql(
      `with m as (insert into inbound_message (transport, raw, ticket_id) values ('smtp', 'raw', ?) returning id)
       insert into inbound_attachment (message_id, ticket_id, filename, content_type, size, content)
         select id, ?, 'a.txt', 'text/plain', 1, 'a' from m`,
      [ticketId, ticketId],
    );
    await s.sql(
      "insert into notification_preference (user_id, kind, targets) select id, '*', '[\"email.mail\"]' from app_user limit 1",
    );
    // Satisfaction: a template's settings and a rating asked for (tests/insight/csat.test.ts solves real ones).
    await s.sql(
      `insert into csat_policy (template_id) select id from ticket_template where key = 'returns';
       insert into csat_rating (ticket_id, reason, scale, expires_at) values (${Number(ticketId)}, 'solved', 'five', now());`,
    );
    // Knowledge: an article with a version and a ticket link, a description template, a macro
    // (tests/insight/knowledge.test.ts makes real ones through the API).
    await s.sql(
      `insert into kb_article (id, draft_title, title, body, published_version) values (9001, 'Probe', 'Probe', '', 1);
       insert into kb_article_version (article_id, version, title, body, category_path, visibility) values (9001, 1, 'Probe', '', '', 'internal');
       insert into kb_article_ticket (article_id, ticket_id) values (9001, ${Number(ticketId)});
       insert into description_template (owner_user_id, name, body) select id, 'Probe', 'Hello {{requester.name}}' from app_user limit 1;
       insert into macro (name, reply) values ('Probe', 'Thanks');`,
    );
    // A wall token (tests/wall/wall.test.ts makes real ones through the API).
    await s.sql(
      "insert into wall_token (name, prefix, token_hash, org_unit_id) select 'Probe TV', 'dkw_probe', repeat('0', 64), id from org_unit limit 1",
    );
    // A workflow secret, a failed login and a logout, by hand (tests/security has the real ones).
    await s.sql(
      `insert into workflow_secret (workflow_id, name, sealed) select id, 'probe', 'v1.x.y.z' from workflow limit 1;
       insert into login_throttle (key, failures) values ('account:user:probe@docket.local', 1);
       insert into revoked_session (sid, expires_at) values ('probe', now() + interval '1 hour');`,
    );
    // Report facts, as a report's refresh writes them (tests/insight/report-metrics.test.ts has real ones).
    await s.sql(
      `insert into report_ticket_fact (ticket_id, template_id, template_version_id, org_path, channel, priority,
         created_at, last_event_at, status_ats, status_dones, resolution_seconds, sla_ats, sla_marks)
       select id, template_id, template_version_id, org_path, channel, priority, created_at, created_at,
         array[now()], array[true], array[1.5::float8], array[now()], array['first_response:met']
         from ticket where id = ${Number(ticketId)}`,
    );
    // An invitation, as sendInvitation writes it (tests/admin/invitations.test.ts has real ones).
    await s.sql(
      `insert into user_invitation (user_id, token_hash, expires_at) select id, 'probe', now() + interval '1 day' from app_user limit 1`,
    );
    const em = s.db.orm.em.fork();
    const empty: string[] = [];
    for (const meta of Object.values(s.db.orm.getMetadata().getAll())) {
      const rows = await em.find(meta.class, {}, { limit: 3 });
      if (rows.length === 0) empty.push(meta.tableName);
      for (const row of rows)
        expect(meta.primaryKeys.every((k) => (row as Record<string, unknown>)[k] != null)).toBe(true);
    }
    expect(empty).toEqual([]);
  });

  // Last: it changes the database. The comparison must see each kind of drift.
  it('notices a changed default, check, unique key, foreign key, column and index', async () => {
    await s.sql('alter table ticket alter column description drop default');
    await s.sql('alter table org_unit drop constraint org_unit_kind_check');
    await s.sql('alter table role drop constraint role_key_key');
    await s.sql('alter table team_member drop constraint team_member_user_id_fkey');
    await s.sql('alter table ticket drop constraint ticket_status_name_fkey');
    await s.sql('alter table customer add column nickname text');
    await s.sql('drop index sla_policy_position_idx');
    await s.sql('create index sla_policy_position_idx on sla_policy (position)');
    await s.sql('create function docket_stray() returns int language sql as $$ select 1 $$');
    const diff = await schemaDiff(schemaOrm);
    expect(diff).toMatch(/alter column "description" set default ''/);
    expect(diff).toMatch(/org_unit_kind_check/);
    expect(diff).toMatch(/add constraint "role_key_key" unique \("key"\)/);
    expect(diff).toMatch(/add constraint "team_member_user_id_fkey" foreign key \("user_id"\)/);
    expect(diff).toMatch(
      /add constraint "ticket_status_name_fkey" foreign key \("status_name", "status"\) references "ticket_status" \("name", "category"\)/,
    );
    expect(diff).toMatch(/drop column "nickname"/);
    expect(await indexDefinitionMismatches(schemaOrm)).toEqual([
      expect.stringContaining(
        'database has CREATE INDEX sla_policy_position_idx ON public.sla_policy USING btree ("position")',
      ),
    ]);
    expect((await unlistedObjects(s.db.orm)).functions).toContain('docket_stray');
  });
});
