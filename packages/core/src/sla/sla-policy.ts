import { type FieldError, fieldError } from '../field-error.ts';
import { isPriority, PRIORITIES, type Priority } from '../tickets/status.ts';
import {
  type CelEnvironment,
  type CelVariables,
  type CompiledCel,
  checkCel,
  compileCel,
  createCelEnvironment,
} from '../workflow/cel.ts';
import type { AssigneeRule } from '../workflow/node-types.ts';

/**
 * SLA policies as admins store them: plain JSON. A ticket gets the first policy (by position)
 * whose condition holds; the policy gives each metric a target per priority and the actions to
 * run at offsets around each target's due time. The clocks themselves live in @docket/engine.
 */

/** The measured spans, as DESIGN.md defines them. */
export const SLA_METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

export const SLA_TIME_UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
export type SlaTimeUnit = (typeof SLA_TIME_UNITS)[number];

/** Business time follows the policy's calendar; calendar time counts every second (24x7). */
export const SLA_TIME_BASES = ['business', 'calendar'] as const;
export type SlaTimeBasis = (typeof SLA_TIME_BASES)[number];

/**
 * A target: `amount` `unit`s of business or calendar time. A day is 24 hours and a week 168 hours
 * of the counted time: one day of business time in a 7.5-hour calendar spans more than three
 * working days, so write one working day as 7.5 hours.
 */
export type SlaTarget = { amount: number; unit: SlaTimeUnit; time: SlaTimeBasis };

/** Targets per metric per priority. A metric or priority left out has no target (its clock only measures). */
export type SlaTargets = { [M in SlaMetric]?: { [P in Priority]?: SlaTarget } };

export const SLA_RECIPIENT_KINDS = ['cc', 'assignee', 'assignee_manager', 'customer', 'user'] as const;

/**
 * Who a notice goes to: the ticket's CC list, its current assignee (the handler), the assignee's
 * direct manager, the customer (the requester), or a named user.
 */
export type SlaRecipient =
  | { kind: 'cc' }
  | { kind: 'assignee' }
  | { kind: 'assignee_manager' }
  | { kind: 'customer' }
  | { kind: 'user'; id: string };

export const SLA_ACTION_KINDS = ['notify', 'escalate', 'raise_priority', 'reassign', 'plugin'] as const;
export type SlaActionKind = (typeof SLA_ACTION_KINDS)[number];

type SlaActionBase = {
  /**
   * When the action runs, in minutes of the target's own time (business or calendar) around the
   * due time: negative = before it, 0 = at the breach, positive = after it. An offset earlier than
   * the clock's start runs as soon as the clock starts.
   */
  offsetMinutes: number;
};

export type SlaNotifyAction = SlaActionBase & {
  kind: 'notify';
  recipients: SlaRecipient[];
  /** The notice text; the server fills in ticket details. A standard text when absent. */
  message?: string;
  /** Outside notification targets (a target plugin's name, e.g. "email", "sms", "wecom"); internal messages always. */
  targets?: string[];
};

/** Moves the ticket one level (or `levels` levels) up the org tree. */
export type SlaEscalateAction = SlaActionBase & { kind: 'escalate'; levels?: number };

/** Raises the ticket's priority one step, or to `to` when given (never lowers it). */
export type SlaRaisePriorityAction = SlaActionBase & { kind: 'raise_priority'; to?: Priority };

/** Gives the ticket to someone else, resolved like a human step's assignee. */
export type SlaReassignAction = SlaActionBase & { kind: 'reassign'; to: AssigneeRule };

/** Runs a plugin's SLA action (declared in its manifest) with the given config. */
export type SlaPluginAction = SlaActionBase & {
  kind: 'plugin';
  plugin: string;
  action: string;
  config?: Record<string, unknown>;
};

export type SlaAction =
  | SlaNotifyAction
  | SlaEscalateAction
  | SlaRaisePriorityAction
  | SlaReassignAction
  | SlaPluginAction;

export type SlaActions = { [M in SlaMetric]?: SlaAction[] };

export type SlaPolicy = {
  id: string;
  name: string;
  /** Order of evaluation: the lowest position whose condition holds applies. */
  position: number;
  /** CEL over `ticket` (see SLA_CEL_VARIABLES) and `form`; empty means always. */
  condition: string;
  /** Business calendar for targets counted in business time; without one they count calendar time. */
  calendarId?: string;
  /** Named statuses that pause the resolution clock, besides every status in the pending category. */
  pauseStatuses: string[];
  targets: SlaTargets;
  actions: SlaActions;
};

const UNIT_SECONDS: Record<SlaTimeUnit, number> = { minutes: 60, hours: 3600, days: 86_400, weeks: 604_800 };

/** The target's length in seconds of its time (business seconds for business time). */
export const slaTargetSeconds = (target: SlaTarget): number =>
  Math.round(target.amount * UNIT_SECONDS[target.unit]);

/** Longest target and largest |offset|: one year. */
export const MAX_SLA_SECONDS = 366 * 86_400;
export const MAX_SLA_OFFSET_MINUTES = MAX_SLA_SECONDS / 60;

/* ------------------------------------------------------------------------------------------------
 * Conditions
 * ---------------------------------------------------------------------------------------------- */

/**
 * What a policy condition can read. `ticket.category` is the category path joined with "/"
 * ("Product A/Major fault"), `ticket.categoryPath` the levels; `ticket.orgUnitPath` the handling
 * org unit's path; `form` the ticket's form data (untyped). A field the ticket lacks reads as "".
 */
export const SLA_CEL_VARIABLES: CelVariables = {
  ticket: {
    template: 'string',
    category: 'string',
    categoryPath: 'list<string>',
    priority: 'string',
    customerTier: 'string',
    channel: 'string',
    orgUnitPath: 'string',
  },
  form: 'map<string, dyn>',
};

/** The ticket fields a policy condition is evaluated over. */
export type SlaTicketFacts = {
  template?: string;
  category?: string;
  categoryPath?: string[];
  priority?: Priority;
  customerTier?: string;
  channel?: string;
  orgUnitPath?: string;
  form?: Record<string, unknown>;
};

let slaCel: CelEnvironment | undefined;
/** The typed CEL environment of policy conditions (built once). */
export const slaCelEnvironment = (): CelEnvironment => {
  slaCel ??= createCelEnvironment(SLA_CEL_VARIABLES);
  return slaCel;
};

type CompiledCondition = { condition: string; compiled: CompiledCel | undefined };
const compiledConditions = new WeakMap<SlaPolicy, CompiledCondition>();

function conditionOf(policy: SlaPolicy): CompiledCel | undefined {
  const cached = compiledConditions.get(policy);
  if (cached && cached.condition === policy.condition) return cached.compiled;
  let compiled: CompiledCel | undefined;
  try {
    compiled = compileCel(slaCelEnvironment(), policy.condition);
  } catch {
    compiled = undefined;
  }
  compiledConditions.set(policy, { condition: policy.condition, compiled });
  return compiled;
}

/** The data a condition sees: every ticket field present ("" or [] when the ticket lacks it). */
export function slaConditionData(facts: SlaTicketFacts): Record<string, unknown> {
  const categoryPath = facts.categoryPath ?? [];
  return {
    ticket: {
      template: facts.template ?? '',
      category: facts.category ?? categoryPath.join('/'),
      categoryPath,
      priority: facts.priority ?? '',
      customerTier: facts.customerTier ?? '',
      channel: facts.channel ?? '',
      orgUnitPath: facts.orgUnitPath ?? '',
    },
    form: facts.form ?? {},
  };
}

/**
 * Whether a policy applies to a ticket: an empty condition always holds; a condition that does not
 * compile or fails to evaluate (e.g. reads a form field the ticket lacks) does not hold.
 */
export function policyApplies(policy: SlaPolicy, facts: SlaTicketFacts): boolean {
  if (policy.condition.trim() === '') return true;
  const compiled = conditionOf(policy);
  if (!compiled) return false;
  try {
    return compiled.evaluate(slaConditionData(facts)) === true;
  } catch {
    return false;
  }
}

/**
 * The policy for a ticket: the first by position (ties keep the list's order) whose condition
 * holds, or null when none does. Conditions are compiled once per policy object and cached.
 */
export function selectPolicy(policies: readonly SlaPolicy[], facts: SlaTicketFacts): SlaPolicy | null {
  const ordered = policies
    .map((policy, index) => ({ policy, index }))
    .sort((a, b) => a.policy.position - b.policy.position || a.index - b.index);
  for (const { policy } of ordered) if (policyApplies(policy, facts)) return policy;
  return null;
}

/* ------------------------------------------------------------------------------------------------
 * Validation
 * ---------------------------------------------------------------------------------------------- */

export type CheckSlaPolicyOptions = {
  /** The calendars that exist; when given, calendarId must be one of them. */
  calendarIds?: readonly string[];
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const listOf = (items: readonly string[]): string =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

const POLICY_KEYS = [
  'id',
  'name',
  'position',
  'condition',
  'calendarId',
  'pauseStatuses',
  'targets',
  'actions',
];
const TARGET_KEYS = ['amount', 'unit', 'time'];
const ACTION_KEYS: Record<SlaActionKind, string[]> = {
  notify: ['offsetMinutes', 'kind', 'recipients', 'message', 'targets'],
  escalate: ['offsetMinutes', 'kind', 'levels'],
  raise_priority: ['offsetMinutes', 'kind', 'to'],
  reassign: ['offsetMinutes', 'kind', 'to'],
  plugin: ['offsetMinutes', 'kind', 'plugin', 'action', 'config'],
};
const ASSIGNEE_KINDS = ['user', 'team', 'role', 'org_unit'] as const;
const ASSIGNEE_ID_FIELD: Record<(typeof ASSIGNEE_KINDS)[number], string> = {
  user: 'userId',
  team: 'teamId',
  role: 'roleId',
  org_unit: 'orgUnitId',
};
const ASSIGNEE_KEYS = ['kind', 'userId', 'teamId', 'roleId', 'orgUnitId', 'strategy', 'skills'];
const TEAM_STRATEGIES = ['round_robin', 'least_loaded'];
const MAX_ESCALATE_LEVELS = 10;

/** A value with the JSON pointer it sits at. */
type At = { value: unknown; path: string };

function checkKeys(
  at: { value: Record<string, unknown>; path: string },
  allowed: readonly string[],
): FieldError[] {
  return Object.keys(at.value)
    .filter((key) => !allowed.includes(key))
    .map((key) =>
      fieldError(
        `${at.path}/${key}`,
        'unknown_field',
        `Unknown field "${key}"; expected ${listOf(allowed)}.`,
      ),
    );
}

type TextRule = { label: string; max: number; required: boolean };

function checkText(at: At, rule: TextRule): FieldError[] {
  const { value, path } = at;
  if (value === undefined && !rule.required) return [];
  if (value === undefined || (typeof value === 'string' && value.trim() === ''))
    return [fieldError(path, 'required', `${rule.label} is required.`)];
  if (typeof value !== 'string' || value.length > rule.max)
    return [fieldError(path, 'invalid', `${rule.label} must be text of at most ${rule.max} characters.`)];
  return [];
}

function checkStringList(at: At, label: string): FieldError[] {
  const { value, path } = at;
  if (!Array.isArray(value))
    return [fieldError(path, 'invalid', `${label} must be a list of names; use [] for none.`)];
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '' || item.length > 100) {
      errors.push(
        fieldError(
          `${path}/${i}`,
          'invalid',
          `Each entry of ${label} must be a name of 1 to 100 characters.`,
        ),
      );
      return;
    }
    const earlier = seen.get(item);
    if (earlier !== undefined)
      errors.push(
        fieldError(
          `${path}/${i}`,
          'duplicate',
          `"${item}" is already listed at ${path}/${earlier}; keep one.`,
        ),
      );
    else seen.set(item, i);
  });
  return errors;
}

function checkCondition(value: unknown): FieldError[] {
  if (typeof value !== 'string')
    return [
      fieldError(
        '/condition',
        'invalid',
        'The condition must be CEL text, e.g. ticket.priority == "urgent"; use "" to apply always.',
      ),
    ];
  if (value.trim() === '') return [];
  const check = checkCel(slaCelEnvironment(), value);
  if (!check.ok) {
    const hint =
      check.kind === 'syntax'
        ? 'Fix the expression'
        : `A condition can read ticket.${Object.keys(SLA_CEL_VARIABLES.ticket as object).join(', ticket.')} and form`;
    return [
      fieldError(
        '/condition',
        check.kind === 'syntax' ? 'cel_syntax' : 'cel_type',
        `The condition is not valid CEL: ${check.message}. ${hint}.`,
      ),
    ];
  }
  if (check.type !== 'bool' && check.type !== 'dyn')
    return [
      fieldError(
        '/condition',
        'not_bool',
        `The condition gives a ${check.type}, not true or false; compare it, e.g. ticket.priority == "urgent".`,
      ),
    ];
  return [];
}

function checkTarget({ value, path }: At): FieldError[] {
  if (!isRecord(value))
    return [
      fieldError(
        path,
        'invalid',
        'A target must be an object like {"amount": 4, "unit": "hours", "time": "business"}.',
      ),
    ];
  const errors = checkKeys({ value, path }, TARGET_KEYS);
  const { amount, unit, time } = value;
  const unitOk = typeof unit === 'string' && (SLA_TIME_UNITS as readonly string[]).includes(unit);
  if (!unitOk)
    errors.push(fieldError(`${path}/unit`, 'invalid', `The unit must be ${listOf(SLA_TIME_UNITS)}.`));
  if (typeof time !== 'string' || !(SLA_TIME_BASES as readonly string[]).includes(time))
    errors.push(
      fieldError(
        `${path}/time`,
        'invalid',
        'Say how the target is counted: "business" (the policy\'s calendar) or "calendar" (every hour, 24x7).',
      ),
    );
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    errors.push(
      fieldError(`${path}/amount`, 'invalid', 'The amount must be a number greater than 0, e.g. 30.'),
    );
    return errors;
  }
  if (!unitOk) return errors;
  const seconds = amount * UNIT_SECONDS[unit as SlaTimeUnit];
  if (Math.abs(seconds - Math.round(seconds)) > 1e-6)
    errors.push(
      fieldError(
        `${path}/amount`,
        'not_whole_seconds',
        `${amount} ${unit} is not a whole number of seconds; use a smaller unit, e.g. minutes.`,
      ),
    );
  else if (seconds > MAX_SLA_SECONDS)
    errors.push(
      fieldError(
        `${path}/amount`,
        'too_long',
        `A target may be at most 366 days; ${amount} ${unit} is longer.`,
      ),
    );
  return errors;
}

function checkTargets(value: unknown): FieldError[] {
  if (!isRecord(value))
    return [
      fieldError(
        '/targets',
        'invalid',
        'Targets must be an object by metric and priority, e.g. {"first_response": {"urgent": {...}}}; use {} for none.',
      ),
    ];
  const errors: FieldError[] = [];
  for (const [metric, byPriority] of Object.entries(value)) {
    const path = `/targets/${metric}`;
    if (!(SLA_METRICS as readonly string[]).includes(metric)) {
      errors.push(
        fieldError(path, 'unknown_metric', `Unknown metric "${metric}"; expected ${listOf(SLA_METRICS)}.`),
      );
      continue;
    }
    if (!isRecord(byPriority)) {
      errors.push(
        fieldError(
          path,
          'invalid',
          `Targets for ${metric} must be an object by priority (${listOf(PRIORITIES)}).`,
        ),
      );
      continue;
    }
    for (const [priority, target] of Object.entries(byPriority)) {
      if (isPriority(priority)) errors.push(...checkTarget({ value: target, path: `${path}/${priority}` }));
      else
        errors.push(
          fieldError(
            `${path}/${priority}`,
            'unknown_priority',
            `Unknown priority "${priority}"; expected ${listOf(PRIORITIES)}.`,
          ),
        );
    }
  }
  return errors;
}

/** Checks a recipient; gives the key that makes it unique when it is valid. */
function checkRecipient({ value, path }: At): { errors: FieldError[]; key?: string } {
  if (
    !isRecord(value) ||
    typeof value.kind !== 'string' ||
    !(SLA_RECIPIENT_KINDS as readonly string[]).includes(value.kind)
  )
    return {
      errors: [
        fieldError(
          isRecord(value) ? `${path}/kind` : path,
          'invalid',
          `A recipient is {"kind": ...} with kind ${listOf(SLA_RECIPIENT_KINDS)}; a user also needs "id".`,
        ),
      ],
    };
  if (value.kind !== 'user') return { errors: checkKeys({ value, path }, ['kind']), key: value.kind };
  const errors = checkKeys({ value, path }, ['kind', 'id']);
  if (typeof value.id !== 'string' || value.id.trim() === '') {
    errors.push(fieldError(`${path}/id`, 'required', "Say which user to notify: give the user's id."));
    return { errors };
  }
  return { errors, key: `user:${value.id}` };
}

function checkNotify(action: Record<string, unknown>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const { recipients } = action;
  if (!Array.isArray(recipients) || recipients.length === 0)
    errors.push(
      fieldError(
        `${path}/recipients`,
        'required',
        'A notice needs at least one recipient: cc, assignee, assignee_manager, customer or a user.',
      ),
    );
  else {
    const seen = new Map<string, number>();
    recipients.forEach((value, i) => {
      const at = `${path}/recipients/${i}`;
      const checked = checkRecipient({ value, path: at });
      errors.push(...checked.errors);
      if (checked.key === undefined) return;
      const earlier = seen.get(checked.key);
      if (earlier !== undefined)
        errors.push(
          fieldError(at, 'duplicate', `This recipient is already listed at ${path}/recipients/${earlier}.`),
        );
      else seen.set(checked.key, i);
    });
  }
  errors.push(...checkText({ value: action.message, path: `${path}/message` }, MESSAGE_RULE));
  if (action.targets !== undefined)
    errors.push(
      ...checkStringList({ value: action.targets, path: `${path}/targets` }, 'the notification targets'),
    );
  return errors;
}

const MESSAGE_RULE: TextRule = { label: 'The message', max: 2000, required: false };

function checkAssignee({ value, path }: At): FieldError[] {
  if (
    !isRecord(value) ||
    typeof value.kind !== 'string' ||
    !(ASSIGNEE_KINDS as readonly string[]).includes(value.kind)
  )
    return [
      fieldError(
        isRecord(value) ? `${path}/kind` : path,
        'invalid',
        `Say whom to reassign to: {"kind": ${listOf(ASSIGNEE_KINDS.map((k) => `"${k}"`))}, ...}.`,
      ),
    ];
  const errors = checkKeys({ value, path }, ASSIGNEE_KEYS);
  const kind = value.kind as (typeof ASSIGNEE_KINDS)[number];
  const idField = ASSIGNEE_ID_FIELD[kind];
  const id = value[idField];
  if (typeof id !== 'string' || id.trim() === '')
    errors.push(
      fieldError(
        `${path}/${idField}`,
        'required',
        `Reassigning to a ${kind.replace('_', ' ')} needs ${idField}.`,
      ),
    );
  if (kind === 'team' && (typeof value.strategy !== 'string' || !TEAM_STRATEGIES.includes(value.strategy)))
    errors.push(
      fieldError(
        `${path}/strategy`,
        'required',
        'Say how to pick a team member: "round_robin" or "least_loaded".',
      ),
    );
  if (value.skills !== undefined)
    errors.push(...checkStringList({ value: value.skills, path: `${path}/skills` }, 'the required skills'));
  return errors;
}

function checkOffset({ value, path }: At): FieldError[] {
  if (typeof value !== 'number' || !Number.isInteger(value))
    return [
      fieldError(
        path,
        'invalid',
        'offsetMinutes must be a whole number of minutes: negative before the due time, 0 at the breach, positive after.',
      ),
    ];
  if (Math.abs(value) > MAX_SLA_OFFSET_MINUTES)
    return [
      fieldError(
        path,
        'too_far',
        `An offset may be at most ${MAX_SLA_OFFSET_MINUTES} minutes (366 days) either way.`,
      ),
    ];
  return [];
}

function checkKindFields(action: Record<string, unknown>, path: string): FieldError[] {
  switch (action.kind as SlaActionKind) {
    case 'notify':
      return checkNotify(action, path);
    case 'escalate': {
      const { levels } = action;
      if (
        levels === undefined ||
        (typeof levels === 'number' &&
          Number.isInteger(levels) &&
          levels >= 1 &&
          levels <= MAX_ESCALATE_LEVELS)
      )
        return [];
      return [
        fieldError(
          `${path}/levels`,
          'invalid',
          `levels is how many org levels up to escalate, 1 to ${MAX_ESCALATE_LEVELS}; leave it out for one level.`,
        ),
      ];
    }
    case 'raise_priority':
      return action.to === undefined || isPriority(action.to)
        ? []
        : [
            fieldError(
              `${path}/to`,
              'invalid',
              `Raise to ${listOf(PRIORITIES)}; leave "to" out to raise one step.`,
            ),
          ];
    case 'reassign':
      return checkAssignee({ value: action.to, path: `${path}/to` });
    case 'plugin': {
      const errors = [
        ...checkText({ value: action.plugin, path: `${path}/plugin` }, PLUGIN_RULE),
        ...checkText({ value: action.action, path: `${path}/action` }, PLUGIN_ACTION_RULE),
      ];
      if (action.config !== undefined && !isRecord(action.config))
        errors.push(fieldError(`${path}/config`, 'invalid', "The plugin action's config must be an object."));
      return errors;
    }
  }
}

const PLUGIN_RULE: TextRule = { label: 'The plugin', max: 214, required: true };
const PLUGIN_ACTION_RULE: TextRule = { label: "The plugin's SLA action name", max: 100, required: true };

function checkAction({ value, path }: At): FieldError[] {
  if (!isRecord(value))
    return [
      fieldError(
        path,
        'invalid',
        'An action must be an object like {"offsetMinutes": -30, "kind": "notify", ...}.',
      ),
    ];
  const errors = checkOffset({ value: value.offsetMinutes, path: `${path}/offsetMinutes` });
  const { kind } = value;
  if (typeof kind !== 'string' || !(SLA_ACTION_KINDS as readonly string[]).includes(kind)) {
    errors.push(
      fieldError(`${path}/kind`, 'invalid', `The action kind must be ${listOf(SLA_ACTION_KINDS)}.`),
    );
    return errors;
  }
  return [
    ...errors,
    ...checkKeys({ value, path }, ACTION_KEYS[kind as SlaActionKind]),
    ...checkKindFields(value, path),
  ];
}

function checkActions(value: unknown, targets: unknown): FieldError[] {
  if (!isRecord(value))
    return [
      fieldError(
        '/actions',
        'invalid',
        'Actions must be an object by metric, e.g. {"resolution": [...]}; use {} for none.',
      ),
    ];
  const errors: FieldError[] = [];
  for (const [metric, list] of Object.entries(value)) {
    const path = `/actions/${metric}`;
    if (!(SLA_METRICS as readonly string[]).includes(metric)) {
      errors.push(
        fieldError(path, 'unknown_metric', `Unknown metric "${metric}"; expected ${listOf(SLA_METRICS)}.`),
      );
      continue;
    }
    if (!Array.isArray(list)) {
      errors.push(fieldError(path, 'invalid', `Actions for ${metric} must be a list; use [] for none.`));
      continue;
    }
    const metricTargets = isRecord(targets) ? targets[metric] : undefined;
    if (list.length > 0 && (!isRecord(metricTargets) || Object.keys(metricTargets).length === 0))
      errors.push(
        fieldError(
          path,
          'no_target',
          `${metric} has no target in this policy, so its actions would never run; add a target or remove them.`,
        ),
      );
    list.forEach((action, i) => {
      errors.push(...checkAction({ value: action, path: `${path}/${i}` }));
    });
  }
  return errors;
}

function checkCalendarId(value: unknown, known: readonly string[] | undefined): FieldError[] {
  if (value === undefined) return [];
  const errors = checkText(
    { value, path: '/calendarId' },
    { label: 'The calendar', max: 100, required: true },
  );
  if (errors.length === 0 && known && !known.includes(value as string))
    errors.push(
      fieldError(
        '/calendarId',
        'unknown_calendar',
        `There is no calendar "${value}"; pick an existing calendar or leave it out to count calendar time.`,
      ),
    );
  return errors;
}

/**
 * Every problem with an SLA policy, each with a JSON pointer to the field (e.g.
 * "/targets/resolution/urgent/amount", "/actions/first_response/1/offsetMinutes", "/condition")
 * and a message a person can act on. Empty when valid.
 */
export function checkSlaPolicy(input: unknown, options: CheckSlaPolicyOptions = {}): FieldError[] {
  if (!isRecord(input))
    return [
      fieldError(
        '',
        'invalid',
        'An SLA policy must be an object with id, name, position, condition, targets and actions.',
      ),
    ];
  const errors = [
    ...checkKeys({ value: input, path: '' }, POLICY_KEYS),
    ...checkText({ value: input.id, path: '/id' }, { label: 'The policy id', max: 100, required: true }),
    ...checkText(
      { value: input.name, path: '/name' },
      { label: 'The policy name', max: 200, required: true },
    ),
  ];
  if (typeof input.position !== 'number' || !Number.isInteger(input.position) || input.position < 0)
    errors.push(
      fieldError(
        '/position',
        'invalid',
        'The position must be a whole number from 0; lower positions are tried first.',
      ),
    );
  return [
    ...errors,
    ...checkCondition(input.condition),
    ...checkCalendarId(input.calendarId, options.calendarIds),
    ...checkStringList({ value: input.pauseStatuses, path: '/pauseStatuses' }, 'the pause statuses'),
    ...checkTargets(input.targets),
    ...checkActions(input.actions, input.targets),
  ];
}
