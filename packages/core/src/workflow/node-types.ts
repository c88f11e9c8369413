import { checkFormSchema } from '../forms/form-validator.ts';
import {
  createNodeTypeRegistry,
  defineNodeType,
  type NodeConfigOf,
  type NodeConfigProblem,
  type NodeValidationContext,
} from './define-node-type.ts';

/**
 * Who a human step's task (or an assign node's ticket) goes to. A team assignment picks a member
 * by round robin or least open work, among members holding every listed skill; the server resolves
 * it, because it needs the team's members and their load.
 */
const assigneeRuleSchema = {
  type: 'object',
  title: 'Assignee',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', title: 'Assign to', enum: ['user', 'team', 'role', 'org_unit'] },
    userId: { type: 'string', title: 'User', minLength: 1 },
    teamId: { type: 'string', title: 'Team', minLength: 1 },
    roleId: { type: 'string', title: 'Role', minLength: 1 },
    orgUnitId: { type: 'string', title: 'Org unit', minLength: 1 },
    strategy: { type: 'string', title: 'Pick a member by', enum: ['round_robin', 'least_loaded'] },
    skills: {
      type: 'array',
      title: 'Required skills',
      uniqueItems: true,
      items: { type: 'string', minLength: 1 },
    },
  },
  allOf: [
    { if: { required: ['kind'], properties: { kind: { const: 'user' } } }, then: { required: ['userId'] } },
    {
      if: { required: ['kind'], properties: { kind: { const: 'team' } } },
      then: { required: ['teamId', 'strategy'] },
    },
    { if: { required: ['kind'], properties: { kind: { const: 'role' } } }, then: { required: ['roleId'] } },
    {
      if: { required: ['kind'], properties: { kind: { const: 'org_unit' } } },
      then: { required: ['orgUnitId'] },
    },
  ],
} as const;

/** Someone to tell: a person, a group, or the ticket's requester or assignee. */
const recipientSchema = {
  type: 'object',
  title: 'Recipient',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: {
      type: 'string',
      title: 'Recipient',
      enum: ['user', 'team', 'role', 'org_unit', 'requester', 'assignee'],
    },
    id: { type: 'string', title: 'Who', minLength: 1 },
  },
  allOf: [
    {
      if: { required: ['kind'], properties: { kind: { enum: ['user', 'team', 'role', 'org_unit'] } } },
      then: { required: ['id'] },
    },
  ],
} as const;

const durationProperties = {
  amount: { type: 'number', title: 'Amount', exclusiveMinimum: 0 },
  unit: { type: 'string', title: 'Unit', enum: ['minutes', 'hours', 'days', 'weeks'] },
  time: { type: 'string', title: 'Counted in', enum: ['business', 'calendar'] },
  calendarId: { type: 'string', title: 'Business calendar', minLength: 1 },
} as const;

const timeLimitSchema = {
  type: 'object',
  title: 'Time limit',
  required: ['amount', 'unit', 'time'],
  additionalProperties: false,
  properties: durationProperties,
} as const;

export const HUMAN_ACTIONS = ['complete', 'transfer', 'return', 'reject'] as const;
export type HumanAction = (typeof HUMAN_ACTIONS)[number];

const humanStepProperties = {
  title: { type: 'string', title: 'Task title', minLength: 1, maxLength: 200 },
  assignee: assigneeRuleSchema,
  cc: { type: 'array', title: 'CC', items: recipientSchema },
  formSchema: { type: 'object', title: 'Step form' },
  uiSchema: { type: 'object', title: 'Step form layout' },
  actions: {
    type: 'array',
    title: 'Allowed actions',
    minItems: 1,
    uniqueItems: true,
    items: { type: 'string', enum: HUMAN_ACTIONS },
  },
  timeLimit: timeLimitSchema,
  rejectTo: { type: 'string', title: 'Dispatcher step', minLength: 1 },
} as const;

const humanStepDefault = {
  title: 'Handle the ticket',
  assignee: { kind: 'role' as const, roleId: 'agent' },
  formSchema: { type: 'object', properties: {} },
  actions: ['complete' as const, 'transfer' as const, 'return' as const, 'reject' as const],
};

/** A human step must be able to end; its form must be a form; rejects go back to another human step. */
function validateHumanStep(
  c: { actions: readonly string[]; formSchema: unknown; rejectTo?: string },
  ctx: NodeValidationContext,
): NodeConfigProblem[] {
  const problems: NodeConfigProblem[] = [];
  if (!c.actions.includes('complete'))
    problems.push({
      configPath: '/actions',
      code: 'no_complete',
      message: 'A human step must allow "complete", or it could never end.',
    });
  for (const e of checkFormSchema(c.formSchema, '/formSchema'))
    problems.push({ configPath: e.path, code: e.code, message: e.message });
  if (c.rejectTo !== undefined) {
    const target = ctx.graph.nodes.find((n) => n?.id === c.rejectTo);
    const problem = !target
      ? {
          code: 'unknown_node',
          message: `Rejects go to "${c.rejectTo}", which is not a node of this workflow.`,
        }
      : ctx.typeOf(target.id)?.category !== 'human'
        ? { code: 'not_human_step', message: `Rejects go to "${c.rejectTo}", which is not a human step.` }
        : target.id === ctx.nodeId
          ? { code: 'reject_to_self', message: 'A step cannot reject a ticket back to itself.' }
          : undefined;
    if (problem) problems.push({ configPath: '/rejectTo', ...problem });
  }
  return problems;
}

/** Whether a host is allowed by an entry of an allow list: exactly, or under a `*.` wildcard. */
export function hostMatches(host: string, allowed: string): boolean {
  const a = allowed.toLowerCase();
  const h = host.toLowerCase();
  if (a.startsWith('*.')) return h.endsWith(a.slice(1)) && h.length > a.length - 1;
  return h === a;
}

export const startNode = defineNodeType({
  type: 'start',
  version: 1,
  title: 'Start',
  description: 'Where every instance begins: when a ticket is created, or when a named event arrives.',
  category: 'trigger',
  configSchema: {
    type: 'object',
    required: ['trigger'],
    additionalProperties: false,
    properties: {
      trigger: { type: 'string', title: 'Starts when', enum: ['ticket_created', 'event'] },
      eventName: { type: 'string', title: 'Event name', minLength: 1 },
    },
    allOf: [
      {
        if: { required: ['trigger'], properties: { trigger: { const: 'event' } } },
        then: { required: ['eventName'] },
      },
    ],
  },
  defaultConfig: { trigger: 'ticket_created' },
  ports: { hasInput: false, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
});

export const humanStepNode = defineNodeType({
  type: 'human_step',
  version: 1,
  title: 'Human step',
  description:
    'A task for a person: assigned by rule, with its own form; the assignee completes, transfers, returns or rejects it.',
  category: 'human',
  configSchema: {
    type: 'object',
    required: ['title', 'assignee', 'formSchema', 'actions'],
    additionalProperties: false,
    properties: humanStepProperties,
  },
  defaultConfig: humanStepDefault,
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Completed', isRequired: true }] },
  isWaiting: true,
  output: { configPointer: '/formSchema' },
  validate: validateHumanStep,
});

export const followUpNode = defineNodeType({
  type: 'follow_up',
  version: 1,
  title: 'Follow-up visit',
  description: 'A human step that runs only when its condition holds (e.g. call back unhappy customers).',
  category: 'human',
  configSchema: {
    type: 'object',
    required: ['when', 'title', 'assignee', 'formSchema', 'actions'],
    additionalProperties: false,
    properties: {
      when: { type: 'string', title: 'Only when', minLength: 1, 'x-cel': 'bool' },
      ...humanStepProperties,
    },
  },
  defaultConfig: { ...humanStepDefault, title: 'Follow-up visit', when: 'true', actions: ['complete'] },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
  output: { configPointer: '/formSchema' },
  validate: validateHumanStep,
});

export const conditionNode = defineNodeType({
  type: 'condition',
  version: 1,
  title: 'Condition',
  description: 'If / else-if / else: the first branch whose CEL condition holds, else the else edge.',
  category: 'logic',
  configSchema: {
    type: 'object',
    required: ['branches'],
    additionalProperties: false,
    properties: {
      branches: {
        type: 'array',
        title: 'Branches',
        minItems: 1,
        items: {
          type: 'object',
          required: ['id', 'when'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', title: 'Branch id', pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
            label: { type: 'string', title: 'Label' },
            when: { type: 'string', title: 'Condition', minLength: 1, 'x-cel': 'bool' },
          },
        },
      },
    },
  },
  defaultConfig: { branches: [{ id: 'if', label: 'If', when: 'true' }] },
  ports: {
    hasInput: true,
    outputs: [{ id: 'else', label: 'Else', isRequired: true }],
    dynamicOutputs: { pointer: '/branches', idProperty: 'id', labelProperty: 'label', isRequired: true },
  },
  output: { schema: { type: 'object', properties: { branch: { type: 'string' } } } },
  validate: (c) => {
    const problems: NodeConfigProblem[] = [];
    const seen = new Set<string>();
    c.branches.forEach(({ id }, i) => {
      if (id === 'else')
        problems.push({
          configPath: `/branches/${i}/id`,
          code: 'reserved_branch_id',
          message: '"else" is the else edge; give this branch another id.',
        });
      else if (seen.has(id))
        problems.push({
          configPath: `/branches/${i}/id`,
          code: 'duplicate_branch_id',
          message: `Two branches have the id "${id}".`,
        });
      seen.add(id);
    });
    return problems;
  },
});

export const parallelSplitNode = defineNodeType({
  type: 'parallel_split',
  version: 1,
  title: 'Parallel split',
  description: 'Runs every outgoing branch at the same time.',
  category: 'flow',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultConfig: {},
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Branches', isRequired: true, allowsMany: true }] },
});

export const parallelJoinNode = defineNodeType({
  type: 'parallel_join',
  version: 1,
  title: 'Parallel join',
  description: 'Waits for the branches of its split: all of them, or the first (the others are cancelled).',
  category: 'flow',
  configSchema: {
    type: 'object',
    required: ['mode'],
    additionalProperties: false,
    properties: { mode: { type: 'string', title: 'Continue when', enum: ['all', 'any'] } },
  },
  defaultConfig: { mode: 'all' },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
});

export const timerNode = defineNodeType({
  type: 'timer',
  version: 1,
  title: 'Timer',
  description: 'Waits for a duration in business or calendar time, or until the date in a field.',
  category: 'flow',
  configSchema: {
    type: 'object',
    required: ['mode'],
    additionalProperties: false,
    properties: {
      mode: { type: 'string', title: 'Wait', enum: ['duration', 'until'] },
      ...durationProperties,
      until: { type: 'string', title: 'Until (date field)', minLength: 1, 'x-cel': 'timestamp' },
      offsetMinutes: { type: 'integer', title: 'Offset in minutes (negative: before)' },
    },
    allOf: [
      {
        if: { required: ['mode'], properties: { mode: { const: 'duration' } } },
        then: { required: ['amount', 'unit', 'time'] },
      },
      { if: { required: ['mode'], properties: { mode: { const: 'until' } } }, then: { required: ['until'] } },
    ],
  },
  defaultConfig: { mode: 'duration', amount: 1, unit: 'days', time: 'business' },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Then', isRequired: true }] },
  isWaiting: true,
});

export const setFieldsNode = defineNodeType({
  type: 'set_fields',
  version: 1,
  title: 'Set fields',
  description: 'Sets ticket fields to fixed values or to what a CEL expression computes.',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['fields'],
    additionalProperties: false,
    properties: {
      fields: {
        type: 'array',
        title: 'Fields',
        minItems: 1,
        items: {
          type: 'object',
          required: ['field'],
          additionalProperties: false,
          properties: {
            field: {
              type: 'string',
              title: 'Field',
              pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$',
            },
            value: { title: 'Value' },
            expression: { type: 'string', title: 'Computed by', minLength: 1, 'x-cel': 'any' },
          },
        },
      },
    },
  },
  defaultConfig: { fields: [{ field: 'priority', value: 'high' }] },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
  validate: (c) =>
    c.fields.flatMap((f, i) =>
      'value' in f === 'expression' in f
        ? [
            {
              configPath: `/fields/${i}`,
              code: 'value_or_expression',
              message: `Field ${i + 1} needs either a fixed value or an expression (one of them, not both).`,
            },
          ]
        : [],
    ),
});

export const assignNode = defineNodeType({
  type: 'assign',
  version: 1,
  title: 'Assign',
  description: 'Assigns the ticket to a user, team, role or org unit.',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['assignee'],
    additionalProperties: false,
    properties: { assignee: assigneeRuleSchema },
  },
  defaultConfig: { assignee: { kind: 'team', teamId: 'support', strategy: 'round_robin' } },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
});

export const notifyNode = defineNodeType({
  type: 'notify',
  version: 1,
  title: 'Notify',
  description: 'Sends a notification: in-app, or through a notification-target plugin.',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['channel', 'recipients', 'body'],
    additionalProperties: false,
    properties: {
      channel: { type: 'string', title: 'Send through', minLength: 1, 'x-ref': 'notification_target' },
      recipients: { type: 'array', title: 'Recipients', minItems: 1, items: recipientSchema },
      subject: { type: 'string', title: 'Subject', maxLength: 200 },
      body: { type: 'string', title: 'Message', minLength: 1 },
    },
  },
  defaultConfig: { channel: 'in_app', recipients: [{ kind: 'assignee' }], body: 'Ticket updated.' },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
});

export const httpRequestNode = defineNodeType({
  type: 'http_request',
  version: 1,
  title: 'HTTP request',
  description: 'Calls an outside system, only on allowed hosts, with a timeout and retries.',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['method', 'url', 'allowedHosts', 'timeoutMs', 'retries'],
    additionalProperties: false,
    properties: {
      method: { type: 'string', title: 'Method', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      url: { type: 'string', title: 'URL', format: 'uri', pattern: '^https?://' },
      headers: { type: 'object', title: 'Headers', additionalProperties: { type: 'string' } },
      body: { title: 'Body' },
      timeoutMs: { type: 'integer', title: 'Timeout (ms)', minimum: 100, maximum: 60_000 },
      retries: { type: 'integer', title: 'Retries', minimum: 0, maximum: 10 },
      allowedHosts: {
        type: 'array',
        title: 'Allowed hosts',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string', minLength: 1 },
      },
    },
  },
  defaultConfig: {
    method: 'POST',
    url: 'https://example.com/hook',
    timeoutMs: 10_000,
    retries: 2,
    allowedHosts: ['example.com'],
  },
  ports: {
    hasInput: true,
    outputs: [
      { id: 'out', label: 'Succeeded', isRequired: true },
      { id: 'error', label: 'Failed' },
    ],
  },
  output: {
    schema: {
      type: 'object',
      properties: {
        status: { type: 'integer' },
        body: {},
        headers: { type: 'object' },
      },
    },
  },
  validate: (c) => {
    let host: string;
    try {
      host = new URL(c.url).hostname;
    } catch {
      return []; // the schema already reports a malformed URL
    }
    return c.allowedHosts.some((h) => hostMatches(host, h))
      ? []
      : [
          {
            configPath: '/url',
            code: 'host_not_allowed',
            message: `The URL's host "${host}" is not among the allowed hosts (${c.allowedHosts.join(', ')}).`,
          },
        ];
  },
});

export const subWorkflowNode = defineNodeType({
  type: 'sub_workflow',
  version: 1,
  title: 'Sub-workflow',
  description: 'Starts another published workflow, and optionally waits for it to end.',
  category: 'flow',
  configSchema: {
    type: 'object',
    required: ['workflowId', 'shouldWait'],
    additionalProperties: false,
    properties: {
      workflowId: { type: 'string', title: 'Workflow', minLength: 1 },
      version: { type: 'integer', title: 'Version (latest published when empty)', minimum: 1 },
      input: {
        type: 'object',
        title: 'Input',
        additionalProperties: { type: 'string', minLength: 1, 'x-cel': 'any' },
      },
      shouldWait: { type: 'boolean', title: 'Wait for it to end' },
    },
  },
  defaultConfig: { workflowId: '', shouldWait: true },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
  output: { schema: { type: 'object' } },
});

export const endNode = defineNodeType({
  type: 'end',
  version: 1,
  title: 'End',
  description: 'Ends the instance (and any other branch still running) with the ticket solved or closed.',
  category: 'end',
  configSchema: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', title: 'Resulting status', enum: ['solved', 'closed'] },
      statusName: {
        type: 'string',
        title: 'Named status',
        description: 'A stored status of the resulting category ("Refunded"), given to the ticket.',
        minLength: 1,
      },
    },
  },
  defaultConfig: { status: 'solved' },
  ports: { hasInput: true, outputs: [] },
});

export type StartConfig = NodeConfigOf<typeof startNode>;
export type HumanStepConfig = NodeConfigOf<typeof humanStepNode>;
export type FollowUpConfig = NodeConfigOf<typeof followUpNode>;
export type ConditionConfig = NodeConfigOf<typeof conditionNode>;
export type ParallelSplitConfig = NodeConfigOf<typeof parallelSplitNode>;
export type ParallelJoinConfig = NodeConfigOf<typeof parallelJoinNode>;
export type TimerConfig = NodeConfigOf<typeof timerNode>;
export type SetFieldsConfig = NodeConfigOf<typeof setFieldsNode>;
export type AssignConfig = NodeConfigOf<typeof assignNode>;
export type NotifyConfig = NodeConfigOf<typeof notifyNode>;
export type HttpRequestConfig = NodeConfigOf<typeof httpRequestNode>;
export type SubWorkflowConfig = NodeConfigOf<typeof subWorkflowNode>;
export type EndConfig = NodeConfigOf<typeof endNode>;
export type AssigneeRule = HumanStepConfig['assignee'];
export type Recipient = NotifyConfig['recipients'][number];
export type TimeLimit = NonNullable<HumanStepConfig['timeLimit']>;

/** Every node type Docket ships, in palette order. */
export const coreNodeTypes = [
  startNode,
  humanStepNode,
  conditionNode,
  parallelSplitNode,
  parallelJoinNode,
  timerNode,
  setFieldsNode,
  assignNode,
  notifyNode,
  httpRequestNode,
  subWorkflowNode,
  followUpNode,
  endNode,
] as const;

export type CoreNodeType = (typeof coreNodeTypes)[number]['type'];

export const coreNodeTypeRegistry = createNodeTypeRegistry(coreNodeTypes);
