import { describe, expect, it } from 'vitest';
import type { FeatureMessages, Messages } from './define-messages.ts';
import { allFeatureMessages } from './resources.ts';

/** Every key of a resource (nested keys joined with dots) with its text. */
function flatten(messages: Messages, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object') for (const [k, v] of flatten(value, path)) out.set(k, v);
    else out.set(path, value);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

// Every messages.ts in the app, found on disk: a feature's strings are checked even before it is
// registered, and the test below fails until it is.
const onDisk = Object.values(
  import.meta.glob<Record<string, unknown>>(['../**/messages.ts'], { eager: true }),
).flatMap((module) =>
  Object.values(module).filter(
    (v): v is FeatureMessages<string, Messages> => !!v && typeof v === 'object' && 'namespace' in v,
  ),
);
const featureMessages = await allFeatureMessages();

describe('translations', () => {
  it('gives every feature its own namespace', () => {
    const names = featureMessages.map((f) => f.namespace);
    expect(new Set(names).size).toBe(names.length);
  });

  it('registers every messages.ts of the app (resources.ts), so its strings can be loaded', () => {
    expect(onDisk.length).toBeGreaterThan(10);
    const registered = featureMessages.map((f) => f.namespace).sort();
    expect(onDisk.map((f) => f.namespace).sort()).toEqual(registered);
  });

  for (const feature of onDisk) {
    describe(feature.namespace, () => {
      const en = flatten(feature.en);
      const zh = flatten(feature['zh-CN'] as Messages);

      it('has every key in both English and Chinese, and no key in only one', () => {
        const missingInChinese = [...en.keys()].filter((k) => !zh.has(k));
        const missingInEnglish = [...zh.keys()].filter((k) => !en.has(k));
        expect({ missingInChinese, missingInEnglish }).toEqual({
          missingInChinese: [],
          missingInEnglish: [],
        });
      });

      it('has text for every key, with the same placeholders in both languages', () => {
        for (const [key, text] of en) {
          const translated = zh.get(key);
          expect(typeof text === 'string' && text.trim() !== '', `en ${feature.namespace}:${key}`).toBe(true);
          expect(
            typeof translated === 'string' && translated.trim() !== '',
            `zh-CN ${feature.namespace}:${key}`,
          ).toBe(true);
          expect(placeholders(String(translated)), `placeholders of ${feature.namespace}:${key}`).toEqual(
            placeholders(String(text)),
          );
        }
      });
    });
  }
});
