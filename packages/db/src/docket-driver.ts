import { type Configuration, PostgreSqlDriver, PostgreSqlPlatform } from '@mikro-orm/postgresql';

/**
 * A string as a PostgreSQL literal, exactly as node-postgres's escapeLiteral writes it (quotes
 * doubled; with a backslash, an E'' string with backslashes doubled), but built by whole-string
 * replaces: escapeLiteral grows its result one character at a time, and MikroORM inlines every
 * bound string through it, so a timer batch's clock states and audit rows (kilobytes of JSON per
 * ticket) became tens of kilobytes of short-lived strings each, which is what the server's heap
 * grew by while thousands of SLA timers fired in a minute.
 */
export function escapeLiteral(value: string): string {
  const quoted = value.includes("'") ? value.replace(/'/g, "''") : value;
  if (!value.includes('\\')) return `'${quoted}'`;
  return ` E'${quoted.replace(/\\/g, '\\\\')}'`;
}

/** PostgreSQL's platform with the literal escape above; everything else as MikroORM has it. */
export class DocketPlatform extends PostgreSqlPlatform {
  override escape(value: unknown): string {
    return typeof value === 'string' ? escapeLiteral(value) : super.escape(value);
  }
}

/** MikroORM's PostgreSQL driver on DocketPlatform (the connections take the driver's platform). */
export class DocketDriver extends PostgreSqlDriver {
  constructor(config: Configuration) {
    super(config);
    (this as unknown as { platform: PostgreSqlPlatform }).platform = new DocketPlatform();
  }
}
