import type { CalendarDefinition, SlaActions, SlaTarget, SlaTargets } from '@docket/core';

/**
 * Scenario 3 of SCENARIOS.md (SLA by priority) as data: a Shanghai business calendar and two
 * policies chosen by the ticket's category. "A solution within …" is measured as periodic_update,
 * the span from one public agent reply (the first response) to the next (the solution).
 */

const workday = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

export type ExampleCalendar = { key: string; name: string; definition: CalendarDefinition };

export const businessCalendars: ExampleCalendar[] = [
  {
    key: 'shanghai-office',
    name: 'Shanghai office (Mon–Fri 09:00–12:00, 13:30–18:00)',
    definition: {
      timeZone: 'Asia/Shanghai',
      weeklyHours: [[], workday, workday, workday, workday, workday, []],
    },
  },
];

export type ExampleSlaPolicy = {
  name: string;
  position: number;
  condition: string;
  /** A key of businessCalendars. */
  calendarKey?: string;
  pauseStatuses: string[];
  targets: SlaTargets;
  actions: SlaActions;
};

const minutes = (amount: number, time: SlaTarget['time']): SlaTarget => ({ amount, unit: 'minutes', time });
const hours = (amount: number, time: SlaTarget['time']): SlaTarget => ({ amount, unit: 'hours', time });

export const slaPolicies: ExampleSlaPolicy[] = [
  {
    // Major faults of Product A are urgent and counted round the clock.
    name: 'Product A major faults',
    position: 10,
    condition: 'ticket.categoryPath[0] == "Product A"',
    pauseStatuses: [],
    targets: {
      first_response: { urgent: minutes(15, 'calendar'), high: minutes(30, 'calendar') },
      periodic_update: { urgent: minutes(30, 'calendar'), high: hours(1, 'calendar') },
      resolution: { urgent: hours(2, 'calendar'), high: hours(4, 'calendar') },
    },
    actions: {
      first_response: [
        { offsetMinutes: -5, kind: 'notify', recipients: [{ kind: 'assignee' }] },
        {
          offsetMinutes: 0,
          kind: 'notify',
          recipients: [{ kind: 'assignee' }, { kind: 'assignee_manager' }],
        },
      ],
      resolution: [
        {
          offsetMinutes: -30,
          kind: 'notify',
          recipients: [{ kind: 'cc' }, { kind: 'assignee' }, { kind: 'assignee_manager' }],
        },
        { offsetMinutes: 0, kind: 'escalate' },
      ],
    },
  },
  {
    // Ordinary problems of Product B are normal and counted in office hours; raised to urgent they
    // get the urgent targets. Resolution stops counting while the ticket waits for parts.
    name: 'Product B ordinary problems',
    position: 20,
    condition: 'ticket.categoryPath[0] == "Product B"',
    calendarKey: 'shanghai-office',
    pauseStatuses: ['Waiting for parts'],
    targets: {
      first_response: { normal: minutes(30, 'business'), urgent: minutes(15, 'business') },
      periodic_update: { normal: hours(1, 'business'), urgent: minutes(30, 'business') },
      resolution: { normal: hours(4, 'business'), urgent: hours(2, 'business') },
    },
    actions: {
      resolution: [
        // "2 hours with no handling sends a notice to the CC list and the handler's direct manager"
        {
          offsetMinutes: -120,
          kind: 'notify',
          recipients: [{ kind: 'cc' }, { kind: 'assignee' }, { kind: 'assignee_manager' }],
        },
        // "after a breach the ticket escalates a level"
        { offsetMinutes: 0, kind: 'escalate' },
      ],
    },
  },
];
