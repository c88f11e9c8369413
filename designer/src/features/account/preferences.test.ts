import { describe, expect, it } from 'vitest';
import { effectiveTargets, toggledTargets } from './preferences.ts';

describe('notification preferences', () => {
  const rows = [
    { kind: '*', targets: ['email.email'] },
    { kind: 'sla', targets: ['sms.sms', 'chat_robots.wecom'] },
    { kind: 'urge', targets: [] },
  ];

  it('a kind with a row uses it; one without follows "*"', () => {
    expect(effectiveTargets(rows, 'sla')).toEqual({
      targets: ['sms.sms', 'chat_robots.wecom'],
      isDefault: false,
    });
    expect(effectiveTargets(rows, 'urge')).toEqual({ targets: [], isDefault: false });
    expect(effectiveTargets(rows, 'task')).toEqual({ targets: ['email.email'], isDefault: true });
    expect(effectiveTargets(rows, '*')).toEqual({ targets: ['email.email'], isDefault: false });
    expect(effectiveTargets([], '*')).toEqual({ targets: [], isDefault: false });
  });

  it('turning a target on or off starts from what the kind gets now', () => {
    expect(toggledTargets(rows, 'task', 'sms.sms', true)).toEqual(['email.email', 'sms.sms']);
    expect(toggledTargets(rows, 'task', 'email.email', false)).toEqual([]);
    expect(toggledTargets(rows, 'sla', 'sms.sms', false)).toEqual(['chat_robots.wecom']);
    expect(toggledTargets(rows, 'sla', 'sms.sms', true)).toEqual(['chat_robots.wecom', 'sms.sms']);
  });
});
