import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Business calendars, SLA policies and urge rules through the API: validation, permissions, the example pack. */

const workday = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];
const office = {
  timeZone: 'Asia/Shanghai',
  weeklyHours: [[], workday, workday, workday, workday, workday, []],
};

const CREATE_CALENDAR = `mutation($k: String!, $n: String!, $d: JSON!) { createBusinessCalendar(key: $k, name: $n, definition: $d) {
  __typename ... on BusinessCalendar { id key name timeZone definition }
  ... on ValidationError { message fields { path code message } } ... on ForbiddenError { permission } } }`;
const IMPORT = `mutation($id: ID!, $ics: String!, $w: String, $r: Boolean) {
  importCalendarHolidays(id: $id, ics: $ics, workingDaySummary: $w, replace: $r) {
    __typename ... on HolidayImport { holidaysAdded extraWorkingDaysAdded warnings { path code } calendar { definition } }
    ... on ValidationError { message fields { path code message } } } }`;
const CREATE_POLICY = `mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) {
  __typename ... on SlaPolicy { id name position condition calendarKey pauseStatuses targets actions isActive }
  ... on ValidationError { message fields { path code message } } ... on ForbiddenError { permission } } }`;

const ics = (...events: string[]): string =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Docket test//EN', ...events, 'END:VCALENDAR'].join('\r\n');
const event = (...lines: string[]): string => ['BEGIN:VEVENT', ...lines, 'END:VEVENT'].join('\r\n');

describe(`SLA administration (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let customer: string;
  const count = async (table: string) =>
    (await s.sql<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
    customer = await s.customerLogin('customer@example.com');
  });
  afterAll(() => s?.close());

  it('the example pack brings the Shanghai office calendar and the scenario 3 policies, in order', async () => {
    const r = await s.gql(
      '{ businessCalendars { key timeZone } slaPolicies { name position condition calendarKey targets } }',
      {},
      agent,
    );
    expect(r.data!.businessCalendars).toEqual([{ key: 'shanghai-office', timeZone: 'Asia/Shanghai' }]);
    expect(r.data!.slaPolicies.map((p: any) => [p.name, p.position, p.calendarKey])).toEqual([
      ['Product A major faults', 10, null],
      ['Product B ordinary problems', 20, 'shanghai-office'],
    ]);
    expect(r.data!.slaPolicies[1].targets.first_response.normal).toEqual({
      amount: 30,
      unit: 'minutes',
      time: 'business',
    });
  });

  it('creates a calendar and imports holidays and a make-up working day from iCal', async () => {
    const created = await s.gql(
      CREATE_CALENDAR,
      { k: 'beijing-office', n: 'Beijing office', d: office },
      admin,
    );
    expect(created.data!.createBusinessCalendar).toMatchObject({
      __typename: 'BusinessCalendar',
      key: 'beijing-office',
      timeZone: 'Asia/Shanghai',
    });
    const id = created.data!.createBusinessCalendar.id;
    const feed = ics(
      event('DTSTART;VALUE=DATE:20261001', 'DTEND;VALUE=DATE:20261008', 'SUMMARY:国庆节'),
      event('DTSTART;VALUE=DATE:20261010', 'SUMMARY:国庆节补班'),
      event('DTSTART:20261012T090000Z', 'SUMMARY:Team meeting'),
    );
    const imported = await s.gql(IMPORT, { id, ics: feed, w: '补班' }, admin);
    expect(imported.data!.importCalendarHolidays).toMatchObject({
      __typename: 'HolidayImport',
      holidaysAdded: 1,
      extraWorkingDaysAdded: 1,
      warnings: [{ path: '/ics/events/2/DTSTART', code: 'timed_event' }],
      calendar: {
        definition: {
          holidays: [{ date: '2026-10-01', until: '2026-10-07', name: '国庆节' }],
          extraWorkingDays: [{ date: '2026-10-10', name: '国庆节补班' }],
        },
      },
    });
    // Importing the same feed again adds nothing.
    const again = await s.gql(IMPORT, { id, ics: feed, w: '补班' }, admin);
    expect(again.data!.importCalendarHolidays).toMatchObject({ holidaysAdded: 0, extraWorkingDaysAdded: 0 });
  });

  it('refuses a bad calendar, naming every problem by its pointer, and writes nothing', async () => {
    const before = await count('business_calendar');
    const r = await s.gql(
      CREATE_CALENDAR,
      {
        k: 'Bad Key',
        n: '',
        d: {
          timeZone: 'Mars/Olympus',
          weeklyHours: [[], [{ start: '09:00', end: '08:00' }], [], [], [], [], []],
          holidays: [{ date: '2026-02-30' }],
        },
      },
      admin,
    );
    const result = r.data!.createBusinessCalendar;
    expect(result.__typename).toBe('ValidationError');
    expect(result.message).toBe('The calendar was not saved: fix the fields listed.');
    expect(result.fields.map((f: any) => f.path)).toEqual([
      '/key',
      '/name',
      '/definition/timeZone',
      '/definition/weeklyHours/1/0/end',
      '/definition/holidays/0/date',
    ]);
    for (const f of result.fields) expect(f.message.length).toBeGreaterThan(15);
    expect(await count('business_calendar')).toBe(before);

    const taken = await s.gql(CREATE_CALENDAR, { k: 'shanghai-office', n: 'Again', d: office }, admin);
    expect(taken.data!.createBusinessCalendar.fields).toEqual([
      {
        path: '/key',
        code: 'taken',
        message: 'A calendar with key "shanghai-office" exists already; pick another key.',
      },
    ]);

    const { id, definition } = (
      await s.sql<{ id: number; definition: unknown }>(
        "select id, definition from business_calendar where key = 'shanghai-office'",
      )
    )[0]!;
    const broken = await s.gql(
      IMPORT,
      { id, ics: ics(event('DTSTART;VALUE=DATE:2026-10-01', 'SUMMARY:Bad date')) },
      admin,
    );
    expect(broken.data!.importCalendarHolidays).toMatchObject({
      __typename: 'ValidationError',
      message: 'Nothing was imported: fix the iCal entries listed.',
      fields: [{ path: '/ics/events/0/DTSTART', code: 'invalid_date' }],
    });
    const notIcal = await s.gql(IMPORT, { id, ics: 'hello' }, admin);
    expect(notIcal.data!.importCalendarHolidays.fields[0].path).toBe('/ics');
    const update = await s.gql(
      `mutation($id: ID!, $d: JSON) { updateBusinessCalendar(id: $id, definition: $d) {
         __typename ... on ValidationError { fields { path } } } }`,
      { id, d: { timeZone: 'Asia/Shanghai', weeklyHours: [[]] } },
      admin,
    );
    expect(update.data!.updateBusinessCalendar.fields).toEqual([{ path: '/definition/weeklyHours' }]);
    const [after] = await s.sql<{ definition: unknown }>(
      'select definition from business_calendar where id = ?',
      [id],
    );
    expect(after!.definition).toEqual(definition);
  });

  it('refuses a bad policy, naming every problem by its pointer, and writes nothing', async () => {
    const before = await count('sla_policy');
    const r = await s.gql(
      CREATE_POLICY,
      {
        i: {
          name: ' ',
          position: -1,
          condition: 'ticket.priority ==',
          calendarKey: 'nowhere',
          targets: {
            first_response: { urgent: { amount: 0, unit: 'minutes', time: 'business' } },
            resolution: { asap: { amount: 1, unit: 'hours', time: 'calendar' } },
            periodic_update: { normal: { amount: 1.5, unit: 'seconds', time: 'calendar' } },
          },
          actions: {
            first_response: [{ offsetMinutes: 1.5, kind: 'notify', recipients: [] }],
            next_response: [{ offsetMinutes: 0, kind: 'escalate' }],
          },
        },
      },
      admin,
    );
    const result = r.data!.createSlaPolicy;
    expect(result.__typename).toBe('ValidationError');
    expect(result.message).toBe('The SLA policy was not saved: fix the fields listed.');
    expect(result.fields.map((f: any) => f.path)).toEqual([
      '/name',
      '/position',
      '/condition',
      '/calendarKey',
      '/targets/first_response/urgent/amount',
      '/targets/resolution/asap',
      '/targets/periodic_update/normal/unit',
      '/actions/first_response/0/offsetMinutes',
      '/actions/first_response/0/recipients',
      '/actions/next_response',
    ]);
    const byPath = Object.fromEntries(result.fields.map((f: any) => [f.path, f.message]));
    expect(byPath['/calendarKey']).toBe(
      'There is no calendar with key "nowhere"; pick an existing calendar or leave it out to count calendar time.',
    );
    expect(byPath['/actions/next_response']).toMatch(/has no target in this policy/);

    // Structurally right, but naming people and places that do not exist.
    const missing = await s.gql(
      CREATE_POLICY,
      {
        i: {
          name: 'Ghosts',
          position: 5,
          targets: { resolution: { normal: { amount: 4, unit: 'hours', time: 'calendar' } } },
          actions: {
            resolution: [
              {
                offsetMinutes: -30,
                kind: 'notify',
                recipients: [{ kind: 'user', id: 'nobody@docket.local' }],
              },
              {
                offsetMinutes: 0,
                kind: 'reassign',
                to: { kind: 'team', teamId: 'Night shift', strategy: 'round_robin' },
              },
            ],
          },
        },
      },
      admin,
    );
    expect(missing.data!.createSlaPolicy.fields).toEqual([
      {
        path: '/actions/resolution/0/recipients/0/id',
        code: 'not_found',
        message: 'No active user "nobody@docket.local"; name a user by id or email.',
      },
      {
        path: '/actions/resolution/1/to/teamId',
        code: 'not_found',
        message: 'No team "Night shift" exists; name it by id or name.',
      },
    ]);
    expect(await count('sla_policy')).toBe(before);
  });

  it('creates and updates a policy; only sla.manage may change policies, calendars and urge rules', async () => {
    const input = {
      name: 'VIP customers',
      position: 1,
      condition: 'ticket.customerTier == "vip"',
      calendarKey: 'shanghai-office',
      pauseStatuses: ['Waiting for parts'],
      targets: { first_response: { normal: { amount: 10, unit: 'minutes', time: 'business' } } },
      actions: { first_response: [{ offsetMinutes: 0, kind: 'raise_priority' }] },
    };
    const byAgent = await s.gql(CREATE_POLICY, { i: input }, agent);
    expect(byAgent.data!.createSlaPolicy).toEqual({ __typename: 'ForbiddenError', permission: 'sla.manage' });
    const byCalendarAgent = await s.gql(CREATE_CALENDAR, { k: 'agent-cal', n: 'Mine', d: office }, agent);
    expect(byCalendarAgent.data!.createBusinessCalendar.__typename).toBe('ForbiddenError');

    const created = await s.gql(CREATE_POLICY, { i: input }, admin);
    expect(created.data!.createSlaPolicy).toMatchObject({
      __typename: 'SlaPolicy',
      name: 'VIP customers',
      condition: 'ticket.customerTier == "vip"',
      calendarKey: 'shanghai-office',
      pauseStatuses: ['Waiting for parts'],
      isActive: true,
      actions: { first_response: [{ offsetMinutes: 0, kind: 'raise_priority' }] },
    });
    const id = created.data!.createSlaPolicy.id;
    const updated = await s.gql(
      `mutation($id: ID!, $i: SlaPolicyInput!) { updateSlaPolicy(id: $id, input: $i) {
         __typename ... on SlaPolicy { position isActive } ... on ValidationError { fields { path } } } }`,
      { id, i: { ...input, position: 2, isActive: false } },
      admin,
    );
    expect(updated.data!.updateSlaPolicy).toEqual({ __typename: 'SlaPolicy', position: 2, isActive: false });
    const listed = await s.gql(
      '{ slaPolicies { name } all: slaPolicies(includeInactive: true) { name } }',
      {},
      agent,
    );
    expect(listed.data!.slaPolicies.map((p: any) => p.name)).not.toContain('VIP customers');
    expect(listed.data!.all.map((p: any) => p.name)).toContain('VIP customers');

    const rules = await s.gql(
      `mutation($m: Int!) { updateUrgeRules(minMinutesBetween: $m) {
         __typename ... on UrgeRules { minMinutesBetween managerFromUrge } ... on ValidationError { fields { path } } ... on ForbiddenError { permission } } }`,
      { m: -1 },
      admin,
    );
    expect(rules.data!.updateUrgeRules).toEqual({
      __typename: 'ValidationError',
      fields: [{ path: '/minMinutesBetween' }],
    });
    const byAgentRules = await s.gql(
      'mutation { updateUrgeRules(minMinutesBetween: 5) { __typename } }',
      {},
      agent,
    );
    expect(byAgentRules.data!.updateUrgeRules.__typename).toBe('ForbiddenError');
    const read = await s.gql('{ urgeRules { minMinutesBetween managerFromUrge } }', {}, agent);
    expect(read.data!.urgeRules).toEqual({ minMinutesBetween: 30, managerFromUrge: 1 });

    // Customers see none of it.
    const byCustomer = await s.gql('{ slaPolicies { name } }', {}, customer);
    expect(byCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
