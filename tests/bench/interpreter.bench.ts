/**
 * The workflow interpreter alone, without the database: node steps per second, on the 4-node
 * workflow of the issue (start, condition, set fields, end) and on a larger one with parallel human
 * steps, a timer and several conditions driven through its events. Target: 50,000 node steps/s.
 *
 *   npx tsx tests/bench/interpreter.bench.ts
 *
 * Prints the figures and whether each meets the target; exits 0 either way.
 */
import { pathToFileURL } from 'node:url';
import type { WorkflowContext, WorkflowEdge, WorkflowGraph, WorkflowNode } from '@docket/core';
import { validateWorkflow } from '@docket/core';
import { createInterpreter, type InstanceState, type Interpreter, type WorkflowEvent } from '@docket/engine';

export const TARGET_STEPS_PER_SECOND = 50_000;

export type InterpreterBenchFigure = {
  workflow: string;
  nodes: number;
  /** Node steps one instance runs from start to end. */
  stepsPerInstance: number;
  instancesPerSecond: number;
  stepsPerSecond: number;
  meetsTarget: boolean;
};

export type InterpreterBenchResult = {
  target: number;
  figures: InterpreterBenchFigure[];
  meetsTarget: boolean;
};

function node(id: string, type: string, config: Record<string, unknown>): WorkflowNode {
  return { id, type, typeVersion: 1, config, position: { x: 0, y: 0 } };
}

const edge = (source: string, target: string, sourcePort = 'out'): WorkflowEdge => ({
  id: `${source}.${sourcePort}->${target}`,
  source,
  sourcePort,
  target,
});

const context: WorkflowContext = {
  ticket: { priority: 'string', channel: 'string' },
  form: { amount: 'double', category: 'string', vip: 'bool' },
};

/** The 4-node workflow: start, condition, set fields, end. */
export const fourNodeWorkflow: WorkflowGraph = {
  nodes: [
    node('start', 'start', { trigger: 'ticket_created' }),
    node('route', 'condition', {
      branches: [{ id: 'big', when: 'form.amount > 1000.0 || ticket.priority == "urgent"' }],
    }),
    node('fields', 'set_fields', { fields: [{ field: 'queue', value: 'escalations' }] }),
    node('done', 'end', { status: 'solved' }),
  ],
  edges: [
    edge('start', 'route'),
    edge('route', 'fields', 'big'),
    edge('route', 'fields', 'else'),
    edge('fields', 'done'),
  ],
};

const human = (id: string) =>
  node(id, 'human_step', {
    title: id,
    assignee: { kind: 'team', teamId: 'support', strategy: 'round_robin' },
    formSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
    actions: ['complete', 'transfer', 'return', 'reject'],
    timeLimit: { amount: 4, unit: 'hours', time: 'calendar' },
  });

/**
 * A larger workflow (22 nodes): triage conditions and field updates, three parallel branches each
 * with a human step, a join, a timer, a follow-up condition and the end.
 */
export const largerWorkflow: WorkflowGraph = {
  nodes: [
    node('start', 'start', { trigger: 'ticket_created' }),
    node('c_vip', 'condition', { branches: [{ id: 'vip', when: 'form.vip' }] }),
    node('s_vip', 'set_fields', { fields: [{ field: 'priority', value: 'high' }] }),
    node('c_cat', 'condition', {
      branches: [
        { id: 'refund', when: 'form.category == "refund"' },
        { id: 'repair', when: 'form.category == "repair"' },
      ],
    }),
    node('s_refund', 'set_fields', { fields: [{ field: 'queue', value: 'finance' }] }),
    node('s_repair', 'set_fields', { fields: [{ field: 'queue', value: 'field' }] }),
    node('s_other', 'set_fields', {
      fields: [{ field: 'queue', expression: '"general-" + ticket.channel' }],
    }),
    node('assign', 'assign', { assignee: { kind: 'team', teamId: 'support', strategy: 'least_loaded' } }),
    node('tell', 'notify', { channel: 'in_app', recipients: [{ kind: 'requester' }], body: 'Received.' }),
    node('split', 'parallel_split', {}),
    human('check'),
    human('approve'),
    human('prepare'),
    node('n_check', 'notify', { channel: 'in_app', recipients: [{ kind: 'assignee' }], body: 'Checked.' }),
    node('n_approve', 'notify', { channel: 'in_app', recipients: [{ kind: 'assignee' }], body: 'Approved.' }),
    node('n_prepare', 'notify', { channel: 'in_app', recipients: [{ kind: 'assignee' }], body: 'Prepared.' }),
    node('join', 'parallel_join', { mode: 'all' }),
    node('cool_off', 'timer', { mode: 'duration', amount: 1, unit: 'days', time: 'calendar' }),
    node('c_ok', 'condition', {
      branches: [{ id: 'ok', when: 'steps.check.ok && steps.approve.ok && form.amount < 10000.0' }],
    }),
    node('s_done', 'set_fields', { fields: [{ field: 'resolution', value: 'refunded' }] }),
    node('solved', 'end', { status: 'solved' }),
    node('closed', 'end', { status: 'closed' }),
  ],
  edges: [
    edge('start', 'c_vip'),
    edge('c_vip', 's_vip', 'vip'),
    edge('c_vip', 'c_cat', 'else'),
    edge('s_vip', 'c_cat'),
    edge('c_cat', 's_refund', 'refund'),
    edge('c_cat', 's_repair', 'repair'),
    edge('c_cat', 's_other', 'else'),
    edge('s_refund', 'assign'),
    edge('s_repair', 'assign'),
    edge('s_other', 'assign'),
    edge('assign', 'tell'),
    edge('tell', 'split'),
    edge('split', 'check'),
    edge('split', 'approve'),
    edge('split', 'prepare'),
    edge('check', 'n_check'),
    edge('approve', 'n_approve'),
    edge('prepare', 'n_prepare'),
    edge('n_check', 'join'),
    edge('n_approve', 'join'),
    edge('n_prepare', 'join'),
    edge('join', 'cool_off'),
    edge('cool_off', 'c_ok'),
    edge('c_ok', 's_done', 'ok'),
    edge('c_ok', 'closed', 'else'),
    edge('s_done', 'solved'),
  ],
};

/** Deterministic inputs (mulberry32), so runs compare. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Input = { ticket: Record<string, unknown>; form: Record<string, unknown> };

function makeInputs(count: number): Input[] {
  const next = random(20_250_106);
  const categories = ['refund', 'repair', 'question'];
  const priorities = ['low', 'normal', 'high', 'urgent'];
  return Array.from({ length: count }, () => ({
    ticket: { priority: priorities[Math.floor(next() * 4)], channel: next() < 0.5 ? 'email' : 'web' },
    form: {
      amount: Math.round(next() * 5000 * 100) / 100,
      category: categories[Math.floor(next() * 3)],
      vip: next() < 0.2,
    },
  }));
}

/** Runs one instance to its end; returns the number of node steps it took. */
function runInstance(interpreter: Interpreter, id: number, input: Input): number {
  let now = 1_736_154_000_000;
  const clock = { now: () => now };
  let r = interpreter.start({ instanceId: `i${id}`, ...input }, clock);
  let steps = r.stepKeys.length;
  let state: InstanceState = r.state;
  while (state.status === 'waiting') {
    const task = Object.values(state.tasks)[0];
    const timer = Object.values(state.timers).find((t) => t.purpose === 'timer');
    let event: WorkflowEvent;
    if (task)
      event = {
        type: 'human_action',
        taskId: task.taskId,
        action: 'complete',
        output: { ok: true },
        actor: 'u1',
      };
    else if (timer) event = { type: 'timer_fired', timerId: timer.timerId, version: timer.version };
    else throw new Error(`instance ${id} waits on nothing the bench can answer`);
    now += 3_600_000;
    r = interpreter.handle(state, event, clock);
    if (r.outcome !== 'applied') throw new Error(`instance ${id}: ${r.outcome} ${JSON.stringify(r.errors)}`);
    steps += r.stepKeys.length;
    state = r.state;
  }
  if (state.status !== 'completed') throw new Error(`instance ${id} ended ${state.status}`);
  return steps;
}

function measure(
  interpreter: Interpreter,
  inputs: Input[],
  minMs: number,
): { instances: number; steps: number; ms: number } {
  let instances = 0;
  let steps = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < inputs.length; i++)
      steps += runInstance(interpreter, instances++, inputs[i] as Input);
    elapsed = performance.now() - started;
  } while (elapsed < minMs);
  return { instances, steps, ms: elapsed };
}

/** Runs the benchmark and returns the figures (also printed unless quiet). */
export function run(options: { minMs?: number; isQuiet?: boolean } = {}): InterpreterBenchResult {
  const minMs = options.minMs ?? 1000;
  const inputs = makeInputs(1000);
  const figures: InterpreterBenchFigure[] = [];
  const cases = [
    ['4-node (start, condition, set fields, end), typed CEL', fourNodeWorkflow, context],
    ['4-node (start, condition, set fields, end), untyped CEL', fourNodeWorkflow, undefined],
    ['22-node: conditions, 3 parallel human steps, join, timer', largerWorkflow, context],
  ] as const;
  for (const [name, graph, ctx] of cases) {
    const problems = validateWorkflow(graph, ctx ?? {});
    if (problems.length > 0) throw new Error(`${name}: ${problems.map((p) => p.message).join('; ')}`);
    const interpreter = createInterpreter(graph, ctx ? { context: ctx } : {});
    measure(interpreter, inputs.slice(0, 200), 0); // warm up
    const m = measure(interpreter, inputs, minMs);
    const stepsPerSecond = Math.round((m.steps / m.ms) * 1000);
    figures.push({
      workflow: name,
      nodes: graph.nodes.length,
      stepsPerInstance: Math.round((m.steps / m.instances) * 10) / 10,
      instancesPerSecond: Math.round((m.instances / m.ms) * 1000),
      stepsPerSecond,
      meetsTarget: stepsPerSecond >= TARGET_STEPS_PER_SECOND,
    });
  }
  const result: InterpreterBenchResult = {
    target: TARGET_STEPS_PER_SECOND,
    figures,
    meetsTarget: figures.every((f) => f.meetsTarget),
  };
  if (!options.isQuiet) print(result);
  return result;
}

export function report(result: InterpreterBenchResult): string[] {
  const fmt = (n: number) => n.toLocaleString('en-US').padStart(11);
  return [
    `${'steps/s'.padStart(11)} ${'instances/s'.padStart(11)} ${'steps/inst'.padStart(10)}  verdict  workflow`,
    ...result.figures.map(
      (f) =>
        `${fmt(f.stepsPerSecond)} ${fmt(f.instancesPerSecond)} ${String(f.stepsPerInstance).padStart(10)}  ${f.meetsTarget ? 'MEETS  ' : 'MISSES '}  ${f.workflow}`,
    ),
    `${result.meetsTarget ? 'PASS' : 'FAIL'}: ${result.meetsTarget ? 'every figure meets' : 'some figures miss'} the target of ${result.target.toLocaleString('en-US')} node steps/s.`,
  ];
}

function print(result: InterpreterBenchResult): void {
  console.log('Workflow interpreter alone (no database): node steps per second');
  console.log(`target: ${result.target.toLocaleString('en-US')} node steps/s\n`);
  console.log(report(result).join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) run();
