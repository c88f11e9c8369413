/**
 * An index the entity states as PostgreSQL prints it (`pg_get_indexdef`): partial, expression and
 * descending indexes, and other access methods, which MikroORM's own index options cannot express.
 * MikroORM creates it from this text and compares such indexes by name only, so the entity/table
 * test also compares the text with the database's own definition.
 */
export function indexDefinition(definition: string): { name: string; expression: string } {
  const name = /^CREATE (?:UNIQUE )?INDEX (\S+) ON /.exec(definition)?.[1];
  if (!name) throw new Error(`Not an index definition as PostgreSQL prints it: ${definition}`);
  return { name, expression: definition };
}
