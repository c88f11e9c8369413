import { describe, expect, it } from 'vitest';
import { describeChange, namesNeeded } from './describe-change.ts';

const NAMES: Record<string, string> = {
  'user:3': 'Ann Agent',
  'user:4': 'Bo Tech',
  'team:2': 'Store A repairs',
};
const names = (kind: string, id: number): string | undefined => NAMES[`${kind}:${id}`];

describe('the sentence of an updated entry', () => {
  const entry = {
    kind: 'updated',
    diff: { priority: { from: 'normal', to: 'urgent' }, assigneeId: { from: 3, to: 4 } },
  };

  it('says each change in English and in Chinese, with names for people', () => {
    expect(describeChange(entry, 'en', names)).toBe(
      'Changed priority from normal to urgent; assignee from Ann Agent to Bo Tech.',
    );
    expect(describeChange(entry, 'zh-CN', names)).toBe(
      '将优先级由「普通」改为「紧急」；处理人由「Ann Agent」改为「Bo Tech」。',
    );
  });

  it('names the ids it needs, and falls back to #id when a name is unknown', () => {
    expect(namesNeeded(entry.diff)).toEqual([
      { kind: 'user', id: 3 },
      { kind: 'user', id: 4 },
    ]);
    expect(describeChange(entry, 'en')).toContain('from #3 to #4');
  });

  it('says a cleared value is nobody and form data changed without quoting it', () => {
    const cleared = {
      kind: 'updated',
      diff: { teamId: { from: 2, to: null }, formData: { from: {}, to: { a: 1 } } },
    };
    expect(describeChange(cleared, 'en', names)).toBe(
      'Changed team from Store A repairs to nobody; the form data.',
    );
  });

  it('has no sentence for other kinds', () => {
    expect(describeChange({ kind: 'reply', diff: null, body: 'hi' }, 'en')).toBeNull();
  });
});

describe('the sentence of a transfer', () => {
  it('says from whom to whom and why', () => {
    const e = {
      kind: 'task.transferred',
      body: 'Wrong department',
      diff: {
        holder: {
          from: { userName: 'Ann Agent', teamName: 'Service desk' },
          to: { teamName: 'Store A repairs' },
        },
      },
    };
    expect(describeChange(e, 'en')).toBe(
      'Transferred from Ann Agent (Service desk) to Store A repairs: Wrong department.',
    );
    expect(describeChange(e, 'zh-CN')).toBe(
      '从 Ann Agent（Service desk） 转办给 Store A repairs，原因：Wrong department。',
    );
  });
});
