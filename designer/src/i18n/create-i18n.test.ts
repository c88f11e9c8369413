import type { i18n as I18n } from 'i18next';
import { describe, expect, it } from 'vitest';
import { deskMessages } from '../features/desk/messages.ts';
import { workflowsMessages } from '../features/workflows/messages.ts';
import { createI18n, featureMessagesBackend } from './create-i18n.ts';
import { lazyMessages } from './resources.ts';

/** The namespaces an instance holds strings for, per language. */
const held = (i18n: I18n) =>
  Object.fromEntries(['en', 'zh-CN'].map((l) => [l, Object.keys(i18n.store.data[l] ?? {}).sort()])) as Record<
    'en' | 'zh-CN',
    string[]
  >;

describe('the strings a page loads', () => {
  it('starts with the shell alone, in the chosen language, ready at once', () => {
    const i18n = createI18n('zh-CN');
    expect(i18n.isInitialized).toBe(true);
    expect(i18n.language).toBe('zh-CN');
    expect(held(i18n)).toEqual({ en: ['shell'], 'zh-CN': ['shell'] });
    expect(i18n.t('areas.desk')).toBe('工作台');
    expect(i18n.hasLoadedNamespace('desk')).toBe(false);
  });

  it('brings a namespace asked for later in the current language, and nothing else', async () => {
    const i18n = createI18n('zh-CN');
    await i18n.loadNamespaces(['desk']);
    expect(i18n.hasLoadedNamespace('desk')).toBe(true);
    expect(i18n.t('desk:myTasks.title')).toBe(deskMessages['zh-CN'].myTasks.title);
    expect(i18n.t('desk:myTasks.title')).not.toBe(deskMessages.en.myTasks.title);
    expect(held(i18n)['zh-CN']).toEqual(['desk', 'shell']);
  });

  it('switches every namespace loaded so far to the new language before saying it changed', async () => {
    const i18n = createI18n('en');
    await i18n.loadNamespaces(['desk']);
    await i18n.loadNamespaces(['workflows']);
    const seen: string[] = [];
    i18n.on('languageChanged', () => {
      // What a re-render would show at that moment.
      seen.push(i18n.t('desk:myTasks.title'), i18n.t('workflows:list.title'), i18n.t('nav.label'));
    });
    await i18n.changeLanguage('zh-CN');
    expect(seen).toEqual([
      deskMessages['zh-CN'].myTasks.title,
      workflowsMessages['zh-CN'].list.title,
      '主导航',
    ]);
    expect(held(i18n)['zh-CN']).toEqual(['desk', 'shell', 'workflows']);

    // And back: an area opened in Chinese comes back in English too.
    await i18n.loadNamespaces(['reports']);
    await i18n.changeLanguage('en');
    expect(i18n.t('reports:title')).toBe('Reports');
    expect(i18n.t('desk:myTasks.title')).toBe(deskMessages.en.myTasks.title);
  });

  it('loads a namespace asked for during a language switch in the language switched to', async () => {
    const i18n = createI18n('en');
    const switching = i18n.changeLanguage('zh-CN');
    const loading = i18n.loadNamespaces(['workflows']);
    await Promise.all([switching, loading]);
    if (!i18n.hasLoadedNamespace('workflows')) await i18n.loadNamespaces(['workflows']);
    expect(i18n.t('workflows:list.title')).toBe(workflowsMessages['zh-CN'].list.title);
  });

  it('refuses a namespace no feature registers, and a language Docket does not speak', async () => {
    const answers: [Error | null, unknown][] = [];
    const read = (language: string, namespace: string) =>
      new Promise<void>((resolve) =>
        featureMessagesBackend.read(language, namespace, (error, data) => {
          answers.push([error as Error | null, data]);
          resolve();
        }),
      );
    await read('en', 'nonsense');
    await read('fr', 'desk');
    await read('zh-CN', 'desk');
    expect(answers[0]![0]?.message).toBe('No feature registers strings under the namespace "nonsense".');
    expect(answers[1]![0]?.message).toBe('Docket has no "fr" strings for "desk".');
    expect(answers[2]).toEqual([null, deskMessages['zh-CN']]);
  });

  it('files every loader under its own namespace', async () => {
    for (const [namespace, load] of Object.entries(lazyMessages))
      expect((await load()).namespace, namespace).toBe(namespace);
  });
});
