import { optionsList, type RJSFSchema, type UiSchema } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';
import { withSchemaEnumNames } from './enum-names.ts';

describe('choices named by enumNames in the schema, as the form draws them', () => {
  const schema = {
    type: 'object',
    properties: {
      category: { type: 'string', enum: ['repair', 'billing'], enumNames: ['Repair', 'Billing'] },
      visit: {
        type: 'object',
        properties: { slot: { type: 'string', enum: ['am', 'pm'], enumNames: ['Morning', 'Afternoon'] } },
      },
      parts: { type: 'array', items: { type: 'string', enum: ['lid'], enumNames: ['Lid'] } },
      note: { type: 'string' },
    },
  };

  it('shows their names, not their keys, at any depth', () => {
    const ui = withSchemaEnumNames(schema, { note: { 'ui:widget': 'textarea' } }) as Record<string, UiSchema>;
    const labels = (s: unknown, u: unknown) =>
      optionsList(s as RJSFSchema, u as UiSchema)?.map((o) => o.label);
    expect(labels(schema.properties.category, ui.category)).toEqual(['Repair', 'Billing']);
    expect(labels(schema.properties.visit.properties.slot, ui.visit?.slot)).toEqual(['Morning', 'Afternoon']);
    expect(labels(schema.properties.parts.items, ui.parts?.items)).toEqual(['Lid']);
    expect(ui.note).toEqual({ 'ui:widget': 'textarea' });
  });

  it("keeps the uiSchema's own names, and the uiSchema itself when there is nothing to add", () => {
    const own = { category: { 'ui:enumNames': ['维修', '账单'] } };
    const ui = withSchemaEnumNames(schema, own) as Record<string, UiSchema>;
    expect(ui.category).toBe(own.category);
    const plain = { type: 'object', properties: { a: { type: 'string', enum: ['x'] } } };
    const given = { a: { 'ui:widget': 'radio' } };
    expect(withSchemaEnumNames(plain, given)).toBe(given);
    expect(withSchemaEnumNames(plain, undefined)).toBeUndefined();
  });
});
