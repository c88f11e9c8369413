import { describe, expect, it } from 'vitest';
import { checkTemplateContent, checkTemplateKey, emptyTemplateContent } from './template-content.ts';

describe('template content', () => {
  it('accepts a complete template', () => {
    expect(checkTemplateContent(emptyTemplateContent('Returns'))).toEqual([]);
  });

  it('names each bad field', () => {
    const errors = checkTemplateContent({
      name: ' ',
      categoryPath: ['After-sales', ''],
      defaultPriority: 'asap' as never,
      numberPattern: 'X',
      formSchema: { type: 'object' },
      uiSchema: [] as never,
    });
    expect(errors.map((e) => e.path)).toEqual([
      '/name',
      '/categoryPath/1',
      '/defaultPriority',
      '/numberPattern',
      '/uiSchema',
    ]);
  });

  it('allows one to four category levels', () => {
    const base = emptyTemplateContent('x');
    expect(checkTemplateContent({ ...base, categoryPath: ['a', 'b', 'c', 'd'] })).toEqual([]);
    expect(checkTemplateContent({ ...base, categoryPath: [] })[0]?.path).toBe('/categoryPath');
    expect(checkTemplateContent({ ...base, categoryPath: ['a', 'b', 'c', 'd', 'e'] })[0]?.path).toBe(
      '/categoryPath',
    );
  });

  it.each([
    ['returns', true],
    ['it-support_2', true],
    ['Returns', false],
    ['r', false],
    ['9lives', false],
  ])('key %s valid: %s', (key, ok) => {
    expect(checkTemplateKey(key).length === 0).toBe(ok);
  });
});
