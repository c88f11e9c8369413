import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { LanguageCode } from './define-messages.ts';
import { LANGUAGE_STORAGE_KEY, LANGUAGES, pickLanguage } from './languages.ts';
import { namespaces, resources } from './resources.ts';

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

export const i18n = i18next.createInstance();

const initial = pickLanguage({
  stored: storedLanguage(),
  browser: navigator.languages ?? [navigator.language],
});
void i18n.use(initReactI18next).init({
  resources,
  lng: initial,
  fallbackLng: 'en',
  supportedLngs: LANGUAGES.map((l) => l.code),
  ns: namespaces,
  defaultNS: 'shell',
  interpolation: { escapeValue: false },
  initAsync: false,
});
applyLanguage(initial);

export const currentLanguage = (): LanguageCode => (i18n.language === 'zh-CN' ? 'zh-CN' : 'en');

/** Switches the language at once, and remembers the choice in this browser. */
export async function changeLanguage(language: LanguageCode): Promise<void> {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Private windows may refuse storage: the switch still applies to this visit.
  }
  applyLanguage(language);
  await i18n.changeLanguage(language);
}
