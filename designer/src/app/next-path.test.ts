import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next-path.ts';

describe('safeNextPath', () => {
  it('keeps a path of this app, with its query', () => {
    expect(safeNextPath('/admin/templates/returns')).toBe('/admin/templates/returns');
    expect(safeNextPath('/desk?view=mine')).toBe('/desk?view=mine');
  });

  it('refuses addresses that would leave the app', () => {
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example', 'desk', '', null])
      expect(safeNextPath(next)).toBeNull();
  });
});
