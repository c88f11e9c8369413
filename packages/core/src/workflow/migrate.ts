import { type FieldError, fieldError } from '../field-error.ts';
import type { AnyNodeTypeDefinition, NodeTypeRegistry } from './define-node-type.ts';
import type { WorkflowGraph, WorkflowNode } from './graph.ts';

export type MigratedConfig =
  | { ok: true; config: unknown; version: number; applied: number[] }
  | { ok: false; error: FieldError };

/**
 * Brings a node config saved at `fromVersion` up to the node type's current version by running
 * each up-migration in turn. A config from a newer version than the code knows is refused, never
 * guessed at; a migration that throws is reported with the version it was migrating to.
 */
export function migrateNodeConfig(
  def: AnyNodeTypeDefinition,
  config: unknown,
  fromVersion: number,
  path = '/config',
): MigratedConfig {
  if (!Number.isInteger(fromVersion) || fromVersion < 1)
    return {
      ok: false,
      error: fieldError(path, 'bad_version', `The config version ${fromVersion} is not a version (1, 2, …).`),
    };
  if (fromVersion > def.version)
    return {
      ok: false,
      error: fieldError(
        path,
        'newer_version',
        `This ${def.title} node was saved with config version ${fromVersion}, newer than version ${def.version} this server knows. Upgrade the server before using it.`,
      ),
    };
  let current: unknown = structuredClone(config);
  const applied: number[] = [];
  for (const m of def.migrations) {
    if (m.version <= fromVersion) continue;
    try {
      current = m.up(current);
    } catch (e) {
      return {
        ok: false,
        error: fieldError(
          path,
          'migration_failed',
          `Could not bring this ${def.title} node's config to version ${m.version} (${m.description}): ${(e as Error).message}`,
        ),
      };
    }
    applied.push(m.version);
  }
  return { ok: true, config: current, version: def.version, applied };
}

export type MigrationProblem = FieldError & { nodeId: string };

/**
 * Migrates every node of a saved graph to its node type's current config version. Nodes whose type
 * is unknown or whose migration fails are kept as saved and reported.
 */
export function migrateWorkflow(
  graph: WorkflowGraph,
  nodeTypes: NodeTypeRegistry,
): { graph: WorkflowGraph; problems: MigrationProblem[]; changedNodeIds: string[] } {
  const problems: MigrationProblem[] = [];
  const changedNodeIds: string[] = [];
  const nodes = graph.nodes.map((node, i): WorkflowNode => {
    const def = nodeTypes.get(node.type);
    if (!def) {
      problems.push({
        ...fieldError(
          `/nodes/${i}/type`,
          'unknown_type',
          `Node "${node.id}" has unknown type "${node.type}".`,
        ),
        nodeId: node.id,
      });
      return node;
    }
    if (node.typeVersion === def.version) return node;
    const r = migrateNodeConfig(def, node.config, node.typeVersion, `/nodes/${i}/config`);
    if (!r.ok) {
      problems.push({ ...r.error, message: `Node "${node.id}": ${r.error.message}`, nodeId: node.id });
      return node;
    }
    changedNodeIds.push(node.id);
    return { ...node, typeVersion: r.version, config: r.config };
  });
  return { graph: { ...graph, nodes }, problems, changedNodeIds };
}
