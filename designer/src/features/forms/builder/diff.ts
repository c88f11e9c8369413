/*
 * What changed between two versions of a template (or a version and the draft): its settings,
 * and its form field by field (added, removed, changed and in which of its attributes, moved),
 * read through the builder's model so a reordered JSON text is not a change. Pure: no React.
 */
import { type BuilderField, fromSchemas, type Section } from './form-model.ts';

export type TemplateSettings = {
  name?: string | null;
  categoryPath?: readonly string[] | null;
  defaultPriority?: string | null;
  numberPattern?: string | null;
  workflowKey?: string | null;
};

export type VersionContent = TemplateSettings & { formSchema?: unknown; uiSchema?: unknown };

export const SETTING_NAMES = [
  'name',
  'categoryPath',
  'defaultPriority',
  'numberPattern',
  'workflowKey',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export type TemplateChange =
  | { kind: 'setting'; name: SettingName; from: string; to: string }
  | { kind: 'added'; key: string; title: string }
  | { kind: 'removed'; key: string; title: string }
  | { kind: 'changed'; key: string; title: string; attributes: (keyof BuilderField)[] }
  | { kind: 'moved'; key: string; title: string; from: number; to: number }
  | { kind: 'sections'; from: string; to: string };

const settingText = (v: unknown): string =>
  Array.isArray(v) ? v.join(' / ') : v === null || v === undefined ? '' : String(v);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const ATTRIBUTES: (keyof BuilderField)[] = [
  'kind',
  'title',
  'help',
  'placeholder',
  'isRequired',
  'default',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'pattern',
  'patternMessage',
  'choices',
  'section',
  'condition',
];

const sectionsText = (s: readonly Section[]) => s.map((x) => x.title).join(', ');

/** The changes from `before` to `after`, settings first, then fields in the order of `after`. */
export function diffTemplates(before: VersionContent, after: VersionContent): TemplateChange[] {
  const changes: TemplateChange[] = [];
  for (const name of SETTING_NAMES) {
    const from = settingText(before[name]);
    const to = settingText(after[name]);
    if (from !== to) changes.push({ kind: 'setting', name, from, to });
  }
  const a = fromSchemas(before.formSchema, before.uiSchema);
  const b = fromSchemas(after.formSchema, after.uiSchema);
  if (!same(a.sections, b.sections))
    changes.push({ kind: 'sections', from: sectionsText(a.sections), to: sectionsText(b.sections) });
  const oldByKey = new Map(a.fields.map((f) => [f.key, f]));
  const newKeys = new Set(b.fields.map((f) => f.key));
  // positions among the fields both versions have, so an insertion does not "move" the rest
  const commonOld = a.fields.filter((f) => newKeys.has(f.key)).map((f) => f.key);
  const commonNew = b.fields.filter((f) => oldByKey.has(f.key)).map((f) => f.key);
  // the longest run of fields that kept their relative order stayed; the others moved
  const staying = new Set(longestCommonSubsequence(commonOld, commonNew));
  for (const f of b.fields) {
    const old = oldByKey.get(f.key);
    if (!old) {
      changes.push({ kind: 'added', key: f.key, title: f.title });
      continue;
    }
    const attributes = ATTRIBUTES.filter((k) => !same(old[k], f[k]));
    if (attributes.length > 0) changes.push({ kind: 'changed', key: f.key, title: f.title, attributes });
    if (!staying.has(f.key))
      changes.push({
        kind: 'moved',
        key: f.key,
        title: f.title,
        from: commonOld.indexOf(f.key),
        to: commonNew.indexOf(f.key),
      });
  }
  for (const f of a.fields)
    if (!newKeys.has(f.key)) changes.push({ kind: 'removed', key: f.key, title: f.title });
  return changes;
}

function longestCommonSubsequence(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      table[i]![j] =
        a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}
