import {
  coreNodeTypeRegistry,
  type WorkflowContext,
  type WorkflowEdge,
  type WorkflowGraph,
  type WorkflowNode,
} from '@docket/core';
import fc from 'fast-check';

/*
 * Random workflows for property tests, built from nested blocks so every one is valid by
 * construction: sequences, if/else, parallel regions closed by a join (all or any), loops through a
 * human step, early exits to an end node, timers, HTTP calls, set-fields and notify nodes.
 */

export type Block =
  | { kind: 'human' }
  | { kind: 'timer' }
  | { kind: 'set' }
  | { kind: 'notify' }
  | { kind: 'http' }
  | { kind: 'seq'; first: Block; second: Block }
  | { kind: 'if'; test: number; then: Block; otherwise: Block }
  | { kind: 'par'; mode: 'all' | 'any'; branches: Block[] }
  | { kind: 'loop'; body: Block }
  | { kind: 'exit'; test: number; status: 'solved' | 'closed' };

/** Fields the random conditions read, and their types. */
export const randomContext: WorkflowContext = {
  form: { n: 'int', flag: 'bool' },
  ticket: { priority: 'string' },
};

export const blockArbitrary: fc.Arbitrary<Block> = fc.letrec<{ block: Block }>((tie) => ({
  block: fc.oneof(
    { depthSize: 'medium', maxDepth: 5, withCrossShrink: true },
    fc.constant<Block>({ kind: 'human' }),
    fc.constant<Block>({ kind: 'timer' }),
    fc.constant<Block>({ kind: 'set' }),
    fc.constant<Block>({ kind: 'notify' }),
    fc.constant<Block>({ kind: 'http' }),
    {
      arbitrary: fc.record({ kind: fc.constant('seq' as const), first: tie('block'), second: tie('block') }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('if' as const),
        test: fc.nat(5),
        then: tie('block'),
        otherwise: tie('block'),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('par' as const),
        mode: fc.constantFrom('all' as const, 'any' as const),
        branches: fc.array(tie('block'), { minLength: 2, maxLength: 3 }),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ kind: fc.constant('loop' as const), body: tie('block') }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('exit' as const),
        test: fc.nat(5),
        status: fc.constantFrom('solved' as const, 'closed' as const),
      }),
      weight: 1,
    },
  ),
})).block;

/** Conditions over form data, ticket fields and earlier step outputs (which may not exist yet). */
function test(i: number, humans: string[]): string {
  const h = humans.at(-1);
  const tests = [
    'form.n > 5',
    'form.flag',
    'ticket.priority == "urgent"',
    h ? `has(steps.${h}) && steps.${h}.ok` : 'form.n % 2 == 0',
    'form.n >= 3 && !form.flag',
    'true',
  ];
  return tests[i % tests.length] as string;
}

type Exits = [string, string][];

/** Turns a block tree into a graph: start -> block -> end. */
export function buildGraph(root: Block): WorkflowGraph {
  const nodes: WorkflowNode[] = [];
  const edges: WorkflowEdge[] = [];
  const humans: string[] = [];
  let counter = 0;
  const add = (prefix: string, type: string, config: Record<string, unknown> = {}): string => {
    const id = `${prefix}${++counter}`;
    const def = coreNodeTypeRegistry.get(type);
    if (!def) throw new Error(type);
    nodes.push({
      id,
      type,
      typeVersion: def.version,
      config: { ...structuredClone(def.defaultConfig), ...config },
      position: { x: counter * 50, y: 0 },
    });
    return id;
  };
  const link = (exits: Exits, target: string): void => {
    for (const [source, sourcePort] of exits)
      if (!edges.some((e) => e.source === source && e.sourcePort === sourcePort && e.target === target))
        edges.push({ id: `e${edges.length + 1}`, source, sourcePort, target });
  };
  const human = (): string => {
    const id = add('h', 'human_step', {
      title: 'Step',
      assignee: { kind: 'team', teamId: 'support', strategy: 'round_robin' },
      formSchema: { type: 'object', properties: { ok: { type: 'boolean' }, again: { type: 'boolean' } } },
      actions: ['complete', 'transfer', 'return', 'reject'],
      timeLimit: { amount: 1, unit: 'days', time: 'calendar' },
    });
    humans.push(id);
    return id;
  };

  const compile = (b: Block): { entry: string; exits: Exits } => {
    switch (b.kind) {
      case 'human': {
        const id = human();
        return { entry: id, exits: [[id, 'out']] };
      }
      case 'timer': {
        const id = add('w', 'timer', { mode: 'duration', amount: 2, unit: 'hours', time: 'calendar' });
        return { entry: id, exits: [[id, 'out']] };
      }
      case 'set': {
        const id = add('s', 'set_fields', { fields: [{ field: 'priority', value: 'urgent' }] });
        return { entry: id, exits: [[id, 'out']] };
      }
      case 'notify': {
        const id = add('n', 'notify');
        return { entry: id, exits: [[id, 'out']] };
      }
      case 'http': {
        const id = add('x', 'http_request', {
          url: 'https://api.example.com/hook',
          allowedHosts: ['api.example.com'],
          retries: 1,
        });
        return {
          entry: id,
          exits: [
            [id, 'out'],
            [id, 'error'],
          ],
        };
      }
      case 'seq': {
        const a = compile(b.first);
        const c = compile(b.second);
        link(a.exits, c.entry);
        return { entry: a.entry, exits: c.exits };
      }
      case 'if': {
        const id = add('c', 'condition', { branches: [{ id: 'yes', when: test(b.test, humans) }] });
        const yes = compile(b.then);
        const no = compile(b.otherwise);
        link([[id, 'yes']], yes.entry);
        link([[id, 'else']], no.entry);
        return { entry: id, exits: [...yes.exits, ...no.exits] };
      }
      case 'par': {
        const split = add('p', 'parallel_split');
        const join = add('j', 'parallel_join', { mode: b.mode });
        for (const branch of b.branches) {
          const c = compile(branch);
          link([[split, 'out']], c.entry);
          link(c.exits, join);
        }
        // two branches that begin at the same node would be one edge; keep at least two
        if (edges.filter((e) => e.source === split).length < 2) {
          const extra = human();
          link([[split, 'out']], extra);
          link([[extra, 'out']], join);
        }
        return { entry: split, exits: [[join, 'out']] };
      }
      case 'loop': {
        const head = human();
        const body = compile(b.body);
        link([[head, 'out']], body.entry);
        const again = add('c', 'condition', {
          branches: [{ id: 'again', when: `has(steps.${head}.again) && steps.${head}.again` }],
        });
        link(body.exits, again);
        link([[again, 'again']], head);
        return { entry: head, exits: [[again, 'else']] };
      }
      case 'exit': {
        const id = add('c', 'condition', { branches: [{ id: 'stop', when: test(b.test, humans) }] });
        const stop = add('end', 'end', { status: b.status });
        link([[id, 'stop']], stop);
        return { entry: id, exits: [[id, 'else']] };
      }
    }
  };

  const start = add('start', 'start');
  const body = compile(root);
  const done = add('end', 'end', { status: 'solved' });
  link([[start, 'out']], body.entry);
  link(body.exits, done);
  return { nodes, edges };
}

export const graphArbitrary: fc.Arbitrary<WorkflowGraph> = blockArbitrary.map(buildGraph);

export const inputArbitrary = fc.record({
  form: fc.record({ n: fc.integer({ min: 0, max: 10 }), flag: fc.boolean() }),
  ticket: fc.record({ priority: fc.constantFrom('low', 'normal', 'urgent') }),
});

/** A choice of what happens next; resolved against the state at the time (an index into what is open). */
export type RandomAction =
  | { kind: 'complete'; pick: number; ok: boolean; again: boolean }
  | { kind: 'transfer'; pick: number }
  | { kind: 'return'; pick: number }
  | { kind: 'reject'; pick: number }
  | { kind: 'timer'; pick: number; stale: boolean }
  | { kind: 'http'; pick: number; ok: boolean }
  | { kind: 'repeat' };

export const actionArbitrary: fc.Arbitrary<RandomAction> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      pick: fc.nat(),
      ok: fc.boolean(),
      again: fc.boolean(),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('transfer' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('return' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('reject' as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('timer' as const), pick: fc.nat(), stale: fc.boolean() }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('http' as const), pick: fc.nat(), ok: fc.boolean() }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'repeat' as const }), weight: 1 },
);

/**
 * Mutations that make a valid graph invalid, each returning the id of the node a problem must
 * name (or undefined when the mutation does not apply to this graph).
 */
export const mutations: Record<string, (g: WorkflowGraph, pick: number) => string | undefined> = {
  removeOutgoingEdge(g, pick) {
    const splits = new Set(g.nodes.filter((n) => n.type === 'parallel_split').map((n) => n.id));
    const candidates = g.edges.filter((e) => e.sourcePort !== 'error' && !splits.has(e.source));
    const e = candidates[pick % candidates.length];
    if (!e) return undefined;
    g.edges = g.edges.filter((x) => x !== e);
    return e.source;
  },
  danglingEdge(g, pick) {
    const candidates = g.nodes.filter((x) => x.type !== 'end');
    const n = candidates[pick % candidates.length];
    if (!n) return undefined;
    g.edges.push({ id: 'bad', source: n.id, sourcePort: 'out', target: 'nowhere' });
    return n.id;
  },
  unreachableNode(g) {
    g.nodes.push({
      id: 'island',
      type: 'notify',
      typeVersion: 1,
      config: { channel: 'in_app', recipients: [{ kind: 'requester' }], body: 'x' },
      position: { x: 0, y: 0 },
    });
    const end = g.nodes.find((n) => n.type === 'end');
    if (end) g.edges.push({ id: 'island-out', source: 'island', sourcePort: 'out', target: end.id });
    return 'island';
  },
  celSyntax(g, pick) {
    const conds = g.nodes.filter((n) => n.type === 'condition');
    const c = conds[pick % conds.length];
    if (!c) return undefined;
    const cfg = c.config as { branches: { when: string }[] };
    (cfg.branches[0] as { when: string }).when = 'form.n >';
    return c.id;
  },
  celUnknownField(g, pick) {
    const conds = g.nodes.filter((n) => n.type === 'condition');
    const c = conds[pick % conds.length];
    if (!c) return undefined;
    const cfg = c.config as { branches: { when: string }[] };
    (cfg.branches[0] as { when: string }).when = 'form.missing == 1';
    return c.id;
  },
  secondStart(g) {
    const first = g.edges.find((e) => e.source === g.nodes[0]?.id);
    g.nodes.push({
      id: 'start2',
      type: 'start',
      typeVersion: 1,
      config: { trigger: 'ticket_created' },
      position: { x: 0, y: 0 },
    });
    if (first) g.edges.push({ id: 'start2-out', source: 'start2', sourcePort: 'out', target: first.target });
    return 'start2';
  },
  missingConfig(g, pick) {
    const hs = g.nodes.filter((n) => n.type === 'human_step');
    const h = hs[pick % hs.length];
    if (!h) return undefined;
    delete (h.config as Record<string, unknown>).title;
    return h.id;
  },
  joinWithoutSplit(g) {
    const first = g.edges.find((e) => e.source === g.nodes[0]?.id);
    if (!first) return undefined;
    g.nodes.push({
      id: 'stray_join',
      type: 'parallel_join',
      typeVersion: 1,
      config: { mode: 'all' },
      position: { x: 0, y: 0 },
    });
    g.edges.push({ id: 'to-join', source: first.source, sourcePort: 'out', target: 'stray_join' });
    g.edges.push({ id: 'from-join', source: 'stray_join', sourcePort: 'out', target: first.target });
    g.edges = g.edges.filter((e) => e !== first);
    return 'stray_join';
  },
  loopWithoutWait(g, pick) {
    const candidates = g.nodes.filter(
      (x) => x.type === 'set_fields' || x.type === 'notify' || x.type === 'condition',
    );
    const n = candidates[pick % candidates.length];
    if (!n) return undefined;
    const out = g.edges.find((e) => e.source === n.id);
    if (!out) return undefined;
    // a pass-through node now leads back to itself
    g.nodes.push({
      id: 'spin',
      type: 'condition',
      typeVersion: 1,
      config: { branches: [{ id: 'again', when: 'true' }] },
      position: { x: 0, y: 0 },
    });
    g.edges.push({ id: 'to-spin', source: n.id, sourcePort: out.sourcePort, target: 'spin' });
    g.edges = g.edges.filter((e) => e !== out);
    g.edges.push({ id: 'spin-again', source: 'spin', sourcePort: 'again', target: n.id });
    g.edges.push({ id: 'spin-else', source: 'spin', sourcePort: 'else', target: out.target });
    return n.id; // the loop is reported at its first node in graph order
  },
  unknownType(g, pick) {
    const n = g.nodes[1 + (pick % Math.max(1, g.nodes.length - 1))];
    if (!n) return undefined;
    n.type = 'plugin.missing';
    return n.id;
  },
  edgeFromEnd(g, pick) {
    const ends = g.nodes.filter((n) => n.type === 'end');
    const e = ends[pick % ends.length];
    const h = g.nodes.find((n) => n.type !== 'start' && n.type !== 'end');
    if (!e || !h) return undefined;
    g.edges.push({ id: 'after-end', source: e.id, sourcePort: 'out', target: h.id });
    return e.id;
  },
};
