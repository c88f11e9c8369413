export { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
export * from './database.ts';
export * from './embedded-postgres.ts';
export * from './entities/index.ts';
export * from './job-bus.ts';
