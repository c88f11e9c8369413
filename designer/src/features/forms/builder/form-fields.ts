/* The builder's field, section and form types, shared by the model and its conditions. */
import type { RuleGroup } from '../../workflows/conditions/rule-cel.ts';

export const FIELD_KINDS = [
  'text',
  'textarea',
  'number',
  'money',
  'date',
  'datetime',
  'select',
  'radio',
  'checkboxes',
  'cascader',
  'tree',
  'phone',
  'email',
  'files',
  'richtext',
  'user',
  'orgUnit',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** A choice of a select, radio or checkboxes field; cascader and tree choices nest. */
export type Choice = { value: string; label: string; children?: Choice[] };

export type BuilderField = {
  /** The property name in the form data (and in workflow conditions: form.<key>). */
  key: string;
  kind: FieldKind;
  title: string;
  help?: string;
  placeholder?: string;
  isRequired: boolean;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  patternMessage?: string;
  choices?: Choice[];
  /** The key of the section it sits in (none: before the first section). */
  section?: string;
  /** Shown (and checked) only when this holds. */
  condition?: RuleGroup;
};

export type Section = { key: string; title: string };

export type FormModel = {
  fields: BuilderField[];
  sections: Section[];
  /** What the builder does not model, kept as written: root keywords and allOf entries. */
  extra: { schema: Record<string, unknown>; allOf: unknown[]; uiSchema: Record<string, unknown> };
};

export type Json = Record<string, unknown>;
