import { fieldError, ValidationFailed } from '../field-error.ts';
import { type AnyNodeTypeDefinition, type NodeTypeRegistry, outputPortsOf } from './define-node-type.ts';
import type { WorkflowGraph, WorkflowNode } from './graph.ts';
import { connect } from './graph-edits.ts';
import { coreNodeTypeRegistry } from './node-types.ts';

/** A connection the designer is about to make: from a node's output port to another node. */
export type ConnectionAttempt = { source: string; sourcePort: string; target: string };

/** Why a connection is refused. */
export type ConnectionRefusal =
  | 'unknown_node'
  | 'unknown_type'
  | 'self_loop'
  | 'unknown_port'
  | 'no_outputs'
  | 'no_input'
  | 'duplicate_edge'
  | 'port_taken';

export type ConnectionCheck =
  | { isAllowed: true }
  | {
      isAllowed: false;
      code: ConnectionRefusal;
      message: string;
      /** The names in the message, for a designer that words it in another language. */
      params: { source?: string; target?: string; port?: string; other?: string; type?: string };
    };

const nameOf = (node: WorkflowNode, def: AnyNodeTypeDefinition | undefined): string =>
  `${node.label?.trim() || def?.title || node.type} "${node.id}"`;

/**
 * Whether the graph would take this edge, by the node types' port rules: the source has the
 * port (fixed, or one its config adds, such as a condition branch), the target can be entered,
 * the edge is not there already, and a port that leads to one node only is still free. The
 * message says why in words a person can act on; the designer shows it while the edge is dragged.
 * What needs the whole graph (reachability, loops, joins) is validateWorkflow's.
 */
export function checkConnection(
  graph: WorkflowGraph,
  attempt: ConnectionAttempt,
  nodeTypes: NodeTypeRegistry = coreNodeTypeRegistry,
): ConnectionCheck {
  const source = graph.nodes.find((n) => n.id === attempt.source);
  const target = graph.nodes.find((n) => n.id === attempt.target);
  if (!source || !target)
    return refuse('unknown_node', `There is no node "${!source ? attempt.source : attempt.target}".`, {
      source: attempt.source,
      target: attempt.target,
    });
  const sourceDef = nodeTypes.get(source.type);
  const targetDef = nodeTypes.get(target.type);
  if (!sourceDef)
    return refuse(
      'unknown_type',
      `${nameOf(source, sourceDef)} has type "${source.type}", which no installed node type provides, so its outputs are unknown.`,
      { source: nameOf(source, sourceDef), type: source.type },
    );
  if (!targetDef)
    return refuse(
      'unknown_type',
      `${nameOf(target, targetDef)} has type "${target.type}", which no installed node type provides.`,
      { source: nameOf(target, targetDef), type: target.type },
    );
  if (source.id === target.id)
    return refuse('self_loop', `${nameOf(source, sourceDef)} cannot lead to itself.`, {
      source: nameOf(source, sourceDef),
    });
  const ports = outputPortsOf(sourceDef, source.config);
  const port = ports.find((p) => p.id === attempt.sourcePort);
  if (!port)
    return ports.length === 0
      ? refuse('no_outputs', `${nameOf(source, sourceDef)} ends the workflow: nothing can follow it.`, {
          source: nameOf(source, sourceDef),
        })
      : refuse(
          'unknown_port',
          `${nameOf(source, sourceDef)} has no output "${attempt.sourcePort}" (it has ${ports.map((p) => `"${p.label}"`).join(', ')}).`,
          { source: nameOf(source, sourceDef), port: attempt.sourcePort },
        );
  if (!targetDef.ports.hasInput)
    return refuse(
      'no_input',
      `${nameOf(target, targetDef)} is where the workflow begins: nothing can lead into it.`,
    );
  const fromPort = graph.edges.filter((e) => e.source === source.id && e.sourcePort === port.id);
  if (fromPort.some((e) => e.target === target.id))
    return refuse(
      'duplicate_edge',
      `Output "${port.label}" of ${nameOf(source, sourceDef)} already leads to ${nameOf(target, targetDef)}.`,
      { source: nameOf(source, sourceDef), port: port.label, target: nameOf(target, targetDef) },
    );
  const taken = fromPort[0];
  if (taken && !port.allowsMany) {
    const found = graph.nodes.find((n) => n.id === taken.target);
    const other = found ? nameOf(found, nodeTypes.get(found.type)) : `"${taken.target}"`;
    return refuse(
      'port_taken',
      `Output "${port.label}" of ${nameOf(source, sourceDef)} already leads to ${other}; it can lead to one node only. Delete that edge first, or use a parallel split to run branches side by side.`,
      { source: nameOf(source, sourceDef), port: port.label, other },
    );
  }
  return { isAllowed: true };
}

const refuse = (
  code: ConnectionRefusal,
  message: string,
  params: { source?: string; target?: string; port?: string; other?: string; type?: string } = {},
): ConnectionCheck => ({ isAllowed: false, code, message, params });

/** Connects as connect() does, after checkConnection: a refused connection throws with its reason. */
export function connectChecked(
  graph: WorkflowGraph,
  attempt: ConnectionAttempt & { id?: string },
  nodeTypes: NodeTypeRegistry = coreNodeTypeRegistry,
): WorkflowGraph {
  const check = checkConnection(graph, attempt, nodeTypes);
  if (!check.isAllowed) throw new ValidationFailed([fieldError('/target', check.code, check.message)]);
  return connect(graph, attempt);
}
