import { coreNodeTypes, defineNodeType, type HumanStepConfig, humanStepNode } from '@docket/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineExecutor, type ExecutorContext } from '../define-executor.ts';
import { coreExecutorRegistry, coreExecutors } from './index.ts';

describe('executors', () => {
  it('covers every core node type, each keyed by its definition', () => {
    const missing = coreNodeTypes.map((d) => d.type).filter((t) => !coreExecutorRegistry.has(t));
    expect(missing, `node types without an executor: ${missing.join(', ')}`).toEqual([]);
    for (const e of coreExecutors) {
      expect(e.type).toBe(e.definition.type);
      expect(coreNodeTypes).toContain(e.definition);
    }
  });

  it('gives an executor its node type’s config type', () => {
    defineExecutor(humanStepNode, {
      run(ctx) {
        expectTypeOf(ctx).toEqualTypeOf<ExecutorContext<HumanStepConfig>>();
        expectTypeOf(ctx.config.actions).toEqualTypeOf<('complete' | 'transfer' | 'return' | 'reject')[]>();
        return { kind: 'next' };
      },
    });
    const ping = defineNodeType({
      type: 'ping',
      version: 1,
      title: 'Ping',
      category: 'action',
      configSchema: { type: 'object', required: ['host'], properties: { host: { type: 'string' } } },
      defaultConfig: { host: 'example.com' },
      ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next' }] },
    });
    const exec = defineExecutor(ping, {
      run(ctx) {
        expectTypeOf(ctx.config).toEqualTypeOf<{ host: string }>();
        return { kind: 'next', output: { host: ctx.config.host } };
      },
    });
    expect(exec.type).toBe('ping');
  });
});
