import { describe, expect, it } from 'vitest';
import { fieldText } from './field-text.ts';

describe("a form value as the portal's customer reads it", () => {
  it('names a choice by its title, and several choices each', () => {
    const reason = { oneOf: [{ const: 'defective', title: 'Defective on arrival' }] };
    expect(fieldText(reason, 'defective')).toBe('Defective on arrival');
    expect(fieldText(reason, 'other')).toBe('other');
    expect(
      fieldText(
        {
          items: {
            anyOf: [
              { const: 'a', title: 'Apple' },
              { const: 'b', title: 'Banana' },
            ],
          },
        },
        ['a', 'b'],
      ),
    ).toBe('Apple, Banana');
  });

  it('reads a group of fields as title and value pairs, leaving out empty ones', () => {
    const logistics = {
      properties: { carrier: { title: 'Carrier' }, trackingNumber: { title: 'Tracking number' } },
    };
    expect(fieldText(logistics, { carrier: 'SF Express', trackingNumber: 'SF123', note: '' })).toBe(
      'Carrier: SF Express; Tracking number: SF123',
    );
  });

  it('names an enum value by its enumNames, from the schema or the uiSchema', () => {
    const category = { enum: ['repair', 'billing'], enumNames: ['Repair', 'Billing'] };
    expect(fieldText(category, 'billing')).toBe('Billing');
    expect(
      fieldText({ enum: ['repair', 'billing'] }, 'repair', { ui: { 'ui:enumNames': ['维修', '账单'] } }),
    ).toBe('维修');
    expect(
      fieldText({ enum: ['repair'] }, 'repair', { ui: { 'ui:enumNames': { repair: 'Repair visit' } } }),
    ).toBe('Repair visit');
    expect(fieldText({ enum: ['repair'] }, 'repair', { ui: { 'ui:options': { enumNames: ['Fix'] } } })).toBe(
      'Fix',
    );
    // A value the names do not cover reads as it is.
    expect(fieldText({ enum: ['a', 'b'], enumNames: ['A'] }, 'b')).toBe('b');
    expect(
      fieldText({ type: 'array', items: { enum: ['a', 'b'] } }, ['a', 'b'], {
        ui: { items: { 'ui:enumNames': ['Apple', 'Banana'] } },
      }),
    ).toBe('Apple, Banana');
  });

  it('says yes or no in the reader’s language, in a group too', () => {
    expect(fieldText({ type: 'boolean' }, true)).toBe('Yes');
    expect(fieldText({ type: 'boolean' }, false, { locale: 'en' })).toBe('No');
    expect(fieldText({ type: 'boolean' }, true, { locale: 'zh-CN' })).toBe('是');
    expect(fieldText({ type: 'boolean' }, false, { locale: 'zh-CN' })).toBe('否');
    const visit = { properties: { insured: { title: 'Insured', type: 'boolean' } } };
    expect(fieldText(visit, { insured: false }, { locale: 'zh-CN' })).toBe('Insured: 否');
    // A yes/no with titles of its own keeps them.
    const titled = {
      oneOf: [
        { const: true, title: 'Under warranty' },
        { const: false, title: 'Out of warranty' },
      ],
    };
    expect(fieldText(titled, false, { locale: 'zh-CN' })).toBe('Out of warranty');
  });

  it('writes numbers and plain text as they are, and nothing for no value', () => {
    expect(fieldText({}, 12.5)).toBe('12.5');
    expect(fieldText(undefined, 'X200 kettle')).toBe('X200 kettle');
    expect(fieldText({}, null)).toBe('');
  });
});
