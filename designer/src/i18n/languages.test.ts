import { describe, expect, it } from 'vitest';
import { pickLanguage } from './languages.ts';

describe('pickLanguage', () => {
  it('keeps the language a person chose', () => {
    expect(pickLanguage({ stored: 'zh-CN', browser: ['en-US'] })).toBe('zh-CN');
    expect(pickLanguage({ stored: 'en', browser: ['zh-CN'] })).toBe('en');
  });

  it("follows the browser's first language Docket speaks when nothing was chosen", () => {
    expect(pickLanguage({ stored: null, browser: ['zh-TW', 'en'] })).toBe('zh-CN');
    expect(pickLanguage({ stored: null, browser: ['fr-FR', 'en-GB', 'zh-CN'] })).toBe('en');
    expect(pickLanguage({ stored: null, browser: ['ZH'] })).toBe('zh-CN');
  });

  it('falls back to English for an unknown choice or browser language', () => {
    expect(pickLanguage({ stored: 'de', browser: ['fr'] })).toBe('en');
    expect(pickLanguage({ stored: null, browser: [] })).toBe('en');
  });
});
