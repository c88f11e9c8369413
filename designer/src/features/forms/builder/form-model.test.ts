import { validateFormData } from '@docket/core';
import { describe, expect, it } from 'vitest';
import {
  addField,
  type BuilderField,
  emptyModel,
  type FormModel,
  fieldProblems,
  fromSchemas,
  moveField,
  newField,
  removeField,
  renameField,
  toSchemas,
} from './form-model.ts';

const reason: BuilderField = {
  key: 'returnReason',
  kind: 'select',
  title: 'Return reason',
  isRequired: true,
  choices: [
    { value: 'defective', label: 'Defective' },
    { value: 'unwanted', label: 'Changed my mind' },
  ],
};
const tracking: BuilderField = {
  key: 'trackingNumber',
  kind: 'text',
  title: 'Tracking number',
  isRequired: true,
  pattern: '^SF\\d{9}$',
  patternMessage: 'SF and nine digits',
  condition: { combinator: 'and', rules: [{ field: 'returnReason', operator: '=', value: 'defective' }] },
};

const model = (...fields: BuilderField[]): FormModel => ({ ...emptyModel(), fields });

describe('the builder model as JSON Schema and back', () => {
  it('round-trips every field kind with its rules, choices, section and condition', () => {
    const m: FormModel = {
      ...emptyModel(),
      sections: [{ key: 's1', title: 'Details' }],
      fields: [
        reason,
        tracking,
        {
          key: 'amount',
          kind: 'money',
          title: 'Amount',
          isRequired: false,
          minimum: 0,
          maximum: 5000,
          section: 's1',
        },
        {
          key: 'note',
          kind: 'textarea',
          title: 'Note',
          isRequired: false,
          maxLength: 500,
          placeholder: 'Anything else?',
          help: 'Shown to the agent',
        },
        { key: 'bought', kind: 'date', title: 'Bought on', isRequired: true },
        { key: 'visit', kind: 'datetime', title: 'Visit', isRequired: false },
        {
          key: 'channel',
          kind: 'radio',
          title: 'Channel',
          isRequired: false,
          choices: [{ value: 'web', label: 'Web' }],
          default: 'web',
        },
        {
          key: 'parts',
          kind: 'checkboxes',
          title: 'Parts',
          isRequired: true,
          choices: [{ value: 'lid', label: 'Lid' }],
        },
        {
          key: 'category',
          kind: 'cascader',
          title: 'Category',
          isRequired: false,
          choices: [{ value: 'k', label: 'Kitchen', children: [{ value: 'kettle', label: 'Kettle' }] }],
        },
        {
          key: 'store',
          kind: 'tree',
          title: 'Store',
          isRequired: false,
          choices: [{ value: 'n', label: 'North' }],
        },
        { key: 'phone', kind: 'phone', title: 'Phone', isRequired: false, pattern: '^1\\d{10}$' },
        { key: 'mail', kind: 'email', title: 'Mail', isRequired: false },
        { key: 'photos', kind: 'files', title: 'Photos', isRequired: false },
        { key: 'story', kind: 'richtext', title: 'Story', isRequired: false },
        { key: 'owner', kind: 'user', title: 'Owner', isRequired: false },
        { key: 'unit', kind: 'orgUnit', title: 'Unit', isRequired: false },
        { key: 'qty', kind: 'number', title: 'Quantity', isRequired: false, minimum: 1 },
      ],
    };
    const { schema, uiSchema } = toSchemas(m);
    expect(fromSchemas(schema, uiSchema)).toEqual(m);
    // and the JSON survives being written as text and read again
    expect(
      toSchemas(fromSchemas(JSON.parse(JSON.stringify(schema)), JSON.parse(JSON.stringify(uiSchema)))),
    ).toEqual({
      schema,
      uiSchema,
    });
  });

  it('writes a conditional field as allOf if/then, which the server validates exactly as shown', () => {
    const { schema } = toSchemas(model(reason, tracking));
    expect(schema.properties).not.toHaveProperty('trackingNumber');
    expect(schema.allOf).toEqual([
      {
        if: { allOf: [{ required: ['returnReason'], properties: { returnReason: { const: 'defective' } } }] },
        then: {
          properties: {
            trackingNumber: {
              title: 'Tracking number',
              type: 'string',
              minLength: 1,
              pattern: '^SF\\d{9}$',
              'x-patternMessage': 'SF and nine digits',
            },
          },
          required: ['trackingNumber'],
        },
      },
    ]);
    // the same ajv rules the server applies (packages/core)
    expect(validateFormData(schema, { returnReason: 'unwanted' })).toEqual([]);
    expect(validateFormData(schema, { returnReason: 'defective' }).map((e) => e.path)).toEqual([
      '/trackingNumber',
    ]);
    expect(
      validateFormData(schema, { returnReason: 'defective', trackingNumber: 'x' }).map((e) => e.code),
    ).toEqual(['pattern']);
    expect(validateFormData(schema, { returnReason: 'defective', trackingNumber: 'SF123456789' })).toEqual(
      [],
    );
  });

  it('keeps what it does not model (hand-written keywords and allOf entries, other ui keys)', () => {
    const schema = {
      type: 'object',
      title: 'Returns',
      properties: { a: { type: 'string', title: 'A' } },
      allOf: [{ if: { properties: { a: { const: 'x' } } }, then: { required: ['a'] }, else: {} }],
      additionalProperties: false,
    };
    const uiSchema = { a: { 'ui:autofocus': true }, 'ui:submitButtonOptions': { norender: true } };
    const m = fromSchemas(schema, uiSchema);
    expect(m.fields.map((f) => f.key)).toEqual(['a']);
    const back = toSchemas(m);
    expect(back.schema).toMatchObject({ title: 'Returns', additionalProperties: false, allOf: schema.allOf });
    expect(back.uiSchema).toMatchObject({
      a: { 'ui:autofocus': true },
      'ui:submitButtonOptions': { norender: true },
    });
  });

  it('orders fields by ui:order and reads a schema written by hand', () => {
    const m = fromSchemas(
      {
        type: 'object',
        required: ['b'],
        properties: {
          a: { type: 'integer' },
          b: { type: 'string', enum: ['x', 'y'] },
          c: { type: 'string', format: 'email' },
        },
      },
      { 'ui:order': ['c', 'b', '*'] },
    );
    expect(m.fields.map((f) => [f.key, f.kind, f.isRequired])).toEqual([
      ['c', 'email', false],
      ['b', 'select', true],
      ['a', 'number', false],
    ]);
    expect(m.fields[1]!.choices).toEqual([
      { value: 'x', label: 'x' },
      { value: 'y', label: 'y' },
    ]);
  });
});

describe('builder edits', () => {
  it('adds fields with fresh keys, moves, renames and removes them with the conditions that test them', () => {
    let m = emptyModel();
    m = addField(m, newField(m, 'text', 'First'));
    m = addField(m, newField(m, 'text', 'Second'));
    expect(m.fields.map((f) => f.key)).toEqual(['text', 'text2']);
    m = addField(m, {
      ...tracking,
      condition: { combinator: 'and', rules: [{ field: 'text', operator: '=', value: 'x' }] },
    });
    m = renameField(m, 'text', 'reason');
    expect(m.fields[2]!.condition!.rules[0]).toMatchObject({ field: 'reason' });
    expect(renameField(m, 'reason', 'text2')).toBe(m); // taken: nothing happens
    m = moveField(m, 2, 0);
    expect(m.fields.map((f) => f.key)).toEqual(['trackingNumber', 'reason', 'text2']);
    m = removeField(m, 'reason');
    expect(m.fields.map((f) => f.key)).toEqual(['trackingNumber', 'text2']);
    expect(m.fields[0]!.condition).toBeUndefined();
  });

  it('names the problems that would make a form unusable', () => {
    const m = model(
      { key: '1bad', kind: 'text', title: '', isRequired: false },
      { key: 'c', kind: 'select', title: 'C', isRequired: false, choices: [] },
      { key: 'd', kind: 'text', title: 'D', isRequired: false, pattern: '(' },
      { key: 'e', kind: 'number', title: 'E', isRequired: false, minimum: 5, maximum: 1 },
    );
    expect(fieldProblems(m)).toEqual({
      '1bad': ['badKey', 'noTitle'],
      c: ['noChoices'],
      d: ['badPattern'],
      e: ['badRange'],
    });
  });
});
