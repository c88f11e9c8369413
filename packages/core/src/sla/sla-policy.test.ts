import { describe, expect, it } from 'vitest';
import {
  checkSlaPolicy,
  policyApplies,
  type SlaPolicy,
  type SlaTicketFacts,
  selectPolicy,
  slaConditionData,
  slaTargetSeconds,
} from './sla-policy.ts';

/** Scenario 3: Product A major faults (urgent) and Product B ordinary problems (normal). */
const productA: SlaPolicy = {
  id: 'product-a',
  name: 'Product A major faults',
  position: 10,
  condition: 'ticket.categoryPath[0] == "Product A" && ticket.priority == "urgent"',
  calendarId: 'shanghai',
  pauseStatuses: ['Waiting for parts'],
  targets: {
    first_response: { urgent: { amount: 15, unit: 'minutes', time: 'calendar' } },
    periodic_update: { urgent: { amount: 30, unit: 'minutes', time: 'calendar' } },
    resolution: { urgent: { amount: 2, unit: 'hours', time: 'calendar' } },
  },
  actions: {
    first_response: [
      { offsetMinutes: -5, kind: 'notify', recipients: [{ kind: 'assignee' }], targets: ['wecom'] },
      { offsetMinutes: 0, kind: 'escalate' },
    ],
    resolution: [
      {
        offsetMinutes: -30,
        kind: 'notify',
        recipients: [{ kind: 'cc' }, { kind: 'assignee_manager' }, { kind: 'user', id: 'u-duty' }],
        message: 'Product A fault {{number}} is 30 minutes from its resolution target.',
      },
      { offsetMinutes: 0, kind: 'raise_priority' },
      {
        offsetMinutes: 30,
        kind: 'reassign',
        to: { kind: 'team', teamId: 'tier2', strategy: 'least_loaded' },
      },
      {
        offsetMinutes: 60,
        kind: 'plugin',
        plugin: 'sms-gateway',
        action: 'page_on_call',
        config: { level: 2 },
      },
    ],
  },
};

const productB: SlaPolicy = {
  id: 'product-b',
  name: 'Product B ordinary problems',
  position: 20,
  condition: '"Product B" in ticket.categoryPath',
  pauseStatuses: [],
  targets: {
    first_response: { normal: { amount: 30, unit: 'minutes', time: 'calendar' } },
    periodic_update: { normal: { amount: 1, unit: 'hours', time: 'calendar' } },
    resolution: { normal: { amount: 4, unit: 'hours', time: 'calendar' } },
  },
  actions: { resolution: [{ offsetMinutes: 0, kind: 'notify', recipients: [{ kind: 'customer' }] }] },
};

const fallback: SlaPolicy = {
  id: 'default',
  name: 'Everything else',
  position: 99,
  condition: '',
  pauseStatuses: [],
  targets: { resolution: { normal: { amount: 3, unit: 'days', time: 'business' } } },
  actions: {},
};

/** A copy of Product A with fields replaced (value undefined removes the field). */
function withFields(edits: [path: (string | number)[], value: unknown][]): unknown {
  const copy = structuredClone(productA) as unknown as Record<string | number, unknown>;
  for (const [path, value] of edits) {
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy;
}

const withField = (path: (string | number)[], value: unknown): unknown => withFields([[path, value]]);

describe('checkSlaPolicy: valid policies', () => {
  it('accepts the scenario 3 policies and a catch-all', () => {
    expect(checkSlaPolicy(productA, { calendarIds: ['shanghai'] })).toEqual([]);
    expect(checkSlaPolicy(productB)).toEqual([]);
    expect(checkSlaPolicy(fallback)).toEqual([]);
  });

  it('accepts a policy with no targets: it exempts the tickets it matches', () => {
    expect(checkSlaPolicy({ ...fallback, targets: {}, actions: {} })).toEqual([]);
  });
});

describe('checkSlaPolicy: every problem with its pointer', () => {
  const cases: [string, unknown, string, string][] = [
    ['not an object', 'policy', '', 'invalid'],
    ['missing id', withField(['id'], undefined), '/id', 'required'],
    ['blank name', withField(['name'], '  '), '/name', 'required'],
    ['negative position', withField(['position'], -1), '/position', 'invalid'],
    ['fractional position', withField(['position'], 1.5), '/position', 'invalid'],
    ['unknown top-level field', withField(['owner'], 'me'), '/owner', 'unknown_field'],
    ['condition not text', withField(['condition'], true), '/condition', 'invalid'],
    ['CEL syntax error', withField(['condition'], 'ticket.priority =='), '/condition', 'cel_syntax'],
    ['CEL unknown field', withField(['condition'], 'ticket.tier == "gold"'), '/condition', 'cel_type'],
    ['CEL type error', withField(['condition'], 'ticket.priority > 3'), '/condition', 'cel_type'],
    ['CEL not a boolean', withField(['condition'], 'ticket.priority'), '/condition', 'not_bool'],
    ['empty calendar id', withField(['calendarId'], ''), '/calendarId', 'required'],
    ['pause statuses not a list', withField(['pauseStatuses'], 'x'), '/pauseStatuses', 'invalid'],
    [
      'duplicate pause status',
      withField(['pauseStatuses'], ['Waiting', 'Waiting']),
      '/pauseStatuses/1',
      'duplicate',
    ],
    ['targets not an object', withField(['targets'], []), '/targets', 'invalid'],
    ['unknown metric', withField(['targets', 'solution'], {}), '/targets/solution', 'unknown_metric'],
    [
      'unknown priority',
      withField(['targets', 'resolution', 'critical'], {
        amount: 1,
        unit: 'hours',
        time: 'calendar',
      }),
      '/targets/resolution/critical',
      'unknown_priority',
    ],
    [
      'zero amount',
      withField(['targets', 'resolution', 'urgent', 'amount'], 0),
      '/targets/resolution/urgent/amount',
      'invalid',
    ],
    [
      'amount as text',
      withField(['targets', 'resolution', 'urgent', 'amount'], '2'),
      '/targets/resolution/urgent/amount',
      'invalid',
    ],
    [
      'amount not whole seconds',
      withField(['targets', 'first_response', 'urgent', 'amount'], 0.001),
      '/targets/first_response/urgent/amount',
      'not_whole_seconds',
    ],
    [
      'amount over a year',
      withField(['targets', 'resolution', 'urgent', 'amount'], 9000),
      '/targets/resolution/urgent/amount',
      'too_long',
    ],
    [
      'unknown unit',
      withField(['targets', 'resolution', 'urgent', 'unit'], 'months'),
      '/targets/resolution/urgent/unit',
      'invalid',
    ],
    [
      'unknown time basis',
      withField(['targets', 'resolution', 'urgent', 'time'], 'wall'),
      '/targets/resolution/urgent/time',
      'invalid',
    ],
    [
      'unknown target field',
      withField(['targets', 'resolution', 'urgent', 'calendar'], 'x'),
      '/targets/resolution/urgent/calendar',
      'unknown_field',
    ],
    ['actions not an object', withField(['actions'], []), '/actions', 'invalid'],
    ['actions of an unknown metric', withField(['actions', 'csat'], []), '/actions/csat', 'unknown_metric'],
    [
      'actions for a metric without targets',
      withField(['actions', 'next_response'], [{ offsetMinutes: 0, kind: 'escalate' }]),
      '/actions/next_response',
      'no_target',
    ],
    [
      'fractional offset',
      withField(['actions', 'first_response', 1, 'offsetMinutes'], 1.5),
      '/actions/first_response/1/offsetMinutes',
      'invalid',
    ],
    [
      'missing offset',
      withField(['actions', 'first_response', 1, 'offsetMinutes'], undefined),
      '/actions/first_response/1/offsetMinutes',
      'invalid',
    ],
    [
      'offset beyond a year',
      withField(['actions', 'first_response', 1, 'offsetMinutes'], -600_000),
      '/actions/first_response/1/offsetMinutes',
      'too_far',
    ],
    [
      'unknown action kind',
      withField(['actions', 'first_response', 1, 'kind'], 'email'),
      '/actions/first_response/1/kind',
      'invalid',
    ],
    [
      'notify without recipients',
      withField(['actions', 'first_response', 0, 'recipients'], []),
      '/actions/first_response/0/recipients',
      'required',
    ],
    [
      'unknown recipient kind',
      withField(['actions', 'first_response', 0, 'recipients', 0], { kind: 'everyone' }),
      '/actions/first_response/0/recipients/0/kind',
      'invalid',
    ],
    [
      'user recipient without id',
      withField(['actions', 'resolution', 0, 'recipients', 2], { kind: 'user' }),
      '/actions/resolution/0/recipients/2/id',
      'required',
    ],
    [
      'duplicate recipient',
      withField(['actions', 'resolution', 0, 'recipients', 1], { kind: 'cc' }),
      '/actions/resolution/0/recipients/1',
      'duplicate',
    ],
    [
      'field of another kind',
      withField(['actions', 'first_response', 1, 'recipients'], [{ kind: 'cc' }]),
      '/actions/first_response/1/recipients',
      'unknown_field',
    ],
    [
      'escalate too many levels',
      withField(['actions', 'first_response', 1, 'levels'], 0),
      '/actions/first_response/1/levels',
      'invalid',
    ],
    [
      'raise to an unknown priority',
      withField(['actions', 'resolution', 1, 'to'], 'critical'),
      '/actions/resolution/1/to',
      'invalid',
    ],
    [
      'reassign to a team without a strategy',
      withField(['actions', 'resolution', 2, 'to'], { kind: 'team', teamId: 'tier2' }),
      '/actions/resolution/2/to/strategy',
      'required',
    ],
    [
      'reassign to a user without an id',
      withField(['actions', 'resolution', 2, 'to'], { kind: 'user' }),
      '/actions/resolution/2/to/userId',
      'required',
    ],
    [
      'reassign without a target',
      withField(['actions', 'resolution', 2, 'to'], undefined),
      '/actions/resolution/2/to',
      'invalid',
    ],
    [
      'plugin action without a name',
      withField(['actions', 'resolution', 3, 'action'], ''),
      '/actions/resolution/3/action',
      'required',
    ],
    [
      'plugin config not an object',
      withField(['actions', 'resolution', 3, 'config'], 'x'),
      '/actions/resolution/3/config',
      'invalid',
    ],
  ];

  it.each(cases)('%s', (_label, input, path, code) => {
    const errors = checkSlaPolicy(input, { calendarIds: ['shanghai'] });
    expect(errors).toContainEqual(expect.objectContaining({ path, code }));
    for (const e of errors) expect(e.message.length).toBeGreaterThan(10);
  });

  it('names an unknown calendar only when the calendars are known', () => {
    expect(checkSlaPolicy(productA, { calendarIds: ['berlin'] })).toEqual([
      expect.objectContaining({ path: '/calendarId', code: 'unknown_calendar' }),
    ]);
    expect(checkSlaPolicy(productA)).toEqual([]);
  });

  it('reports every problem at once, not just the first', () => {
    const bad = withFields([
      [['condition'], 'ticket.priority =='],
      [['targets', 'resolution', 'urgent', 'amount'], -1],
    ]);
    expect(checkSlaPolicy(bad).map((e) => e.path)).toEqual([
      '/condition',
      '/targets/resolution/urgent/amount',
    ]);
  });

  it('says where the CEL error is', () => {
    const [error] = checkSlaPolicy(withField(['condition'], 'ticket.priority =='));
    expect(error?.message).toMatch(/column 19/);
    const [typeError] = checkSlaPolicy(withField(['condition'], 'ticket.tier == "gold"'));
    expect(typeError?.message).toMatch(/tier/);
    expect(typeError?.message).toMatch(/ticket\.customerTier/);
  });
});

describe('slaTargetSeconds', () => {
  it.each([
    [{ amount: 15, unit: 'minutes', time: 'calendar' }, 900],
    [{ amount: 2, unit: 'hours', time: 'calendar' }, 7200],
    [{ amount: 1.5, unit: 'hours', time: 'business' }, 5400],
    [{ amount: 1, unit: 'days', time: 'business' }, 86_400],
    [{ amount: 2, unit: 'weeks', time: 'calendar' }, 1_209_600],
  ] as const)('%o is %i seconds', (target, seconds) => {
    expect(slaTargetSeconds(target)).toBe(seconds);
  });
});

describe('selectPolicy', () => {
  const policies = [fallback, productB, productA];
  const cases: [string, SlaTicketFacts, string | null][] = [
    [
      'Product A urgent fault gets Product A',
      { categoryPath: ['Product A', 'Major fault'], priority: 'urgent' },
      'product-a',
    ],
    [
      'Product A at normal priority falls through to the catch-all',
      { categoryPath: ['Product A'], priority: 'normal' },
      'default',
    ],
    [
      'Product B gets Product B',
      { categoryPath: ['Product B', 'Ordinary'], priority: 'normal' },
      'product-b',
    ],
    ['no category gets the catch-all', {}, 'default'],
  ];
  it.each(cases)('%s', (_label, facts, id) => {
    expect(selectPolicy(policies, facts)?.id ?? null).toBe(id);
  });

  it('goes by position, not by list order; equal positions keep list order', () => {
    const first = { ...fallback, id: 'first', position: 1 };
    const second = { ...fallback, id: 'second', position: 1 };
    expect(selectPolicy([second, first], {})?.id).toBe('second');
    expect(
      selectPolicy(
        [
          { ...fallback, position: 5 },
          { ...second, position: 2 },
        ],
        {},
      )?.id,
    ).toBe('second');
  });

  it('returns null when no condition holds', () => {
    expect(selectPolicy([productA, productB], { categoryPath: ['Product C'] })).toBeNull();
    expect(selectPolicy([], {})).toBeNull();
  });

  it('reads every ticket field and the form', () => {
    const policy = (condition: string): SlaPolicy => ({ ...fallback, condition });
    const facts: SlaTicketFacts = {
      template: 'complaint',
      categoryPath: ['Stores', 'Complaint'],
      priority: 'high',
      customerTier: 'gold',
      channel: 'phone',
      orgUnitPath: '/hq/east/store-12',
      form: { amount: 2500, vip: true },
    };
    const holds: [string, boolean][] = [
      ['ticket.template == "complaint"', true],
      ['ticket.category == "Stores/Complaint"', true],
      ['ticket.category.startsWith("Stores")', true],
      ['ticket.customerTier == "gold" && ticket.channel == "phone"', true],
      ['ticket.orgUnitPath.startsWith("/hq/east/")', true],
      ['ticket.orgUnitPath.startsWith("/hq/west/")', false],
      ['form.amount > 1000 && form.vip', true],
      ['ticket.priority in ["urgent", "high"]', true],
    ];
    for (const [condition, expected] of holds)
      expect(policyApplies(policy(condition), facts), condition).toBe(expected);
  });

  it('treats a missing ticket field as "" and a failing condition as not holding', () => {
    const tier = { ...fallback, condition: 'ticket.customerTier == ""' };
    expect(policyApplies(tier, {})).toBe(true);
    const formField = { ...fallback, id: 'by-amount', position: 0, condition: 'form.amount > 1000' };
    expect(policyApplies(formField, { form: {} })).toBe(false);
    expect(selectPolicy([formField, fallback], { form: {} })?.id).toBe('default');
    const broken = { ...fallback, id: 'broken', position: 0, condition: 'ticket.priority ==' };
    expect(selectPolicy([broken, fallback], {})?.id).toBe('default');
  });

  it('recompiles when a cached policy object gets a new condition', () => {
    const policy = { ...fallback, condition: 'ticket.priority == "low"' };
    expect(policyApplies(policy, { priority: 'low' })).toBe(true);
    policy.condition = 'ticket.priority == "high"';
    expect(policyApplies(policy, { priority: 'low' })).toBe(false);
  });

  it('builds the condition data with every field present', () => {
    expect(slaConditionData({ categoryPath: ['A', 'B'] })).toEqual({
      ticket: {
        template: '',
        category: 'A/B',
        categoryPath: ['A', 'B'],
        priority: '',
        customerTier: '',
        channel: '',
        orgUnitPath: '',
      },
      form: {},
    });
  });
});
