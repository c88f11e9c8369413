import { describe, expect, it } from 'vitest';
import { choicesFromText, choicesToText } from './choices-text.ts';

describe('choices as text', () => {
  it('reads "value | label" lines, a bare value being its own label', () => {
    expect(choicesFromText('defective | Defective\nunwanted\n\n  late | Too late', false)).toEqual([
      { value: 'defective', label: 'Defective' },
      { value: 'unwanted', label: 'unwanted' },
      { value: 'late', label: 'Too late' },
    ]);
  });

  it('nests indented lines in a tree, and writes the tree back the same way', () => {
    const text = 'kitchen | Kitchen\n  kettle | Kettle\n  toaster\n    slot | Slot\nbath | Bathroom';
    const tree = choicesFromText(text, true);
    expect(tree).toEqual([
      {
        value: 'kitchen',
        label: 'Kitchen',
        children: [
          { value: 'kettle', label: 'Kettle' },
          { value: 'toaster', label: 'toaster', children: [{ value: 'slot', label: 'Slot' }] },
        ],
      },
      { value: 'bath', label: 'Bathroom' },
    ]);
    expect(choicesToText(tree)).toBe(text);
  });
});
