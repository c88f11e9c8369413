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

  it('writes numbers and plain text as they are, and nothing for no value', () => {
    expect(fieldText({}, 12.5)).toBe('12.5');
    expect(fieldText(undefined, 'X200 kettle')).toBe('X200 kettle');
    expect(fieldText({}, null)).toBe('');
  });
});
