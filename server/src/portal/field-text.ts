/** The part of a JSON Schema field that says how its value reads. */
type FieldSchema = {
  title?: string;
  oneOf?: readonly { const?: unknown; title?: string }[];
  anyOf?: readonly { const?: unknown; title?: string }[];
  items?: FieldSchema;
  properties?: Record<string, FieldSchema>;
};

/**
 * A form value as a customer reads it: a choice by its title ("Defective on arrival", not
 * "defective"), several choices joined, a group of fields as "Title: value" pairs; the value
 * itself where the schema names nothing better.
 */
export function fieldText(schema: FieldSchema | undefined, value: unknown): string {
  if (value === null || value === undefined) return '';
  const choices = schema?.oneOf ?? schema?.anyOf;
  const choice = choices?.find((c) => 'const' in c && c.const === value);
  if (choice?.title) return choice.title;
  if (Array.isArray(value)) return value.map((v) => fieldText(schema?.items, v)).join(', ');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(
        ([key, v]) =>
          `${schema?.properties?.[key]?.title ?? key}: ${fieldText(schema?.properties?.[key], v)}`,
      )
      .join('; ');
  return String(value);
}
