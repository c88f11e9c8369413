/** A feature's strings: keys, nested by screen or component, to text. */
export type Messages = { [key: string]: string | Messages };

/** The same keys as T (all of them, nothing more), each a string: a translation of T. */
export type Translation<T> = { [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };

export type LanguageCode = 'en' | 'zh-CN';

export type FeatureMessages<N extends string, T extends Messages> = {
  namespace: N;
  en: T;
  'zh-CN': Translation<T>;
};

/**
 * One resource file per feature area (features/<area>/messages.ts): its namespace and its strings
 * in every language. The compiler refuses a translation that lacks a key of the English text or
 * has one it does not; i18n.test.ts checks the same at run time, placeholders included.
 */
export function defineMessages<const N extends string, const T extends Messages>(
  namespace: N,
  byLanguage: { en: T; 'zh-CN': Translation<T> },
): FeatureMessages<N, T> {
  return { namespace, en: byLanguage.en, 'zh-CN': byLanguage['zh-CN'] };
}
