import type { LanguageCode } from './define-messages.ts';

export const LANGUAGES: readonly { code: LanguageCode; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '中文' },
];

/** Where the browser remembers the language a person chose. */
export const LANGUAGE_STORAGE_KEY = 'docket.language';

const isLanguage = (code: string | null | undefined): code is LanguageCode =>
  LANGUAGES.some((l) => l.code === code);

/**
 * The language to show: the one the person chose before, else the first of the browser's
 * languages that Docket speaks (any zh-* is Chinese, any en-* English), else English.
 */
export function pickLanguage(input: { stored: string | null; browser: readonly string[] }): LanguageCode {
  if (isLanguage(input.stored)) return input.stored;
  for (const tag of input.browser) {
    const lower = tag.toLowerCase();
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}
