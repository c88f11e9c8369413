export * from './database.ts';
export * from './embedded-postgres.ts';
export * from './entities/index.ts';
export { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
