import { type ChangeLocale, changeLocaleOf } from '@docket/core';

/** The part of a JSON Schema field that says how its value reads. */
type FieldSchema = {
  type?: string | readonly string[];
  title?: string;
  oneOf?: readonly { const?: unknown; title?: string }[];
  anyOf?: readonly { const?: unknown; title?: string }[];
  enum?: readonly unknown[];
  /** Titles of `enum`'s values, in its order (the older way forms name choices). */
  enumNames?: readonly string[];
  items?: FieldSchema;
  properties?: Record<string, FieldSchema>;
};

/**
 * The part of a uiSchema that names choices, nested as the schema is: "ui:enumNames" (or
 * "ui:options": { enumNames }), a list in `enum`'s order or a map from value to name, as rjsf reads it.
 */
export type FieldUi = {
  'ui:enumNames'?: unknown;
  'ui:options'?: unknown;
  items?: unknown;
  [key: string]: unknown;
};

/** A yes/no answer in words, per language. */
const YES_NO: Record<ChangeLocale, { yes: string; no: string }> = {
  en: { yes: 'Yes', no: 'No' },
  'zh-CN': { yes: '是', no: '否' },
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The title an `enum` gives a value through enumNames (the uiSchema's, else the schema's). */
function enumTitle(schema: FieldSchema | undefined, ui: FieldUi | undefined, value: unknown) {
  const i = schema?.enum?.indexOf(value) ?? -1;
  if (i < 0) return undefined;
  const options = ui?.['ui:options'];
  const names =
    ui?.['ui:enumNames'] ?? (isRecord(options) ? options.enumNames : undefined) ?? schema?.enumNames;
  const name = Array.isArray(names) ? names[i] : isRecord(names) ? names[String(value)] : undefined;
  return typeof name === 'string' && name.trim() ? name : undefined;
}

/**
 * A form value as a customer reads it: a choice by its title ("Defective on arrival", not
 * "defective", from oneOf/anyOf titles or enumNames), several choices joined, a yes/no answer in
 * words of `locale` (en or zh-CN), a group of fields as "Title: value" pairs; the value itself
 * where the schema names nothing better.
 */
export function fieldText(
  schema: FieldSchema | undefined,
  value: unknown,
  options: { locale?: string | null; ui?: FieldUi | undefined } = {},
): string {
  if (value === null || value === undefined) return '';
  const { ui } = options;
  const choices = schema?.oneOf ?? schema?.anyOf;
  const choice = choices?.find((c) => 'const' in c && c.const === value);
  if (choice?.title) return choice.title;
  const named = enumTitle(schema, ui, value);
  if (named) return named;
  if (typeof value === 'boolean') {
    const words = YES_NO[changeLocaleOf(options.locale)];
    return value ? words.yes : words.no;
  }
  if (Array.isArray(value))
    return value
      .map((v) =>
        fieldText(schema?.items, v, {
          ...options,
          ui: isRecord(ui?.items) ? (ui.items as FieldUi) : undefined,
        }),
      )
      .join(', ');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([key, v]) => {
        const inner = ui?.[key];
        const text = fieldText(schema?.properties?.[key], v, {
          ...options,
          ui: isRecord(inner) ? (inner as FieldUi) : undefined,
        });
        return `${schema?.properties?.[key]?.title ?? key}: ${text}`;
      })
      .join('; ');
  return String(value);
}
