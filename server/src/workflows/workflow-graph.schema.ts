import {
  type AnyNodeTypeDefinition,
  type DynamicPorts,
  NODE_CATEGORIES,
  type PortDefinition,
  type WorkflowEdge,
  type WorkflowGraph,
  type WorkflowNode,
} from '@docket/core';
import type { EntrySource } from '../extensions/registry.ts';
import { builder } from '../graphql/builder.ts';

/**
 * The typed envelopes of node types and workflow graphs, as the designer reads them: ids, types,
 * ports, positions and edges are GraphQL fields; what is JSON Schema or a node's own settings
 * stays JSON.
 */

const NodeCategoryEnum = builder.enumType('NodeCategory', {
  description: "Where a node type sits in the designer's palette.",
  values: NODE_CATEGORIES,
});

const PortRef = builder.objectRef<PortDefinition>('NodePort').implement({
  description: 'An output of a node: edges leave from it.',
  fields: (t) => ({
    id: t.exposeString('id'),
    label: t.exposeString('label'),
    isRequired: t.boolean({
      description: 'Publishing fails while it has no edge.',
      resolve: (p) => p.isRequired ?? false,
    }),
    allowsMany: t.boolean({
      description: 'It may have several edges.',
      resolve: (p) => p.allowsMany ?? false,
    }),
  }),
});

const DynamicPortsRef = builder.objectRef<DynamicPorts>('DynamicNodePorts').implement({
  description:
    "Outputs read from the node's config: one per item of the array at `pointer`, its id from `idProperty` and its label from `labelProperty`.",
  fields: (t) => ({
    pointer: t.exposeString('pointer'),
    idProperty: t.exposeString('idProperty'),
    labelProperty: t.string({ nullable: true, resolve: (d) => d.labelProperty ?? null }),
    isRequired: t.boolean({ resolve: (d) => d.isRequired ?? false }),
  }),
});

type NodeTypeEntry = { definition: AnyNodeTypeDefinition; source: EntrySource };

export const NodeTypeRef = builder.objectRef<NodeTypeEntry>('NodeType').implement({
  description:
    'A kind of node the designer can place and the engine can run: the core ones and those plugins add.',
  fields: (t) => ({
    type: t.string({ resolve: (n) => n.definition.type }),
    version: t.int({
      description: 'Its config version; saved configs migrate up to it.',
      resolve: (n) => n.definition.version,
    }),
    title: t.string({ resolve: (n) => n.definition.title }),
    description: t.string({ nullable: true, resolve: (n) => n.definition.description ?? null }),
    category: t.field({ type: NodeCategoryEnum, resolve: (n) => n.definition.category }),
    configSchema: t.field({
      type: 'JSON',
      description: 'JSON Schema of its settings; string fields marked "x-cel" hold CEL expressions.',
      resolve: (n) => n.definition.configSchema,
    }),
    defaultConfig: t.field({ type: 'JSON', resolve: (n) => n.definition.defaultConfig }),
    hasInput: t.boolean({
      description: 'Edges may enter it (false only for start).',
      resolve: (n) => n.definition.ports.hasInput,
    }),
    outputs: t.field({ type: [PortRef], resolve: (n) => [...n.definition.ports.outputs] }),
    dynamicOutputs: t.field({
      type: DynamicPortsRef,
      nullable: true,
      resolve: (n) => n.definition.ports.dynamicOutputs ?? null,
    }),
    isWaiting: t.boolean({
      description: 'A token always stops here (a human step, a timer).',
      resolve: (n) => n.definition.isWaiting,
    }),
    outputSchema: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What a step of this type records, readable by later conditions as steps.<node id>.',
      resolve: (n) =>
        n.definition.output && 'schema' in n.definition.output ? n.definition.output.schema : null,
    }),
    outputConfigPointer: t.string({
      nullable: true,
      description: "Where in the node's config the schema of what it records is (a human step's form).",
      resolve: (n) =>
        n.definition.output && 'configPointer' in n.definition.output
          ? n.definition.output.configPointer
          : null,
    }),
    source: t.string({
      description: '"core", or "plugin:<name>" for a plugin\'s.',
      resolve: (n) => n.source,
    }),
  }),
});

const PositionRef = builder
  .objectRef<{ x: number; y: number }>('NodePosition')
  .implement({ fields: (t) => ({ x: t.exposeFloat('x'), y: t.exposeFloat('y') }) });

const WorkflowNodeRef = builder.objectRef<WorkflowNode>('WorkflowNode').implement({
  description: 'A node of a workflow graph.',
  fields: (t) => ({
    id: t.exposeString('id', {
      description: 'Unique in the graph; conditions read its output as steps.<id>.',
    }),
    type: t.exposeString('type'),
    typeVersion: t.int({
      description: 'The config version it was saved with.',
      resolve: (n) => n.typeVersion,
    }),
    label: t.string({ nullable: true, resolve: (n) => n.label ?? null }),
    position: t.field({ type: PositionRef, resolve: (n) => n.position ?? { x: 0, y: 0 } }),
    config: t.field({ type: 'JSON', nullable: true, resolve: (n) => n.config ?? null }),
  }),
});

const WorkflowEdgeRef = builder.objectRef<WorkflowEdge>('WorkflowEdge').implement({
  description: "An edge from one node's output port to another node.",
  fields: (t) => ({
    id: t.exposeString('id'),
    source: t.exposeString('source'),
    sourcePort: t.exposeString('sourcePort'),
    target: t.exposeString('target'),
  }),
});

export const WorkflowGraphRef = builder.objectRef<WorkflowGraph>('WorkflowGraph').implement({
  description: 'A workflow as the designer saves it: nodes with their positions and settings, and edges.',
  fields: (t) => ({
    nodes: t.field({ type: [WorkflowNodeRef], resolve: (g) => (Array.isArray(g.nodes) ? g.nodes : []) }),
    edges: t.field({ type: [WorkflowEdgeRef], resolve: (g) => (Array.isArray(g.edges) ? g.edges : []) }),
    json: t.field({
      type: 'JSON',
      description: 'The whole graph as JSON, as updateWorkflowDraft takes it.',
      resolve: (g) => g,
    }),
  }),
});
