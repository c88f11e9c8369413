import { openDatabase, ormOptions } from './src/database.ts';
import { startEmbeddedPostgres } from './src/embedded-postgres.ts';

/**
 * What the MikroORM CLI (`mikro-orm`, run in packages/db) uses. `npm run migration:create -w
 * @docket/db -- --name=what_changed` compares the entities with a fresh in-memory database built
 * by the listed migrations, and writes the difference as a new migration into src/migrations; no
 * database of yours is read or changed. See packages/db/README.md for the whole workflow.
 */
export default (async () => {
  const embedded = await startEmbeddedPostgres({ isBackground: true });
  // Builds the schema the listed migrations make (then lets go of it; the CLI connects on its own).
  await (await openDatabase({ databaseUrl: embedded.url, poolSize: 2 })).close();
  return ormOptions({ clientUrl: embedded.url, poolSize: 2, isForSchema: true });
})();
