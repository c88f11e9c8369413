import { type FieldError, fieldError } from '../field-error.ts';

/** The languages a display name can be given in (those the web app speaks). */
export const DISPLAY_LOCALES = ['en', 'zh-CN'] as const;
export type DisplayLocale = (typeof DISPLAY_LOCALES)[number];

/**
 * What people call a thing in other languages than its plain name's, by locale
 * ({ "zh-CN": "电话" }); the plain name stands in for a language it does not name.
 */
export type LocalizedNames = Readonly<Partial<Record<DisplayLocale, string>>>;

export const MAX_DISPLAY_NAME_LENGTH = 100;

const isDisplayLocale = (locale: string): locale is DisplayLocale =>
  (DISPLAY_LOCALES as readonly string[]).includes(locale);

/** The name in `locale`, else the plain name. */
export function nameIn(
  plain: string,
  names: LocalizedNames | null | undefined,
  locale: string | null | undefined,
) {
  const text = locale && isDisplayLocale(locale) ? names?.[locale]?.trim() : undefined;
  return text || plain;
}

/**
 * Checks names given as a list of { locale, text } (as GraphQL takes them) and returns them as a
 * map, or the errors naming each wrong entry (`path` is where the list sits: "/names").
 */
export function parseLocalizedNames(
  entries: readonly { locale: string; text: string }[],
  path: string,
): { names: LocalizedNames; errors: FieldError[] } {
  const names: Partial<Record<DisplayLocale, string>> = {};
  const errors: FieldError[] = [];
  entries.forEach((entry, i) => {
    const text = entry.text.trim();
    if (!isDisplayLocale(entry.locale))
      errors.push(
        fieldError(
          `${path}/${i}/locale`,
          'invalid',
          `"${entry.locale}" is not a language Docket shows; use ${DISPLAY_LOCALES.join(' or ')}.`,
        ),
      );
    else if (names[entry.locale] !== undefined)
      errors.push(
        fieldError(`${path}/${i}/locale`, 'duplicate', `${entry.locale} is named twice; give it once.`),
      );
    else if (!text)
      errors.push(fieldError(`${path}/${i}/text`, 'required', `The ${entry.locale} name is empty.`));
    else if (text.length > MAX_DISPLAY_NAME_LENGTH)
      errors.push(
        fieldError(
          `${path}/${i}/text`,
          'too_long',
          `The ${entry.locale} name has ${text.length} characters; at most ${MAX_DISPLAY_NAME_LENGTH}.`,
        ),
      );
    else names[entry.locale] = text;
  });
  return { names, errors };
}

/** A map of names as the list GraphQL serves, in DISPLAY_LOCALES order. */
export const localizedNameList = (
  names: LocalizedNames | null | undefined,
): { locale: DisplayLocale; text: string }[] =>
  DISPLAY_LOCALES.flatMap((locale) => (names?.[locale] ? [{ locale, text: names[locale] }] : []));
