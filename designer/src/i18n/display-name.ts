import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { LanguageCode } from './define-messages.ts';

/**
 * A name in other languages, as the API serves it beside a plain name (roles' names, channels' and
 * notification targets' titles).
 */
export type LocalizedNames = readonly { locale?: string | null; text?: string | null }[] | null | undefined;

/**
 * What to call a role, a channel or a notification target in `language`: the name it was given in
 * that language, else its plain name. They are data, so their names come with them, not from
 * messages.ts.
 */
export function nameIn(
  plain: string | null | undefined,
  names: LocalizedNames,
  language: LanguageCode,
): string {
  const localized = names?.find((n) => n.locale === language)?.text?.trim();
  return localized || (plain ?? '');
}

/** nameIn in the page's language; components using it re-render when the language changes. */
export function useDisplayName(): (plain: string | null | undefined, names: LocalizedNames) => string {
  const { i18n } = useTranslation();
  const language: LanguageCode = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  return useCallback((plain, names) => nameIn(plain, names, language), [language]);
}
