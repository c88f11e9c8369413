import { describe, expect, it } from 'vitest';
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from './graph.ts';
import { removeNode } from './graph-edits.ts';
import { coreNodeTypeRegistry } from './node-types.ts';
import { validateWorkflow, type WorkflowProblem } from './validate-workflow.ts';
import type { WorkflowContext } from './workflow-cel.ts';

const context: WorkflowContext = {
  ticket: { priority: 'string', subject: 'string', dueAt: 'timestamp' },
  form: { amount: 'double', vip: 'bool', visitAt: 'timestamp' },
};

function node(id: string, type: string, config: Record<string, unknown> = {}): WorkflowNode {
  const def = coreNodeTypeRegistry.get(type);
  if (!def) throw new Error(type);
  return {
    id,
    type,
    typeVersion: 1,
    config: { ...structuredClone(def.defaultConfig), ...config },
    position: { x: 0, y: 0 },
  };
}

const human = (id: string, extra: Record<string, unknown> = {}) =>
  node(id, 'human_step', {
    title: id,
    assignee: { kind: 'team', teamId: 'support', strategy: 'least_loaded', skills: ['billing'] },
    formSchema: { type: 'object', properties: { approved: { type: 'boolean' }, note: { type: 'string' } } },
    actions: ['complete', 'transfer', 'return', 'reject'],
    ...extra,
  });

let edgeCount = 0;
const edge = (source: string, target: string, sourcePort = 'out', id = `e${++edgeCount}`): WorkflowEdge => ({
  id,
  source,
  sourcePort,
  target,
});

/** Every core node type, wired into one publishable workflow. */
function reference(): WorkflowGraph {
  edgeCount = 0;
  return {
    nodes: [
      node('start', 'start'),
      human('triage'),
      node('route', 'condition', {
        branches: [
          { id: 'big', when: 'form.amount > 1000.0 && steps.triage.approved' },
          { id: 'vip', when: 'form.vip' },
        ],
      }),
      node('split', 'parallel_split'),
      human('finance', { timeLimit: { amount: 4, unit: 'hours', time: 'business' }, rejectTo: 'triage' }),
      node('call', 'http_request', {
        url: 'https://erp.example.com/refunds',
        allowedHosts: ['*.example.com'],
      }),
      node('join', 'parallel_join', { mode: 'all' }),
      node('wait', 'timer', { mode: 'until', until: 'form.visitAt', offsetMinutes: -60 }),
      node('fields', 'set_fields', {
        fields: [
          { field: 'priority', value: 'high' },
          { field: 'subject', expression: '"[VIP] " + ticket.subject' },
        ],
      }),
      node('assign', 'assign', { assignee: { kind: 'org_unit', orgUnitId: 'east' } }),
      node('tell', 'notify', { recipients: [{ kind: 'requester' }, { kind: 'role', id: 'manager' }] }),
      node('child', 'sub_workflow', { workflowId: 'refund-audit', input: { amount: 'form.amount' } }),
      node('visit', 'follow_up', {
        when: 'steps.finance.approved == false',
        title: 'Call the customer',
        assignee: { kind: 'user', userId: 'u1' },
        formSchema: { type: 'object', properties: { satisfied: { type: 'boolean' } } },
      }),
      node('done', 'end', { status: 'solved' }),
      node('closed', 'end', { status: 'closed' }),
    ],
    edges: [
      edge('start', 'triage'),
      edge('triage', 'route'),
      edge('route', 'split', 'big'),
      edge('route', 'fields', 'vip'),
      edge('route', 'closed', 'else'),
      edge('split', 'finance'),
      edge('split', 'call'),
      edge('finance', 'join'),
      edge('call', 'join'),
      edge('call', 'closed', 'error'),
      edge('join', 'wait'),
      edge('wait', 'visit'),
      edge('visit', 'done'),
      edge('fields', 'assign'),
      edge('assign', 'tell'),
      edge('tell', 'child'),
      edge('child', 'done'),
    ],
  };
}

function only(problems: WorkflowProblem[], code: string): WorkflowProblem[] {
  const matching = problems.filter((p) => p.code === code);
  expect(matching, JSON.stringify(problems, null, 2)).not.toHaveLength(0);
  return matching;
}

function edit(f: (g: WorkflowGraph) => void): WorkflowGraph {
  const g = reference();
  f(g);
  return g;
}

const config = (g: WorkflowGraph, id: string) =>
  g.nodes.find((n) => n.id === id)?.config as Record<string, unknown>;

describe('validateWorkflow', () => {
  it('accepts a workflow using every core node type', () => {
    expect(validateWorkflow(reference(), context)).toEqual([]);
  });

  it('reports a graph with no start node', () => {
    const problems = validateWorkflow(removeNode(reference(), 'start'), context);
    expect(only(problems, 'no_start')[0]?.message).toMatch(/no start node/);
  });

  it('names the second start node', () => {
    const g = edit((g) => {
      g.nodes.push(node('start2', 'start'));
      g.edges.push(edge('start2', 'done'));
    });
    expect(only(validateWorkflow(g, context), 'many_starts')).toEqual([
      expect.objectContaining({
        nodeId: 'start2',
        path: '/nodes/15',
        message: expect.stringMatching(/"start" is already the start/),
      }),
    ]);
  });

  it('names an unreachable node', () => {
    const g = edit((g) => {
      g.nodes.push(node('island', 'notify'));
      g.edges.push(edge('island', 'done'));
    });
    expect(only(validateWorkflow(g, context), 'unreachable')).toEqual([
      expect.objectContaining({
        nodeId: 'island',
        message: expect.stringMatching(/^Notify "island": No path/),
      }),
    ]);
  });

  it('names a dangling edge and the node it leaves from', () => {
    const g = edit((g) => g.edges.push(edge('tell', 'ghost', 'out', 'bad-edge')));
    const [p] = only(validateWorkflow(g, context), 'dangling_edge');
    expect(p).toMatchObject({ nodeId: 'tell', edgeId: 'bad-edge', path: '/edges/17' });
    expect(p?.message).toMatch(/no target "ghost"/);
  });

  it('names an edge from a port the node does not have', () => {
    const g = edit((g) => g.edges.push(edge('route', 'done', 'small', 'e-small')));
    expect(only(validateWorkflow(g, context), 'unknown_port')[0]).toMatchObject({
      nodeId: 'route',
      edgeId: 'e-small',
      message: expect.stringMatching(/port "small".*"big", "vip", "else"/),
    });
  });

  it('names edges into the start and out of an end', () => {
    const g = edit((g) =>
      g.edges.push(edge('tell', 'start', 'out', 'loop-start'), edge('done', 'tell', 'out', 'after-end')),
    );
    const problems = validateWorkflow(g, context);
    expect(only(problems, 'edge_into_start')[0]).toMatchObject({ nodeId: 'start', edgeId: 'loop-start' });
    expect(only(problems, 'unknown_port')[0]).toMatchObject({ nodeId: 'done', edgeId: 'after-end' });
  });

  it('names a condition branch with no edge, pointing at the branch', () => {
    const g = edit((g) => {
      g.edges = g.edges.filter((e) => !(e.source === 'route' && e.sourcePort === 'vip'));
    });
    const problems = validateWorkflow(g, context);
    expect(only(problems, 'missing_edge')).toEqual([
      expect.objectContaining({
        nodeId: 'route',
        configPath: '/branches/1',
        path: '/nodes/2/config/branches/1',
      }),
    ]);
  });

  it('names an output with two edges where one is allowed', () => {
    const g = edit((g) => g.edges.push(edge('tell', 'done')));
    expect(only(validateWorkflow(g, context), 'too_many_edges')[0]).toMatchObject({ nodeId: 'tell' });
  });

  it('names missing and wrong config fields with their JSON pointer', () => {
    const g = edit((g) => {
      const finance = config(g, 'finance');
      delete finance.title;
      finance.assignee = { kind: 'team', strategy: 'fastest' };
      finance.actions = ['complete', 'escalate'];
    });
    const problems = only(validateWorkflow(g, context), 'invalid_config');
    expect(problems.every((p) => p.nodeId === 'finance')).toBe(true);
    expect(problems.map((p) => p.configPath).sort()).toEqual([
      '/actions/1',
      '/assignee/strategy',
      '/assignee/teamId',
      '/title',
    ]);
    expect(problems.find((p) => p.configPath === '/title')?.message).toBe(
      'Human step "finance": "Task title" is required.',
    );
    expect(problems.find((p) => p.configPath === '/assignee/teamId')?.path).toBe(
      '/nodes/4/config/assignee/teamId',
    );
  });

  it('names settings a node does not have, and a timer missing its duration', () => {
    const g = edit((g) => {
      config(g, 'tell').colour = 'red';
      g.nodes[7] = { ...node('wait', 'timer', { mode: 'duration' }), config: { mode: 'duration' } };
    });
    const problems = only(validateWorkflow(g, context), 'invalid_config');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          nodeId: 'tell',
          configPath: '/colour',
          message: expect.stringMatching(/not a setting/),
        }),
        expect.objectContaining({ nodeId: 'wait', configPath: '/amount' }),
      ]),
    );
  });

  it('names unknown node types and configs saved by a newer version', () => {
    const g = edit((g) => {
      g.nodes.push({ ...node('x', 'notify'), type: 'plugin.gone' });
      (g.nodes[10] as WorkflowNode).typeVersion = 5;
      g.edges.push(edge('tell', 'x', 'out', 'to-x'));
    });
    const problems = validateWorkflow(g, context);
    expect(only(problems, 'unknown_type')[0]).toMatchObject({ nodeId: 'x', path: '/nodes/15/type' });
    expect(only(problems, 'newer_version')[0]).toMatchObject({ nodeId: 'tell' });
  });

  it('names a CEL syntax error at its config field', () => {
    const g = edit((g) => {
      (config(g, 'route').branches as { when: string }[])[1] = { id: 'vip', when: 'form.vip ==' } as never;
    });
    expect(only(validateWorkflow(g, context), 'cel_syntax')).toEqual([
      expect.objectContaining({
        nodeId: 'route',
        configPath: '/branches/1/when',
        message: expect.stringMatching(/^Condition "route": syntax error in "form.vip ==": .*column/),
      }),
    ]);
  });

  it('names CEL type errors: unknown field, unknown step field, wrong type, not a bool, not a date', () => {
    const g = edit((g) => {
      config(g, 'route').branches = [
        { id: 'big', when: 'form.amout > 1000.0' },
        { id: 'vip', when: 'steps.triage.aproved' },
      ];
      config(g, 'visit').when = 'ticket.priority > 3';
      config(g, 'fields').fields = [{ field: 'subject', expression: 'ticket.subject + 1' }];
      config(g, 'wait').until = 'form.amount';
      config(g, 'tell').recipients = [{ kind: 'requester' }];
      g.nodes.push(node('cond2', 'condition', { branches: [{ id: 'a', when: 'form.amount' }] }));
    });
    const problems = validateWorkflow(g, context).filter((p) => p.code === 'cel_type');
    expect(problems.map((p) => [p.nodeId, p.configPath])).toEqual([
      ['route', '/branches/0/when'],
      ['route', '/branches/1/when'],
      ['wait', '/until'],
      ['fields', '/fields/0/expression'],
      ['visit', '/when'],
      ['cond2', '/branches/0/when'],
    ]);
    expect(problems[0]?.message).toMatch(/amout/);
    expect(problems[1]?.message).toMatch(/aproved/);
    expect(problems[2]?.message).toMatch(/needs a date/);
    expect(problems[4]?.message).toMatch(/string > int/);
    expect(problems[5]?.message).toMatch(/gives a double, but this field needs true or false/);
  });

  it('types step outputs from the step form, so a wrong comparison is caught', () => {
    const g = edit((g) => {
      config(g, 'route').branches = [
        { id: 'big', when: 'steps.triage.approved == "yes"' },
        { id: 'vip', when: 'true' },
      ];
    });
    expect(only(validateWorkflow(g, context), 'cel_type')[0]).toMatchObject({
      nodeId: 'route',
      configPath: '/branches/0/when',
    });
  });

  it('reads ticket and form untyped when the context does not describe them', () => {
    const g = edit((g) => {
      config(g, 'route').branches = [
        { id: 'big', when: 'form.anything > 3' },
        { id: 'vip', when: 'ticket.whatever == "x"' },
      ];
    });
    expect(validateWorkflow(g, {})).toEqual([]);
  });

  it('names a join no split leads to', () => {
    const g = edit((g) => {
      g.nodes.push(node('j2', 'parallel_join'));
      g.edges = g.edges.filter((e) => !(e.source === 'assign'));
      g.edges.push(edge('assign', 'j2'), edge('route', 'j2', 'vip', 'x1'), edge('j2', 'tell'));
      g.edges = g.edges.filter(
        (e) => !(e.source === 'route' && e.sourcePort === 'vip' && e.target === 'fields'),
      );
      g.edges.push(edge('start', 'fields', 'out', 'ignored'));
    });
    expect(only(validateWorkflow(g, context), 'join_without_split')[0]).toMatchObject({ nodeId: 'j2' });
  });

  it('names a join that closes branches of two different splits', () => {
    edgeCount = 100;
    const g: WorkflowGraph = {
      nodes: [
        node('start', 'start'),
        node('s1', 'parallel_split'),
        node('s2', 'parallel_split'),
        human('a'),
        human('b'),
        human('c'),
        node('j', 'parallel_join', { mode: 'any' }),
        node('j2', 'parallel_join', { mode: 'any' }),
        node('end', 'end'),
      ],
      edges: [
        edge('start', 's1'),
        edge('s1', 'a'),
        edge('s1', 's2'),
        edge('s2', 'b'),
        edge('s2', 'c'),
        edge('a', 'j'),
        edge('b', 'j'),
        edge('c', 'j2'),
        edge('j', 'j2'),
        edge('j2', 'end'),
      ],
    };
    const problems = validateWorkflow(g, context);
    expect(only(problems, 'join_mixes_splits').map((p) => p.nodeId)).toContain('j');
  });

  it('names a join (mode all) that one branch of its split never reaches', () => {
    edgeCount = 200;
    const g: WorkflowGraph = {
      nodes: [
        node('start', 'start'),
        node('s', 'parallel_split'),
        human('a'),
        human('b'),
        node('j', 'parallel_join'),
        node('end', 'end'),
      ],
      edges: [
        edge('start', 's'),
        edge('s', 'a'),
        edge('s', 'b', 'out', 'to-b'),
        edge('a', 'j'),
        edge('b', 'end'),
        edge('j', 'end'),
        edge('a', 'j', 'out', 'dup'),
      ],
    };
    const problems = validateWorkflow(g, context);
    expect(only(problems, 'branch_misses_join')[0]).toMatchObject({
      nodeId: 'j',
      message: expect.stringMatching(/edge "to-b"/),
    });
  });

  it('names a loop without a human step or timer, and accepts one with', () => {
    edgeCount = 300;
    const g: WorkflowGraph = {
      nodes: [
        node('start', 'start'),
        node('bump', 'set_fields'),
        node('check', 'condition', { branches: [{ id: 'again', when: 'ticket.priority != "urgent"' }] }),
        node('end', 'end'),
      ],
      edges: [
        edge('start', 'bump'),
        edge('bump', 'check'),
        edge('check', 'bump', 'again'),
        edge('check', 'end', 'else'),
      ],
    };
    expect(only(validateWorkflow(g, context), 'loop_without_wait')).toEqual([
      expect.objectContaining({ nodeId: 'bump', message: expect.stringMatching(/"bump", "check"/) }),
    ]);

    g.nodes.push(human('review'));
    g.edges = g.edges.filter((e) => e.sourcePort !== 'again');
    g.edges.push(edge('check', 'review', 'again'), edge('review', 'bump'));
    expect(validateWorkflow(g, context)).toEqual([]);
  });

  it('names a condition that leads straight back to itself', () => {
    edgeCount = 400;
    const g: WorkflowGraph = {
      nodes: [
        node('start', 'start'),
        node('c', 'condition', { branches: [{ id: 'spin', when: 'true' }] }),
        node('end', 'end'),
      ],
      edges: [edge('start', 'c'), edge('c', 'c', 'spin'), edge('c', 'end', 'else')],
    };
    expect(only(validateWorkflow(g, context), 'loop_without_wait')[0]).toMatchObject({ nodeId: 'c' });
  });

  it('names a split inside a loop that never joins', () => {
    edgeCount = 500;
    const g: WorkflowGraph = {
      nodes: [
        node('start', 'start'),
        human('h'),
        node('s', 'parallel_split'),
        human('a'),
        node('end', 'end'),
      ],
      edges: [edge('start', 'h'), edge('h', 's'), edge('s', 'h'), edge('s', 'a'), edge('a', 'end')],
    };
    expect(only(validateWorkflow(g, context), 'split_in_loop')[0]).toMatchObject({ nodeId: 's' });
  });

  it('checks what a schema cannot: allowed hosts, dispatcher step, branch ids, set-fields values, forms', () => {
    const g = edit((g) => {
      config(g, 'call').url = 'https://evil.test/steal';
      config(g, 'finance').rejectTo = 'tell';
      config(g, 'route').branches = [
        { id: 'big', when: 'true' },
        { id: 'big', when: 'true' },
      ];
      config(g, 'fields').fields = [{ field: 'priority' }];
      config(g, 'triage').formSchema = { type: 'array' };
      config(g, 'visit').actions = ['transfer'];
    });
    const problems = validateWorkflow(g, context);
    expect(only(problems, 'host_not_allowed')[0]).toMatchObject({ nodeId: 'call', configPath: '/url' });
    expect(only(problems, 'not_human_step')[0]).toMatchObject({ nodeId: 'finance', configPath: '/rejectTo' });
    expect(only(problems, 'duplicate_branch_id')[0]).toMatchObject({
      nodeId: 'route',
      configPath: '/branches/1/id',
    });
    expect(only(problems, 'value_or_expression')[0]).toMatchObject({
      nodeId: 'fields',
      configPath: '/fields/0',
    });
    expect(only(problems, 'invalid_schema')[0]).toMatchObject({
      nodeId: 'triage',
      configPath: '/formSchema/type',
    });
    expect(only(problems, 'no_complete')[0]).toMatchObject({ nodeId: 'visit', configPath: '/actions' });
  });

  it('names repeated node ids', () => {
    const g = edit((g) => g.nodes.push(node('tell', 'notify')));
    expect(only(validateWorkflow(g, context), 'duplicate_node_id')[0]).toMatchObject({
      nodeId: 'tell',
      path: '/nodes/15/id',
    });
  });

  it('gives every problem a node id, except a graph with no start', () => {
    const g = edit((g) => {
      g.edges.push(edge('tell', 'ghost'));
      config(g, 'route').branches = [{ id: 'big', when: 'form.nope' }];
      g.nodes.push(node('island', 'assign'));
    });
    const problems = validateWorkflow(g, context);
    expect(problems.length).toBeGreaterThan(3);
    for (const p of problems) expect(p.nodeId, p.message).toBeTruthy();
  });

  it('rejects something that is not a graph', () => {
    expect(validateWorkflow({} as WorkflowGraph)).toEqual([
      expect.objectContaining({ code: 'invalid_graph' }),
    ]);
  });
});
