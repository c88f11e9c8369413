import { type FieldError, fieldError, type WorkflowGraph } from '@docket/core';
import type { InstanceState } from './instance-state.ts';
import { isLive } from './instance-state.ts';
import { cloneJson } from './json-clone.ts';

export type InstanceMigrationResult =
  | { isValid: true; state: InstanceState; moved: { from: string; to: string }[] }
  | { isValid: false; problems: FieldError[] };

/**
 * Moves a running instance onto another version of its workflow. Every node where the instance
 * waits (or failed) must have a counterpart of the same type in the target version: the node with
 * the same id, or the one `nodeMap` names. Open tasks and timers follow their node; completed
 * steps that no longer exist are dropped from the return history. Nothing is changed when any
 * node cannot be placed: the problems name each node, as `/nodeMap/<node id>`.
 */
export function migrateInstance(input: {
  state: InstanceState;
  from: WorkflowGraph;
  to: WorkflowGraph;
  nodeMap?: Record<string, string>;
}): InstanceMigrationResult {
  const { state, from, to } = input;
  const nodeMap = input.nodeMap ?? {};
  const fromNodes = new Map(from.nodes.map((n) => [n.id, n]));
  const toNodes = new Map(to.nodes.map((n) => [n.id, n]));
  const problems: FieldError[] = [];
  for (const [source, target] of Object.entries(nodeMap)) {
    if (!fromNodes.has(source))
      problems.push(
        fieldError(`/nodeMap/${source}`, 'unknown_node', `The running version has no node "${source}".`),
      );
    if (!toNodes.has(target))
      problems.push(
        fieldError(
          `/nodeMap/${source}`,
          'unknown_target',
          `The target version has no node "${target}" to map "${source}" to.`,
        ),
      );
  }
  const targetOf = (nodeId: string): string | undefined =>
    nodeMap[nodeId] ?? (toNodes.has(nodeId) ? nodeId : undefined);

  const place = (nodeId: string, why: string): string | undefined => {
    const target = targetOf(nodeId);
    const source = fromNodes.get(nodeId);
    if (target === undefined) {
      problems.push(
        fieldError(
          `/nodeMap/${nodeId}`,
          'unmapped',
          `The instance ${why} node "${nodeId}", which the target version does not have: map it to a node of type "${source?.type ?? '?'}".`,
        ),
      );
      return undefined;
    }
    const dest = toNodes.get(target);
    if (source && dest && source.type !== dest.type) {
      problems.push(
        fieldError(
          `/nodeMap/${nodeId}`,
          'type_mismatch',
          `Node "${nodeId}" is a ${source.type}; "${target}" in the target version is a ${dest.type}. Map it to a ${source.type}.`,
        ),
      );
      return undefined;
    }
    return target;
  };

  const next = cloneJson(state);
  const moved: { from: string; to: string }[] = [];
  for (const token of Object.values(next.tokens)) {
    if (!isLive(token)) continue;
    const target = place(token.nodeId, token.status === 'failed' ? 'failed at' : 'waits at');
    if (target !== undefined && target !== token.nodeId) {
      moved.push({ from: token.nodeId, to: target });
      token.nodeId = target;
    }
    token.history = token.history.flatMap((h) => {
      const target = targetOf(h.nodeId);
      return target === undefined ? [] : [{ ...h, nodeId: target }];
    });
  }
  for (const frame of Object.values(next.frames)) {
    const target = place(frame.splitNodeId, 'is inside the parallel branches of');
    if (target !== undefined) frame.splitNodeId = target;
  }
  for (const task of Object.values(next.tasks)) task.nodeId = targetOf(task.nodeId) ?? task.nodeId;
  for (const timer of Object.values(next.timers)) timer.nodeId = targetOf(timer.nodeId) ?? timer.nodeId;
  if (problems.length) return { isValid: false, problems };
  return { isValid: true, state: next, moved };
}
