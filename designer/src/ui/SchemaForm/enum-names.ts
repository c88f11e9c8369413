type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The uiSchema with a "ui:enumNames" for every `enum` whose schema names its values the older way
 * (`enumNames` beside `enum`), in properties and array items at any depth. rjsf reads the names
 * only from the uiSchema: without this such a choice shows its raw keys ("repair"), on the desk's
 * form view too. Names the uiSchema gives already stay.
 */
export function withSchemaEnumNames(schema: unknown, uiSchema: unknown): unknown {
  if (!isObject(schema)) return uiSchema;
  const ui: Json = isObject(uiSchema) ? uiSchema : {};
  let out: Json | undefined;
  const set = (key: string, value: unknown) => {
    if (value === ui[key]) return;
    out ??= { ...ui };
    out[key] = value;
  };
  const names = schema.enumNames;
  if (
    Array.isArray(schema.enum) &&
    Array.isArray(names) &&
    ui['ui:enumNames'] === undefined &&
    (!isObject(ui['ui:options']) || ui['ui:options'].enumNames === undefined)
  )
    set('ui:enumNames', names);
  if (isObject(schema.properties))
    for (const [key, property] of Object.entries(schema.properties)) {
      const inner = withSchemaEnumNames(property, ui[key]);
      if (inner !== undefined) set(key, inner);
    }
  if (isObject(schema.items)) {
    const inner = withSchemaEnumNames(schema.items, ui.items);
    if (inner !== undefined) set('items', inner);
  }
  return out ?? uiSchema;
}
