import { describe, expect, it } from 'vitest';
import { nameIn } from './display-name.ts';

describe('nameIn', () => {
  const names = [
    { locale: 'zh-CN', text: '服务台坐席' },
    { locale: 'en', text: 'Service desk agent' },
  ];

  it("gives the name in the page's language", () => {
    expect(nameIn('Service desk', names, 'zh-CN')).toBe('服务台坐席');
    expect(nameIn('Service desk', names, 'en')).toBe('Service desk agent');
  });

  it('falls back to the plain name for a language not named, an empty name, or no names', () => {
    expect(nameIn('Phone', [{ locale: 'zh-CN', text: '电话' }], 'en')).toBe('Phone');
    expect(nameIn('Phone', [{ locale: 'zh-CN', text: '  ' }], 'zh-CN')).toBe('Phone');
    expect(nameIn('Phone', null, 'zh-CN')).toBe('Phone');
    expect(nameIn(null, [], 'en')).toBe('');
  });
});
