import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { type FieldError, fieldError } from '../field-error.ts';

// ajv-formats ships CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ??
  addFormatsImport) as unknown as (ajv: Ajv) => Ajv;

/**
 * The same validator @rjsf/validator-ajv8 uses in the browser: ajv 8, draft-07 by default,
 * all errors, standard formats. One instance, compiled schemas cached by their JSON text.
 */
// verbose: errors carry the schema they broke (a choice's values and titles, for its message).
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  useDefaults: false,
  validateFormats: true,
  verbose: true,
});
addFormats(ajv);
const cache = new Map<string, ValidateFunction>();

export type FormSchema = Record<string, unknown>;

/** Compiles a form's JSON Schema, or explains why it is not a usable schema. */
export function checkFormSchema(schema: unknown, path = '/formSchema'): FieldError[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return [fieldError(path, 'invalid_schema', 'The form schema must be a JSON Schema object.')];
  }
  const s = schema as FormSchema;
  if (s.type !== undefined && s.type !== 'object') {
    return [
      fieldError(`${path}/type`, 'invalid_schema', 'A form schema must describe an object (type "object").'),
    ];
  }
  try {
    compile(s);
    return [];
  } catch (e) {
    return [
      fieldError(path, 'invalid_schema', `The form schema is not valid JSON Schema: ${(e as Error).message}`),
    ];
  }
}

/** The same schema object (a cached template version's) skips even the JSON text of its key. */
const byObject = new WeakMap<object, ValidateFunction>();

function compile(schema: FormSchema): ValidateFunction {
  const known = byObject.get(schema);
  if (known) return known;
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    fn = ajv.compile(schema);
    if (cache.size > 500) cache.clear();
    cache.set(key, fn);
  }
  byObject.set(schema, fn);
  return fn;
}

/**
 * Validates form data against a form schema. Every error carries the JSON pointer of the field
 * it belongs to (for a missing required field, the pointer of that field, not of its parent).
 */
export function validateFormData(schema: FormSchema, data: unknown, prefix = ''): FieldError[] {
  const fn = compile(schema);
  if (fn(data)) return [];
  const errors = (fn.errors ?? []).filter((e) => e.keyword !== 'if');
  // A choice of labelled values (oneOf/anyOf of consts, as rjsf renders a select) fails once, not
  // once per value it is not.
  const choices = errors.filter((e) => choiceOf(e) !== undefined);
  const isBranchOfChoice = (e: ErrorObject) =>
    choices.some(
      (c) => c !== e && c.instancePath === e.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`),
    );
  return errors
    .filter((e) => !isBranchOfChoice(e))
    .map((e) => {
      const fe = toFieldError(e, schema);
      return prefix ? { ...fe, path: fe.path === '/' ? prefix : prefix + fe.path } : fe;
    });
}

/** The values of a oneOf/anyOf whose every branch is a const, with their titles. */
function choiceOf(e: ErrorObject): { const: unknown; title?: unknown }[] | undefined {
  if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') return undefined;
  const branches = e.schema;
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  return branches.every((b) => typeof b === 'object' && b !== null && 'const' in b)
    ? (branches as { const: unknown; title?: unknown }[])
    : undefined;
}

function toFieldError(e: ErrorObject, schema: FormSchema): FieldError {
  let pointer = e.instancePath;
  if (e.keyword === 'required')
    pointer += `/${escapePointer((e.params as { missingProperty: string }).missingProperty)}`;
  if (e.keyword === 'additionalProperties')
    pointer += `/${escapePointer((e.params as { additionalProperty: string }).additionalProperty)}`;
  const label = labelFor(schema, pointer);
  const choice = choiceOf(e);
  if (choice)
    return fieldError(
      pointer || '/',
      'enum',
      `${label} must be one of: ${choice.map((b) => (typeof b.title === 'string' && b.title ? `${JSON.stringify(b.const)} (${b.title})` : JSON.stringify(b.const))).join(', ')}.`,
    );
  return fieldError(pointer || '/', e.keyword, humanMessage(e, label));
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The field's title from the schema when it has one, so messages name what the user sees. */
function labelFor(schema: FormSchema, pointer: string): string {
  const parts = pointer.split('/').slice(1);
  let node: unknown = schema;
  for (const raw of parts) {
    const p = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const n = node as { properties?: Record<string, unknown>; items?: unknown } | undefined;
    if (n?.properties && p in n.properties) node = n.properties[p];
    else if (n?.items && /^\d+$/.test(p)) node = n.items;
    else {
      node = undefined;
      break;
    }
  }
  const title = (node as { title?: unknown } | undefined)?.title;
  if (typeof title === 'string' && title) return `"${title}"`;
  const last = parts.at(-1);
  return last ? `"${last.replace(/~1/g, '/').replace(/~0/g, '~')}"` : 'The form';
}

function humanMessage(e: ErrorObject, label: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${label} is required.`;
    case 'type':
      return `${label} must be ${article(String(p.type))}.`;
    case 'enum':
      return `${label} must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'const':
      return `${label} must be ${JSON.stringify(p.allowedValue)}.`;
    case 'minLength':
      return `${label} must have at least ${p.limit} character${p.limit === 1 ? '' : 's'}.`;
    case 'maxLength':
      return `${label} must have at most ${p.limit} characters.`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${label} must be ${p.comparison} ${p.limit}.`;
    case 'format':
      return `${label} must be a valid ${p.format}.`;
    case 'pattern':
      return `${label} does not match the expected pattern ${p.pattern}.`;
    case 'additionalProperties':
      return `${label} is not a field of this form.`;
    case 'minItems':
      return `${label} needs at least ${p.limit} item${p.limit === 1 ? '' : 's'}.`;
    case 'maxItems':
      return `${label} allows at most ${p.limit} items.`;
    default:
      return `${label} ${e.message ?? 'is invalid'}.`;
  }
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/**
 * The searchable text of a form: its string values (and enum labels are left to the caller),
 * joined with spaces, so full-text search finds tickets by what was typed into their forms.
 */
export function formText(data: unknown, limit = 20_000): string {
  const out: string[] = [];
  let size = 0;
  const walk = (v: unknown): void => {
    if (size > limit) return;
    if (typeof v === 'string') {
      out.push(v);
      size += v.length + 1;
    } else if (typeof v === 'number') out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(data);
  return out.join(' ').slice(0, limit);
}
