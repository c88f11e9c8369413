import {
  type CelFieldType,
  type CelSchema,
  celTypeFromJsonSchema,
  type NodeTypeRegistry,
  outputSchemaOf,
  TICKET_CEL_SCHEMA,
  type WorkflowGraph,
} from '@docket/core';
import type { RuleField, RuleFieldType } from '../conditions/rule-cel.ts';
import type { PlacedProblem } from './model.ts';

/*
 * What the inspector needs to render a node type's config with rjsf, from the definition alone
 * (so a plugin's node type gets a form with no designer code): the uiSchema choosing widgets
 * (pickers for what the API lists, the rule builder for CEL, a JSON editor for free-form values),
 * and the server's problems as rjsf's error schema, on the fields they name.
 */

/** What a picker lists: the API's users, teams, roles, org units, calendars, named statuses. */
export type PickerKind =
  | 'user'
  | 'team'
  | 'role'
  | 'org_unit'
  | 'calendar'
  | 'status'
  | 'notification_target';

/** Core config fields that name a stored thing, by property name (plugins mark theirs with "x-ref"). */
const PICKER_BY_PROPERTY: Record<string, PickerKind> = {
  userId: 'user',
  teamId: 'team',
  roleId: 'role',
  orgUnitId: 'org_unit',
  calendarId: 'calendar',
  statusName: 'status',
};

type Schema = Record<string, unknown> & {
  type?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: unknown;
};

export type UiSchema = { [key: string]: unknown };

/** The uiSchema for a config schema: widgets by "x-cel", "x-ref", known property names and shape. */
export function uiSchemaFor(schema: unknown, propertyName?: string): UiSchema {
  if (schema === null || typeof schema !== 'object') return {};
  const s = schema as Schema;
  const ui: UiSchema = {};
  const cel = s['x-cel'];
  const ref = s['x-ref'];
  if (typeof cel === 'string') return { 'ui:widget': 'cel', 'ui:options': { celType: cel } };
  if (typeof ref === 'string') return { 'ui:widget': 'picker', 'ui:options': { picker: ref } };
  if (propertyName === 'rejectTo') return { 'ui:widget': 'nodePicker' };
  const picker = propertyName ? PICKER_BY_PROPERTY[propertyName] : undefined;
  if (picker && s.type === 'string') return { 'ui:widget': 'picker', 'ui:options': { picker } };
  const isFreeObject = s.type === 'object' && !s.properties && typeof s.additionalProperties !== 'object';
  const hasNoType = s.type === undefined && !s.properties && !s.enum && !s.allOf && !s.oneOf && !s.anyOf;
  if (isFreeObject || hasNoType) return { 'ui:field': 'json' };
  if (s.type === 'object' && typeof s.additionalProperties === 'object' && !s.properties)
    return { 'ui:field': 'json' };
  if (s.properties)
    for (const [k, v] of Object.entries(s.properties)) {
      const child = uiSchemaFor(v, k);
      if (Object.keys(child).length > 0) ui[k] = child;
    }
  if (s.type === 'array' && s.items && typeof s.items === 'object') {
    const items = uiSchemaFor(s.items);
    if (Object.keys(items).length > 0) ui.items = items;
  }
  return ui;
}

/** rjsf's error schema: `{ assignee: { teamId: { __errors: [message] } } }` from config pointers. */
export type ErrorSchema = { __errors?: string[]; [key: string]: unknown };

export function errorSchemaFor(problems: readonly PlacedProblem[]): ErrorSchema {
  const root: ErrorSchema = {};
  for (const p of problems) {
    if (p.configPath === undefined) continue;
    const tokens = p.configPath
      .split('/')
      .slice(1)
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    let at = root;
    for (const token of tokens) {
      const next = (at[token] as ErrorSchema | undefined) ?? {};
      at[token] = next;
      at = next;
    }
    at.__errors = [...(at.__errors ?? []), p.message];
  }
  return root;
}

/** Problems of a node that no config field shows (the node as a whole, its edges, the config root). */
export const nodeLevelProblems = (problems: readonly PlacedProblem[]): PlacedProblem[] =>
  problems.filter((p) => p.configPath === undefined || p.configPath === '');

// ---------------------------------------------------------------------------------------------
// The fields a condition can test

function flatten(prefix: string, type: CelFieldType, label: string, out: RuleField[], depth = 0): void {
  if (typeof type === 'object') {
    if (depth > 4) return;
    for (const [k, v] of Object.entries(type as CelSchema))
      flatten(`${prefix}.${k}`, v, `${label} › ${k}`, out, depth + 1);
    return;
  }
  const ruleType: RuleFieldType | undefined =
    type === 'string' || type === 'int' || type === 'double' || type === 'bool' || type === 'timestamp'
      ? type
      : type.startsWith('list<')
        ? 'list'
        : undefined;
  if (ruleType) out.push({ name: prefix, label, type: ruleType });
}

/** Property titles and enum values of a form schema, by field path, for labels and value choices. */
function formFieldInfo(
  schema: unknown,
  prefix: string,
  out: Map<string, { title?: string; values?: string[] }>,
): void {
  const s = schema as Schema | null;
  if (!s || typeof s !== 'object' || !s.properties) return;
  for (const [k, v] of Object.entries(s.properties)) {
    const path = `${prefix}.${k}`;
    out.set(path, {
      ...(typeof v.title === 'string' ? { title: v.title } : {}),
      ...(Array.isArray(v.enum) ? { values: v.enum.map(String) } : {}),
    });
    formFieldInfo(v, path, out);
  }
}

/**
 * The fields a condition of this workflow can test: the ticket's, the form's (of every template
 * that runs the workflow), and what earlier steps record (`steps.<node id>.<field>`).
 */
export function ruleFieldsOf(input: {
  graph: WorkflowGraph;
  nodeTypes: NodeTypeRegistry;
  formSchemas: readonly unknown[];
  labels: { ticket: string; form: string; step: (node: string) => string };
}): RuleField[] {
  const out: RuleField[] = [];
  flatten('ticket', TICKET_CEL_SCHEMA, input.labels.ticket, out);
  const info = new Map<string, { title?: string; values?: string[] }>();
  const seen = new Set<string>();
  for (const schema of input.formSchemas) {
    formFieldInfo(schema, 'form', info);
    const fields: RuleField[] = [];
    flatten('form', celTypeFromJsonSchema(schema), input.labels.form, fields);
    for (const f of fields)
      if (!seen.has(f.name)) {
        seen.add(f.name);
        out.push(f);
      }
  }
  for (const node of input.graph.nodes) {
    const def = input.nodeTypes.get(node.type);
    if (!def?.output) continue;
    const schema = outputSchemaOf(def, node.config);
    formFieldInfo(schema, `steps.${node.id}`, info);
    flatten(`steps.${node.id}`, celTypeFromJsonSchema(schema), input.labels.step(node.label || node.id), out);
  }
  return out.map((f) => {
    const extra = info.get(f.name);
    const label = extra?.title
      ? `${f.label.slice(0, f.label.lastIndexOf('›') + 1)} ${extra.title}`.trim()
      : f.label;
    return { ...f, label, ...(extra?.values ? { values: extra.values } : {}) };
  });
}

/** Titles and choice labels of config fields, by property name (the core node types' fields). */
export type FieldWords = {
  titles: Readonly<Record<string, string>>;
  choices: Readonly<Record<string, Readonly<Record<string, string>>>>;
};

/**
 * The uiSchema with the core's field titles and choices in the person's language: a property
 * the dictionary names gets "ui:title", an enum of known values gets "ui:enumNames". Fields the
 * dictionary does not know (a plugin's) keep the titles of their schema.
 */
export function localizedUiSchema(
  schema: unknown,
  ui: UiSchema,
  words: FieldWords,
  propertyName?: string,
): UiSchema {
  if (schema === null || typeof schema !== 'object') return ui;
  const s = schema as Schema;
  const out: UiSchema = { ...ui };
  if (propertyName) {
    const title = words.titles[propertyName];
    if (title) out['ui:title'] = title;
    const choices = words.choices[propertyName];
    if (choices && Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string' && choices[v]))
      out['ui:enumNames'] = (s.enum as string[]).map((v) => choices[v] as string);
  }
  if (s.properties)
    for (const [k, v] of Object.entries(s.properties))
      out[k] = localizedUiSchema(v, (ui[k] as UiSchema | undefined) ?? {}, words, k);
  if (s.type === 'array' && s.items && typeof s.items === 'object') {
    const items = s.items as Schema;
    const choices = propertyName ? words.choices[propertyName] : undefined;
    if (choices && Array.isArray(items.enum))
      out.items = {
        ...((ui.items as UiSchema | undefined) ?? {}),
        'ui:enumNames': (items.enum as string[]).map((v) => choices[v] ?? v),
      };
    else {
      out.items = localizedUiSchema(items, (ui.items as UiSchema | undefined) ?? {}, words);
      // Each item's own title (a recipient of "recipients") goes by the dictionary's `name[]`.
      const itemTitle = propertyName ? words.titles[`${propertyName}[]`] : undefined;
      if (itemTitle && typeof items.title === 'string') (out.items as UiSchema)['ui:title'] = itemTitle;
    }
  }
  return out;
}

/**
 * The config as the form gives it, without the empty objects a form makes for optional groups it
 * shows (a time limit nobody filled in): left in, they would be saved as a time limit with no
 * amount. Required properties stay, so the server still names them.
 */
export function pruneEmptyObjects(value: unknown, schema: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const s = (schema ?? {}) as Schema & { required?: unknown };
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const child = pruneEmptyObjects(v, s.properties?.[k]);
    const isEmptyObject =
      child !== null && typeof child === 'object' && !Array.isArray(child) && Object.keys(child).length === 0;
    const isFree = s.properties?.[k]?.type === 'object' && !s.properties?.[k]?.properties;
    if (isEmptyObject && !required.has(k) && !isFree) continue;
    out[k] = child;
  }
  return out;
}
