import { describe, expect, it } from 'vitest';
import { celToRuleGroup, type RuleField, type RuleGroup, ruleGroupToCel } from './rule-cel.ts';

const fields: RuleField[] = [
  { name: 'form.returnReason', label: 'Return reason', type: 'string' },
  { name: 'form.amount', label: 'Amount', type: 'double' },
  { name: 'form.count', label: 'Count', type: 'int' },
  { name: 'form.isUrgent', label: 'Urgent', type: 'bool' },
  { name: 'ticket.createdAt', label: 'Created', type: 'timestamp' },
  { name: 'ticket.categoryPath', label: 'Category path', type: 'list' },
  { name: 'steps.cs_review.approved', label: 'Approved', type: 'bool' },
];

const rule = (field: string, operator: string, value: unknown) => ({ field, operator, value });

describe('rules to CEL', () => {
  it('writes each operator with literals typed by the field', () => {
    const cel = (r: ReturnType<typeof rule>) => ruleGroupToCel({ combinator: 'and', rules: [r] }, fields);
    expect(cel(rule('form.returnReason', '=', "it's broken"))).toBe("form.returnReason == 'it\\'s broken'");
    expect(cel(rule('form.amount', '>=', '100'))).toBe('form.amount >= 100.0');
    expect(cel(rule('form.amount', '<', 2.5))).toBe('form.amount < 2.5');
    expect(cel(rule('form.count', '!=', '3'))).toBe('form.count != 3');
    expect(cel(rule('form.isUrgent', '=', true))).toBe('form.isUrgent == true');
    expect(cel(rule('ticket.createdAt', '<', '2026-01-01T00:00:00Z'))).toBe(
      "ticket.createdAt < timestamp('2026-01-01T00:00:00Z')",
    );
    expect(cel(rule('form.returnReason', 'contains', 'leak'))).toBe("form.returnReason.contains('leak')");
    expect(cel(rule('form.returnReason', 'beginsWith', 'A'))).toBe("form.returnReason.startsWith('A')");
    expect(cel(rule('form.returnReason', 'endsWith', 'Z'))).toBe("form.returnReason.endsWith('Z')");
    expect(cel(rule('form.returnReason', 'in', 'defective, wrong_item'))).toBe(
      "form.returnReason in ['defective', 'wrong_item']",
    );
    expect(cel(rule('form.count', 'notIn', [1, 2]))).toBe('!(form.count in [1, 2])');
    expect(cel(rule('form.returnReason', 'notNull', null))).toBe('has(form.returnReason)');
    expect(cel(rule('form.returnReason', 'null', null))).toBe('!has(form.returnReason)');
    expect(cel(rule('ticket.categoryPath', 'contains', 'Returns'))).toBe(
      "ticket.categoryPath.contains('Returns')",
    );
  });

  it('joins rules and nested groups with && and ||, negates groups, and lets an empty group through', () => {
    const group: RuleGroup = {
      combinator: 'and',
      rules: [
        rule('form.returnReason', '=', 'defective'),
        {
          combinator: 'or',
          rules: [rule('form.amount', '>', 100), rule('steps.cs_review.approved', '=', true)],
        },
        { combinator: 'and', not: true, rules: [rule('form.isUrgent', '=', true)] },
      ],
    };
    expect(ruleGroupToCel(group, fields)).toBe(
      "form.returnReason == 'defective' && (form.amount > 100.0 || steps.cs_review.approved == true) && !(form.isUrgent == true)",
    );
    expect(ruleGroupToCel({ combinator: 'and', rules: [] })).toBe('true');
    expect(ruleGroupToCel({ combinator: 'or', rules: [rule('', '=', 'x')] })).toBe('true');
  });
});

describe('CEL to rules', () => {
  const read = (text: string) => {
    const r = celToRuleGroup(text);
    if (!r.isReadable) throw new Error(r.reason);
    return r.group;
  };

  it('reads back what the builder writes, group for group', () => {
    const groups: RuleGroup[] = [
      { combinator: 'and', rules: [rule('form.returnReason', '=', 'defective')] },
      {
        combinator: 'or',
        rules: [
          rule('form.amount', '>', 100.5),
          rule('form.returnReason', 'in', ['a', 'b']),
          rule('form.returnReason', 'notIn', ['c']),
        ],
      },
      {
        combinator: 'and',
        rules: [
          rule('form.returnReason', 'notNull', null),
          rule('form.returnReason', 'null', null),
          rule('form.returnReason', 'contains', 'x'),
          rule('form.returnReason', 'beginsWith', "it's"),
          { combinator: 'or', rules: [rule('form.count', '<=', -2), rule('form.isUrgent', '!=', false)] },
          { combinator: 'and', not: true, rules: [rule('form.count', '=', 1), rule('form.count', '=', 2)] },
        ],
      },
    ];
    for (const g of groups) expect(read(ruleGroupToCel(g, fields))).toEqual(g);
  });

  it('reads CEL written by hand: double quotes, a bare true/false field, timestamps, parentheses', () => {
    expect(read('steps.cs_review.approved == true')).toEqual({
      combinator: 'and',
      rules: [rule('steps.cs_review.approved', '=', true)],
    });
    expect(read('form.needsFollowUp')).toEqual({
      combinator: 'and',
      rules: [rule('form.needsFollowUp', '=', true)],
    });
    expect(read('has(form.needsFollowUp) && form.needsFollowUp')).toEqual({
      combinator: 'and',
      rules: [rule('form.needsFollowUp', 'notNull', null), rule('form.needsFollowUp', '=', true)],
    });
    expect(read(`form.serviceCategory == "repair"`)).toEqual({
      combinator: 'and',
      rules: [rule('form.serviceCategory', '=', 'repair')],
    });
    expect(read("ticket.createdAt < timestamp('2026-01-01T00:00:00Z')")).toEqual({
      combinator: 'and',
      rules: [rule('ticket.createdAt', '<', '2026-01-01T00:00:00Z')],
    });
    expect(read('(form.a == 1 || form.b == 2) && form.c == 3')).toEqual({
      combinator: 'and',
      rules: [
        { combinator: 'or', rules: [rule('form.a', '=', 1), rule('form.b', '=', 2)] },
        rule('form.c', '=', 3),
      ],
    });
    expect(read('true')).toEqual({ combinator: 'and', rules: [] });
    expect(read('')).toEqual({ combinator: 'and', rules: [] });
  });

  it('says where text goes beyond what the builder shows, so it is edited as text', () => {
    const reason = (text: string) => {
      const r = celToRuleGroup(text);
      return r.isReadable ? undefined : r.reason;
    };
    expect(reason('size(form.items) > 2')).toBe(
      'the function "size" at column 1, which the rule builder does not offer',
    );
    expect(reason('form.a == form.b')).toBe(
      'a value the rule builder can show expected (text, a number, true or false) at column 11',
    );
    expect(reason('form.a + 1 > 2')).toBe('"+" at column 8');
    expect(reason('form.a == ')).toBe('a value expected at the end');
    expect(reason("form.a == 'open")).toBe('the text that starts at column 11 never ends');
    expect(reason('form.a.matches("x")')).toBe('a function the rule builder does not offer at column 8');
    expect(reason('form.a == 1 form.b')).toBe('more than the rule builder can show at column 13');
  });
});
