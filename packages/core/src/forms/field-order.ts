/**
 * A form's field order. PostgreSQL's jsonb keeps an object's keys in its own order (shortest
 * first), not the author's, so the order a form was written in is kept where it survives: as
 * rjsf's "ui:order" list in the uiSchema, one per object in the form.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The uiSchema with a "ui:order" for the form and for each object inside it (properties, and the
 * items of arrays) that has none yet, listing the properties in the order the schema holds them
 * now: call it on the form as its author sent it, before it is stored. An order already given is
 * kept. Nothing else changes; the input is not modified.
 */
export function withFieldOrder(formSchema: unknown, uiSchema: unknown): Json {
  const ui: Json = isObject(uiSchema) ? { ...uiSchema } : {};
  if (!isObject(formSchema)) return ui;
  const properties = isObject(formSchema.properties) ? formSchema.properties : undefined;
  if (properties) {
    const keys = Object.keys(properties);
    // "*" stands for fields the base properties do not list (a conditional field's `then`,
    // a field added later): without it rjsf refuses to draw the form once one appears.
    if (!Array.isArray(ui['ui:order']) && keys.length > 1) ui['ui:order'] = [...keys, '*'];
    for (const key of keys) {
      const nested = withFieldOrder(properties[key], ui[key]);
      if (Object.keys(nested).length > 0) ui[key] = nested;
    }
  }
  if (isObject(formSchema.items)) {
    const items = withFieldOrder(formSchema.items, ui.items);
    if (Object.keys(items).length > 0) ui.items = items;
  }
  return ui;
}

/**
 * The keys of a form's object in the order its uiSchema gives ("ui:order", where "*" stands for
 * every key it does not name, in their stored order); the stored order without one.
 */
export function orderedFieldKeys(properties: Json, uiSchema: unknown): string[] {
  const keys = Object.keys(properties);
  const order = isObject(uiSchema) && Array.isArray(uiSchema['ui:order']) ? uiSchema['ui:order'] : null;
  if (!order) return keys;
  const known = (list: unknown[]) =>
    list.filter((k): k is string => typeof k === 'string' && k !== '*' && keys.includes(k));
  const star = order.indexOf('*');
  const before = known(star < 0 ? order : order.slice(0, star));
  const after = star < 0 ? [] : known(order.slice(star + 1));
  const rest = keys.filter((k) => !before.includes(k) && !after.includes(k));
  return [...before, ...rest, ...after];
}

/**
 * The uiSchema with every "ui:order" list open to fields it does not name ("*" appended where
 * missing), for drawing a form: orders stored before "*" was written, or sent without one, name
 * only the base fields, and rjsf refuses to draw a form once a conditional field appears.
 */
export function withOpenFieldOrder<T>(uiSchema: T): T {
  if (Array.isArray(uiSchema)) return uiSchema.map(withOpenFieldOrder) as T;
  if (!isObject(uiSchema)) return uiSchema;
  const out: Json = {};
  for (const [key, value] of Object.entries(uiSchema))
    out[key] =
      key === 'ui:order' && Array.isArray(value) && !value.includes('*')
        ? [...value, '*']
        : withOpenFieldOrder(value);
  return out as T;
}
