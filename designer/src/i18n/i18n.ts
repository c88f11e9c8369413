import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { initReactI18next } from 'react-i18next';
import { createI18n } from './create-i18n.ts';
import type { LanguageCode } from './define-messages.ts';
import { LANGUAGE_STORAGE_KEY, pickLanguage } from './languages.ts';
import type { Namespace } from './resources.ts';

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

const dayjsLocale = (language: LanguageCode) => (language === 'zh-CN' ? 'zh-cn' : 'en');

/** Sets the page's language everywhere it shows: the html lang attribute and dates. */
function applyLanguage(language: LanguageCode): void {
  document.documentElement.lang = language;
  dayjs.locale(dayjsLocale(language));
}

const initial = pickLanguage({
  stored: storedLanguage(),
  browser: navigator.languages ?? [navigator.language],
});
export const i18n = createI18n(initial, [initReactI18next]);
applyLanguage(initial);
// Once the new language's strings are all there (i18next fetches every namespace in use first),
// before the page re-renders in it.
i18n.on('languageChanged', (language: string) => applyLanguage(language === 'zh-CN' ? 'zh-CN' : 'en'));

export const currentLanguage = (): LanguageCode => (i18n.language === 'zh-CN' ? 'zh-CN' : 'en');

/** Switches the language at once, and remembers the choice in this browser. */
export async function changeLanguage(language: LanguageCode): Promise<void> {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Private windows may refuse storage: the switch still applies to this visit.
  }
  await i18n.changeLanguage(language);
}

/**
 * A lazily loaded module together with the strings it shows: both fetched at once, so its pages
 * render in the current language without waiting for a second round trip.
 */
export function withMessages<M>(namespaces: readonly Namespace[], load: () => Promise<M>): () => Promise<M> {
  return () => Promise.all([load(), i18n.loadNamespaces([...namespaces])]).then(([module]) => module);
}
