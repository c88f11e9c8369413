import { withFieldOrder, withOpenFieldOrder } from '@docket/core';
import { orderProperties } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';

describe('the field order the server stores, as the form draws it', () => {
  it('draws a conditional field once its condition holds, after the fields the order names', () => {
    // A form sent through the API (not the builder): the tracking number appears only for
    // defective items, so it is not among the base properties the stored order lists.
    const formSchema = {
      type: 'object',
      properties: { reason: { type: 'string', enum: ['defective', 'other'] }, model: { type: 'string' } },
      allOf: [
        {
          if: { properties: { reason: { const: 'defective' } } },
          then: { properties: { tracking: { type: 'string' } } },
        },
      ],
    };
    const order = withFieldOrder(formSchema, {})['ui:order'] as string[];
    // What rjsf lays out once the condition holds: the base fields and the conditional one.
    expect(orderProperties(['reason', 'model', 'tracking'], order)).toEqual(['reason', 'model', 'tracking']);
  });

  it('draws forms stored with a closed order too (before the server wrote "*")', () => {
    const stored = { 'ui:order': ['reason', 'model'], address: { 'ui:order': ['city'] } };
    const open = withOpenFieldOrder(stored);
    expect(orderProperties(['reason', 'model', 'tracking'], open['ui:order'])).toEqual([
      'reason',
      'model',
      'tracking',
    ]);
    expect(open.address['ui:order']).toEqual(['city', '*']);
    expect(stored['ui:order']).toEqual(['reason', 'model']);
  });
});
