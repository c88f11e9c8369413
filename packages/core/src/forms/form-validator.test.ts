import { describe, expect, it } from 'vitest';
import { checkFormSchema, formText, validateFormData } from './form-validator.ts';

const schema = {
  type: 'object',
  required: ['name', 'contact'],
  properties: {
    name: { type: 'string', title: 'Full name', minLength: 2 },
    age: { type: 'integer', minimum: 0 },
    kind: { type: 'string', enum: ['a', 'b'] },
    contact: {
      type: 'object',
      title: 'Contact',
      required: ['email'],
      properties: { email: { type: 'string', format: 'email', title: 'Email' } },
    },
    'a/b': { type: 'string' },
    hasWarranty: { type: 'boolean' },
    warrantyNumber: { type: 'string', title: 'Warranty number' },
  },
  if: { properties: { hasWarranty: { const: true } }, required: ['hasWarranty'] },
  then: { required: ['warrantyNumber'] },
};

describe('form data validation', () => {
  it('accepts valid data', () => {
    expect(validateFormData(schema, { name: 'Li', contact: { email: 'li@example.com' } })).toEqual([]);
  });

  it('reports every error at the pointer of its field, with the field title', () => {
    const errors = validateFormData(
      schema,
      { name: 'L', age: -1, kind: 'c', contact: { email: 'nope' }, 'a/b': 3 },
      '/formData',
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          path: '/formData/name',
          code: 'minLength',
          message: '"Full name" must have at least 2 characters.',
        },
        { path: '/formData/age', code: 'minimum', message: '"age" must be >= 0.' },
        { path: '/formData/kind', code: 'enum', message: '"kind" must be one of: "a", "b".' },
        { path: '/formData/contact/email', code: 'format', message: '"Email" must be a valid email.' },
        { path: '/formData/a~1b', code: 'type', message: '"a/b" must be a string.' },
      ]),
    );
    expect(errors).toHaveLength(5);
  });

  it('points a missing required field at the field itself', () => {
    expect(validateFormData(schema, { contact: {} })).toEqual([
      { path: '/name', code: 'required', message: '"Full name" is required.' },
      { path: '/contact/email', code: 'required', message: '"Email" is required.' },
    ]);
  });

  it('applies conditional requirements (if/then) the way the form renders them', () => {
    const errors = validateFormData(schema, {
      name: 'Li',
      contact: { email: 'li@example.com' },
      hasWarranty: true,
    });
    expect(errors).toEqual([
      { path: '/warrantyNumber', code: 'required', message: '"Warranty number" is required.' },
    ]);
  });

  it('says once which values a choice of labelled values allows, not once per value', () => {
    const choice = {
      type: 'object',
      properties: {
        reason: {
          type: 'string',
          title: 'Return reason',
          oneOf: [
            { const: 'defective', title: 'Defective on arrival' },
            { const: 'wrong_item', title: 'Wrong item delivered' },
          ],
        },
        mixed: { anyOf: [{ type: 'integer' }, { const: 'none' }] },
      },
    };
    expect(validateFormData(choice, { reason: 'broken' }, '/formData')).toEqual([
      {
        path: '/formData/reason',
        code: 'enum',
        message:
          '"Return reason" must be one of: "defective" (Defective on arrival), "wrong_item" (Wrong item delivered).',
      },
    ]);
    // A choice that is not only values keeps each branch's reason.
    expect(validateFormData(choice, { mixed: 'x' }).map((e) => e.code)).toEqual(['type', 'const', 'anyOf']);
  });

  it('refuses schemas that are not usable forms', () => {
    expect(checkFormSchema({ type: 'array' })[0]).toMatchObject({ path: '/formSchema/type' });
    expect(checkFormSchema({ type: 'object', properties: { a: { type: 'nonsense' } } })[0]).toMatchObject({
      code: 'invalid_schema',
    });
    expect(checkFormSchema('x')[0]).toMatchObject({ path: '/formSchema' });
    expect(checkFormSchema({ type: 'object' })).toEqual([]);
  });

  it('collects searchable text from nested values', () => {
    expect(formText({ a: 'kettle', b: { c: ['SF123', 7] }, d: true })).toBe('kettle SF123 7');
  });
});
