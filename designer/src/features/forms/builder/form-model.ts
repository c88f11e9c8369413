/*
 * The form builder's model of a form, and its JSON Schema + uiSchema, both ways. The builder
 * edits a list of fields (kind, title, rules, choices, section, condition); the template stores
 * JSON Schema and a uiSchema. toSchemas writes them; fromSchemas reads them back, keeping what
 * it does not model (hand-written keywords) as it was, so editing the JSON by hand loses nothing.
 * A field shown only under a condition sits in an `allOf` entry `{ if, then: { properties } }`:
 * rjsf shows it exactly when the server's ajv requires and checks it. Pure: no React.
 */
import { PATTERN_MESSAGE_KEY } from '../../../ui/SchemaForm/error-messages.ts';
import type { Rule, RuleGroup } from '../../workflows/conditions/rule-cel.ts';
import { conditionFromSchema, conditionToSchema } from './conditions.ts';
import type { BuilderField, Choice, FieldKind, FormModel, Json, Section } from './form-fields.ts';

export {
  type BuilderField,
  type Choice,
  FIELD_KINDS,
  type FieldKind,
  type FormModel,
  type Json,
  type Section,
} from './form-fields.ts';

export const emptyModel = (): FormModel => ({
  fields: [],
  sections: [],
  extra: { schema: {}, allOf: [], uiSchema: {} },
});

const WIDGET_OF: Partial<Record<FieldKind, string>> = {
  textarea: 'textarea',
  money: 'money',
  radio: 'radio',
  checkboxes: 'checkboxes',
  cascader: 'cascader',
  tree: 'tree',
  phone: 'phone',
  email: 'email',
  files: 'files',
  richtext: 'richtext',
  user: 'user',
  orgUnit: 'orgUnit',
};

const KIND_OF_WIDGET = new Map(
  Object.entries(WIDGET_OF).map(([kind, widget]) => [widget, kind as FieldKind]),
);

/** Kinds whose value is text (length and pattern rules apply). */
export const TEXT_KINDS: readonly FieldKind[] = ['text', 'textarea', 'phone', 'email', 'richtext'];
/** Kinds whose value is a number (range rules apply). */
export const NUMBER_KINDS: readonly FieldKind[] = ['number', 'money'];
/** Kinds with a flat list of choices. */
export const CHOICE_KINDS: readonly FieldKind[] = ['select', 'radio', 'checkboxes'];
/** Kinds with a tree of choices. */
export const TREE_KINDS: readonly FieldKind[] = ['cascader', 'tree'];
/** Kinds whose value is a list (required means at least one). */
const LIST_KINDS: readonly FieldKind[] = ['checkboxes', 'cascader', 'files'];

export const PHONE_PATTERN = '^\\+?[0-9][0-9 -]{5,19}$';

const flatValues = (choices: readonly Choice[] | undefined): string[] =>
  (choices ?? []).flatMap((c) => [c.value, ...flatValues(c.children)]);

const oneOfChoices = (choices: readonly Choice[] | undefined) =>
  (choices ?? []).map((c) => ({ const: c.value, title: c.label }));

/** A field's own JSON Schema (what its value must be). */
export function fieldSchema(f: BuilderField): Json {
  const s: Json = { title: f.title };
  if (f.help) s.description = f.help;
  switch (f.kind) {
    case 'text':
    case 'textarea':
    case 'richtext':
    case 'phone':
    case 'email':
      s.type = 'string';
      if (f.kind === 'email') s.format = 'email';
      if (f.minLength !== undefined) s.minLength = f.minLength;
      else if (f.isRequired) s.minLength = 1;
      if (f.maxLength !== undefined) s.maxLength = f.maxLength;
      if (f.pattern) s.pattern = f.pattern;
      if (f.pattern && f.patternMessage) s[PATTERN_MESSAGE_KEY] = f.patternMessage;
      break;
    case 'number':
    case 'money':
      s.type = 'number';
      if (f.minimum !== undefined) s.minimum = f.minimum;
      if (f.maximum !== undefined) s.maximum = f.maximum;
      break;
    case 'date':
      s.type = 'string';
      s.format = 'date';
      break;
    case 'datetime':
      s.type = 'string';
      s.format = 'date-time';
      break;
    case 'select':
    case 'radio':
      s.type = 'string';
      s.oneOf = oneOfChoices(f.choices);
      break;
    case 'checkboxes':
      s.type = 'array';
      s.uniqueItems = true;
      s.items = { type: 'string', oneOf: oneOfChoices(f.choices) };
      break;
    case 'cascader':
      s.type = 'array';
      s.items = { type: 'string', enum: flatValues(f.choices) };
      break;
    case 'tree':
      s.type = 'string';
      s.enum = flatValues(f.choices);
      break;
    case 'files':
      s.type = 'array';
      s.items = {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          size: { type: 'integer' },
          contentType: { type: 'string' },
        },
      };
      break;
    case 'user':
    case 'orgUnit':
      s.type = 'string';
      break;
  }
  if (LIST_KINDS.includes(f.kind) && f.isRequired) s.minItems = 1;
  if (f.default !== undefined && f.default !== '') s.default = f.default;
  return s;
}

/** A field's uiSchema entry. */
export function fieldUiSchema(f: BuilderField): Json {
  const ui: Json = {};
  const widget = WIDGET_OF[f.kind];
  if (widget) ui['ui:widget'] = widget;
  if (f.placeholder) ui['ui:placeholder'] = f.placeholder;
  const options: Json = {};
  if (TREE_KINDS.includes(f.kind)) options.options = f.choices ?? [];
  if (f.kind === 'cascader') options.changeOnSelect = true;
  if (f.section) options.section = f.section;
  if (Object.keys(options).length > 0) ui['ui:options'] = options;
  return ui;
}

/** The form's JSON Schema and uiSchema. */
export function toSchemas(model: FormModel): { schema: Json; uiSchema: Json } {
  const properties: Json = {};
  const required: string[] = [];
  const conditional: unknown[] = [];
  const uiSchema: Json = { ...model.extra.uiSchema };
  for (const f of model.fields) {
    const kept = model.extra.uiSchema[f.key];
    uiSchema[f.key] = { ...(isObject(kept) ? kept : {}), ...fieldUiSchema(f) };
    if (Object.keys(uiSchema[f.key] as Json).length === 0) delete uiSchema[f.key];
    if (f.condition && f.condition.rules.length > 0) {
      conditional.push({
        if: conditionToSchema(f.condition, model.fields),
        then: { properties: { [f.key]: fieldSchema(f) }, ...(f.isRequired ? { required: [f.key] } : {}) },
      });
      continue;
    }
    properties[f.key] = fieldSchema(f);
    if (f.isRequired) required.push(f.key);
  }
  const schema: Json = { ...model.extra.schema, type: 'object', properties };
  if (required.length > 0) schema.required = required;
  else delete schema.required;
  const allOf = [...conditional, ...model.extra.allOf];
  if (allOf.length > 0) schema.allOf = allOf;
  else delete schema.allOf;
  uiSchema['ui:order'] = [...model.fields.map((f) => f.key), '*'];
  const rootOptions = isObject(uiSchema['ui:options']) ? { ...(uiSchema['ui:options'] as Json) } : {};
  if (model.sections.length > 0) rootOptions.sections = model.sections;
  else delete rootOptions.sections;
  if (Object.keys(rootOptions).length > 0) uiSchema['ui:options'] = rootOptions;
  else delete uiSchema['ui:options'];
  return { schema, uiSchema };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function choicesFromOneOf(list: unknown): Choice[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Choice[] = [];
  for (const c of list) {
    if (!isObject(c) || !('const' in c)) return undefined;
    out.push({ value: String(c.const), label: typeof c.title === 'string' ? c.title : String(c.const) });
  }
  return out;
}

function choicesFromEnum(list: unknown): Choice[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((v) => ({ value: String(v), label: String(v) }));
}

function treeChoices(v: unknown): Choice[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((c): Choice[] => {
    if (!isObject(c) || typeof c.value !== 'string') return [];
    const children = treeChoices(c.children);
    return [
      {
        value: c.value,
        label: typeof c.label === 'string' ? c.label : c.value,
        ...(children.length > 0 ? { children } : {}),
      },
    ];
  });
}

/** The field kind a property's schema and uiSchema describe. */
export function kindOf(s: Json, ui: Json): FieldKind {
  const widget = typeof ui['ui:widget'] === 'string' ? ui['ui:widget'] : undefined;
  const byWidget = widget ? KIND_OF_WIDGET.get(widget) : undefined;
  if (byWidget) return byWidget;
  if (s.type === 'number' || s.type === 'integer') return 'number';
  if (s.type === 'array') return 'checkboxes';
  if (s.format === 'date') return 'date';
  if (s.format === 'date-time') return 'datetime';
  if (s.format === 'email') return 'email';
  if (Array.isArray(s.oneOf) || Array.isArray(s.enum)) return 'select';
  return 'text';
}

/** Reads one property back as a builder field. */
export function fieldFromSchema(key: string, s: Json, ui: Json, isRequired: boolean): BuilderField {
  const kind = kindOf(s, ui);
  const f: BuilderField = { key, kind, title: typeof s.title === 'string' ? s.title : key, isRequired };
  if (typeof s.description === 'string' && s.description) f.help = s.description;
  if (typeof ui['ui:placeholder'] === 'string' && ui['ui:placeholder']) f.placeholder = ui['ui:placeholder'];
  if (typeof s.minLength === 'number' && !(isRequired && s.minLength === 1)) f.minLength = s.minLength;
  if (typeof s.maxLength === 'number') f.maxLength = s.maxLength;
  if (typeof s.minimum === 'number') f.minimum = s.minimum;
  if (typeof s.maximum === 'number') f.maximum = s.maximum;
  if (typeof s.pattern === 'string') f.pattern = s.pattern;
  if (typeof s[PATTERN_MESSAGE_KEY] === 'string') f.patternMessage = s[PATTERN_MESSAGE_KEY];
  if (s.default !== undefined) f.default = s.default;
  const options = isObject(ui['ui:options']) ? ui['ui:options'] : {};
  if (typeof options.section === 'string') f.section = options.section;
  if (CHOICE_KINDS.includes(kind)) {
    const source = kind === 'checkboxes' && isObject(s.items) ? s.items : s;
    f.choices = choicesFromOneOf(source.oneOf) ?? choicesFromEnum(source.enum) ?? [];
  }
  if (TREE_KINDS.includes(kind)) f.choices = treeChoices(options.options);
  return f;
}

const MODELLED_ROOT = new Set(['type', 'properties', 'required', 'allOf']);
const MODELLED_FIELD_UI = new Set(['ui:widget', 'ui:placeholder', 'ui:options']);

/** Reads a form's JSON Schema and uiSchema as the builder's model. */
export function fromSchemas(schemaIn: unknown, uiSchemaIn: unknown): FormModel {
  const schema = isObject(schemaIn) ? schemaIn : {};
  const uiSchema = isObject(uiSchemaIn) ? uiSchemaIn : {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields: BuilderField[] = [];
  const uiOf = (key: string) => (isObject(uiSchema[key]) ? (uiSchema[key] as Json) : {});
  for (const [key, s] of Object.entries(properties))
    if (isObject(s)) fields.push(fieldFromSchema(key, s, uiOf(key), required.has(key)));
  const extraAllOf: unknown[] = [];
  for (const entry of Array.isArray(schema.allOf) ? schema.allOf : []) {
    const read = conditionalField(entry, uiOf);
    if (read && !fields.some((f) => f.key === read.key)) fields.push(read);
    else extraAllOf.push(entry);
  }
  const order = Array.isArray(uiSchema['ui:order']) ? uiSchema['ui:order'].map(String) : [];
  const position = (key: string) => {
    const i = order.indexOf(key);
    return i === -1 ? order.length : i;
  };
  const original = new Map(fields.map((f, i) => [f.key, i]));
  fields.sort((a, b) => position(a.key) - position(b.key) || original.get(a.key)! - original.get(b.key)!);

  const extraSchema: Json = {};
  for (const [k, v] of Object.entries(schema)) if (!MODELLED_ROOT.has(k)) extraSchema[k] = v;
  const extraUi: Json = {};
  for (const [k, v] of Object.entries(uiSchema)) {
    if (k === 'ui:order') continue;
    if (k === 'ui:options' && isObject(v)) {
      const { sections: _sections, ...rest } = v;
      if (Object.keys(rest).length > 0) extraUi[k] = rest;
      continue;
    }
    if (fields.some((f) => f.key === k) && isObject(v)) {
      const rest = Object.fromEntries(Object.entries(v).filter(([uk]) => !MODELLED_FIELD_UI.has(uk)));
      if (Object.keys(rest).length > 0) extraUi[k] = rest;
      continue;
    }
    extraUi[k] = v;
  }
  const rootOptions = isObject(uiSchema['ui:options']) ? uiSchema['ui:options'] : {};
  const sections = Array.isArray(rootOptions.sections)
    ? rootOptions.sections.flatMap((s): Section[] =>
        isObject(s) && typeof s.key === 'string'
          ? [{ key: s.key, title: typeof s.title === 'string' ? s.title : s.key }]
          : [],
      )
    : [];
  return { fields, sections, extra: { schema: extraSchema, allOf: extraAllOf, uiSchema: extraUi } };
}

/** An allOf entry the builder wrote for a conditional field, read back (else undefined). */
function conditionalField(entry: unknown, uiOf: (key: string) => Json): BuilderField | undefined {
  if (!isObject(entry) || !isObject(entry.if) || !isObject(entry.then)) return undefined;
  if (Object.keys(entry).some((k) => k !== 'if' && k !== 'then')) return undefined;
  const then = entry.then;
  const props = isObject(then.properties) ? then.properties : undefined;
  if (!props || Object.keys(then).some((k) => k !== 'properties' && k !== 'required')) return undefined;
  const keys = Object.keys(props);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  const s = props[key];
  if (!isObject(s)) return undefined;
  const condition = conditionFromSchema(entry.if);
  if (!condition) return undefined;
  const isRequired = Array.isArray(then.required) && then.required.includes(key);
  return { ...fieldFromSchema(key, s, uiOf(key), isRequired), condition };
}

// ---------------------------------------------------------------------------------------------
// Edits (pure: each returns a new model)

/** A key not yet used: "<base>", "<base>2", … (letters, digits and _ only). */
export function freshKey(model: FormModel, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_]/g, '') || 'field';
  const start = /^[A-Za-z_]/.test(clean) ? clean : `f${clean}`;
  const taken = new Set(model.fields.map((f) => f.key));
  if (!taken.has(start)) return start;
  for (let i = 2; ; i++) if (!taken.has(`${start}${i}`)) return `${start}${i}`;
}

export function newField(model: FormModel, kind: FieldKind, title: string): BuilderField {
  const f: BuilderField = { key: freshKey(model, kind), kind, title, isRequired: false };
  if (CHOICE_KINDS.includes(kind))
    f.choices = [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
    ];
  if (TREE_KINDS.includes(kind))
    f.choices = [
      { value: 'a', label: 'A', children: [{ value: 'a1', label: 'A1' }] },
      { value: 'b', label: 'B' },
    ];
  if (kind === 'phone') f.pattern = PHONE_PATTERN;
  return f;
}

export function addField(model: FormModel, field: BuilderField, index = model.fields.length): FormModel {
  const fields = [...model.fields];
  fields.splice(index, 0, field);
  return { ...model, fields };
}

export function updateField(model: FormModel, key: string, patch: Partial<BuilderField>): FormModel {
  return {
    ...model,
    fields: model.fields.map((f) => {
      if (f.key !== key) return f;
      const next = { ...f, ...patch };
      for (const k of Object.keys(patch) as (keyof BuilderField)[])
        if (patch[k] === undefined) delete next[k];
      return next;
    }),
  };
}

/** Renames a field's key, and the conditions that test it. */
export function renameField(model: FormModel, from: string, to: string): FormModel {
  if (from === to || model.fields.some((f) => f.key === to)) return model;
  const rename = (g: RuleGroup): RuleGroup => ({
    ...g,
    rules: g.rules.map((r) => ('rules' in r ? rename(r) : r.field === from ? { ...r, field: to } : r)),
  });
  return {
    ...model,
    fields: model.fields.map((f) => ({
      ...f,
      ...(f.key === from ? { key: to } : {}),
      ...(f.condition ? { condition: rename(f.condition) } : {}),
    })),
  };
}

/** Removes a field, and the rules of other fields' conditions that test it. */
export function removeField(model: FormModel, key: string): FormModel {
  const prune = (g: RuleGroup): RuleGroup => ({
    ...g,
    rules: g.rules.flatMap((r): (Rule | RuleGroup)[] =>
      'rules' in r ? [prune(r)] : r.field === key ? [] : [r],
    ),
  });
  return {
    ...model,
    fields: model.fields
      .filter((f) => f.key !== key)
      .map((f) => {
        if (!f.condition) return f;
        const condition = prune(f.condition);
        if (condition.rules.length > 0) return { ...f, condition };
        const { condition: _gone, ...rest } = f;
        return rest;
      }),
  };
}

export function moveField(model: FormModel, from: number, to: number): FormModel {
  if (from === to || from < 0 || from >= model.fields.length) return model;
  const fields = [...model.fields];
  const [moved] = fields.splice(from, 1);
  fields.splice(Math.max(0, Math.min(to, fields.length)), 0, moved!);
  return { ...model, fields };
}

export function addSection(model: FormModel, title: string): FormModel {
  const taken = new Set(model.sections.map((s) => s.key));
  let i = model.sections.length + 1;
  while (taken.has(`s${i}`)) i++;
  return { ...model, sections: [...model.sections, { key: `s${i}`, title }] };
}

export function removeSection(model: FormModel, key: string): FormModel {
  return {
    ...model,
    sections: model.sections.filter((s) => s.key !== key),
    fields: model.fields.map((f) => {
      if (f.section !== key) return f;
      const { section: _gone, ...rest } = f;
      return rest;
    }),
  };
}

/** Problems that make the form unusable, by field key (an empty title, a duplicate choice…). */
export function fieldProblems(model: FormModel): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (key: string, code: string) => {
    out[key] = [...(out[key] ?? []), code];
  };
  const seen = new Set<string>();
  for (const f of model.fields) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.key)) add(f.key, 'badKey');
    if (seen.has(f.key)) add(f.key, 'duplicateKey');
    seen.add(f.key);
    if (!f.title.trim()) add(f.key, 'noTitle');
    if ((CHOICE_KINDS.includes(f.kind) || TREE_KINDS.includes(f.kind)) && (f.choices ?? []).length === 0)
      add(f.key, 'noChoices');
    const values = flatValues(f.choices);
    if (new Set(values).size !== values.length) add(f.key, 'duplicateChoice');
    if (f.pattern) {
      try {
        new RegExp(f.pattern, 'u');
      } catch {
        add(f.key, 'badPattern');
      }
    }
    if (f.minimum !== undefined && f.maximum !== undefined && f.minimum > f.maximum) add(f.key, 'badRange');
    if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength)
      add(f.key, 'badLength');
  }
  return out;
}
