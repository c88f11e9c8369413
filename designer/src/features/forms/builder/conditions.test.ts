import { validateFormData } from '@docket/core';
import { describe, expect, it } from 'vitest';
import type { RuleGroup } from '../../workflows/conditions/rule-cel.ts';
import { conditionFromSchema, conditionToSchema, ruleFieldsFor } from './conditions.ts';
import type { BuilderField } from './form-model.ts';

const fields: BuilderField[] = [
  {
    key: 'reason',
    kind: 'select',
    title: 'Reason',
    isRequired: false,
    choices: [{ value: 'defective', label: 'D' }],
  },
  { key: 'amount', kind: 'money', title: 'Amount', isRequired: false },
  {
    key: 'parts',
    kind: 'checkboxes',
    title: 'Parts',
    isRequired: false,
    choices: [{ value: 'lid', label: 'Lid' }],
  },
  { key: 'note', kind: 'text', title: 'Note', isRequired: false },
  { key: 'photos', kind: 'files', title: 'Photos', isRequired: false },
];

/** Whether data satisfies the compiled `if` (through the same ajv the server uses). */
const holds = (group: RuleGroup, data: Record<string, unknown>) =>
  validateFormData({ type: 'object', ...conditionToSchema(group, fields) }, data).length === 0;

const rule = (field: string, operator: string, value: unknown = null): RuleGroup => ({
  combinator: 'and',
  rules: [{ field, operator, value }],
});

describe('conditions as JSON Schema', () => {
  it('each operator holds exactly when its rule does', () => {
    expect(holds(rule('reason', '=', 'defective'), { reason: 'defective' })).toBe(true);
    expect(holds(rule('reason', '=', 'defective'), { reason: 'other' })).toBe(false);
    expect(holds(rule('reason', '=', 'defective'), {})).toBe(false);
    expect(holds(rule('reason', '!=', 'defective'), { reason: 'other' })).toBe(true);
    expect(holds(rule('reason', '!=', 'defective'), { reason: 'defective' })).toBe(false);
    expect(holds(rule('amount', '>', '100'), { amount: 100.5 })).toBe(true);
    expect(holds(rule('amount', '>', '100'), { amount: 100 })).toBe(false);
    expect(holds(rule('amount', '<=', 100), { amount: 100 })).toBe(true);
    expect(holds(rule('amount', '<', 100), { amount: 100 })).toBe(false);
    expect(holds(rule('amount', '>=', 100), { amount: 99 })).toBe(false);
    expect(holds(rule('reason', 'in', 'a, defective'), { reason: 'defective' })).toBe(true);
    expect(holds(rule('reason', 'notIn', ['a', 'defective']), { reason: 'defective' })).toBe(false);
    expect(holds(rule('parts', 'contains', 'lid'), { parts: ['lid', 'cap'] })).toBe(true);
    expect(holds(rule('parts', 'contains', 'lid'), { parts: ['cap'] })).toBe(false);
    expect(holds(rule('note', 'contains', 'a.b'), { note: 'xa.by' })).toBe(true);
    expect(holds(rule('note', 'contains', 'a.b'), { note: 'xaxby' })).toBe(false);
    expect(holds(rule('note', 'beginsWith', 'SF'), { note: 'SF1' })).toBe(true);
    expect(holds(rule('note', 'endsWith', '$'), { note: 'cost $' })).toBe(true);
    expect(holds(rule('note', 'notNull'), { note: 'x' })).toBe(true);
    expect(holds(rule('note', 'null'), { note: 'x' })).toBe(false);
    expect(holds(rule('note', 'null'), {})).toBe(true);
  });

  it('joins rules with and/or, negates groups, and nests them', () => {
    const g: RuleGroup = {
      combinator: 'or',
      rules: [
        { field: 'reason', operator: '=', value: 'defective' },
        { combinator: 'and', not: true, rules: [{ field: 'amount', operator: '<', value: 10 }] },
      ],
    };
    expect(holds(g, { reason: 'defective', amount: 1 })).toBe(true);
    expect(holds(g, { reason: 'x', amount: 50 })).toBe(true);
    expect(holds(g, { reason: 'x', amount: 5 })).toBe(false);
  });

  it('reads back what it wrote, and nothing it did not', () => {
    const groups: RuleGroup[] = [
      rule('reason', '=', 'defective'),
      rule('reason', '!=', 'x'),
      rule('amount', '>', 1),
      rule('amount', '<=', 2),
      rule('reason', 'in', ['a', 'b']),
      rule('reason', 'notIn', ['a']),
      rule('parts', 'contains', 'lid'),
      rule('note', 'contains', 'a.b(c)'),
      rule('note', 'beginsWith', '^x'),
      rule('note', 'endsWith', 'y$'),
      rule('note', 'notNull'),
      rule('note', 'null'),
      {
        combinator: 'or',
        not: true,
        rules: [
          rule('note', 'notNull'),
          { combinator: 'and', rules: [{ field: 'amount', operator: '>=', value: 3 }] },
        ],
      },
    ];
    for (const g of groups) expect(conditionFromSchema(conditionToSchema(g, fields))).toEqual(g);
    expect(conditionFromSchema({ properties: { a: { const: 1 } } })).toBeUndefined();
    expect(
      conditionFromSchema({ allOf: [{ required: ['a'], properties: { a: { pattern: 'a+' } } }] }),
    ).toBeUndefined();
  });

  it('offers the fields before a field, with their choices, and not those that hold no comparable value', () => {
    expect(ruleFieldsFor(fields, 'note').map((f) => [f.name, f.type])).toEqual([
      ['reason', 'string'],
      ['amount', 'double'],
      ['parts', 'list'],
    ]);
    expect(ruleFieldsFor(fields)[0]!.values).toEqual(['defective']);
    expect(ruleFieldsFor(fields).map((f) => f.name)).not.toContain('photos');
  });
});
