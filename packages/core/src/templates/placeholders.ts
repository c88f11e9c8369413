/** A placeholder in a description template or macro: {{requester.name}}, {{form.productModel}}. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

/** The names a text's placeholders use, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[1]!))];
}

/**
 * Fills placeholders from `values` by dotted path (requester.name, ticket.number, form.logistics.carrier).
 * Objects and arrays are written as their text values joined by ", "; a placeholder with no value
 * stays as written, so the agent sees what is missing.
 */
export function fillPlaceholders(
  text: string,
  values: Record<string, unknown>,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const filled = text.replace(PLACEHOLDER, (whole, path: string) => {
    let v: unknown = values;
    for (const part of path.split('.'))
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    if (v === undefined || v === null || v === '') {
      missing.push(path);
      return whole;
    }
    return textOf(v);
  });
  return { text: filled, missing: [...new Set(missing)] };
}

function textOf(v: unknown): string {
  if (Array.isArray(v)) return v.map(textOf).join(', ');
  if (v !== null && typeof v === 'object') return Object.values(v).map(textOf).join(', ');
  return String(v);
}
