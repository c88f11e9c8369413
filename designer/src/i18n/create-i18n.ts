import i18next, { type BackendModule, type i18n as I18n, type Module } from 'i18next';
import type { LanguageCode } from './define-messages.ts';
import { LANGUAGES } from './languages.ts';
import { BUNDLED_NAMESPACES, bundledResources, loadMessages } from './resources.ts';

/**
 * i18next's backend for the features' strings: a namespace is read from its feature's messages
 * module, fetched (once, with both languages in it) the first time any language asks for it.
 */
export const featureMessagesBackend: BackendModule = {
  type: 'backend',
  init() {},
  read(language, namespace, callback) {
    loadMessages(namespace).then(
      (messages) => {
        if (!messages) {
          callback(new Error(`No feature registers strings under the namespace "${namespace}".`), false);
          return;
        }
        const code = LANGUAGES.find((l) => l.code === language)?.code as LanguageCode | undefined;
        if (!code) {
          callback(new Error(`Docket has no "${language}" strings for "${namespace}".`), false);
          return;
        }
        callback(null, messages[code]);
      },
      // A chunk that did not arrive (a network blip, a redeploy): i18next asks again a few times.
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), true),
    );
  },
};

/**
 * An i18next instance speaking `language`: the shell's strings at once, every other namespace
 * when it is first asked for (i18n.loadNamespaces, or useTranslation). A language switch fetches
 * every namespace asked for so far in the new language before the page re-renders in it.
 */
export function createI18n(language: LanguageCode, modules: Module[] = []): I18n {
  const instance = i18next.createInstance();
  for (const module of [featureMessagesBackend, ...modules]) instance.use(module);
  void instance.init({
    resources: bundledResources,
    // The shell's strings are bundled; the backend brings the rest.
    partialBundledLanguages: true,
    lng: language,
    fallbackLng: 'en',
    supportedLngs: LANGUAGES.map((l) => l.code),
    ns: [...BUNDLED_NAMESPACES],
    defaultNS: 'shell',
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return instance;
}
