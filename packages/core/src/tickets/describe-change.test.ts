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

  it('says what an SLA clock did in Chinese, and leaves English to the entry body', () => {
    const started = {
      kind: 'sla.started',
      body: 'First response clock started: target 1 h, due 2026-11-30T19:00:00.000Z.',
      diff: {
        first_response: {
          from: null,
          to: { status: 'running', dueAt: '2026-11-30T19:00:00.000Z', targetSeconds: 5400 },
        },
      },
    };
    expect(describeChange(started, 'zh-CN')).toBe(
      '首次响应计时开始：目标 1 小时 30 分钟，截止于 2026-11-30 19:00 UTC。',
    );
    expect(describeChange(started, 'en')).toBeNull();
    const breached = {
      kind: 'sla.breached',
      diff: {
        resolution: {
          from: { status: 'running' },
          to: { status: 'breached', breachedAt: '2026-11-30T20:15:00.000Z' },
        },
      },
    };
    expect(describeChange(breached, 'zh-CN')).toBe('解决已超时：截止时间为 2026-11-30 20:15 UTC。');
    const retargeted = {
      kind: 'sla.retargeted',
      diff: {
        resolution: {
          from: { priority: 'normal', targetSeconds: 14400, dueAt: '2026-11-30T22:00:00.000Z' },
          to: { priority: 'urgent', targetSeconds: 3600, dueAt: null },
        },
      },
    };
    expect(describeChange(retargeted, 'zh-CN')).toBe(
      '解决目标调整：普通 4 小时 → 紧急 1 小时；截止时间 2026-11-30 22:00 UTC → 无。',
    );
    expect(
      describeChange({ kind: 'sla.met', diff: { resolution: { to: { consumedSeconds: 45 } } } }, 'zh-CN'),
    ).toBe('解决已达成，用时 45 秒。');
  });

  it('names each attachment a channel did not keep, and why, in both languages', () => {
    const entry = {
      kind: 'files.refused',
      diff: {
        refused: {
          from: null,
          to: [
            { name: 'a.exe', contentType: 'application/x-msdownload', size: 10, reason: 'type' },
            { name: 'b.png', contentType: 'image/png', size: 10, reason: 'content' },
            { name: 'c.pdf', contentType: 'application/pdf', size: 300, reason: 'size', limit: 200 },
            { name: 'd.txt', contentType: 'text/plain', size: 0, reason: 'empty' },
          ],
        },
      },
    };
    expect(describeChange(entry, 'en')!.split('\n')).toEqual([
      'The attachment "a.exe" was not kept: files of type application/x-msdownload are not accepted.',
      'The attachment "b.png" was not kept: its content is not image/png.',
      'The attachment "c.pdf" was not kept: it has 300 bytes; a file may have at most 200.',
      'The attachment "d.txt" was not kept: it is empty.',
    ]);
    expect(describeChange(entry, 'zh-CN')!.split('\n')).toEqual([
      '附件“a.exe”未保存：不接受 application/x-msdownload 类型的文件。',
      '附件“b.png”未保存：其内容不是 image/png。',
      '附件“c.pdf”未保存：文件大小 300 字节，超过上限 200 字节。',
      '附件“d.txt”未保存：文件为空。',
    ]);
    expect(describeChange({ kind: 'files.refused', diff: null }, 'en')).toBeNull();
  });
});

describe('the sentence of a notice sent through an outside target', () => {
  it('says in Chinese whom it reached and why not the others, by the name the target had', () => {
    const sent = {
      kind: 'notification.failed',
      diff: {
        target: { from: null, to: 'sms.sms' },
        targetTitle: { from: null, to: { en: 'SMS', 'zh-CN': '短信' } },
        results: {
          from: null,
          to: [
            { recipient: 'user:3', isDelivered: true },
            { recipient: 'user:4', isDelivered: false, error: 'no phone number' },
          ],
        },
      },
    };
    expect(describeChange(sent, 'zh-CN')).toBe('短信：共 2 人，送达 1 人；user:4：no phone number。');
    // In English the entry's own body says it.
    expect(describeChange(sent, 'en')).toBeNull();
    // A target without a Chinese name goes by its English one.
    const delivered = {
      kind: 'notification.delivered',
      diff: {
        target: { to: 'mail.smtp' },
        targetTitle: { to: { en: 'Email' } },
        results: { to: [{ recipient: 'user:3', isDelivered: true }] },
      },
    };
    expect(describeChange(delivered, 'zh-CN')).toBe('Email：共 1 人，送达 1 人。');
    const missing = {
      kind: 'notification.failed',
      diff: { target: { to: 'fax.fax' }, subject: { to: 'Ticket R-7 is overdue' } },
    };
    expect(describeChange(missing, 'zh-CN')).toBe(
      '“Ticket R-7 is overdue”未能通过 fax.fax 发送：未安装该通知渠道。',
    );
  });
});
