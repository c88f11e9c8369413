import type { AnyNodeTypeDefinition, NodeTypeRegistry } from '@docket/core';
import { type AnyExecutor, coreExecutors, type ExecutorRegistry } from '@docket/engine';
import { type EntrySource, Registry } from '../extensions/registry.ts';

/**
 * The node types the server runs: each definition (plain data, validated at publish, shown in
 * the designer's palette) with the executor that runs it. The core types are registered when the
 * app is built; plugins add theirs the same way. Validation, interpreters and `workflowNodeTypes`
 * all read from here.
 */
export class NodeTypeCatalog {
  private readonly executorsByType = new Registry<AnyExecutor>('Node type');
  private readonly definitionMap = new Map<string, AnyNodeTypeDefinition>();
  private readonly executorMap = new Map<string, AnyExecutor>();

  register(executor: AnyExecutor, source: EntrySource): void {
    this.executorsByType.register(executor.type, executor, source);
    this.definitionMap.set(executor.type, executor.definition);
    this.executorMap.set(executor.type, executor);
  }

  unregister(type: string): void {
    this.executorsByType.unregister(type);
    this.definitionMap.delete(type);
    this.executorMap.delete(type);
  }

  /** Definitions by type, as validation and graph edits take them (a live view). */
  get definitions(): NodeTypeRegistry {
    return this.definitionMap;
  }

  /** Executors by type, as interpreters take them (a live view). */
  get executors(): ExecutorRegistry {
    return this.executorMap;
  }

  list(): { definition: AnyNodeTypeDefinition; source: EntrySource }[] {
    return this.executorsByType.keys().map((type) => ({
      definition: this.definitionMap.get(type)!,
      source: this.executorsByType.sourceOf(type)!,
    }));
  }

  /** Grows with every change: interpreters built from an older catalog are built again. */
  get version(): number {
    return this.executorsByType.version;
  }
}

export function createNodeTypeCatalog(): NodeTypeCatalog {
  const catalog = new NodeTypeCatalog();
  for (const executor of coreExecutors) catalog.register(executor, 'core');
  return catalog;
}
