import { describe, expect, it } from 'vitest';
import { checkUrgeRules, decideUrge, MAX_URGES_PER_PERSON, type UrgeInput, type UrgeRecord } from './urge.ts';

const at = (time: string): string => new Date(`2026-06-01T${time}:00+08:00`).toISOString();

const base: UrgeInput = {
  by: 'user:creator',
  at: at('09:00'),
  ticket: {
    creatorId: 'user:creator',
    cc: ['user:cc1', 'user:cc2'],
    category: 'open',
    handlers: [{ userId: 'user:handler', managerId: 'user:manager' }],
  },
  step: { id: 'review', dueAt: at('10:00') },
  previousUrges: [],
  rules: { minMinutesBetween: 30 },
};

const urge = (
  patch: Partial<UrgeInput>,
  ticket: Partial<UrgeInput['ticket']> = {},
): ReturnType<typeof decideUrge> => decideUrge({ ...base, ...patch, ticket: { ...base.ticket, ...ticket } });

describe('who may urge', () => {
  const cases: [string, Partial<UrgeInput>, Partial<UrgeInput['ticket']>, string | true][] = [
    ['the creator', {}, {}, true],
    ['someone on the CC list', { by: 'user:cc2' }, {}, true],
    ['anyone else is refused', { by: 'user:stranger' }, {}, 'not_allowed'],
    ['the customer the desk opened it for', { by: 'customer:7' }, { requesterId: 'customer:7' }, true],
    ['another customer is refused', { by: 'customer:8' }, { requesterId: 'customer:7' }, 'not_allowed'],
    ['nobody when the ticket has no creator and the urger is not CC', {}, { creatorId: null }, 'not_allowed'],
    ['not on a solved ticket', {}, { category: 'solved' }, 'ticket_closed'],
    ['not on a closed ticket', {}, { category: 'closed' }, 'ticket_closed'],
    ['on a pending ticket', {}, { category: 'pending' }, true],
    ['not when nobody handles the ticket', {}, { handlers: [] }, 'no_handler'],
    ['not the handler, even on the CC list', { by: 'user:handler' }, { cc: ['user:handler'] }, 'own_ticket'],
  ];
  it.each(cases)('%s', (_label, patch, ticket, expected) => {
    const decision = urge(patch, ticket);
    if (expected === true) expect(decision.ok).toBe(true);
    else {
      expect(decision).toMatchObject({ ok: false, code: expected });
      expect(!decision.ok && decision.message.length).toBeGreaterThan(20);
    }
  });
});

describe('the per-person limit', () => {
  it('stops one person after MAX_URGES_PER_PERSON urges of the ticket, however far apart', () => {
    const many: UrgeRecord[] = Array.from({ length: MAX_URGES_PER_PERSON }, (_, i) => ({
      by: 'customer:7',
      at: new Date(Date.parse(at('00:00')) - (i + 1) * 86_400_000).toISOString(),
      stepId: 'review',
    }));
    const refused = urge({ by: 'customer:7', previousUrges: many }, { requesterId: 'customer:7' });
    expect(refused).toMatchObject({ ok: false, code: 'limit_reached' });
    expect(urge({ by: 'customer:7', previousUrges: many.slice(1) }, { requesterId: 'customer:7' }).ok).toBe(
      true,
    );
  });

  const earlier: UrgeRecord[] = [{ by: 'user:creator', at: at('09:00'), stepId: 'review' }];

  it('refuses a second urge by the same person within the limit, saying when to try again', () => {
    expect(urge({ at: at('09:10'), previousUrges: earlier })).toEqual({
      ok: false,
      code: 'too_soon',
      message:
        'You urged this ticket 10 minutes ago; you can urge it again in 20 minutes (once every 30 minutes).',
      retryAt: at('09:30'),
    });
  });

  it.each([
    ['at the limit exactly', at('09:30'), 'user:creator', { minMinutesBetween: 30 }, true],
    [
      'a second before the limit',
      new Date(Date.parse(at('09:30')) - 1000).toISOString(),
      'user:creator',
      { minMinutesBetween: 30 },
      false,
    ],
    ['someone else at once', at('09:01'), 'user:cc1', { minMinutesBetween: 30 }, true],
    ['with no limit', at('09:00'), 'user:creator', { minMinutesBetween: 0 }, true],
  ] as const)('allows an urge %s: %s', (_label, when, by, rules, ok) => {
    expect(urge({ at: when, by, rules, previousUrges: earlier }).ok).toBe(ok);
  });

  it('counts urges on earlier steps toward the limit but not toward the step count', () => {
    const onOtherStep: UrgeRecord[] = [{ by: 'user:creator', at: at('09:00'), stepId: 'intake' }];
    expect(urge({ at: at('09:05'), previousUrges: onOtherStep })).toMatchObject({
      ok: false,
      code: 'too_soon',
    });
    expect(urge({ at: at('09:45'), previousUrges: onOtherStep })).toMatchObject({ ok: true, urgeNumber: 1 });
  });

  it('says "less than a minute" for an urge seconds ago', () => {
    const d = urge({ at: new Date(Date.parse(at('09:00')) + 20_000).toISOString(), previousUrges: earlier });
    expect(!d.ok && d.message).toMatch(
      /^You urged this ticket less than a minute ago; you can urge it again in 30 minutes/,
    );
  });
});

describe('who is notified', () => {
  it('within the step time limit: the handler only', () => {
    expect(urge({ at: at('09:00') })).toEqual({
      ok: true,
      record: { by: 'user:creator', at: at('09:00'), stepId: 'review' },
      urgeNumber: 1,
      overdue: false,
      notify: [{ userId: 'user:handler', role: 'handler' }],
    });
  });

  it('past the step time limit: the handler and the handler’s manager', () => {
    expect(urge({ at: at('10:00') })).toMatchObject({
      ok: true,
      overdue: true,
      notify: [
        { userId: 'user:handler', role: 'handler' },
        { userId: 'user:manager', role: 'handler_manager' },
      ],
    });
  });

  it('scenario 4 as written: the manager from the second urge past the limit', () => {
    const rules = { minMinutesBetween: 30, managerFromUrge: 2 };
    const first = urge({ at: at('10:05'), rules });
    expect(first).toMatchObject({ ok: true, urgeNumber: 1, notify: [{ role: 'handler' }] });
    const second = urge({
      by: 'user:cc1',
      at: at('10:10'),
      rules,
      previousUrges: [{ by: 'user:creator', at: at('10:05'), stepId: 'review' }],
    });
    expect(second).toMatchObject({
      ok: true,
      urgeNumber: 2,
      overdue: true,
      notify: [
        { userId: 'user:handler', role: 'handler' },
        { userId: 'user:manager', role: 'handler_manager' },
      ],
    });
  });

  it('never past the limit when the step has none', () => {
    expect(urge({ at: at('23:00'), step: { id: 'review', dueAt: null } })).toMatchObject({
      ok: true,
      overdue: false,
    });
  });

  it('tells each person once and never the one who urges', () => {
    const d = urge(
      { by: 'user:manager', at: at('11:00') },
      {
        cc: ['user:manager'],
        handlers: [
          { userId: 'user:handler', managerId: 'user:manager' },
          { userId: 'user:second', managerId: 'user:boss' },
          { userId: 'user:third', managerId: 'user:boss' },
        ],
      },
    );
    expect(d.ok && d.notify).toEqual([
      { userId: 'user:handler', role: 'handler' },
      { userId: 'user:second', role: 'handler' },
      { userId: 'user:third', role: 'handler' },
      { userId: 'user:boss', role: 'handler_manager' },
    ]);
  });

  it('refuses times that are not instants', () => {
    expect(() => urge({ at: 'now' })).toThrow(/ISO 8601/);
  });
});

describe('checkUrgeRules', () => {
  it.each([
    [{ minMinutesBetween: 30 }, []],
    [{ minMinutesBetween: 0, managerFromUrge: 2 }, []],
    [null, ['']],
    [{}, ['/minMinutesBetween']],
    [{ minMinutesBetween: -1 }, ['/minMinutesBetween']],
    [{ minMinutesBetween: 2.5 }, ['/minMinutesBetween']],
    [{ minMinutesBetween: 30, managerFromUrge: 0 }, ['/managerFromUrge']],
    [{ minMinutesBetween: 30, every: 5 }, ['/every']],
  ] as const)('%o has problems at %o', (rules, paths) => {
    expect(checkUrgeRules(rules).map((e) => e.path)).toEqual(paths);
  });
});
