import { describe, expect, it } from 'vitest';
import { orderedFieldKeys, withFieldOrder } from './field-order.ts';

describe('withFieldOrder', () => {
  const schema = {
    type: 'object',
    properties: {
      callerNumber: { type: 'string' },
      serviceCategory: { type: 'string' },
      details: { type: 'string' },
      logistics: {
        type: 'object',
        properties: { trackingNumber: { type: 'string' }, carrier: { type: 'string' } },
      },
      parts: {
        type: 'array',
        items: { type: 'object', properties: { sku: { type: 'string' }, count: { type: 'integer' } } },
      },
    },
  };

  it('writes the order the author gave, for the form and every object in it', () => {
    const ui = withFieldOrder(schema, { details: { 'ui:widget': 'textarea' } });
    expect(ui).toEqual({
      'ui:order': ['callerNumber', 'serviceCategory', 'details', 'logistics', 'parts', '*'],
      details: { 'ui:widget': 'textarea' },
      logistics: { 'ui:order': ['trackingNumber', 'carrier', '*'] },
      parts: { items: { 'ui:order': ['sku', 'count', '*'] } },
    });
  });

  it('keeps an order already given, and survives the round trip through jsonb key order', () => {
    const given = { 'ui:order': ['details', '*'] };
    expect(withFieldOrder(schema, given)['ui:order']).toEqual(['details', '*']);
    const ui = withFieldOrder(schema, {});
    // jsonb hands the keys back shortest first:
    const stored = { details: {}, logistics: {}, callerNumber: {}, serviceCategory: {}, parts: {} };
    expect(orderedFieldKeys(stored, ui)).toEqual([
      'callerNumber',
      'serviceCategory',
      'details',
      'logistics',
      'parts',
    ]);
  });

  it('reads "*" as the keys the order does not name, and ignores names the form lacks', () => {
    const props = { a: {}, b: {}, c: {}, d: {} };
    expect(orderedFieldKeys(props, { 'ui:order': ['c', '*', 'a', 'gone'] })).toEqual(['c', 'b', 'd', 'a']);
    expect(orderedFieldKeys(props, { 'ui:order': ['d', 'b'] })).toEqual(['d', 'b', 'a', 'c']);
    expect(orderedFieldKeys(props, undefined)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('leaves a uiSchema alone when the form is not an object schema', () => {
    expect(withFieldOrder(null, { x: 1 })).toEqual({ x: 1 });
    expect(withFieldOrder({ type: 'object', properties: { only: {} } }, undefined)).toEqual({});
  });
});
