import { UniqueConstraintViolationException } from '@mikro-orm/core';

/** What the server needs of MikroORM beyond the entity manager, so it imports the ORM from one place. */
export {
  type EntityName,
  type FilterQuery,
  type Loaded,
  LockMode,
  type Ref,
  raw,
  ref,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';

/** Whether `e` is PostgreSQL refusing a duplicate in the unique index or constraint named. */
export const isUniqueViolation = (e: unknown, constraint: string): boolean =>
  e instanceof UniqueConstraintViolationException &&
  (e as UniqueConstraintViolationException & { constraint?: string }).constraint === constraint;
