import { coreNodeTypes } from '@docket/core';
import { describe, expect, it } from 'vitest';
import { coreNodeViews, GenericView, viewOf } from './core-views.tsx';
import { defineNodeView, nodeViewRegistry } from './define-node-view.ts';
import { channelText } from './node-labels.ts';

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

  it("names a notify step's channel: in-app in words, a target by its name, else by its key", () => {
    const labels = { target: new Map([['sms.sms', '短信']]) };
    expect(channelText('in_app', labels, '站内通知')).toBe('站内通知');
    expect(channelText('sms.sms', labels, '站内通知')).toBe('短信');
    // Not installed (or the names not read yet): the key, which the draft's problems also name.
    expect(channelText('fax.fax', labels, '站内通知')).toBe('fax.fax');
    expect(channelText('sms.sms', {}, 'In-app notification')).toBe('sms.sms');
    expect(channelText(undefined, labels, 'In-app notification')).toBe('?');
  });
});
