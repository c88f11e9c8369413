import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
import { entities } from './entities/index.ts';
import { Migration20261122000001_foundation } from './migrations/Migration20261122000001_foundation.ts';
import { Migration20261123000001_workflows } from './migrations/Migration20261123000001_workflows.ts';
import { Migration20261123000002_sla } from './migrations/Migration20261123000002_sla.ts';
import { Migration20261124000001_statuses } from './migrations/Migration20261124000001_statuses.ts';

/** Every migration in order. Listed, not globbed, so they load the same under tsx, vitest and a bundle. */
export const migrations = [
  { name: 'Migration20261122000001_foundation', class: Migration20261122000001_foundation },
  { name: 'Migration20261123000001_workflows', class: Migration20261123000001_workflows },
  { name: 'Migration20261123000002_sla', class: Migration20261123000002_sla },
  { name: 'Migration20261124000001_statuses', class: Migration20261124000001_statuses },
];

export type Database = {
  orm: MikroORM;
  /** The PostgreSQL URL in use (the embedded one's loopback URL when no DATABASE_URL was given). */
  url: string;
  isEmbedded: boolean;
  close: () => Promise<void>;
};

export type OpenDatabaseOptions = {
  /** A real PostgreSQL. Without it an embedded PGlite starts. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files; omit for in-memory. */
  dataDir?: string;
  poolSize?: number;
  debug?: boolean;
};

/** Connects (starting the embedded database when needed) and applies pending migrations. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(options.dataDir ? { dataDir: options.dataDir } : {});
    url = embedded.url;
  }
  const orm = await MikroORM.init({
    clientUrl: url,
    entities,
    discovery: { warnWhenNoEntities: false },
    debug: options.debug ?? false,
    logger: (message) => {
      if (options.debug) console.log(message);
    },
    allowGlobalContext: false,
    pool: { min: 0, max: options.poolSize ?? (embedded ? 8 : 24) },
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false },
    extensions: [Migrator],
  });
  await orm.getMigrator().up();
  return {
    orm,
    url,
    isEmbedded: Boolean(embedded),
    close: async () => {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
