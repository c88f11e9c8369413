import { coreNodeTypes } from '@docket/core';
import { describe, expect, it } from 'vitest';
import { coreNodeViews, GenericView, viewOf } from './core-views.tsx';
import { defineNodeView, nodeViewRegistry } from './define-node-view.ts';

describe('node views', () => {
  it('has a view of its own for every core node type', () => {
    const missing = coreNodeTypes.map((d) => d.type).filter((type) => !coreNodeViews.has(type));
    expect(missing).toEqual([]);
    for (const d of coreNodeTypes) expect(viewOf(d.type)).not.toBe(GenericView);
  });

  it("gives any other type (a plugin's, or one no longer installed) the generic view", () => {
    expect(viewOf('parcel.lookup')).toBe(GenericView);
  });

  it('refuses two views of one type', () => {
    const view = defineNodeView({ type: 'start' }, GenericView);
    expect(() => nodeViewRegistry([view, view])).toThrow(/two views/);
  });
});
