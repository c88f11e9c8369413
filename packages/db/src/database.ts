import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { DocketDriver } from './docket-driver.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
import { CONSTRAINT_ONLY_RELATIONS, entities } from './entities/index.ts';
import { Migration20261122000001_foundation } from './migrations/Migration20261122000001_foundation.ts';
import { Migration20261123000001_workflows } from './migrations/Migration20261123000001_workflows.ts';
import { Migration20261123000002_sla } from './migrations/Migration20261123000002_sla.ts';
import { Migration20261124000001_statuses } from './migrations/Migration20261124000001_statuses.ts';
import { Migration20261130084115_plugins } from './migrations/Migration20261130084115_plugins.ts';
import { Migration20261130110000_admin_audit } from './migrations/Migration20261130110000_admin_audit.ts';
import { Migration20261130110000_channels } from './migrations/Migration20261130110000_channels.ts';
import { Migration20261130110000_files } from './migrations/Migration20261130110000_files.ts';
import { Migration20261130110000_search } from './migrations/Migration20261130110000_search.ts';
import { Migration20261130110001_hardening } from './migrations/Migration20261130110001_hardening.ts';
import { Migration20261130110100_csat } from './migrations/Migration20261130110100_csat.ts';
import { Migration20261130110200_knowledge } from './migrations/Migration20261130110200_knowledge.ts';
import { Migration20261130140000_wall } from './migrations/Migration20261130140000_wall.ts';
import { Migration20261130150000_report_facts } from './migrations/Migration20261130150000_report_facts.ts';
import { Migration20261130160000_desk_updated_index } from './migrations/Migration20261130160000_desk_updated_index.ts';
import { Migration20261130170000_ticket_update_cost } from './migrations/Migration20261130170000_ticket_update_cost.ts';
import { Migration20261130180852_org_unit_manager } from './migrations/Migration20261130180852_org_unit_manager.ts';
import { Migration20261130211000_ticket_cc } from './migrations/Migration20261130211000_ticket_cc.ts';
import { Migration20261130211001_sla_next_due } from './migrations/Migration20261130211001_sla_next_due.ts';
import { Migration20261130212000_plugin_follow_up } from './migrations/Migration20261130212000_plugin_follow_up.ts';
import { Migration20261201010000_instance_hot_updates } from './migrations/Migration20261201010000_instance_hot_updates.ts';
import { Migration20261201060000_mail_files } from './migrations/Migration20261201060000_mail_files.ts';
import { Migration20261201100000_invitations } from './migrations/Migration20261201100000_invitations.ts';
import { Migration20261201130000_display_names } from './migrations/Migration20261201130000_display_names.ts';
import { DocketNamingStrategy } from './naming-strategy.ts';

/** Every migration in order. Listed, not globbed, so they load the same under tsx, vitest and a bundle. */
export const migrations = [
  { name: 'Migration20261122000001_foundation', class: Migration20261122000001_foundation },
  { name: 'Migration20261123000001_workflows', class: Migration20261123000001_workflows },
  { name: 'Migration20261123000002_sla', class: Migration20261123000002_sla },
  { name: 'Migration20261124000001_statuses', class: Migration20261124000001_statuses },
  { name: 'Migration20261130084115_plugins', class: Migration20261130084115_plugins },
  { name: 'Migration20261130110000_files', class: Migration20261130110000_files },
  { name: 'Migration20261130110000_admin_audit', class: Migration20261130110000_admin_audit },
  { name: 'Migration20261130110000_channels', class: Migration20261130110000_channels },
  { name: 'Migration20261130110000_search', class: Migration20261130110000_search },
  { name: 'Migration20261130110100_csat', class: Migration20261130110100_csat },
  { name: 'Migration20261130110200_knowledge', class: Migration20261130110200_knowledge },
  { name: 'Migration20261130110001_hardening', class: Migration20261130110001_hardening },
  { name: 'Migration20261130140000_wall', class: Migration20261130140000_wall },
  { name: 'Migration20261130150000_report_facts', class: Migration20261130150000_report_facts },
  { name: 'Migration20261130160000_desk_updated_index', class: Migration20261130160000_desk_updated_index },
  { name: 'Migration20261130170000_ticket_update_cost', class: Migration20261130170000_ticket_update_cost },
  { name: 'Migration20261130180852_org_unit_manager', class: Migration20261130180852_org_unit_manager },
  { name: 'Migration20261130211000_ticket_cc', class: Migration20261130211000_ticket_cc },
  { name: 'Migration20261130211001_sla_next_due', class: Migration20261130211001_sla_next_due },
  { name: 'Migration20261130212000_plugin_follow_up', class: Migration20261130212000_plugin_follow_up },
  {
    name: 'Migration20261201010000_instance_hot_updates',
    class: Migration20261201010000_instance_hot_updates,
  },
  { name: 'Migration20261201060000_mail_files', class: Migration20261201060000_mail_files },
  { name: 'Migration20261201100000_invitations', class: Migration20261201100000_invitations },
  { name: 'Migration20261201130000_display_names', class: Migration20261201130000_display_names },
];

export type Database = {
  orm: MikroORM;
  /** The PostgreSQL URL in use (the embedded one's loopback URL when no DATABASE_URL was given). */
  url: string;
  isEmbedded: boolean;
  /** The embedded database's data directory as a tar archive (see OpenDatabaseOptions.loadDataDir). */
  dumpEmbedded?: () => Promise<Blob>;
  close: () => Promise<void>;
};

export type OpenDatabaseOptions = {
  /** A real PostgreSQL. Without it an embedded PGlite starts. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files; omit for in-memory. */
  dataDir?: string;
  /** Start the embedded database from this dump (Database.dumpEmbedded) instead of an empty one. */
  loadDataDir?: Blob;
  /** The embedded database's limit for a connection idle in a transaction (EmbeddedPostgresOptions.idleInTransactionMs). */
  idleInTransactionMs?: number;
  poolSize?: number;
  debug?: boolean;
};

/**
 * MikroORM's settings, shared by the server and the CLI (packages/db/mikro-orm.config.ts): the
 * entities, their naming, and the migrations (listed, run in one transaction, no snapshot: new
 * ones are generated by comparing the entities with a migrated database).
 */
export function ormOptions(options: {
  clientUrl: string;
  poolSize: number;
  debug?: boolean | undefined;
  /**
   * For comparing the entities with a database or generating migrations: keeps the relations
   * that only declare a constraint (CONSTRAINT_ONLY_RELATIONS), which the server's ORM leaves out.
   */
  isForSchema?: boolean;
}): Options {
  return {
    // Its platform inlines bound strings without growing them a character at a time (docket-driver.ts).
    driver: DocketDriver,
    clientUrl: options.clientUrl,
    entities,
    namingStrategy: DocketNamingStrategy,
    discovery: {
      afterDiscovered: (storage) => {
        if (options.isForSchema) return;
        for (const [entity, properties] of Object.entries(CONSTRAINT_ONLY_RELATIONS))
          for (const property of properties) storage.get(entity).removeProperty(property);
      },
    },
    debug: options.debug ?? false,
    logger: (message: string) => {
      if (options.debug) console.log(message);
    },
    allowGlobalContext: false,
    pool: {
      min: 0,
      max: options.poolSize,
      // The server's named prepared statements (a step's or a batch's writes as one statement,
      // the ticket insert) read their rows from one jsonb parameter, whose value tells the planner
      // nothing: a plan made for one value serves every other as well. PostgreSQL would still plan
      // each of a statement's first five runs on a connection anew, and a group transaction's
      // statement takes a new shape with each number of members: planning was a quarter of the
      // database's work on a step. Every plan is made once per statement and connection instead.
      afterCreate: (
        connection: { query: (sql: string, done: (e: Error | null) => void) => void },
        done: (e: Error | null, connection: unknown) => void,
      ) => connection.query('set plan_cache_mode = force_generic_plan', (e) => done(e, connection)),
    },
    // pg-boss keeps its jobs in its own schema.
    schemaGenerator: { ignoreSchema: ['pgboss'] },
    migrations: {
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      // Where `migration:create` writes a new one (then listed above by hand).
      path: fileURLToPath(new URL('./migrations', import.meta.url)),
      emit: 'ts',
    },
    extensions: [Migrator],
  };
}

/** Connects (starting the embedded database when needed) and applies pending migrations. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      ...(options.idleInTransactionMs !== undefined
        ? { idleInTransactionMs: options.idleInTransactionMs }
        : {}),
    });
    url = embedded.url;
  }
  const orm = await MikroORM.init(
    ormOptions({ clientUrl: url, poolSize: options.poolSize ?? (embedded ? 8 : 24), debug: options.debug }),
  );
  await orm.getMigrator().up();
  return {
    orm,
    url,
    isEmbedded: Boolean(embedded),
    ...(embedded ? { dumpEmbedded: embedded.dump } : {}),
    close: async () => {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
