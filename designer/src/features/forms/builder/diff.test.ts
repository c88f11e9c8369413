import { describe, expect, it } from 'vitest';
import { diffTemplates } from './diff.ts';
import { type BuilderField, emptyModel, toSchemas } from './form-model.ts';

const f = (key: string, extra: Partial<BuilderField> = {}): BuilderField => ({
  key,
  kind: 'text',
  title: key.toUpperCase(),
  isRequired: false,
  ...extra,
});
const content = (fields: BuilderField[], settings: Record<string, unknown> = {}) => {
  const { schema, uiSchema } = toSchemas({ ...emptyModel(), fields });
  return {
    name: 'Returns',
    numberPattern: 'RT-{seq:4}',
    categoryPath: ['A', 'B'],
    formSchema: schema,
    uiSchema,
    ...settings,
  };
};

describe('diffTemplates', () => {
  it('finds nothing between equal versions, even with the JSON keys in another order', () => {
    const a = content([f('a'), f('b')]);
    const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
    const props = a.formSchema.properties as Record<string, unknown>;
    const reordered = { ...a, formSchema: reversed({ ...a.formSchema, properties: reversed(props) }) };
    expect(Object.keys(reordered.formSchema.properties as object)).toEqual(['b', 'a']);
    expect(diffTemplates(a, a)).toEqual([]);
    expect(diffTemplates(a, reordered)).toEqual([]);
  });

  it('names changed settings, and added, removed, changed and moved fields', () => {
    const before = content([f('a'), f('b'), f('c'), f('d')]);
    const after = content([f('d'), f('a'), f('b', { isRequired: true, title: 'Bee' }), f('e')], {
      name: 'Returns and refunds',
      categoryPath: ['A', 'C'],
    });
    expect(diffTemplates(before, after)).toEqual([
      { kind: 'setting', name: 'name', from: 'Returns', to: 'Returns and refunds' },
      { kind: 'setting', name: 'categoryPath', from: 'A / B', to: 'A / C' },
      { kind: 'moved', key: 'd', title: 'D', from: 2, to: 0 },
      { kind: 'changed', key: 'b', title: 'Bee', attributes: ['title', 'isRequired'] },
      { kind: 'added', key: 'e', title: 'E' },
      { kind: 'removed', key: 'c', title: 'C' },
    ]);
  });

  it('reports a new condition on a field as a change of that field', () => {
    const before = content([f('a'), f('b')]);
    const after = content([
      f('a'),
      f('b', { condition: { combinator: 'and', rules: [{ field: 'a', operator: 'notNull', value: null }] } }),
    ]);
    expect(diffTemplates(before, after)).toEqual([
      { kind: 'changed', key: 'b', title: 'B', attributes: ['condition'] },
    ]);
  });
});
