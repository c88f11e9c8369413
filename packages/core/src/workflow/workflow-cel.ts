import { type CelSchema, type CelVariables, celTypeFromJsonSchema } from './cel.ts';
import {
  type AnyNodeTypeDefinition,
  escapePointerToken,
  type NodeTypeRegistry,
  readPointer,
} from './define-node-type.ts';
import type { WorkflowGraph } from './graph.ts';
import type { JsonSchema } from './json-schema-type.ts';

/**
 * What a workflow's expressions can read, with types, so publishing can catch an unknown field or a
 * wrong type: `ticket` (the ticket's fields) and `form` (the ticket's form data). When a part is
 * not described, it is read untyped. `steps.<node id>` (earlier step outputs) is typed from the
 * graph itself, and `now` is the current time.
 */
export type WorkflowContext = {
  ticket?: CelSchema;
  form?: CelSchema;
  /** Node types the graph may use; Docket's core node types when absent. */
  nodeTypes?: NodeTypeRegistry;
};

/** What a CEL field in a config must produce. */
export type CelExpectation = 'bool' | 'timestamp' | 'any';

export type CelField = { pointer: string; expression: string; expects: CelExpectation };

/**
 * The CEL expressions in a node's config: the string fields its config schema marks with
 * `"x-cel"`, each with its JSON pointer inside the config.
 */
export function celFieldsOf(def: AnyNodeTypeDefinition, config: unknown): CelField[] {
  const out: CelField[] = [];
  walk(def.configSchema, config, '', out);
  return out;
}

function walk(schema: unknown, value: unknown, pointer: string, out: CelField[]): void {
  if (schema === null || typeof schema !== 'object' || value === undefined) return;
  const s = schema as JsonSchema;
  const expects = s['x-cel'];
  if (typeof expects === 'string') {
    if (typeof value === 'string')
      out.push({
        pointer,
        expression: value,
        expects: expects === 'bool' || expects === 'timestamp' ? expects : 'any',
      });
    return;
  }
  if (Array.isArray(value)) {
    if (s.items)
      value.forEach((v, i) => {
        walk(s.items, v, `${pointer}/${i}`, out);
      });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const props = s.properties ?? {};
  const extra = s.additionalProperties;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const child = props[k] ?? (typeof extra === 'object' ? extra : undefined);
    walk(child, v, `${pointer}/${escapePointerToken(k)}`, out);
  }
}

/** The JSON Schema of what a node records as its output, if its type declares one. */
export function outputSchemaOf(def: AnyNodeTypeDefinition, config: unknown): unknown {
  const o = def.output;
  if (!o) return undefined;
  return 'schema' in o ? o.schema : readPointer(config, o.configPointer);
}

/** The typed variables a workflow's expressions see. */
export function workflowCelVariables(
  graph: WorkflowGraph,
  context: WorkflowContext,
  nodeTypes: NodeTypeRegistry,
  configs?: ReadonlyMap<string, unknown>,
): CelVariables {
  const steps: CelSchema = {};
  for (const node of graph.nodes) {
    const def = nodeTypes.get(node.type);
    if (!def?.output) continue;
    const schema = outputSchemaOf(def, configs?.get(node.id) ?? node.config);
    const type = celTypeFromJsonSchema(schema);
    steps[node.id] = type === 'dyn' ? 'map<string, dyn>' : type;
  }
  return {
    ticket: context.ticket ?? 'map<string, dyn>',
    form: context.form ?? 'map<string, dyn>',
    steps,
  };
}

/** Whether a CEL result type satisfies what the field expects. */
export function satisfies(type: string, expects: CelExpectation): boolean {
  if (expects === 'any' || type === 'dyn') return true;
  if (expects === 'bool') return type === 'bool';
  return type === 'timestamp' || type === 'string';
}
