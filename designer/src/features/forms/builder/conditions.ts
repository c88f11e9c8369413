/*
 * A conditional field's rule ("show tracking number when return reason is defective") as JSON
 * Schema, both ways. The rules are the workflow designer's rule-builder groups (react-querybuilder
 * shapes, rule-cel.ts); here a group becomes the `if` of an `allOf` entry, so rjsf shows the field
 * exactly when the server's ajv checks it. Groups are written in one canonical form ({allOf} for
 * "and", {anyOf} for "or", {not} around a negated one) and read back from it. Pure: no React.
 */
import {
  isGroup,
  listItems,
  type Rule,
  type RuleField,
  type RuleFieldType,
  type RuleGroup,
} from '../../workflows/conditions/rule-cel.ts';
import type { BuilderField, FieldKind } from './form-fields.ts';

type Json = Record<string, unknown>;

/** What a field of this kind holds, for the rule builder's operators (undefined: not testable). */
export function ruleTypeOf(kind: FieldKind): RuleFieldType | undefined {
  switch (kind) {
    case 'number':
    case 'money':
      return 'double';
    case 'checkboxes':
    case 'cascader':
      return 'list';
    case 'files':
    case 'richtext':
      return undefined;
    default:
      return 'string';
  }
}

const flatValues = (f: BuilderField): string[] => {
  const walk = (cs: BuilderField['choices']): string[] =>
    (cs ?? []).flatMap((c) => [c.value, ...walk(c.children)]);
  return walk(f.choices);
};

/** The fields another field's condition may test: every field before it that holds a testable value. */
export function ruleFieldsFor(fields: readonly BuilderField[], key?: string): RuleField[] {
  const end = key === undefined ? fields.length : fields.findIndex((f) => f.key === key);
  return fields.slice(0, end === -1 ? fields.length : end).flatMap((f): RuleField[] => {
    const type = ruleTypeOf(f.kind);
    if (!type) return [];
    const values = f.choices ? flatValues(f) : undefined;
    return [{ name: f.key, label: f.title || f.key, type, ...(values?.length ? { values } : {}) }];
  });
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const escapeRegex = (s: string) => s.replace(REGEX_SPECIAL, '\\$&');

/** The literal text a pattern written by escapeRegex stands for, or undefined if it is more than that. */
function unescapeRegex(p: string): string | undefined {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const next = p[i + 1];
      if (next === undefined || !/[.*+?^${}()|[\]\\/]/.test(next)) return undefined;
      out += next;
      i++;
    } else if (/[.*+?^${}()|[\]]/.test(c)) return undefined;
    else out += c;
  }
  return out;
}

function typedValue(v: unknown, type: RuleFieldType | undefined): unknown {
  if (type === 'double' || type === 'int') {
    const n = typeof v === 'number' ? v : Number(String(v ?? '').trim());
    return Number.isFinite(n) && String(v ?? '').trim() !== '' ? n : v;
  }
  if (typeof v === 'boolean') return v;
  return v === null || v === undefined ? '' : String(v);
}

function listOf(v: unknown, type: RuleFieldType | undefined): unknown[] {
  return listItems(v).map((i) => typedValue(i, type));
}

const has = (field: string, property: Json): Json => ({
  required: [field],
  properties: { [field]: property },
});

function ruleToSchema(rule: Rule, types: Map<string, RuleFieldType>): Json | undefined {
  const field = rule.field;
  if (!field) return undefined;
  const type = types.get(field);
  const v = rule.value;
  switch (rule.operator) {
    case '=':
      return has(field, { const: typedValue(v, type) });
    case '!=':
      return { not: has(field, { const: typedValue(v, type) }) };
    case '<':
      return has(field, { exclusiveMaximum: typedValue(v, type) });
    case '<=':
      return has(field, { maximum: typedValue(v, type) });
    case '>':
      return has(field, { exclusiveMinimum: typedValue(v, type) });
    case '>=':
      return has(field, { minimum: typedValue(v, type) });
    case 'in':
      return has(field, { enum: listOf(v, type) });
    case 'notIn':
      return { not: has(field, { enum: listOf(v, type) }) };
    case 'contains':
      return type === 'list'
        ? has(field, { contains: { const: String(v ?? '') } })
        : has(field, { pattern: escapeRegex(String(v ?? '')) });
    case 'beginsWith':
      return has(field, { pattern: `^${escapeRegex(String(v ?? ''))}` });
    case 'endsWith':
      return has(field, { pattern: `${escapeRegex(String(v ?? ''))}$` });
    case 'notNull':
      return { required: [field] };
    case 'null':
      return { not: { required: [field] } };
    default:
      return undefined;
  }
}

function groupToSchema(group: RuleGroup, types: Map<string, RuleFieldType>): Json {
  const parts = group.rules.flatMap((r) => {
    const s = isGroup(r) ? groupToSchema(r, types) : ruleToSchema(r, types);
    return s ? [s] : [];
  });
  const body: Json = group.combinator === 'or' ? { anyOf: parts } : { allOf: parts };
  return group.not ? { not: body } : body;
}

/** A rule group as the `if` of a conditional field. */
export function conditionToSchema(group: RuleGroup, fields: readonly BuilderField[]): Json {
  const types = new Map(
    fields.flatMap((f) => {
      const t = ruleTypeOf(f.kind);
      return t ? [[f.key, t] as const] : [];
    }),
  );
  return groupToSchema(group, types);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(o: Json, keys: string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

/** `{ required: [f], properties: { f: P } }`: the field and its one-keyword test. */
function readHas(s: Json): { field: string; keyword: string; value: unknown } | undefined {
  if (!onlyKeys(s, ['required', 'properties']) || !Array.isArray(s.required) || s.required.length !== 1)
    return undefined;
  const field = String(s.required[0]);
  const props = s.properties;
  if (!isObject(props) || Object.keys(props).length !== 1 || !isObject(props[field])) return undefined;
  const p = props[field] as Json;
  const keys = Object.keys(p);
  if (keys.length !== 1) return undefined;
  return { field, keyword: keys[0]!, value: p[keys[0]!] };
}

function readRule(s: Json): Rule | undefined {
  if (onlyKeys(s, ['required']) && Array.isArray(s.required) && s.required.length === 1)
    return { field: String(s.required[0]), operator: 'notNull', value: null };
  if (onlyKeys(s, ['not']) && isObject(s.not)) {
    const inner = s.not;
    if (onlyKeys(inner, ['required']) && Array.isArray(inner.required) && inner.required.length === 1)
      return { field: String(inner.required[0]), operator: 'null', value: null };
    const h = readHas(inner);
    if (h?.keyword === 'const') return { field: h.field, operator: '!=', value: h.value };
    if (h?.keyword === 'enum' && Array.isArray(h.value))
      return { field: h.field, operator: 'notIn', value: h.value };
    return undefined;
  }
  const h = readHas(s);
  if (!h) return undefined;
  switch (h.keyword) {
    case 'const':
      return { field: h.field, operator: '=', value: h.value };
    case 'enum':
      return Array.isArray(h.value) ? { field: h.field, operator: 'in', value: h.value } : undefined;
    case 'exclusiveMaximum':
      return { field: h.field, operator: '<', value: h.value };
    case 'maximum':
      return { field: h.field, operator: '<=', value: h.value };
    case 'exclusiveMinimum':
      return { field: h.field, operator: '>', value: h.value };
    case 'minimum':
      return { field: h.field, operator: '>=', value: h.value };
    case 'contains':
      return isObject(h.value) && onlyKeys(h.value, ['const'])
        ? { field: h.field, operator: 'contains', value: h.value.const }
        : undefined;
    case 'pattern': {
      const p = String(h.value);
      const starts = p.startsWith('^') ? unescapeRegex(p.slice(1)) : undefined;
      if (starts !== undefined) return { field: h.field, operator: 'beginsWith', value: starts };
      const ends = p.endsWith('$') && !p.endsWith('\\$') ? unescapeRegex(p.slice(0, -1)) : undefined;
      if (ends !== undefined) return { field: h.field, operator: 'endsWith', value: ends };
      const contains = unescapeRegex(p);
      return contains !== undefined ? { field: h.field, operator: 'contains', value: contains } : undefined;
    }
    default:
      return undefined;
  }
}

function readGroup(s: Json): RuleGroup | undefined {
  let not = false;
  let body = s;
  if (onlyKeys(s, ['not']) && isObject(s.not) && (Array.isArray(s.not.allOf) || Array.isArray(s.not.anyOf))) {
    not = true;
    body = s.not;
  }
  const isAnd = onlyKeys(body, ['allOf']) && Array.isArray(body.allOf);
  const isOr = onlyKeys(body, ['anyOf']) && Array.isArray(body.anyOf);
  if (!isAnd && !isOr) return undefined;
  const parts = (isAnd ? body.allOf : body.anyOf) as unknown[];
  const rules: (Rule | RuleGroup)[] = [];
  for (const p of parts) {
    if (!isObject(p)) return undefined;
    const r = readGroup(p) ?? readRule(p);
    if (!r) return undefined;
    rules.push(r);
  }
  return { combinator: isAnd ? 'and' : 'or', ...(not ? { not: true } : {}), rules };
}

/** A conditional field's `if` read back as a rule group, or undefined when it is not one the builder wrote. */
export function conditionFromSchema(s: unknown): RuleGroup | undefined {
  return isObject(s) ? readGroup(s) : undefined;
}
