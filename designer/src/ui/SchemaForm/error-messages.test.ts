import type { RJSFValidationError } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';
import {
  authoredMessage,
  localizeErrors,
  type MessageSource,
  pathSegments,
  sayMessage,
  serverErrorSchema,
} from './error-messages.ts';
import { schemaFormMessages } from './messages.ts';

/** A translator over the real message files, with i18next's {{placeholder}} filling. */
function translatorFor(language: 'en' | 'zh-CN') {
  return (key: string, options?: Record<string, unknown>) => {
    const path = key.replace(/^schemaForm:/, '').split('.');
    let node: unknown = schemaFormMessages[language];
    for (const p of path) node = (node as Record<string, unknown> | undefined)?.[p];
    if (typeof node !== 'string') return String(options?.defaultValue ?? key);
    return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(options?.[name] ?? ''));
  };
}

const schema = {
  type: 'object',
  properties: {
    phone: {
      type: 'string',
      pattern: '^1\\d{10}$',
      'x-patternMessage': { en: '11 digits starting with 1', 'zh-CN': '以 1 开头的 11 位数字' },
    },
    code: { type: 'string', pattern: '^[A-Z]+$' },
    amount: { type: 'number', minimum: 1 },
  },
};

const err = (e: Partial<RJSFValidationError>): RJSFValidationError => ({ stack: '', ...e });

describe('localizeErrors', () => {
  it('says what a broken rule asks for, in the reader language, with its limit', () => {
    const errors = [
      err({ name: 'required', property: '.title', params: { missingProperty: 'title' } }),
      err({
        name: 'minimum',
        property: '.amount',
        params: { limit: 1 },
        schemaPath: '#/properties/amount/minimum',
      }),
      err({ name: 'format', property: '.mail', params: { format: 'email' } }),
    ];
    const en = localizeErrors(errors, { t: translatorFor('en'), language: 'en', schema });
    expect(en.map((e) => e.message)).toEqual([
      'This field is required.',
      'Must be at least 1.',
      'Not an email address.',
    ]);
    const zh = localizeErrors(errors, { t: translatorFor('zh-CN'), language: 'zh-CN', schema });
    expect(zh.map((e) => e.message)).toEqual(['此项必填。', '不能小于 1。', '不是有效的邮箱地址。']);
  });

  it("uses a pattern's own message when its author wrote one, else a general one", () => {
    const errors = [
      err({ name: 'pattern', property: '.phone', schemaPath: '#/properties/phone/pattern', params: {} }),
      err({ name: 'pattern', property: '.code', schemaPath: '#/properties/code/pattern', params: {} }),
    ];
    expect(
      localizeErrors(errors, { t: translatorFor('zh-CN'), language: 'zh-CN', schema }).map((e) => e.message),
    ).toEqual(['以 1 开头的 11 位数字', '格式不正确。']);
    expect(localizeErrors(errors, { t: translatorFor('en'), language: 'en', schema })[0]?.message).toBe(
      '11 digits starting with 1',
    );
  });

  it('names the expected type in words', () => {
    const [e] = localizeErrors([err({ name: 'type', params: { type: 'integer' } })], {
      t: translatorFor('en'),
      language: 'en',
      schema,
    });
    expect(e?.message).toBe('Must be a whole number.');
  });

  it('keeps what each message says, so a message shown in one language can be said in the other', () => {
    const errors = [
      err({ name: 'required', property: '.title', params: { missingProperty: 'title' } }),
      err({ name: 'pattern', property: '.phone', schemaPath: '#/properties/phone/pattern', params: {} }),
      err({ name: 'type', params: { type: 'integer,null' } }),
      err({ name: 'minimum', params: { limit: 1 }, schemaPath: '#/properties/amount/minimum' }),
    ];
    const sources = new Map<string, MessageSource>();
    const en = localizeErrors(errors, { t: translatorFor('en'), language: 'en', schema, sources });
    const zh = en.map((e) => {
      const source = sources.get(e.message ?? '');
      return source ? sayMessage(source, { t: translatorFor('zh-CN'), language: 'zh-CN' }) : e.message;
    });
    expect(zh).toEqual(
      localizeErrors(errors, { t: translatorFor('zh-CN'), language: 'zh-CN', schema }).map((e) => e.message),
    );
    expect(zh).toEqual(['此项必填。', '以 1 开头的 11 位数字', '必须是整数 / null。', '不能小于 1。']);
  });
});

describe('authoredMessage', () => {
  it('takes the reader language, then any language, then nothing', () => {
    expect(authoredMessage({ en: 'A', 'zh-CN': '甲' }, 'zh-CN')).toBe('甲');
    expect(authoredMessage({ en: 'A' }, 'zh-CN')).toBe('A');
    expect(authoredMessage('plain', 'en')).toBe('plain');
    expect(authoredMessage('', 'en')).toBeUndefined();
    expect(authoredMessage(undefined, 'en')).toBeUndefined();
  });
});

describe('serverErrorSchema', () => {
  it('puts each server message beside the field its path names', () => {
    expect(
      serverErrorSchema({ '/amount': 'Too much.', 'address.city': 'Unknown city.', '/a~1b': 'Slash key.' }),
    ).toEqual({
      amount: { __errors: ['Too much.'] },
      address: { city: { __errors: ['Unknown city.'] } },
      'a/b': { __errors: ['Slash key.'] },
    });
  });

  it('puts a message for the whole form on the form, and nothing when there is nothing', () => {
    expect(serverErrorSchema({ '/': 'Form closed.' })).toEqual({ __errors: ['Form closed.'] });
    expect(serverErrorSchema({})).toBeUndefined();
    expect(serverErrorSchema(undefined)).toBeUndefined();
  });

  it('reads JSON pointers and dotted paths alike', () => {
    expect(pathSegments('/items/0/name')).toEqual(['items', '0', 'name']);
    expect(pathSegments('items.0.name')).toEqual(['items', '0', 'name']);
  });
});
