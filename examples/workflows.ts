import type { HumanStepConfig, WorkflowEdge, WorkflowGraph, WorkflowNode } from '@docket/core';

/**
 * The example workflows, as the designer would save them: the after-sales and call-centre
 * scenarios of SCENARIOS.md. Assignees name teams, org units and users by name or email, which the
 * server resolves when a task is created.
 */

type Spec = { type: string; config: unknown; label?: string; at: [number, number] };

function flow(nodes: Record<string, Spec>, edges: string[]): WorkflowGraph {
  const list: WorkflowNode[] = Object.entries(nodes).map(([id, s]) => ({
    id,
    type: s.type,
    typeVersion: 1,
    config: s.config,
    position: { x: s.at[0], y: s.at[1] },
    ...(s.label ? { label: s.label } : {}),
  }));
  const edgeList: WorkflowEdge[] = edges.map((text, i) => {
    const [from, target] = text.split('->').map((p) => p.trim()) as [string, string];
    const [source, port] = from.split('.') as [string, string | undefined];
    return { id: `e${i + 1}`, source, sourcePort: port ?? 'out', target };
  });
  return { nodes: list, edges: edgeList };
}

const start = (at: [number, number]): Spec => ({ type: 'start', config: { trigger: 'ticket_created' }, at });
const end = (status: 'solved' | 'closed', at: [number, number], statusName?: string): Spec => ({
  type: 'end',
  config: { status, ...(statusName ? { statusName } : {}) },
  at,
});
const human = (config: HumanStepConfig, at: [number, number]): Spec => ({ type: 'human_step', config, at });
const hours = (amount: number) => ({ amount, unit: 'hours' as const, time: 'business' as const });

/** Scenario 2: customer-service review -> warehouse confirmation -> finance refund. */
export const returnsWorkflow: WorkflowGraph = flow(
  {
    start: start([0, 0]),
    cs_review: human(
      {
        title: 'Review the return request',
        assignee: { kind: 'team', teamId: 'Service desk', strategy: 'least_loaded' },
        cc: [{ kind: 'requester' }],
        formSchema: {
          type: 'object',
          required: ['approved', 'note'],
          properties: {
            approved: { type: 'boolean', title: 'Return approved' },
            note: { type: 'string', title: 'Review note', minLength: 2 },
          },
        },
        actions: ['complete', 'transfer'],
        timeLimit: hours(2),
      },
      [0, 120],
    ),
    approved: {
      type: 'condition',
      config: { branches: [{ id: 'yes', label: 'Approved', when: 'steps.cs_review.approved == true' }] },
      at: [0, 240],
    },
    warehouse: human(
      {
        title: 'Confirm the returned goods',
        assignee: { kind: 'team', teamId: 'Warehouse', strategy: 'round_robin', skills: ['warehouse'] },
        cc: [{ kind: 'team', id: 'Service desk' }],
        formSchema: {
          type: 'object',
          required: ['received', 'condition'],
          properties: {
            received: { type: 'boolean', title: 'Goods received' },
            condition: { type: 'string', title: 'Condition', enum: ['as_new', 'damaged', 'incomplete'] },
          },
        },
        actions: ['complete', 'return', 'transfer'],
        timeLimit: hours(8),
      },
      [0, 360],
    ),
    finance: human(
      {
        title: 'Refund the customer',
        assignee: { kind: 'team', teamId: 'Finance', strategy: 'least_loaded', skills: ['refund'] },
        formSchema: {
          type: 'object',
          required: ['refundAmount', 'transactionId'],
          properties: {
            refundAmount: { type: 'number', title: 'Refunded amount', minimum: 0 },
            transactionId: { type: 'string', title: 'Payment transaction id', minLength: 4 },
          },
        },
        actions: ['complete', 'return'],
        timeLimit: hours(16),
      },
      [0, 480],
    ),
    refunded: end('solved', [0, 600], 'Refunded'),
    declined: end('closed', [300, 360], 'Return declined'),
  },
  [
    'start -> cs_review',
    'cs_review -> approved',
    'approved.yes -> warehouse',
    'approved.else -> declined',
    'warehouse -> finance',
    'finance -> refunded',
  ],
);

/** Scenario 1: the service category picks the department; a follow-up visit when one is asked for. */
export const callCentreWorkflow: WorkflowGraph = flow(
  {
    start: start([0, 0]),
    route: {
      type: 'condition',
      label: 'Service category',
      config: {
        branches: [{ id: 'repair', label: 'Repair', when: "form.serviceCategory == 'repair'" }],
      },
      at: [0, 120],
    },
    repair: human(
      {
        title: 'Repair',
        assignee: { kind: 'team', teamId: 'Store A repairs', strategy: 'round_robin', skills: ['repair'] },
        formSchema: {
          type: 'object',
          required: ['result'],
          properties: { result: { type: 'string', title: 'What was done', minLength: 2 } },
        },
        actions: ['complete', 'transfer'],
        timeLimit: hours(4),
      },
      [-200, 240],
    ),
    service: human(
      {
        title: 'Handle the request',
        assignee: { kind: 'team', teamId: 'Service desk', strategy: 'least_loaded' },
        formSchema: {
          type: 'object',
          required: ['result'],
          properties: { result: { type: 'string', title: 'What was done', minLength: 2 } },
        },
        actions: ['complete', 'transfer'],
        timeLimit: hours(4),
      },
      [200, 240],
    ),
    visit: {
      type: 'follow_up',
      label: 'Follow-up visit',
      config: {
        when: 'has(form.needsFollowUp) && form.needsFollowUp',
        title: 'Call the customer back',
        assignee: { kind: 'team', teamId: 'Service desk', strategy: 'least_loaded' },
        formSchema: {
          type: 'object',
          required: ['satisfied'],
          properties: {
            satisfied: { type: 'boolean', title: 'Customer satisfied' },
            notes: { type: 'string', title: 'Notes' },
          },
        },
        actions: ['complete'],
      },
      at: [0, 360],
    },
    done: end('solved', [0, 480]),
  },
  [
    'start -> route',
    'route.repair -> repair',
    'route.else -> service',
    'repair -> visit',
    'service -> visit',
    'visit -> done',
  ],
);

/** Scenario 5: the service desk dispatches to a store; a store that was not meant rejects it back. */
export const storeDispatchWorkflow: WorkflowGraph = flow(
  {
    start: start([0, 0]),
    dispatch: human(
      {
        title: 'Dispatch to the store',
        assignee: { kind: 'team', teamId: 'Service desk', strategy: 'least_loaded' },
        formSchema: {
          type: 'object',
          required: ['store'],
          properties: { store: { type: 'string', title: 'Store', enum: ['storeA', 'storeB', 'storeC'] } },
        },
        actions: ['complete'],
      },
      [0, 120],
    ),
    route: {
      type: 'condition',
      label: 'Which store',
      config: {
        branches: [
          { id: 'a', label: 'Store A', when: "steps.dispatch.store == 'storeA'" },
          { id: 'b', label: 'Store B', when: "steps.dispatch.store == 'storeB'" },
        ],
      },
      at: [0, 240],
    },
    ...Object.fromEntries(
      (
        [
          ['store_a', 'Store A (Beijing Chaoyang)', -300],
          ['store_b', 'Store B (Tianjin Heping)', 0],
          ['store_c', 'Store C (Guangzhou Tianhe)', 300],
        ] as const
      ).map(([id, unit, x]) => [
        id,
        human(
          {
            title: `Handle at ${unit}`,
            assignee: { kind: 'org_unit', orgUnitId: unit },
            formSchema: {
              type: 'object',
              required: ['resolution'],
              properties: { resolution: { type: 'string', title: 'Resolution', minLength: 2 } },
            },
            actions: ['complete', 'reject', 'transfer'],
            rejectTo: 'dispatch',
            timeLimit: hours(24),
          },
          [x, 360],
        ),
      ]),
    ),
    done: end('solved', [0, 480]),
  },
  [
    'start -> dispatch',
    'dispatch -> route',
    'route.a -> store_a',
    'route.b -> store_b',
    'route.else -> store_c',
    'store_a -> done',
    'store_b -> done',
    'store_c -> done',
  ],
);

export const workflows: { key: string; name: string; graph: WorkflowGraph }[] = [
  { key: 'returns', name: 'Returns and refunds', graph: returnsWorkflow },
  { key: 'call-centre', name: 'Call-centre request with follow-up visit', graph: callCentreWorkflow },
  { key: 'store-dispatch', name: 'Store dispatch with rejection', graph: storeDispatchWorkflow },
];
