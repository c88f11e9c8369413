import { type FieldError, fieldError } from '../field-error.ts';
import { validateFormData } from '../forms/form-validator.ts';
import { checkCel, createCelEnvironment } from './cel.ts';
import { type AnyNodeTypeDefinition, outputPortsOf, readPointer } from './define-node-type.ts';
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from './graph.ts';
import { migrateNodeConfig } from './migrate.ts';
import { coreNodeTypeRegistry } from './node-types.ts';
import { celFieldsOf, satisfies, type WorkflowContext, workflowCelVariables } from './workflow-cel.ts';

/**
 * One thing that keeps a workflow from being published. `path` points into the graph document
 * (`/nodes/3/config/branches/0/when`); `nodeId` names the node (every problem has one, except a
 * graph with no start node at all), `edgeId` the edge and `configPath` the field inside the config.
 */
export type WorkflowProblem = FieldError & {
  nodeId?: string;
  edgeId?: string;
  configPath?: string;
};

const MAX_PARALLEL_DEPTH = 16;

/**
 * Every problem with a workflow graph, each naming its node and, where it applies, the edge and the
 * config field: structure (start, reachability, edges and ports), config against each node type's
 * schema, CEL syntax and types against `context`, parallel splits and joins, and loops that could
 * spin without ever waiting. An empty list means the graph can be published.
 */
export function validateWorkflow(graph: WorkflowGraph, context: WorkflowContext = {}): WorkflowProblem[] {
  if (!graph || !Array.isArray(graph.nodes) || !Array.isArray(graph.edges))
    return [fieldError('', 'invalid_graph', 'A workflow graph needs a list of nodes and a list of edges.')];
  return new Validation(graph, context).run();
}

class Validation {
  readonly problems: WorkflowProblem[] = [];
  readonly registry;
  /** Nodes by id (the first one when ids repeat) with their index in graph.nodes. */
  readonly nodes = new Map<string, { node: WorkflowNode; index: number }>();
  readonly defs = new Map<string, AnyNodeTypeDefinition>();
  /** Each node's config at the current version of its type (when it could be migrated). */
  readonly configs = new Map<string, unknown>();
  /** Edges that connect two existing nodes through real ports. */
  readonly out = new Map<string, WorkflowEdge[]>();
  readonly inc = new Map<string, WorkflowEdge[]>();

  constructor(
    readonly graph: WorkflowGraph,
    readonly context: WorkflowContext,
  ) {
    this.registry = context.nodeTypes ?? coreNodeTypeRegistry;
  }

  run(): WorkflowProblem[] {
    this.checkNodes();
    this.checkEdges();
    const start = this.checkStart();
    this.checkPorts();
    if (start) this.checkReachability(start);
    this.checkCel();
    if (start) this.checkParallel(start);
    this.checkLoops();
    return this.problems;
  }

  name(nodeId: string): string {
    const entry = this.nodes.get(nodeId);
    const def = this.defs.get(nodeId);
    const label = entry?.node.label?.trim();
    return `${label || def?.title || 'Node'} "${nodeId}"`;
  }

  nodeProblem(nodeId: string, code: string, message: string, configPath?: string): void {
    const index = this.nodes.get(nodeId)?.index;
    const base = index === undefined ? '' : `/nodes/${index}`;
    const path = configPath === undefined ? base : `${base}/config${configPath}`;
    this.problems.push({
      ...fieldError(path, code, `${this.name(nodeId)}: ${message}`),
      nodeId,
      ...(configPath === undefined ? {} : { configPath }),
    });
  }

  edgeProblem(
    edge: WorkflowEdge,
    index: number,
    nodeId: string | undefined,
    code: string,
    message: string,
  ): void {
    this.problems.push({
      ...fieldError(`/edges/${index}`, code, message),
      edgeId: edge.id,
      ...(nodeId === undefined ? {} : { nodeId }),
    });
  }

  checkNodes(): void {
    this.graph.nodes.forEach((node, index) => {
      if (!node || typeof node.id !== 'string' || node.id === '') {
        this.problems.push(fieldError(`/nodes/${index}/id`, 'invalid_node', `Node ${index + 1} has no id.`));
        return;
      }
      if (this.nodes.has(node.id)) {
        this.problems.push({
          ...fieldError(
            `/nodes/${index}/id`,
            'duplicate_node_id',
            `Two nodes have the id "${node.id}"; each node needs its own.`,
          ),
          nodeId: node.id,
        });
        return;
      }
      this.nodes.set(node.id, { node, index });
      const def = this.registry.get(node.type);
      if (!def) {
        this.problems.push({
          ...fieldError(
            `/nodes/${index}/type`,
            'unknown_type',
            `Node "${node.id}" has type "${node.type}", which no installed node type provides.`,
          ),
          nodeId: node.id,
        });
        return;
      }
      this.defs.set(node.id, def);
      const migrated = migrateNodeConfig(def, node.config, node.typeVersion, '');
      if (!migrated.ok) {
        this.nodeProblem(node.id, migrated.error.code, migrated.error.message, '');
        return;
      }
      const config = migrated.config;
      this.configs.set(node.id, config);
      for (const e of validateFormData(def.configSchema, config)) {
        const pointer = e.path === '/' ? '' : e.path;
        this.nodeProblem(
          node.id,
          'invalid_config',
          e.message
            .replace('is not a field of this form.', 'is not a setting of this node.')
            .replace(/^The form /, 'The config '),
          pointer,
        );
      }
      this.checkNodeSemantics(node, def, config);
    });
  }

  /** What a schema cannot say: the node type's own rules (its validate hook), on a config the schema accepted. */
  checkNodeSemantics(node: WorkflowNode, def: AnyNodeTypeDefinition, config: unknown): void {
    if (!def.validate || config === null || typeof config !== 'object') return;
    if (this.problems.some((p) => p.nodeId === node.id)) return;
    const ctx = { graph: this.graph, nodeId: node.id, typeOf: (id: string) => this.typeOf(id) };
    for (const p of def.validate(config, ctx)) this.nodeProblem(node.id, p.code, p.message, p.configPath);
  }

  /** The node type of a node, also of one not checked yet. */
  typeOf(nodeId: string): AnyNodeTypeDefinition | undefined {
    const type = this.graph.nodes.find((n) => n?.id === nodeId)?.type;
    return type === undefined ? undefined : this.registry.get(type);
  }

  checkEdges(): void {
    const ids = new Set<string>();
    const pairs = new Set<string>();
    this.graph.edges.forEach((edge, index) => {
      if (!edge || typeof edge.id !== 'string' || edge.id === '') {
        this.problems.push(fieldError(`/edges/${index}/id`, 'invalid_edge', `Edge ${index + 1} has no id.`));
        return;
      }
      const source = this.nodes.get(edge.source);
      const target = this.nodes.get(edge.target);
      const anchor = source ? edge.source : target ? edge.target : undefined;
      if (ids.has(edge.id)) {
        this.edgeProblem(edge, index, anchor, 'duplicate_edge_id', `Two edges have the id "${edge.id}".`);
        return;
      }
      ids.add(edge.id);
      if (!source || !target) {
        const missing = [!source ? `source "${edge.source}"` : '', !target ? `target "${edge.target}"` : '']
          .filter(Boolean)
          .join(' and ');
        const at = anchor ? `${this.name(anchor)}: ` : '';
        this.edgeProblem(
          edge,
          index,
          anchor,
          'dangling_edge',
          `${at}edge "${edge.id}" has no ${missing} node.`,
        );
        return;
      }
      const sourceDef = this.defs.get(edge.source);
      const targetDef = this.defs.get(edge.target);
      if (!sourceDef || !targetDef) return; // unknown type, reported already
      const config = this.configs.get(edge.source) ?? source.node.config;
      const ports = outputPortsOf(sourceDef, config);
      if (!ports.some((p) => p.id === edge.sourcePort)) {
        const names = ports.map((p) => `"${p.id}"`).join(', ');
        this.edgeProblem(
          edge,
          index,
          edge.source,
          'unknown_port',
          ports.length === 0
            ? `${this.name(edge.source)} ends the workflow and can have no outgoing edge ("${edge.id}").`
            : `${this.name(edge.source)}: edge "${edge.id}" leaves from port "${edge.sourcePort}", which this node does not have (it has ${names}).`,
        );
        return;
      }
      if (!targetDef.ports.hasInput) {
        this.edgeProblem(
          edge,
          index,
          edge.target,
          'edge_into_start',
          `${this.name(edge.target)} cannot be entered: edge "${edge.id}" leads into it.`,
        );
        return;
      }
      const pair = `${edge.source}\u0000${edge.sourcePort}\u0000${edge.target}`;
      if (pairs.has(pair)) {
        this.edgeProblem(
          edge,
          index,
          edge.source,
          'duplicate_edge',
          `${this.name(edge.source)}: edge "${edge.id}" repeats another edge from port "${edge.sourcePort}" to "${edge.target}".`,
        );
        return;
      }
      pairs.add(pair);
      push(this.out, edge.source, edge);
      push(this.inc, edge.target, edge);
    });
  }

  checkStart(): string | undefined {
    const starts = [...this.nodes.values()].filter((n) => n.node.type === 'start');
    if (starts.length === 0) {
      this.problems.push(
        fieldError('/nodes', 'no_start', 'The workflow has no start node; add one where tickets enter.'),
      );
      return undefined;
    }
    for (const extra of starts.slice(1))
      this.nodeProblem(
        extra.node.id,
        'many_starts',
        `A workflow has exactly one start node; "${starts[0]?.node.id}" is already the start.`,
      );
    return starts[0]?.node.id;
  }

  checkPorts(): void {
    for (const [id] of this.nodes) {
      const def = this.defs.get(id);
      if (!def) continue;
      const edges = this.out.get(id) ?? [];
      for (const port of outputPortsOf(def, this.configs.get(id))) {
        const count = edges.filter((e) => e.sourcePort === port.id).length;
        if (count === 0 && port.isRequired)
          this.nodeProblem(
            id,
            'missing_edge',
            def.type === 'condition'
              ? `Branch "${port.label}" has no outgoing edge; a ticket taking it would stop here.`
              : `Output "${port.label}" is not connected; a ticket would stop here.`,
            portConfigPath(def, this.configs.get(id), port.id),
          );
        if (count > 1 && !port.allowsMany)
          this.nodeProblem(
            id,
            'too_many_edges',
            `Output "${port.label}" has ${count} edges; it can lead to one node only (use a parallel split to run branches side by side).`,
          );
      }
      if (def.type === 'parallel_split' && edges.length < 2)
        this.nodeProblem(id, 'split_needs_branches', 'A parallel split needs at least two outgoing edges.');
      if (def.type === 'parallel_join' && (this.inc.get(id)?.length ?? 0) < 2)
        this.nodeProblem(id, 'join_needs_branches', 'A parallel join needs at least two incoming edges.');
    }
  }

  checkReachability(start: string): void {
    const seen = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) {
      const id = queue.pop() as string;
      for (const e of this.out.get(id) ?? [])
        if (!seen.has(e.target)) {
          seen.add(e.target);
          queue.push(e.target);
        }
    }
    for (const [id] of this.nodes)
      if (!seen.has(id))
        this.nodeProblem(id, 'unreachable', 'No path from the start node leads here, so it would never run.');
  }

  checkCel(): void {
    const variables = workflowCelVariables(this.graph, this.context, this.registry, this.configs);
    let cel: ReturnType<typeof createCelEnvironment>;
    try {
      cel = createCelEnvironment(variables);
    } catch (e) {
      this.problems.push(
        fieldError(
          '',
          'invalid_context',
          `The field types given for checking expressions are not valid: ${(e as Error).message}`,
        ),
      );
      return;
    }
    for (const [id] of this.nodes) {
      const def = this.defs.get(id);
      const config = this.configs.get(id);
      if (!def || config === undefined) continue;
      for (const field of celFieldsOf(def, config)) {
        const r = checkCel(cel, field.expression);
        if (!r.ok)
          this.nodeProblem(
            id,
            r.kind === 'syntax' ? 'cel_syntax' : 'cel_type',
            `${r.kind === 'syntax' ? 'syntax error' : 'type error'} in "${field.expression}": ${r.message}`,
            field.pointer,
          );
        else if (!satisfies(r.type, field.expects))
          this.nodeProblem(
            id,
            'cel_type',
            `"${field.expression}" gives ${article(r.type)}, but this field needs ${field.expects === 'bool' ? 'true or false (bool)' : 'a date (timestamp)'}.`,
            field.pointer,
          );
      }
    }
  }

  /**
   * Follows every path from the start, keeping the stack of parallel splits a token is inside:
   * a split pushes itself, a join pops the split it closes. A join reached with no open split, or
   * with tokens of different splits, is reported; so is a split inside a loop that never closes.
   */
  checkParallel(start: string): void {
    const stacks = new Map<string, Set<string>>();
    const reported = new Set<string>();
    const once = (key: string, f: () => void): void => {
      if (reported.has(key)) return;
      reported.add(key);
      f();
    };
    const joinSplits = new Map<string, Set<string>>();
    const queue: [string, string[]][] = [[start, []]];
    let budget = 50_000;
    while (queue.length > 0 && budget-- > 0) {
      const [id, stack] = queue.pop() as [string, string[]];
      const key = stack.join('/');
      const seen = stacks.get(id) ?? new Set<string>();
      stacks.set(id, seen);
      if (seen.has(key)) continue;
      seen.add(key);
      const type = this.defs.get(id)?.type;
      let next = stack;
      if (type === 'parallel_split') {
        if (stack.length >= MAX_PARALLEL_DEPTH) {
          once(`deep:${id}`, () =>
            this.nodeProblem(
              id,
              'split_in_loop',
              'This parallel split is inside a loop that never reaches its join, so branches would pile up.',
            ),
          );
          continue;
        }
        next = [...stack, id];
      } else if (type === 'parallel_join') {
        const top = stack.at(-1);
        if (top === undefined) {
          once(`nosplit:${id}`, () =>
            this.nodeProblem(
              id,
              'join_without_split',
              'A path reaches this join without passing a parallel split first; a join only closes the branches of its split.',
            ),
          );
          continue;
        }
        const splits = joinSplits.get(id) ?? new Set<string>();
        joinSplits.set(id, splits);
        splits.add(top);
        next = stack.slice(0, -1);
      }
      for (const e of this.out.get(id) ?? []) queue.push([e.target, next]);
    }
    for (const [join, splits] of joinSplits) {
      if (splits.size > 1)
        this.nodeProblem(
          join,
          'join_mixes_splits',
          `This join closes branches of different parallel splits (${[...splits].map((s) => `"${s}"`).join(', ')}); give each split its own join.`,
        );
      const [split] = [...splits];
      if (splits.size !== 1 || split === undefined) continue;
      const mode = (this.configs.get(join) as { mode?: unknown } | undefined)?.mode;
      if (mode !== 'all') continue;
      for (const edge of this.out.get(split) ?? [])
        if (!this.reaches(edge.target, join))
          this.nodeProblem(
            join,
            'branch_misses_join',
            `The branch of split "${split}" along edge "${edge.id}" never reaches this join, so it could never continue (mode "all").`,
          );
    }
  }

  reaches(from: string, to: string): boolean {
    const seen = new Set<string>([from]);
    const queue = [from];
    while (queue.length > 0) {
      const id = queue.pop() as string;
      if (id === to) return true;
      for (const e of this.out.get(id) ?? [])
        if (!seen.has(e.target)) {
          seen.add(e.target);
          queue.push(e.target);
        }
    }
    return false;
  }

  /** Loops made only of nodes that never wait (Tarjan's strongly connected components). */
  checkLoops(): void {
    const isPassThrough = (id: string): boolean => {
      const def = this.defs.get(id);
      return def !== undefined && !def.isWaiting;
    };
    const ids = [...this.nodes.keys()].filter(isPassThrough);
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    let counter = 0;
    const components: string[][] = [];
    const successors = (id: string): string[] =>
      (this.out.get(id) ?? []).map((e) => e.target).filter(isPassThrough);

    // iterative Tarjan, so a long chain of nodes cannot overflow the call stack
    for (const root of ids) {
      if (index.has(root)) continue;
      const work: { id: string; next: number; succ: string[] }[] = [];
      const open = (id: string): void => {
        index.set(id, counter);
        low.set(id, counter);
        counter++;
        stack.push(id);
        onStack.add(id);
        work.push({ id, next: 0, succ: successors(id) });
      };
      open(root);
      while (work.length > 0) {
        const frame = work[work.length - 1] as { id: string; next: number; succ: string[] };
        if (frame.next < frame.succ.length) {
          const w = frame.succ[frame.next++] as string;
          if (!index.has(w)) open(w);
          else if (onStack.has(w)) low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(w) ?? 0));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
        if (low.get(frame.id) === index.get(frame.id)) {
          const component: string[] = [];
          let w: string | undefined;
          do {
            w = stack.pop();
            if (w === undefined) break;
            onStack.delete(w);
            component.push(w);
          } while (w !== frame.id);
          const selfLoop = component.length === 1 && successors(frame.id).includes(frame.id);
          if (component.length > 1 || selfLoop) components.push(component);
        }
      }
    }
    for (const component of components) {
      const ordered = component.sort(
        (a, b) => (this.nodes.get(a)?.index ?? 0) - (this.nodes.get(b)?.index ?? 0),
      );
      const first = ordered[0] as string;
      this.nodeProblem(
        first,
        'loop_without_wait',
        ordered.length === 1
          ? 'This node leads back to itself with no human step or timer in between, so a ticket could go round forever.'
          : `These nodes form a loop with no human step or timer in it, so a ticket could go round forever: ${ordered.map((id) => `"${id}"`).join(', ')}.`,
      );
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function portConfigPath(def: AnyNodeTypeDefinition, config: unknown, portId: string): string | undefined {
  const dyn = def.ports.dynamicOutputs;
  if (!dyn) return undefined;
  const items = readPointer(config, dyn.pointer);
  if (!Array.isArray(items)) return undefined;
  const i = items.findIndex((b) => (b as Record<string, unknown> | null)?.[dyn.idProperty] === portId);
  return i < 0 ? undefined : `${dyn.pointer}/${i}`;
}

/** Whether a host name is one an allowed-hosts entry permits ("example.com" or "*.example.com"). */
const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
