import type { WorkflowGraph } from './graph.ts';
import type { FromSchema, JsonSchema } from './json-schema-type.ts';

/** Where a node type sits in the designer's palette. */
export const NODE_CATEGORIES = ['trigger', 'human', 'logic', 'flow', 'action', 'end'] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

/** One output of a node. An edge leaves a node from one of its output ports. */
export type PortDefinition = {
  readonly id: string;
  readonly label: string;
  /** Publishing fails when this port has no edge (the token would have nowhere to go). */
  readonly isRequired?: boolean;
  /** The port may have several edges (a parallel split fans out along all of them). */
  readonly allowsMany?: boolean;
};

/**
 * Outputs whose ids come from the node's config, e.g. one per branch of a condition:
 * the array at `pointer` (a JSON pointer into the config) gives one port per item, its id read
 * from `idProperty` and its label from `labelProperty`.
 */
export type DynamicPorts = {
  readonly pointer: string;
  readonly idProperty: string;
  readonly labelProperty?: string;
  readonly isRequired?: boolean;
};

export type NodePorts = {
  /** Whether edges may enter the node (false only for start). */
  readonly hasInput: boolean;
  readonly outputs: readonly PortDefinition[];
  readonly dynamicOutputs?: DynamicPorts;
};

/**
 * An up-migration of a node's saved config to `version` (from `version - 1`). `up` is code kept
 * beside the data: JSON.stringify of a definition keeps `version` and `description` only.
 */
export type NodeConfigMigration = {
  readonly version: number;
  readonly description: string;
  readonly up: (config: unknown) => unknown;
};

/**
 * What a step of this type records as its output, readable by later conditions as `steps.<node id>`:
 * a fixed schema, or a schema held in the node's config (a human step's form).
 */
export type NodeOutput = { readonly schema: JsonSchema } | { readonly configPointer: string };

/** What a node type's validate hook sees beyond the node's own config. */
export type NodeValidationContext = {
  readonly graph: WorkflowGraph;
  readonly nodeId: string;
  /** The node type of another node of the graph, when the graph has that node and its type is known. */
  typeOf(nodeId: string): AnyNodeTypeDefinition | undefined;
};

/** A problem inside a node's config: the field (a JSON pointer into the config), a code and a message. */
export type NodeConfigProblem = {
  readonly configPath: string;
  readonly code: string;
  readonly message: string;
};

/**
 * What a config schema cannot say: rules that look at several fields of the config, or at other
 * nodes. Runs on a config that already matches the node type's configSchema (at its current
 * version). Code kept beside the data, like migrations: JSON.stringify of a definition drops it.
 */
export type NodeValidator<TConfig> = (config: TConfig, ctx: NodeValidationContext) => NodeConfigProblem[];

/** The data a node type is: the designer renders it, the server stores it, the engine runs it. */
export type NodeTypeDefinition<TType extends string = string, TConfig = unknown> = {
  readonly type: TType;
  /** Current config version; saved configs with a lower version are migrated up on load. */
  readonly version: number;
  readonly title: string;
  readonly description?: string;
  readonly category: NodeCategory;
  /** JSON Schema of the config. String fields marked `"x-cel": "bool" | "timestamp" | "any"` hold CEL. */
  readonly configSchema: JsonSchema;
  /** The config a node of this type gets when it is added to a graph. */
  readonly defaultConfig: TConfig;
  readonly ports: NodePorts;
  /** A token always stops here (human step, timer); a loop needs one to be safe from spinning. */
  readonly isWaiting: boolean;
  readonly output?: NodeOutput;
  readonly migrations: readonly NodeConfigMigration[];
  /** See NodeValidator. (Method syntax: a definition of a specific config is still a definition.) */
  validate?(config: TConfig, ctx: NodeValidationContext): NodeConfigProblem[];
};

// biome-ignore lint/suspicious/noExplicitAny: a registry holds node types of any config type
export type AnyNodeTypeDefinition = NodeTypeDefinition<string, any>;

/** The config type of a node type definition. */
export type NodeConfigOf<D> = D extends NodeTypeDefinition<string, infer C> ? C : never;

export type DefineNodeTypeInput<TType extends string, TSchema extends JsonSchema> = {
  type: TType;
  version: number;
  title: string;
  description?: string;
  category: NodeCategory;
  configSchema: TSchema;
  defaultConfig: FromSchema<TSchema>;
  ports: NodePorts;
  isWaiting?: boolean;
  output?: NodeOutput;
  migrations?: readonly NodeConfigMigration[];
  validate?: NodeValidator<FromSchema<TSchema>>;
};

const TYPE_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/**
 * Defines a node type as plain data. The config type is inferred from `configSchema` (write the
 * schema inline, it is read as a literal). Throws on a malformed definition: that is a bug in the
 * code defining it, not something a user can fix.
 */
export function defineNodeType<const TType extends string, const TSchema extends JsonSchema>(
  input: DefineNodeTypeInput<TType, TSchema>,
): NodeTypeDefinition<TType, FromSchema<TSchema>> {
  const where = `node type "${input.type}"`;
  if (!TYPE_RE.test(input.type))
    throw new Error(`${where}: type must be lowercase words joined by "_" (optionally namespaced with ".")`);
  if (!Number.isInteger(input.version) || input.version < 1)
    throw new Error(`${where}: version must be an integer >= 1`);
  const migrations = [...(input.migrations ?? [])].sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 2)
      throw new Error(
        `${where}: migrations must lead from version 1 up to ${input.version} one step at a time`,
      );
  });
  if (migrations.length !== input.version - 1)
    throw new Error(
      `${where}: version ${input.version} needs ${input.version - 1} migration(s), has ${migrations.length}`,
    );
  const ids = new Set<string>();
  for (const p of input.ports.outputs) {
    if (ids.has(p.id)) throw new Error(`${where}: output port "${p.id}" is declared twice`);
    ids.add(p.id);
  }
  return Object.freeze({
    type: input.type,
    version: input.version,
    title: input.title,
    ...(input.description === undefined ? {} : { description: input.description }),
    category: input.category,
    configSchema: input.configSchema,
    defaultConfig: input.defaultConfig,
    ports: input.ports,
    isWaiting: input.isWaiting ?? false,
    ...(input.output === undefined ? {} : { output: input.output }),
    migrations: Object.freeze(migrations),
    ...(input.validate === undefined ? {} : { validate: input.validate }),
  });
}

/** Node types by their `type`. */
export type NodeTypeRegistry = ReadonlyMap<string, AnyNodeTypeDefinition>;

export function createNodeTypeRegistry(defs: readonly AnyNodeTypeDefinition[]): NodeTypeRegistry {
  const map = new Map<string, AnyNodeTypeDefinition>();
  for (const d of defs) {
    if (map.has(d.type)) throw new Error(`node type "${d.type}" is registered twice`);
    map.set(d.type, d);
  }
  return map;
}

/** Reads a JSON pointer ("/a/0/b") from a value; undefined when any step is missing. */
export function readPointer(value: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return value;
  let node: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export const escapePointerToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The output ports of a node with this config: those its config adds (in order), then the fixed ones. */
export function outputPortsOf(def: AnyNodeTypeDefinition, config: unknown): PortDefinition[] {
  const dyn = def.ports.dynamicOutputs;
  if (!dyn) return [...def.ports.outputs];
  const dynamic: PortDefinition[] = [];
  const items = readPointer(config, dyn.pointer);
  if (Array.isArray(items))
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue;
      const id = (item as Record<string, unknown>)[dyn.idProperty];
      if (typeof id !== 'string' || id === '') continue;
      const label = dyn.labelProperty ? (item as Record<string, unknown>)[dyn.labelProperty] : undefined;
      dynamic.push({
        id,
        label: typeof label === 'string' && label ? label : id,
        ...(dyn.isRequired ? { isRequired: true } : {}),
      });
    }
  return [...dynamic, ...def.ports.outputs];
}
