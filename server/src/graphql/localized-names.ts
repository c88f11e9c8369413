import { type DisplayLocale, type LocalizedNames, localizedNameList } from '@docket/core';
import { builder } from './builder.ts';

/**
 * A thing's name in one language, beside its plain name (a role's, a channel's): clients show the
 * one in their language, the plain name where none is given, and switch without asking again.
 */
export const LocalizedNameRef = builder
  .objectRef<{ locale: DisplayLocale; text: string }>('LocalizedName')
  .implement({
    description:
      "A name in one language: the web app shows the one in the page's language, else the plain name.",
    fields: (t) => ({
      locale: t.exposeString('locale', { description: 'en or zh-CN.' }),
      text: t.exposeString('text'),
    }),
  });

export const LocalizedNameInput = builder.inputType('LocalizedNameInput', {
  description: 'A name in one language (en or zh-CN), at most 100 characters.',
  fields: (t) => ({
    locale: t.string({ required: true }),
    text: t.string({ required: true }),
  }),
});

/** The list GraphQL serves for a map of names. */
export const servedNames = (names: LocalizedNames | Readonly<Record<string, string>> | null | undefined) =>
  localizedNameList(names as LocalizedNames | null | undefined);
