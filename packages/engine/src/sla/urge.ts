import { type FieldError, fieldError, isOpenCategory, type StatusCategory } from '@docket/core';

/**
 * Urging (催单): the ticket's creator or anyone on its CC list asks, with one click, for the
 * ticket to be handled. Pure rules: the server loads the inputs, calls decideUrge, and on `ok`
 * stores `record` and sends the notices (one transaction).
 *
 * Principal ids are opaque strings; use one form throughout (e.g. "user:12", "customer:7").
 */

export type UrgeRules = {
  /** One person may urge one ticket at most once per this many minutes (0: no limit). */
  minMinutesBetween: number;
  /**
   * Once the step is past its time limit, the handler's manager is told too, from this urge of
   * the step on (everyone's urges, this one included). 1: every urge past the limit; 2: from the
   * second urge on.
   */
  managerFromUrge?: number;
};

/** An urge as stored on the ticket (its timeline holds it too). */
export type UrgeRecord = { by: string; at: string; stepId: string };

export type UrgeHandler = { userId: string; managerId: string | null };

export type UrgeInput = {
  /** Who urges. */
  by: string;
  /** When (ISO 8601). */
  at: string;
  ticket: {
    creatorId: string | null;
    /**
     * The customer the ticket is for. With the creator, the ticket's initiators (发起人): a ticket
     * the desk opened on a customer's behalf is that customer's to urge.
     */
    requesterId?: string | null;
    cc: readonly string[];
    category: StatusCategory;
    /** Whoever holds the current step's task, with their direct manager. */
    handlers: readonly UrgeHandler[];
  };
  /** The current step and its time limit; pass the SLA resolution due time when the step has none. */
  step: { id: string; dueAt: string | null };
  /** The ticket's earlier urges, any step. */
  previousUrges: readonly UrgeRecord[];
  rules: UrgeRules;
};

/** How many times one person may urge one ticket in all (the requester's limit per ticket). */
export const MAX_URGES_PER_PERSON = 10;

export type UrgeNotice = { userId: string; role: 'handler' | 'handler_manager' };

export type UrgeDecision = {
  ok: true;
  record: UrgeRecord;
  /** 1 for the step's first urge (everyone's). */
  urgeNumber: number;
  /** The step was past its time limit. */
  overdue: boolean;
  notify: UrgeNotice[];
};

export type UrgeRefusalCode =
  | 'not_allowed'
  | 'ticket_closed'
  | 'no_handler'
  | 'own_ticket'
  | 'too_soon'
  | 'limit_reached';

export type UrgeRefusal = {
  ok: false;
  code: UrgeRefusalCode;
  message: string;
  /** For too_soon: the first instant this person may urge again. */
  retryAt?: string;
};

const MAX_URGE_INTERVAL_MINUTES = 7 * 24 * 60;
const MAX_MANAGER_FROM_URGE = 100;

/** Every problem with urge rules, each with a JSON pointer and a message a person can act on. */
export function checkUrgeRules(input: unknown): FieldError[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return [fieldError('', 'invalid', 'Urge rules must be an object like {"minMinutesBetween": 30}.')];
  const rules = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(rules))
    if (key !== 'minMinutesBetween' && key !== 'managerFromUrge')
      errors.push(
        fieldError(
          `/${key}`,
          'unknown_field',
          `Unknown field "${key}"; expected minMinutesBetween or managerFromUrge.`,
        ),
      );
  const gap = rules.minMinutesBetween;
  if (typeof gap !== 'number' || !Number.isInteger(gap) || gap < 0 || gap > MAX_URGE_INTERVAL_MINUTES)
    errors.push(
      fieldError(
        '/minMinutesBetween',
        'invalid',
        `Give the minutes one person must wait between urges: a whole number from 0 (no limit) to ${MAX_URGE_INTERVAL_MINUTES} (a week).`,
      ),
    );
  const from = rules.managerFromUrge;
  if (
    from !== undefined &&
    (typeof from !== 'number' || !Number.isInteger(from) || from < 1 || from > MAX_MANAGER_FROM_URGE)
  )
    errors.push(
      fieldError(
        '/managerFromUrge',
        'invalid',
        `managerFromUrge is the urge of a step from which the manager is told too, 1 to ${MAX_MANAGER_FROM_URGE}; leave it out for 1.`,
      ),
    );
  return errors;
}

function instant(text: string, what: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RangeError(`${what} "${text}" is not an instant; use ISO 8601.`);
  return ms;
}

const minutesText = (minutes: number): string => (minutes === 1 ? '1 minute' : `${minutes} minutes`);

/** Whether `by` may urge now, and whom the urge notifies. */
export function decideUrge(input: UrgeInput): UrgeDecision | UrgeRefusal {
  const { by, ticket, step, rules } = input;
  const atMs = instant(input.at, 'The urge time');
  const isInitiator = by === ticket.creatorId || (ticket.requesterId != null && by === ticket.requesterId);
  if (!isInitiator && !ticket.cc.includes(by))
    return {
      ok: false,
      code: 'not_allowed',
      message:
        "Only the ticket's initiator (its creator or the customer it is for) or someone on its CC list can urge it; ask one of them, or get added to the CC list.",
    };
  if (!isOpenCategory(ticket.category))
    return {
      ok: false,
      code: 'ticket_closed',
      message: `The ticket is already ${ticket.category}; there is nothing left to urge. Reopen it if the problem is back.`,
    };
  if (ticket.handlers.length === 0)
    return {
      ok: false,
      code: 'no_handler',
      message:
        'Nobody handles the ticket yet, so an urge would reach no one; urge it again once it is assigned.',
    };
  if (ticket.handlers.some((h) => h.userId === by))
    return {
      ok: false,
      code: 'own_ticket',
      message: 'You are handling this ticket yourself; an urge would only notify you.',
    };

  const own = input.previousUrges.filter((u) => u.by === by).length;
  if (own >= MAX_URGES_PER_PERSON)
    return {
      ok: false,
      code: 'limit_reached',
      message: `You have urged this ticket ${own} times, the most one person may; the handler has been told each time.`,
    };

  const gapMs = rules.minMinutesBetween * 60_000;
  let lastMs = Number.NEGATIVE_INFINITY;
  for (const urge of input.previousUrges)
    if (urge.by === by) lastMs = Math.max(lastMs, instant(urge.at, 'An earlier urge time'));
  if (gapMs > 0 && atMs - lastMs < gapMs) {
    const retryMs = lastMs + gapMs;
    const agoMinutes = Math.max(0, Math.floor((atMs - lastMs) / 60_000));
    return {
      ok: false,
      code: 'too_soon',
      message:
        `You urged this ticket ${agoMinutes === 0 ? 'less than a minute' : minutesText(agoMinutes)} ago; ` +
        `you can urge it again in ${minutesText(Math.ceil((retryMs - atMs) / 60_000))} ` +
        `(once every ${minutesText(rules.minMinutesBetween)}).`,
      retryAt: new Date(retryMs).toISOString(),
    };
  }

  const urgeNumber = input.previousUrges.filter((u) => u.stepId === step.id).length + 1;
  const overdue = step.dueAt !== null && atMs >= instant(step.dueAt, "The step's due time");
  const notify: UrgeNotice[] = [];
  const told = new Set<string>([by]);
  const tell = (userId: string, role: UrgeNotice['role']): void => {
    if (told.has(userId)) return;
    told.add(userId);
    notify.push({ userId, role });
  };
  for (const h of ticket.handlers) tell(h.userId, 'handler');
  if (overdue && urgeNumber >= (rules.managerFromUrge ?? 1))
    for (const h of ticket.handlers) if (h.managerId !== null) tell(h.managerId, 'handler_manager');
  return {
    ok: true,
    record: { by, at: new Date(atMs).toISOString(), stepId: step.id },
    urgeNumber,
    overdue,
    notify,
  };
}
