export { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
export * from './after-commit.ts';
export * from './database.ts';
export * from './embedded-postgres.ts';
export * from './entities/index.ts';
export * from './job-bus.ts';
export * from './orm.ts';
export * from './sql.ts';
export * from './write-batcher.ts';
