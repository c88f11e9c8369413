import type { AnyNodeTypeDefinition, WorkflowNode } from '@docket/core';
import type { ComponentType } from 'react';

/** What a node's view gets: the node as saved, and its type's definition (absent when unknown). */
export type NodeViewProps = { node: WorkflowNode; def: AnyNodeTypeDefinition | undefined };

export type NodeView = { type: string; Component: ComponentType<NodeViewProps> };

/**
 * The designer's face of a node type, keyed by the type of its definition (DESIGN.md: the engine
 * attaches the executor, the designer the view). A node type with no view of its own (a plugin's)
 * gets the generic view built from its definition.
 */
export function defineNodeView(
  def: Pick<AnyNodeTypeDefinition, 'type'>,
  Component: ComponentType<NodeViewProps>,
): NodeView {
  return { type: def.type, Component };
}

export function nodeViewRegistry(views: readonly NodeView[]): ReadonlyMap<string, NodeView> {
  const map = new Map<string, NodeView>();
  for (const v of views) {
    if (map.has(v.type)) throw new Error(`node type "${v.type}" has two views`);
    map.set(v.type, v);
  }
  return map;
}
